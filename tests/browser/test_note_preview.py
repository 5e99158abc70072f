"""Awkward notes on the log form: the preview shows the sentence as the user types, and the
drafted thank-you carries the clean one (issue 9)."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from messaging.models import Message
from tests.browser.conftest import screenshot
from tests.builders.accounts import PASSWORD, make_user

pytestmark = pytest.mark.browser

RUN_ON = (
    "Migrating their nightly revenue reports from cron scripts to dbt, and how they test "
    "data quality before the finance close"
)
PHRASE = "migrating your nightly revenue reports from cron scripts to dbt"
CLEAN = f"I especially enjoyed our conversation about {PHRASE}."
# The same note in each phrasing of the thank-you (the draft may use any of them).
IN_THANK_YOU = {
    1: CLEAN,
    2: f"Our discussion about {PHRASE} was a highlight for me.",
    3: f"Talking about {PHRASE} was the part I enjoyed most.",
}


def test_the_preview_follows_awkward_notes_and_the_draft_says_the_clean_sentence(page, live_server):
    user = make_user("alex@example.com")  # in America/New_York
    yesterday = timezone.localdate(timezone=zoneinfo.ZoneInfo("America/New_York")) - dt.timedelta(
        days=1
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill('input[name="username"]', user.email)
    page.fill('input[name="password"]', PASSWORD)
    page.press('input[name="password"]', "Enter")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/interviews/log/")
    page.fill("#id_company", "Northwind Analytics")
    page.fill("#id_role", "Analytics Engineer")
    page.fill("#id_date", yesterday.isoformat())
    page.fill("#id_start_time", "10:00")
    page.fill("#id_end_time", "11:00")
    page.fill("#id_people-0-name", "Priya Shah")
    page.fill("#id_people-0-email", "priya@northwind.example")

    field = page.locator("[data-note-field]", has=page.locator("#id_people-0-discussed"))
    shown = field.locator("[data-note-preview]")
    # Before anything is typed: the shape that works best.
    assert "we talked about" in shown.inner_text()

    page.fill("#id_people-0-discussed", "sql test, window functions. went ok i think")
    slot = shown.locator("mark.note-slot").first
    slot.wait_for()
    assert slot.inner_text() == "[Say in a few words what you discussed]"
    assert "note to yourself" in shown.inner_text()

    page.fill("#id_people-0-discussed", RUN_ON)
    first = shown.locator("[data-note-sentence]").first
    expect(first).to_contain_text("your nightly revenue reports")
    assert first.inner_text().strip('"“”') == CLEAN
    assert shown.locator("mark.note-slot").count() == 0

    promised = page.locator("[data-note-field]", has=page.locator("#id_people-0-promised"))
    page.fill("#id_people-0-promised", "send my portfolio link")
    promised.locator("mark.note-slot").wait_for()
    assert "As promised, here is my portfolio:" in promised.inner_text()
    screenshot(page, "log-interview-note-preview")

    page.locator('#interview-form button[type="submit"]').click()
    page.wait_for_url("**/applications/*/")

    thank_you = Message.objects.get(stage=Message.Stage.THANK_YOU)
    sentence = IN_THANK_YOU[thank_you.phrasing]
    assert sentence in thank_you.body_text
    page.goto(f"{live_server.url}/messages/queue/")
    card = page.locator(f"#draft-{thank_you.pk}")
    text = re.sub(r"\s+", " ", card.locator(".queue-preview-text").inner_text())
    assert sentence in text
    assert "Migrating their" not in text and "cron scripts to dbt, and" not in text
    assert re.search(r"my portfolio[^.]*: \[Paste the link here\]", text)
    screenshot(page, "queue-clean-note-sentence")
