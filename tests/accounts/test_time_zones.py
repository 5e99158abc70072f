"""Only real places (Area/City) and UTC are offered and accepted as time zones."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from followup.accounts.choices import time_zone_choices
from followup.accounts.models import User
from followup.accounts.validators import validate_time_zone
from interviews.models import Interview
from tests.interviews.helpers import log_data

ODD_ZONES = ("localtime", "Factory", "EST", "Japan", "GMT")


@pytest.mark.parametrize("name", ODD_ZONES)
def test_the_validator_refuses_a_zone_that_is_no_place(name):
    with pytest.raises(ValidationError) as refused:
        validate_time_zone(name)

    assert refused.value.code == "unknown_time_zone"


@pytest.mark.parametrize("name", ["UTC", "Europe/Berlin", "America/New_York", "Etc/GMT+5"])
def test_the_validator_accepts_area_city_names_and_utc(name):
    validate_time_zone(name)


def test_the_choices_offer_no_zone_without_a_slash_but_utc():
    values = [value for value, _ in time_zone_choices()]

    assert "UTC" in values
    assert "Europe/Berlin" in values
    assert [value for value in values if "/" not in value] == ["UTC"]
    assert not {"localtime", "Factory"} & set(values)


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
    from tests.accounts.test_signup import _signup_data

    response = client.post(reverse("accounts:signup"), _signup_data(time_zone="localtime"))

    assert response.status_code == 200
    assert response.context["form"].errors["time_zone"]
    assert not User.objects.filter(email="jordan@example.com").exists()
