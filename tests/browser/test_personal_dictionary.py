"""Add to my dictionary in a real browser: every open card is checked again at once, and a
card being edited keeps what is being typed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from followup.accounts.dictionary import dictionary_words
from tests.browser.conftest import screenshot
from tests.browser.test_queue import signed_in_page
from tests.builders.accounts import make_user
from tests.builders.messages import CLEAN_BODY, draft, panel

pytestmark = pytest.mark.browser

BODY = CLEAN_BODY.replace("from my last team", "from my last team on zyntrax")


def test_adding_a_word_clears_it_on_every_open_card_but_leaves_an_edit_alone(
    browser_context, live_server
):
    user = make_user("alex@example.com")
    application, people = panel(user)
    soon = timezone.now() + dt.timedelta(hours=1)
    first, second, editing = (
        draft(application, contact=people[name], due_at=soon, body_text=BODY)
        for name in ("dana", "richardson", "recruiter")
    )
    page = signed_in_page(browser_context, live_server, user)
    page.goto(f"{live_server.url}/messages/queue/")
    page.wait_for_function("() => window.htmx !== undefined")
    for message in (first, second, editing):
        assert "“zyntrax”" in page.locator(f"#draft-{message.pk} .queue-findings").inner_text()
    page.locator(f"#draft-{editing.pk} [data-action=edit]").click()
    box = page.locator(f"#draft-{editing.pk}[data-editing] textarea")
    box.fill(BODY + "\nTyped, not saved yet.")
    screenshot(page, "queue-add-word")

    page.locator(f"#draft-{first.pk}").get_by_role(
        "button", name="Add “zyntrax” to my dictionary"
    ).click()

    page.locator(f"#draft-{first.pk} [role=status]").wait_for()
    assert "Added “zyntrax” to your dictionary" in page.locator(f"#draft-{first.pk}").inner_text()
    page.wait_for_function(
        f"() => !document.querySelector('#draft-{second.pk}').textContent.includes('zyntrax”')"
    )
    assert page.locator(f"#draft-{second.pk} .queue-findings").inner_text().strip() != ""
    assert "Check the spelling" not in page.locator(f"#draft-{second.pk}").inner_text()
    # The card being edited is still the edit form, with the text typed into it.
    assert box.input_value().endswith("Typed, not saved yet.")
    assert page.locator("[data-queue-card]").count() == 3
    assert dictionary_words(user=user) == {"zyntrax"}
