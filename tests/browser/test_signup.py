"""A newcomer's first visit in a real browser: sign up, set the profile, land on the dashboard."""

from __future__ import annotations

from followup.accounts.models import Profile, User
from tests.browser.conftest import screenshot


def test_a_newcomer_signs_up_sets_the_profile_and_sees_the_dashboard(page, live_server):
    page.goto(f"{live_server.url}/")
    # Anonymous visitors land on the login page, which leads to sign-up.
    page.get_by_role("link", name="Create an account").click()
    page.fill("input[name=full_name]", "Robin Quinn")
    page.fill("input[name=email]", "robin@example.com")
    page.select_option("select[name=time_zone]", "Europe/Berlin")
    page.fill("input[name=password1]", "a-long-and-unusual-passphrase")
    page.fill("input[name=password2]", "a-long-and-unusual-passphrase")
    page.locator("main form [type=submit]").last.click()

    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("link", name="Log interview").first.is_visible()
    screenshot(page, "dashboard")
    user = User.objects.get(email="robin@example.com")
    assert (user.profile.full_name, user.profile.time_zone) == ("Robin Quinn", "Europe/Berlin")

    page.goto(f"{live_server.url}/accounts/profile/")
    page.fill("input[name=phone]", "+49 30 1234567")
    page.select_option("select[name=country]", "DE")
    page.fill("input[name=region]", "BY")
    # The profile form's own button: the page has others (own mailbox, dictionary).
    page.locator("form:has(input[name=phone]) [type=submit]").first.click()
    page.wait_for_load_state()
    screenshot(page, "profile")
    profile = Profile.objects.get(user=user)
    assert (profile.phone, profile.country, profile.region) == ("+49 30 1234567", "DE", "BY")
