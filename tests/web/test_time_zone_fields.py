"""The log and sign-up pages offer and accept no time zone that is not a place."""

from __future__ import annotations

import pytest
from django.urls import reverse

from followup.accounts.models import User
from interviews.models import Interview
from tests.builders.forms import log_data, signup_data


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["localtime", "Factory"])
def test_the_log_form_refuses_an_odd_time_zone(owner_client, name):
    response = owner_client.post(reverse("interviews:log"), log_data(time_zone=name))

    assert response.status_code == 200
    assert response.context["form"].errors["time_zone"]
    assert not Interview.objects.exists()


@pytest.mark.django_db
def test_the_log_page_suggests_no_odd_time_zone(owner_client):
    html = owner_client.get(reverse("interviews:log")).content.decode()

    assert 'value="Europe/Berlin"' in html
    assert 'value="localtime"' not in html
    assert 'value="Factory"' not in html


@pytest.mark.django_db
def test_sign_up_refuses_the_server_local_time_zone(client):

    response = client.post(reverse("accounts:signup"), signup_data(time_zone="localtime"))

    assert response.status_code == 200
    assert response.context["form"].errors["time_zone"]
    assert not User.objects.filter(email="jordan@example.com").exists()
