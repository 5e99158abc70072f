"""The profile page: it saves identity, send window and timing, one clear error per bad field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from followup.accounts.models import Profile, User
from followup.accounts.services import profile_for
from tests.builders.forms import profile_data

pytestmark = pytest.mark.django_db

URL = reverse("accounts:profile")


def test_the_profile_page_needs_a_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_it_shows_the_identity_and_the_follow_up_timing_fieldset(owner_client):
    response = owner_client.get(URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Follow-up timing" in content
    assert 'value="Alex Morgan"' in content
    assert "United States (US)" in content
    assert 'value="08:00"' in content


def test_it_saves_identity_window_and_timing(owner_client, user):
    response = owner_client.post(
        URL,
        profile_data(
            full_name="Alex J. Morgan",
            email="alex.morgan@example.com",
            signature="Portfolio: alexmorgan.dev",
            time_zone="Europe/London",
            country="GB",
            region="sct",
            send_window_start="09:30",
            send_window_end="17:00",
            check_in_business_days=8,
            stay_in_touch_weeks=10,
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == URL
    user.refresh_from_db()
    profile = user.profile
    profile.refresh_from_db()
    assert user.email == "alex.morgan@example.com"
    assert profile.full_name == "Alex J. Morgan"
    assert profile.signature == "Portfolio: alexmorgan.dev"
    assert profile.time_zone == "Europe/London"
    assert (profile.country, profile.region) == ("GB", "SCT")
    assert profile.send_window_start == dt.time(9, 30)
    assert profile.send_window_end == dt.time(17, 0)
    assert profile.check_in_business_days == 8
    assert profile.stay_in_touch_weeks == 10


def test_a_region_is_optional_and_a_country_can_be_none(owner_client, user):
    response = owner_client.post(URL, profile_data(country="", region=""))
    assert response.status_code == 302
    profile = Profile.objects.get(user=user)
    assert (profile.country, profile.region) == ("", "")


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"send_window_start": "18:00", "send_window_end": "09:00"}, "send_window_end", "after"),
        ({"send_window_end": "08:00"}, "send_window_end", "after"),
        ({"send_window_start": "25:00"}, "send_window_start", "valid time"),
        ({"time_zone": "Europe/Atlantis"}, "time_zone", "valid choice"),
        ({"country": "XX"}, "country", "valid choice"),
        ({"region": "ZZ"}, "region", "not a region of US"),
        ({"country": "DE", "region": "NY"}, "region", "Use one of: BB, BE"),
        ({"country": "", "region": "NY"}, "region", "Pick a country first"),
        ({"email": "not-an-email"}, "email", "valid email"),
        ({"full_name": "  "}, "full_name", "required"),
        ({"check_in_business_days": 0}, "check_in_business_days", "greater than or equal"),
        ({"stay_in_touch_weeks": 500}, "stay_in_touch_weeks", "less than or equal"),
    ],
)
def test_bad_input_gets_a_clear_field_error_and_saves_nothing(
    owner_client, user, overrides, field, words
):
    before = Profile.objects.values().get(user=user)
    response = owner_client.post(URL, profile_data(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert words in " ".join(errors[field])
    assert len(errors[field]) == 1, errors[field]  # one clear message, not a pile
    assert Profile.objects.values().get(user=user) == before
    assert User.objects.get(pk=user.pk).email == "alex@example.com"


def test_an_email_used_by_another_account_is_refused_in_any_case(owner_client, user, outsider):
    response = owner_client.post(URL, profile_data(email="SAM@example.org"))
    assert response.status_code == 200
    assert "already exists" in response.context["form"].errors["email"][0]
    user.refresh_from_db()
    assert user.email == "alex@example.com"


def test_keeping_your_own_email_in_another_case_is_fine(owner_client, user):
    response = owner_client.post(URL, profile_data(email="alex@EXAMPLE.com"))
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "alex@example.com"


def test_a_user_without_a_profile_gets_one_with_the_defaults(client, db):
    admin_made = User.objects.create_user(email="bare@example.com", password="x")
    client.force_login(admin_made)
    response = client.get(URL)
    assert response.status_code == 200
    assert profile_for(user=admin_made).send_window_start == dt.time(8, 0)


def test_each_user_edits_only_their_own_profile(owner_client, user, outsider):
    owner_client.post(URL, profile_data(full_name="Changed Name"))
    assert Profile.objects.get(user=outsider).full_name == "Sam Other"
    assert Profile.objects.get(user=user).full_name == "Changed Name"


def test_the_page_says_thank_yous_go_any_day_and_follow_ups_on_business_days(owner_client):
    html = owner_client.get(URL).content.decode()

    assert "any day of the week" in html
    assert "only sends them inside your send window, on business days" not in html
