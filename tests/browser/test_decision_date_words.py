"""What they said becomes a date, in a real browser: type the words, see the date Followup
reads, use it, save; no Content-Security-Policy violation on the way."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from interviews.models import Interview
from messaging.drafting.rendering import long_date
from tests.browser.conftest import screenshot
from tests.browser.test_csp import Console, signed_in_page
from tests.builders.accounts import make_user

pytestmark = pytest.mark.browser


def test_the_words_become_a_date_the_user_uses_and_saves(browser_context, live_server):
    user = make_user("alex@example.com")  # in America/New_York, US
    console = Console(browser_context)
    page = signed_in_page(browser_context, live_server, user, console)
    zone = zoneinfo.ZoneInfo("America/New_York")
    yesterday = timezone.localdate(timezone=zone) - dt.timedelta(days=1)
    # The Friday of the week after the interview's week.
    friday = yesterday - dt.timedelta(days=yesterday.weekday()) + dt.timedelta(days=11)

    page.goto(f"{live_server.url}/interviews/log/")
    page.fill("#id_company", "Acme Corp")
    page.fill("#id_role", "Data Engineer")
    page.fill("#id_date", yesterday.isoformat())
    page.fill("#id_start_time", "10:00")
    page.fill("#id_end_time", "11:00")
    page.fill("#id_people-0-name", "Dana Richardson")
    page.fill("#id_people-0-email", "dana@acme.example")
    page.locator("#id_decision_words").press_sequentially("by the end of next week", delay=10)

    line = page.locator('[data-decision-preview="read"]')
    line.wait_for()
    assert f"Followup will use {long_date(friday, country='US')}" in line.inner_text()
    screenshot(page, "decision-date-preview")

    line.get_by_role("button", name="Use this date").click()
    assert page.input_value("#id_decision_date") == friday.isoformat()
    page.locator('[data-decision-preview="agrees"]').wait_for()

    page.locator('#interview-form button[type="submit"]').click()
    page.wait_for_url("**/applications/*/")

    interview = Interview.objects.get()
    assert interview.decision_date == friday
    assert interview.decision_words == "by the end of next week"
    assert console.violations() == []


def test_words_it_cannot_read_say_the_default_applies(browser_context, live_server):
    user = make_user("alex@example.com")
    console = Console(browser_context)
    page = signed_in_page(browser_context, live_server, user, console)

    page.goto(f"{live_server.url}/interviews/log/")
    page.fill("#id_decision_words", "we'll be in touch")

    line = page.locator('[data-decision-preview="unread"]')
    line.wait_for()
    assert "the default applies (10 business days after the interview)" in line.inner_text()
    assert console.violations() == []


def test_without_javascript_the_form_asks_before_using_the_date(browser_context, live_server):
    user = make_user("alex@example.com")
    context = browser_context.browser.new_context(java_script_enabled=False)
    page = signed_in_page(context, live_server, user, Console(context))
    zone = zoneinfo.ZoneInfo("America/New_York")
    yesterday = timezone.localdate(timezone=zone) - dt.timedelta(days=1)
    tomorrow_of_it = yesterday + dt.timedelta(days=1)

    page.goto(f"{live_server.url}/interviews/log/")
    page.fill("#id_company", "Acme Corp")
    page.fill("#id_role", "Data Engineer")
    page.fill("#id_date", yesterday.isoformat())
    page.fill("#id_start_time", "10:00")
    page.fill("#id_end_time", "11:00")
    page.fill("#id_people-0-name", "Dana Richardson")
    page.fill("#id_decision_words", "by tomorrow")
    page.locator('#interview-form button[type="submit"]').click()

    notice = page.locator("#decision-date-confirm")
    notice.wait_for()
    assert "Nothing is saved yet" in notice.inner_text()
    assert long_date(tomorrow_of_it, country="US") in notice.inner_text()
    assert page.input_value("#id_decision_date") == tomorrow_of_it.isoformat()
    assert not Interview.objects.exists()

    page.locator('#interview-form button[type="submit"]').click()
    page.wait_for_url("**/applications/*/")
    assert Interview.objects.get().decision_date == tomorrow_of_it
    context.close()
