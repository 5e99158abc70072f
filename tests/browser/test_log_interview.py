"""Log an interview in a real browser: add and remove interviewer rows, submit, see it saved."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from interviews.models import Application, Company, Contact, Interview
from tests.browser.conftest import screenshot
from tests.builders.accounts import PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_a_user_logs_an_interview_with_rows_added_and_removed(page, live_server):
    user = make_user("alex@example.com")  # in America/New_York
    zone = zoneinfo.ZoneInfo("America/New_York")
    yesterday = timezone.localdate(timezone=zone) - dt.timedelta(days=1)
    decision_day = yesterday + dt.timedelta(days=10)
    company = Company.objects.create(user=user, name="Acme Corp")
    recruiter = Contact.objects.create(
        user=user, company=company, name="Riley Park", kind="recruiter", email="riley@acme.example"
    )
    Contact.objects.create(
        user=user, company=Company.objects.create(user=user, name="Globex"), name="Other Person"
    )

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill('input[name="username"]', user.email)
    page.fill('input[name="password"]', PASSWORD)
    page.press('input[name="password"]', "Enter")
    page.wait_for_url(f"{live_server.url}/")

    page.get_by_role("link", name="Log your first interview").click()
    page.wait_for_url("**/interviews/log/")
    assert page.input_value("#id_time_zone") == "America/New_York"

    page.fill("#id_company", "Acme Corp")
    page.fill("#id_role", "Data Engineer")
    page.fill("#id_round_name", "Technical")
    page.fill("#id_date", yesterday.isoformat())
    page.fill("#id_start_time", "10:00")
    page.fill("#id_end_time", "11:00")
    page.get_by_text("In person").click()
    page.fill("#id_location", "12 Harbour St, Boston")
    page.fill("#id_decision_date", decision_day.isoformat())
    page.fill("#id_decision_words", "by the end of next week")

    rows = page.locator("[data-formset-row]:visible")
    assert rows.count() == 1
    page.fill("#id_people-0-name", "Dana Richardson")
    page.fill("#id_people-0-honorific", "Ms.")
    page.fill("#id_people-0-email", "dana@acme.example")
    page.fill("#id_people-0-discussed", "The move of their pipelines to Kafka")

    add = page.get_by_role("button", name="Add an interviewer")
    add.click()
    assert rows.count() == 2
    page.fill("#id_people-1-name", "Mistaken Row")
    add.click()
    assert rows.count() == 3
    assert page.input_value("#id_people-TOTAL_FORMS") == "3"

    # Remove the mistaken second row: it is hidden and marked for deletion.
    rows.nth(1).get_by_role("button", name="Remove this interviewer").click()
    assert rows.count() == 2
    assert page.is_checked("#id_people-1-DELETE")
    assert rows.nth(1).locator("[data-row-number]").inner_text() == "2"

    # The picker lists Acme's people only, since Acme is the company typed above.
    picker = page.locator("#id_people-2-contact")
    assert picker.locator("option", has_text="Riley Park").is_enabled()
    assert picker.locator("option:not([hidden])", has_text="Other Person").count() == 0
    picker.select_option(label="Riley Park — Acme Corp")
    page.check("#id_people-2-is_main")
    page.fill("#id_people-2-questions", "How I handle on-call")

    screenshot(page, "log-interview")

    page.locator('#interview-form button[type="submit"]').click()
    page.wait_for_url("**/applications/*/")

    interview = Interview.objects.get()
    assert interview.starts_at == dt.datetime.combine(yesterday, dt.time(10, 0), tzinfo=zone)
    assert interview.format == "in_person"
    assert interview.decision_date == decision_day
    participants = list(interview.participants.select_related("contact"))
    assert [(p.contact.name, p.position) for p in participants] == [
        ("Dana Richardson", 0),
        ("Riley Park", 1),
    ]
    assert participants[0].discussed == "The move of their pipelines to Kafka"
    assert participants[1].contact == recruiter
    assert not Contact.objects.filter(name="Mistaken Row").exists()
    application = Application.objects.get()
    assert application.main_contact == recruiter

    body = page.locator("main")
    assert body.get_by_role("heading", name="Data Engineer").is_visible()
    assert body.get_by_text("The move of their pipelines to Kafka").is_visible()
    interview_card = page.locator(f"#interview-{interview.pk}")
    assert interview_card.get_by_role("link", name="Dana Richardson").is_visible()
    assert interview_card.get_by_role("link", name="Riley Park").is_visible()
    assert page.locator('.timeline [data-kind="interview_logged"]').count() == 1
    screenshot(page, "application")
