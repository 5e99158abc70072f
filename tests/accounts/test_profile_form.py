"""The profile form suggests the regions of the chosen country, by code with their names."""

from __future__ import annotations

import pytest
from django.urls import reverse

from followup.accounts.forms import ProfileForm
from tests.builders.forms import profile_data

pytestmark = pytest.mark.django_db


def test_the_region_suggestions_follow_the_chosen_country(user):
    form = ProfileForm(instance=user.profile)
    codes = [code for code, _ in form.region_choices()]
    assert "NY" in codes and "CA" in codes
    names = dict(form.region_choices())
    assert names["NY"] == "New York"

    bound = ProfileForm(profile_data(country="CA", region=""), instance=user.profile)
    assert "ON" in [code for code, _ in bound.region_choices()]


def test_the_region_suggestions_are_codes_with_names_only(user):
    form = ProfileForm(profile_data(country="DE", region=""), instance=user.profile)
    choices = dict(form.region_choices())

    assert choices["BY"] == "Bayern"
    assert "Augsburg" not in choices
    assert all(code == code.upper() for code in choices)
    # Still accepted when typed: it is one of the holiday calendar's areas.
    form = ProfileForm(profile_data(country="DE", region="Augsburg"), instance=user.profile)
    assert form.is_valid(), form.errors


def test_the_neutral_formal_greeting_is_chosen_on_the_profile_and_defaults_to_the_full_name(
    user,
):
    assert user.profile.formal_greeting == "dear_full_name"
    form = ProfileForm(profile_data(formal_greeting="hello_full_name"), instance=user.profile)
    assert form.is_valid(), form.errors
    assert form.profile_changes()["formal_greeting"] == "hello_full_name"
    # No choice sent (an older page): the default, not an error and not a guess.
    form = ProfileForm(profile_data(), instance=user.profile)
    assert form.is_valid(), form.errors
    assert form.profile_changes()["formal_greeting"] == "dear_full_name"
    form = ProfileForm(profile_data(formal_greeting="mr_or_ms"), instance=user.profile)
    assert not form.is_valid()
    assert "formal_greeting" in form.errors


def test_the_profile_page_offers_the_neutral_forms(owner_client):
    html = owner_client.get(reverse("accounts:profile")).text

    assert 'name="formal_greeting"' in html
    assert "Dear Dana Lee," in html and "Hello Dana Lee," in html
