"""The queue's counts after an in-place (htmx) action: the answer carries them, out of band.

The page's htmx requests say which tab they come from and which cards are still open on it
(the inputs its hx-include names); the answer swaps in the navigation badge, the tabs, the
"N drafts waiting" line and the "Approve all N ready" button, rendered from the same
partials and selectors as the page itself, so no number is counted in the browser.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from messaging.models import Message
from tests.builders.clock import NEW_YORK
from tests.builders.messages import CLEAN_BODY, draft, panel

QUEUE = reverse("messaging:queue")
SCHEDULED = reverse("messaging:queue_scheduled")
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": f"http://testserver{QUEUE}"}
Status = Message.Status
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


# -- reading a page or an answer ------------------------------------------------------------------


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    text: str = ""

    @property
    def words(self) -> str:
        return " ".join(self.text.split())

    @property
    def number(self) -> int:
        return int(re.search(r"\d+", self.text).group())


class Html(HTMLParser):
    """Elements by id (with their text), and every input: enough to read counts from HTML."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self.by_id: dict[str, Element] = {}
        self.inputs: list[dict[str, str | None]] = []
        self.including: list[str] = []  # every hx-include on the page
        self._open: list[tuple[str, Element | None]] = []
        self.feed(source)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        element = Element(tag, attributes) if "id" in attributes else None
        if element is not None:
            assert attributes["id"] not in self.by_id, f"two elements with id {attributes['id']}"
            self.by_id[attributes["id"]] = element
        if tag == "input":
            self.inputs.append(attributes)
        if "hx-include" in attributes:
            self.including.append(attributes["hx-include"] or "")
        if tag not in VOID:
            self._open.append((tag, element))

    def handle_endtag(self, tag: str) -> None:
        while self._open and self._open.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        for _, element in self._open:
            if element is not None:
                element.text += data

    def __getitem__(self, element_id: str) -> Element:
        return self.by_id[element_id]


def page_fields(client, url: str = QUEUE) -> dict[str, list[str]]:
    """What a page's htmx requests send besides their own form: the inputs its hx-include names."""
    page = Html(client.get(url).text)
    selectors = {s for s in page.including if s != "closest form"}
    assert len(selectors) == 1, selectors
    marker = re.fullmatch(r"\[([\w-]+)\]", selectors.pop())
    assert marker, "the page includes its inputs by an attribute"
    fields: dict[str, list[str]] = {}
    for attrs in page.inputs:
        if marker.group(1) in attrs:
            fields.setdefault(attrs["name"], []).append(attrs["value"])
    return fields


@dataclass
class Counts:
    badge: int
    badge_hidden: bool
    drafts_tab: int
    scheduled_tab: int
    waiting: str | None = None
    ready: int | None = None
    ready_hidden: bool | None = None


def counts(html: str, *, oob: bool) -> Counts:
    """The counts an HTML page (or an htmx answer's out-of-band part) shows."""
    doc = Html(html)
    swapped = ["queue-count", "queue-tabs"]
    result = Counts(
        badge=doc["queue-count"].number,
        badge_hidden="hidden" in doc["queue-count"].attrs,
        drafts_tab=doc["queue-tab-drafts"].number,
        scheduled_tab=doc["queue-tab-scheduled"].number,
    )
    if "queue-waiting" in doc.by_id:
        swapped += ["queue-waiting", "queue-approve-all"]
        result.waiting = doc["queue-waiting"].words
        result.ready = doc["queue-approve-all"].number
        result.ready_hidden = "hidden" in doc["queue-approve-all"].attrs
    for element_id in swapped:
        assert ("hx-swap-oob" in doc[element_id].attrs) is oob, element_id
    return result


def drafts() -> int:
    return Message.objects.filter(status=Status.DRAFT).count()


def url(name: str, message: Message) -> str:
    return reverse(name, args=[message.pk])


def post(client, name: str, message: Message, fields: dict, data: dict | None = None):
    return client.post(url(name, message), {**fields, **(data or {})}, **HTMX)


@pytest.fixture
def three(user) -> list[Message]:
    """Three clean thank-yous at three companies, soonest first: all three ready."""
    now = timezone.now()
    return [
        draft(panel(user, company_name=name)[0], due_at=now + dt.timedelta(hours=hours))
        for hours, name in ((1, "Northwind Labs"), (2, "Contoso"), (3, "Fabrikam"))
    ]


# -- the page -------------------------------------------------------------------------------------


def test_the_page_shows_the_counts_the_answers_swap(owner_client, three):
    shown = counts(owner_client.get(QUEUE).text, oob=False)

    assert shown == Counts(3, False, 3, 0, "3 drafts waiting", 3, False)
    fields = page_fields(owner_client)
    assert fields["queue_tab"] == ["drafts"]
    assert sorted(map(int, fields["ids"])) == sorted(m.pk for m in three)


# -- after an action ------------------------------------------------------------------------------


def test_an_htmx_approve_answers_with_the_new_counts_out_of_band(owner_client, three):
    fields = page_fields(owner_client)

    response = post(owner_client, "messaging:queue_approve", three[0], fields)

    assert response.status_code == 200
    assert f'id="draft-{three[0].pk}"' in response.text
    assert counts(response.text, oob=True) == Counts(2, False, 2, 1, "2 drafts waiting", 2, False)
    # The one the page shows after a reload: the same partials, the same numbers.
    assert counts(owner_client.get(QUEUE).text, oob=False) == counts(response.text, oob=True)


def test_an_htmx_skip_answers_with_the_new_counts_out_of_band(owner_client, three):
    fields = page_fields(owner_client)

    response = post(owner_client, "messaging:queue_skip", three[1], fields, {"reason": "no"})

    assert "Skipped: no" in response.text
    assert counts(response.text, oob=True) == Counts(2, False, 2, 0, "2 drafts waiting", 2, False)


def test_the_last_approval_hides_the_badge_and_the_approve_all_button(owner_client, user):
    message = draft(panel(user)[0])
    fields = page_fields(owner_client)

    response = post(owner_client, "messaging:queue_approve", message, fields)

    assert counts(response.text, oob=True) == Counts(0, True, 0, 1, "0 drafts waiting", 0, True)


def test_approve_all_counts_only_cards_still_open_and_ready(owner_client, user, three):
    """A snoozed draft still waits, but its card is dealt with here; a blocked one is not ready."""
    blocked = draft(
        panel(user, company_name="Initech")[0],
        body_text=CLEAN_BODY.replace("Hi Dana", "Hi [Name]"),
    )
    fields = page_fields(owner_client)
    assert counts(owner_client.get(QUEUE).text, oob=False).ready == 3

    snoozed = post(owner_client, "messaging:queue_snooze", three[0], fields, {"preset": "tomorrow"})
    # Snoozing a thank-you plans its check-ins again: drafts too, but not on this page, and
    # due days away, so not in the navigation badge (drafts due by tomorrow: these four).
    waiting = drafts()
    assert waiting > 4
    fields["ids"].remove(str(three[0].pk))  # its card now shows "Snoozed" (data-done)
    skipped = post(owner_client, "messaging:queue_skip", blocked, fields, {"reason": "x"})

    assert counts(snoozed.text, oob=True) == Counts(
        4, False, waiting, 0, f"{waiting} drafts waiting", 2, False
    )
    waiting -= 1
    assert counts(skipped.text, oob=True) == Counts(
        3, False, waiting, 0, f"{waiting} drafts waiting", 2, False
    )


def test_undo_and_edits_count_the_card_they_put_back(owner_client, three):
    fields = page_fields(owner_client)
    post(owner_client, "messaging:queue_approve", three[0], fields)
    fields["ids"].remove(str(three[0].pk))

    undone = post(owner_client, "messaging:queue_unapprove", three[0], fields, {"back": "card"})
    after_undo = drafts()
    edited = post(
        owner_client,
        "messaging:queue_edit",
        three[1],
        {**fields, "ids": [*fields["ids"], str(three[0].pk)]},
        {
            "to_email": three[1].to_email,
            "subject": three[1].subject,
            "body_text": CLEAN_BODY.replace("Hi Dana", "Hi [Name]"),  # an error: not ready now
            "due_at": three[1].due_at.astimezone(NEW_YORK).strftime("%Y-%m-%dT%H:%M"),
        },
    )

    # The badge counts the three thank-yous due within hours, not the check-ins the edit
    # planned again days away (they are on the tab's count and in "N drafts waiting").
    assert drafts() > 3
    assert 'data-action="approve"' in undone.text
    assert counts(undone.text, oob=True) == Counts(
        3, False, after_undo, 0, f"{after_undo} drafts waiting", 3, False
    )
    assert "Saved." in edited.text
    assert counts(edited.text, oob=True) == Counts(
        3, False, drafts(), 0, f"{drafts()} drafts waiting", 2, False
    )


def test_send_now_and_a_refusal_for_a_message_sent_meanwhile_update_the_counts(
    owner_client, three, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    fields = page_fields(owner_client)
    Message.objects.filter(pk=three[2].pk).update(status=Status.SENT, sent_at=timezone.now())

    sending = post(owner_client, "messaging:queue_send_now", three[0], fields)
    refused = post(owner_client, "messaging:queue_skip", three[2], fields, {"reason": "late"})

    assert counts(sending.text, oob=True) == Counts(1, False, 1, 1, "1 draft waiting", 1, False)
    assert "can no longer be skipped" in refused.text
    assert counts(refused.text, oob=True).ready == 1


def test_unapproving_on_the_scheduled_tab_swaps_the_tabs_and_the_badge(owner_client, three):
    for message in three[:2]:
        owner_client.post(url("messaging:queue_approve", message))
    fields = page_fields(owner_client, SCHEDULED)
    assert fields == {"queue_tab": ["scheduled"]}

    response = post(owner_client, "messaging:queue_unapprove", three[0], fields)

    assert f"draft-{three[0].pk}" not in response.text  # the row leaves: only counts come back
    assert counts(response.text, oob=True) == Counts(2, False, 2, 1)
    assert 'aria-current="page" href="/messages/queue/scheduled/"' in response.text


# -- without a queue page, or without JavaScript --------------------------------------------------


def test_a_request_that_names_no_queue_tab_gets_no_counts_but_the_event(owner_client, three):
    response = owner_client.post(url("messaging:queue_approve", three[0]), **HTMX)

    assert "hx-swap-oob" not in response.text
    assert '"queueChanged": {"count": 2}' in response["HX-Trigger"]


def test_without_javascript_the_reloaded_page_shows_the_new_counts(owner_client, three):
    response = owner_client.post(url("messaging:queue_approve", three[0]), {"next": QUEUE})

    assert response.status_code == 302
    page = owner_client.get(response["Location"]).text
    assert counts(page, oob=False) == Counts(2, False, 2, 1, "2 drafts waiting", 2, False)
