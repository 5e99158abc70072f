"""Sign-up: a newcomer gets a user and a profile, is logged in and lands on the dashboard."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from followup.accounts.models import Profile, User
from tests.builders.accounts import PASSWORD
from tests.builders.forms import signup_data

pytestmark = pytest.mark.django_db


def test_the_login_page_invites_a_newcomer_to_sign_up(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert reverse("accounts:signup").encode() in response.content


def test_a_first_visit_ends_on_a_page_that_leads_to_sign_up(client):
    response = client.get("/", follow=True)
    assert response.status_code == 200
    assert reverse("accounts:signup").encode() in response.content


def test_it_creates_the_user_and_profile_logs_in_and_opens_the_dashboard(client):
    response = client.post(reverse("accounts:signup"), signup_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("interviews:dashboard")
    user = User.objects.get(email="jordan@example.com")
    assert user.check_password(PASSWORD)
    assert user.profile.full_name == "Jordan Lee"
    assert user.profile.time_zone == "Europe/Berlin"
    assert client.get(reverse("interviews:dashboard")).status_code == 200


def test_a_new_profile_starts_with_the_default_send_window_and_timing(client):
    client.post(reverse("accounts:signup"), signup_data())
    profile = Profile.objects.get(user__email="jordan@example.com")
    assert profile.send_window_start.strftime("%H:%M") == "08:00"
    assert profile.send_window_end.strftime("%H:%M") == "19:00"
    assert (
        profile.check_in_business_days,
        profile.after_decision_business_days,
        profile.second_check_in_business_days,
        profile.no_news_business_days,
        profile.out_of_office_business_days,
        profile.stay_in_touch_weeks,
    ) == (10, 2, 5, 7, 5, 6)


def test_it_refuses_an_email_that_exists_in_another_case(client, user):
    response = client.post(reverse("accounts:signup"), signup_data(email="ALEX@example.com"))
    assert response.status_code == 200
    assert "already exists" in response.context["form"].errors["email"][0]
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"password2": "something-else-entirely"}, "password2"),
        ({"password1": "short", "password2": "short"}, "password1"),
        ({"email": "not-an-email"}, "email"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"full_name": ""}, "full_name"),
    ],
)
def test_it_shows_a_field_error_and_creates_nothing_on_bad_input(client, overrides, field):
    response = client.post(reverse("accounts:signup"), signup_data(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not User.objects.exists()
    assert not Profile.objects.exists()


def test_an_empty_post_shows_errors_instead_of_a_blank_form(client):
    response = client.post(reverse("accounts:signup"), {})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_a_signed_in_user_is_sent_on_to_the_dashboard(owner_client):
    response = owner_client.get(reverse("accounts:signup"))
    assert response.status_code == 302
    assert response["Location"] == reverse("interviews:dashboard")


@pytest.mark.parametrize(
    ("time_zone", "country"),
    [
        ("Europe/Berlin", "DE"),
        ("America/New_York", "US"),
        ("US/Eastern", "US"),  # an old name, linked to America/New_York
        ("UTC", ""),  # names no country: weekends only
    ],
)
def test_the_holiday_country_follows_the_chosen_time_zone(client, time_zone, country):
    client.post(reverse("accounts:signup"), signup_data(time_zone=time_zone))

    profile = Profile.objects.get(user__email="jordan@example.com")
    assert (profile.time_zone, profile.country) == (time_zone, country)


def test_an_absurdly_long_password_is_refused_with_a_form_error(client):
    long = "Correct-Horse-" + "x" * 60_000
    response = client.post(reverse("accounts:signup"), signup_data(password1=long, password2=long))

    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    assert not User.objects.exists()


def test_sign_up_asks_for_the_name_and_phone_the_signature_needs(client):
    html = client.get(reverse("accounts:signup")).text

    assert re.search(r'<input[^>]*name="full_name"[^>]*required', html)
    phone = re.search(r'<input[^>]*name="phone"[^>]*>', html).group()
    assert 'autocomplete="tel"' in phone and "required" not in phone


def test_the_phone_given_at_sign_up_is_on_the_profile_and_no_banner_shows(client):
    response = client.post(reverse("accounts:signup"), signup_data(phone="  +49 30 1234567 "))

    assert response.status_code == 302
    profile = Profile.objects.get(user__email="jordan@example.com")
    assert (profile.full_name, profile.phone) == ("Jordan Lee", "+49 30 1234567")
    assert 'id="identity-missing"' not in client.get(reverse("interviews:dashboard")).text


def test_without_a_phone_the_account_is_made_and_a_banner_says_it_is_missing(client):
    response = client.post(reverse("accounts:signup"), signup_data(), follow=True)

    assert Profile.objects.get(user__email="jordan@example.com").phone == ""
    text = " ".join(re.sub(r"<[^>]+>", " ", response.text).split())
    assert "your phone number is missing" in text


def test_sign_up_refuses_a_blank_name(client):
    response = client.post(reverse("accounts:signup"), signup_data(full_name="   "))

    assert response.status_code == 200
    assert response.context["form"].errors["full_name"] == ["This field is required."]
    assert not User.objects.exists()
