"""The approval queue in a real browser: keys move and approve in place, the badge follows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from messaging.models import Message
from tests.browser.conftest import screenshot
from tests.conftest import make_user
from tests.messaging.queue_builders import CLEAN_BODY, draft, panel

pytestmark = pytest.mark.browser


def signed_in_page(context, live_server, user):
    """A page whose session cookie belongs to `user` (no trip through the login form)."""
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context.new_page()


def test_j_then_a_approves_the_focused_draft_in_place_and_the_badge_drops(
    browser_context, live_server
):
    user = make_user("alex@example.com")
    application, people = panel(user)
    now = timezone.now()
    first = draft(application, due_at=now - dt.timedelta(hours=2))
    second = draft(
        application,
        contact=people["richardson"],
        due_at=now + dt.timedelta(hours=3),
        body_text=CLEAN_BODY.replace("Hi Dana", "Dear Ms. Richardson").replace(
            "I look forward", "This is my dream job. I look forward"
        ),
    )
    third = draft(
        application,
        contact=people["recruiter"],
        stage=Message.Stage.CHECK_IN,
        due_at=now + dt.timedelta(days=3),
        subject="Following up on the [Role] interview",
        body_text="Hi Jordan,\n\nIs there any update on the role?\n\nThanks,\nAlex Morgan",
    )
    page = signed_in_page(browser_context, live_server, user)

    page.goto(f"{live_server.url}/messages/queue/")
    badge = page.locator("#queue-count")
    assert badge.inner_text() == "3"
    assert page.locator("[data-queue-card]").count() == 3
    page.wait_for_function("() => window.htmx !== undefined")

    page.keyboard.press("j")
    focused = page.evaluate("document.activeElement.id")
    assert focused == f"draft-{first.pk}"
    screenshot(page, "queue")

    page.keyboard.press("a")

    page.locator(f"#draft-{first.pk}[data-done]").wait_for()
    page.wait_for_function("() => document.getElementById('queue-count').textContent === '2'")
    assert "Approved" in page.locator(f"#draft-{first.pk}").inner_text()
    # Focus moved on to the next draft still waiting.
    assert page.evaluate("document.activeElement.id") == f"draft-{second.pk}"
    first.refresh_from_db()
    assert first.status == Message.Status.APPROVED
    assert Message.objects.get(pk=second.pk).status == Message.Status.DRAFT
    # The draft with an error cannot be approved by key either.
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.id") == f"draft-{third.pk}"
    page.keyboard.press("a")
    page.keyboard.press("?")
    page.locator("#queue-help.show").wait_for()
    assert Message.objects.get(pk=third.pk).status == Message.Status.DRAFT
    assert badge.inner_text() == "2"


def test_keys_typed_into_the_skip_reason_do_not_trigger_actions(browser_context, live_server):
    user = make_user("alex@example.com")
    application, _ = panel(user)
    message = draft(application)
    page = signed_in_page(browser_context, live_server, user)

    page.goto(f"{live_server.url}/messages/queue/")
    page.wait_for_function("() => window.htmx !== undefined")
    page.keyboard.press("j")
    page.keyboard.press("s")
    page.keyboard.type("already said thanks")
    page.keyboard.press("Enter")

    page.locator(f"#draft-{message.pk}[data-done]").wait_for()
    message.refresh_from_db()
    assert message.status == Message.Status.SKIPPED
    assert message.status_reason == "already said thanks"
    assert page.locator("#queue-count").is_hidden()


def test_approve_all_asks_with_the_count_and_approves_the_ready_drafts(
    browser_context, live_server
):
    user = make_user("alex@example.com")
    application, people = panel(user)
    ready = [draft(application), draft(application, contact=people["richardson"])]
    blocked = draft(application, contact=people["recruiter"], stage="check_in", subject="")
    page = signed_in_page(browser_context, live_server, user)
    questions: list[str] = []

    def answer(dialog) -> None:
        questions.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    page.goto(f"{live_server.url}/messages/queue/")
    page.get_by_role("button", name="Approve all 2 ready").click()
    page.wait_for_url(f"{live_server.url}/messages/queue/")
    page.get_by_text("Approved 2 messages.").wait_for()

    assert questions == ["Approve 2 drafts? Each goes out at its own time."]
    assert [Message.objects.get(pk=m.pk).status for m in ready] == ["approved", "approved"]
    assert Message.objects.get(pk=blocked.pk).status == "draft"
    assert page.locator("#queue-count").inner_text() == "1"


def test_editing_inline_re_checks_as_you_type_and_saves_in_place(browser_context, live_server):
    user = make_user("alex@example.com")
    application, _ = panel(user)
    message = draft(application)
    page = signed_in_page(browser_context, live_server, user)

    page.goto(f"{live_server.url}/messages/queue/")
    page.wait_for_function("() => window.htmx !== undefined")
    page.keyboard.press("j")
    page.keyboard.press("e")
    body = page.locator(f"#draft-{message.pk} textarea[name=body_text]")
    body.wait_for()
    assert page.evaluate("document.activeElement.name") == "body_text"
    page.keyboard.press("Control+End")
    page.keyboard.type(" It is my dream job.")

    findings = page.locator(f"#edit-findings-{message.pk}")
    findings.locator("[data-severity=warning]").wait_for()
    assert "dream job" in findings.locator("mark.check-warning").first.inner_text()
    screenshot(page, "queue-edit")

    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved.").wait_for()
    message.refresh_from_db()
    assert message.body_text.endswith("It is my dream job.")
    assert message.edited_by_user is True
    assert page.locator(f"#draft-{message.pk} mark.check-warning").inner_text() == "dream job"
