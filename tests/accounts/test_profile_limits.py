"""Profile validation: one bound per number, a real send window, a short signature (R1b)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from followup.accounts.models import SIGNATURE_MAX_LENGTH, Profile
from followup.accounts.services import PROFILE_FIELDS
from messaging.models import Message
from messaging.services.facts import profile_update
from tests.accounts.test_profile import _profile_data
from tests.messaging.factories import local
from tests.messaging.test_rules import planned

pytestmark = pytest.mark.django_db

URL = reverse("accounts:profile")


@pytest.mark.parametrize("value", [-3, 0])
def test_a_cadence_number_below_one_gets_the_same_message(owner_client, user, value):
    response = owner_client.post(URL, _profile_data(check_in_business_days=value))
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
    response = owner_client.post(URL, _profile_data(send_window_start="08:00", send_window_end=end))
    assert response.status_code == 200
    assert "at least one hour long" in response.context["form"].errors["send_window_end"][0]
    assert Profile.objects.get(user=user).send_window_end == dt.time(19, 0)


def test_a_one_hour_send_window_is_fine(owner_client, user):
    response = owner_client.post(
        URL, _profile_data(send_window_start="08:00", send_window_end="09:00")
    )
    assert response.status_code == 302
    assert Profile.objects.get(user=user).send_window_end == dt.time(9, 0)


def test_a_signature_longer_than_the_limit_is_refused(owner_client, user):
    response = owner_client.post(URL, _profile_data(signature="x" * (SIGNATURE_MAX_LENGTH + 1)))
    assert response.status_code == 200
    assert "at most 1000 characters" in response.context["form"].errors["signature"][0]
    assert len(Profile.objects.get(user=user).signature) < SIGNATURE_MAX_LENGTH


def test_a_signature_at_the_limit_is_saved(owner_client, user):
    response = owner_client.post(URL, _profile_data(signature="x" * SIGNATURE_MAX_LENGTH))
    assert response.status_code == 302
    assert len(Profile.objects.get(user=user).signature) == SIGNATURE_MAX_LENGTH


def test_a_profile_change_does_not_make_an_on_time_thank_you_late(user):
    application, _people = planned(user)
    profile = user.profile
    current = {name: getattr(profile, name) for name in PROFILE_FIELDS}
    # 18:00 in New York is 08:00 next day in Tokyo: with a 07:30 window there, the next
    # morning after the interview (07:30 Tokyo) has just passed, through the user's own change.
    with time_machine.travel(local(2025, 3, 4, 18), tick=False):
        profile_update(
            profile=profile,
            email=user.email,
            changes=current | {"time_zone": "Asia/Tokyo", "send_window_start": dt.time(7, 30)},
        )
    thank_yous = Message.objects.filter(
        application=application,
        stage=Message.Stage.THANK_YOU,
        status__in=Message.PENDING_STATUSES,
    )
    assert thank_yous.exists()
    assert not any(m.late for m in thank_yous)
