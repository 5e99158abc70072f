"""Profile validation: one bound per number, a real send window, a short signature."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from followup.accounts.models import SIGNATURE_MAX_LENGTH, Profile
from tests.builders.forms import profile_data

pytestmark = pytest.mark.django_db

URL = reverse("accounts:profile")


@pytest.mark.parametrize("value", [-3, 0])
def test_a_cadence_number_below_one_gets_the_same_message(owner_client, user, value):
    response = owner_client.post(URL, profile_data(check_in_business_days=value))
    assert response.status_code == 200
    assert response.context["form"].errors["check_in_business_days"] == [
        "Ensure this value is greater than or equal to 1."
    ]
    assert Profile.objects.get(user=user).check_in_business_days == 10


def test_the_cadence_number_fields_say_their_minimum_to_the_browser(owner_client):
    html = owner_client.get(URL).content.decode()
    assert 'name="no_news_business_days" value="7" min="1"' in html


@pytest.mark.parametrize("end", ["08:01", "08:59"])
def test_a_send_window_shorter_than_an_hour_is_refused(owner_client, user, end):
    response = owner_client.post(URL, profile_data(send_window_start="08:00", send_window_end=end))
    assert response.status_code == 200
    assert "at least one hour long" in response.context["form"].errors["send_window_end"][0]
    assert Profile.objects.get(user=user).send_window_end == dt.time(19, 0)


def test_a_one_hour_send_window_is_fine(owner_client, user):
    response = owner_client.post(
        URL, profile_data(send_window_start="08:00", send_window_end="09:00")
    )
    assert response.status_code == 302
    assert Profile.objects.get(user=user).send_window_end == dt.time(9, 0)


def test_a_signature_longer_than_the_limit_is_refused(owner_client, user):
    response = owner_client.post(URL, profile_data(signature="x" * (SIGNATURE_MAX_LENGTH + 1)))
    assert response.status_code == 200
    assert "at most 1000 characters" in response.context["form"].errors["signature"][0]
    assert len(Profile.objects.get(user=user).signature) < SIGNATURE_MAX_LENGTH


def test_a_signature_at_the_limit_is_saved(owner_client, user):
    response = owner_client.post(URL, profile_data(signature="x" * SIGNATURE_MAX_LENGTH))
    assert response.status_code == 302
    assert len(Profile.objects.get(user=user).signature) == SIGNATURE_MAX_LENGTH
