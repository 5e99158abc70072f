"""The approval queue in a real browser: keys move and approve in place, the badge follows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from messaging.models import Message
from tests.browser.conftest import screenshot
from tests.builders.accounts import make_user
from tests.builders.messages import CLEAN_BODY, draft, panel

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
    # The badge counts what is due by tomorrow: the check-in three days away waits, folded
    # away in the "Later" group.
    assert badge.inner_text() == "2"
    assert page.locator("[data-queue-card]").count() == 3
    assert page.locator(f"#draft-{third.pk}").is_hidden()
    page.wait_for_function("() => window.htmx !== undefined")

    page.keyboard.press("j")
    focused = page.evaluate("document.activeElement.id")
    assert focused == f"draft-{first.pk}"
    screenshot(page, "queue")

    page.keyboard.press("a")

    page.locator(f"#draft-{first.pk}[data-done]").wait_for()
    page.wait_for_function("() => document.getElementById('queue-count').textContent === '1'")
    assert "Approved" in page.locator(f"#draft-{first.pk}").inner_text()
    # Focus moved on to the next draft still waiting.
    assert page.evaluate("document.activeElement.id") == f"draft-{second.pk}"
    first.refresh_from_db()
    assert first.status == Message.Status.APPROVED
    assert Message.objects.get(pk=second.pk).status == Message.Status.DRAFT
    # j does not reach into the closed "Later" group; opened, it does.
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.id") == f"draft-{second.pk}"
    page.locator("details[data-group=later] > summary").click()
    page.locator(f"#draft-{second.pk}").click(position={"x": 8, "y": 8})
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.id") == f"draft-{third.pk}"
    # The draft with an error cannot be approved by key either.
    page.keyboard.press("a")
    page.keyboard.press("?")
    page.locator("#queue-help.show").wait_for()
    assert Message.objects.get(pk=third.pk).status == Message.Status.DRAFT
    assert badge.inner_text() == "1"


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


# -- counts and focus after an in-place action ----------------------------------------------------


def three_ready_drafts(user) -> list[Message]:
    """Clean thank-yous at three companies, due one after another: all three ready to approve."""
    now = timezone.now()
    return [
        draft(panel(user, company_name=name)[0], due_at=now + dt.timedelta(hours=hours))
        for hours, name in ((1, "Northwind Labs"), (2, "Contoso"), (3, "Fabrikam"))
    ]


def shown_counts(page) -> dict[str, object]:
    """The counts the page shows: heading, Approve all, the tab and the navigation badge."""
    return page.evaluate(
        """() => {
          const text = (selector) =>
            document.querySelector(selector).textContent.replace(/\\s+/g, " ").trim();
          const approveAll = document.querySelector("[data-approve-all] button");
          return {
            waiting: text("main p.small").split(".")[0],
            approve_all: approveAll.hidden ? null : text("[data-approve-all] button"),
            tab: text('[data-tab-count="drafts"]'),
            badge: document.getElementById("queue-count").hidden ? null : text("#queue-count"),
          };
        }"""
    )


def counts_for(n: int) -> dict[str, object]:
    return {
        "waiting": f"{n} draft{'s' if n != 1 else ''} waiting",
        "approve_all": f"Approve all {n} ready…" if n else None,
        "tab": str(n),
        "badge": str(n) if n else None,
    }


def approve_with_a(page, message: Message) -> None:
    """Press a on the focused card and wait for its answer (the card dealt with, in place)."""
    page.keyboard.press("a")
    page.locator(f"#draft-{message.pk}[data-done]").wait_for()
    page.wait_for_load_state()


def focused(page) -> str:
    return page.evaluate("document.activeElement.id")


def test_approving_in_place_updates_every_count_and_focuses_the_next_draft(
    browser_context, live_server
):
    user = make_user("alex@example.com")
    first, second, third = three_ready_drafts(user)
    page = signed_in_page(browser_context, live_server, user)
    page.goto(f"{live_server.url}/messages/queue/")
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("window.notReloaded = true")
    assert shown_counts(page) == counts_for(3)

    page.keyboard.press("j")
    assert focused(page) == f"draft-{first.pk}"
    approve_with_a(page, first)

    page.wait_for_function("() => document.getElementById('queue-count').textContent === '2'")
    assert shown_counts(page) == counts_for(2)
    assert focused(page) == f"draft-{second.pk}"
    assert page.evaluate("window.notReloaded") is True
    assert Message.objects.get(pk=first.pk).status == Message.Status.APPROVED
    screenshot(page, "queue-after-approve")

    # The count the approve-all dialog asks with is the server's one too.
    questions: list[str] = []
    page.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.locator("[data-approve-all] button").click()
    assert questions == ["Approve 2 drafts? Each goes out at its own time."]
    assert Message.objects.get(pk=third.pk).status == Message.Status.DRAFT


def test_focus_after_approving_a_later_card_never_skips_an_open_card_above(
    browser_context, live_server
):
    user = make_user("alex@example.com")
    first, second, third = three_ready_drafts(user)
    page = signed_in_page(browser_context, live_server, user)
    page.goto(f"{live_server.url}/messages/queue/")
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("window.notReloaded = true")

    # The last card: nothing open below it, so focus backs up to the nearest open one.
    for _ in range(3):
        page.keyboard.press("j")
    assert focused(page) == f"draft-{third.pk}"
    approve_with_a(page, third)
    page.wait_for_function("() => document.getElementById('queue-count').textContent === '2'")
    assert focused(page) == f"draft-{second.pk}"
    assert shown_counts(page) == counts_for(2)

    # From the card dealt with, k goes to the nearest open card above it, not the first.
    page.locator(f"#draft-{third.pk}").click(position={"x": 8, "y": 8})
    page.keyboard.press("k")
    assert focused(page) == f"draft-{second.pk}"

    # The middle card, with the one below it done: on to the open one above it.
    approve_with_a(page, second)
    page.wait_for_function("() => document.getElementById('queue-count').textContent === '1'")
    assert focused(page) == f"draft-{first.pk}"
    assert shown_counts(page) == counts_for(1)

    # Undo puts the last card back; approving the first then skips the done middle card.
    page.locator(f"#draft-{third.pk}").get_by_role("button", name="Undo").click()
    page.locator(f"#draft-{third.pk}:not([data-done])").wait_for()
    page.wait_for_function("() => document.getElementById('queue-count').textContent === '2'")
    assert shown_counts(page) == counts_for(2)
    page.locator(f"#draft-{first.pk}").click(position={"x": 8, "y": 8})
    approve_with_a(page, first)
    page.wait_for_function("() => document.getElementById('queue-count').textContent === '1'")
    assert focused(page) == f"draft-{third.pk}"
    assert shown_counts(page) == counts_for(1)
    assert page.evaluate("window.notReloaded") is True
    statuses = [Message.objects.get(pk=m.pk).status for m in (first, second, third)]
    assert statuses == ["approved", "approved", "draft"]
