"""Reads for the approval queue: a user's drafts grouped by when they are due, with check results.

The queue is the screen with the most messages on it, so nothing here runs a query per
message: the page's drafts come in one query, and what the checks need in a fixed handful
more (messaging.check_facts), whatever the number of drafts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import nh3
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from followup.accounts.models import User
from followup.rules import checks
from messaging import selectors
from messaging.check_facts import draft_facts_many
from messaging.models import Message

Status = Message.Status

# Drafts on one page of the queue: enough for any morning, few enough to render quickly.
QUEUE_PAGE_SIZE = 100
# Rows on one page of the Scheduled, Sent and Failed tabs.
TAB_PAGE_SIZE = 50

OVERDUE, TODAY, TOMORROW, LATER = "overdue", "today", "tomorrow", "later"
GROUP_LABELS = {OVERDUE: "Overdue", TODAY: "Today", TOMORROW: "Tomorrow", LATER: "Later"}

# Scheduled tab: approved and not yet sent (a held one keeps its approval; a sending one is
# with the ESP right now).
SCHEDULED_Q = Q(status__in=(Status.APPROVED, Status.SENDING)) | Q(
    status=Status.HELD, approved_at__isnull=False
)


def group_for(due_at: dt.datetime | None, *, now: dt.datetime, zone: dt.tzinfo) -> str:
    """Overdue, today, tomorrow or later, by calendar days on the user's own clock."""
    if due_at is None:
        return LATER
    if due_at < now:
        return OVERDUE
    today = now.astimezone(zone).date()
    day = due_at.astimezone(zone).date()
    if day == today:
        return TODAY
    if day == today + dt.timedelta(days=1):
        return TOMORROW
    return LATER


def with_card_rows(messages: QuerySet[Message]) -> QuerySet[Message]:
    """What a queue card shows, joined in the same query."""
    return messages.select_related(
        "application__company", "application__main_contact", "contact", "interview"
    )


def queue_drafts(*, user: User) -> QuerySet[Message]:
    """The user's drafts awaiting approval, soonest first (no due time: last)."""
    return with_card_rows(Message.objects.filter(user=user, status=Status.DRAFT)).order_by(
        F("due_at").asc(nulls_last=True), "pk"
    )


def queue_counts(*, user: User) -> dict[str, int]:
    """How many messages each tab holds, in one query."""
    return Message.objects.filter(user=user).aggregate(
        drafts=Count("pk", filter=Q(status=Status.DRAFT)),
        scheduled=Count("pk", filter=SCHEDULED_Q),
        failed=Count("pk", filter=Q(status=Status.FAILED)),
    )


def drafts_awaiting_count(*, user: User) -> int:
    """The navigation badge: drafts waiting for the user's approval."""
    return Message.objects.filter(user=user, status=Status.DRAFT).count()


# -- what a card shows ----------------------------------------------------------------------------


@dataclass
class QueueItem:
    """One message on the queue or the application page's panel, with what the checks found."""

    message: Message
    findings: list[checks.Finding] = field(default_factory=list)
    group: str = LATER

    @property
    def errors(self) -> list[checks.Finding]:
        return [f for f in self.findings if f.severity == checks.ERROR]

    @property
    def blocks(self) -> list[checks.Finding]:
        return [f for f in self.findings if f.severity == checks.BLOCK]

    @property
    def warnings(self) -> list[checks.Finding]:
        return [f for f in self.findings if f.severity == checks.WARNING]

    @property
    def needs_override(self) -> bool:
        """Approval needs the pestering checkbox: a block and nothing worse."""
        return bool(self.blocks) and not self.errors

    @property
    def can_approve(self) -> bool:
        """Not approved yet and still able to go (a held draft may be approved ahead)."""
        return self.message.approved_at is None and self.message.status in (
            Status.DRAFT,
            Status.HELD,
        )

    @property
    def ready(self) -> bool:
        """Approve-all takes it: nothing blocks, not even pestering."""
        return not checks.has_blocking(self.findings)

    @property
    def body_marked(self) -> SafeString:
        # checks.highlight escapes the text; only its own <mark> tags are markup.
        return mark_safe(checks.highlight(self.message.body_text, self.findings, field="body"))

    @property
    def subject_marked(self) -> SafeString:
        return mark_safe(checks.highlight(self.message.subject, self.findings, field="subject"))

    @property
    def to_marked(self) -> SafeString:
        return mark_safe(checks.highlight(self.message.to_email, self.findings, field="to"))

    @property
    def safe_html(self) -> str:
        """The HTML body without scripts, styles or handlers (shown in a sandboxed frame too)."""
        return nh3.clean(self.message.body_html) if self.message.body_html else ""


@dataclass
class QueueGroup:
    key: str
    label: str
    items: list[QueueItem]


@dataclass
class QueuePage:
    """One page of the queue: its groups in order, and what approve-all would take."""

    page: Page
    groups: list[QueueGroup]
    items: list[QueueItem]

    @property
    def shown_ids(self) -> list[int]:
        return [item.message.pk for item in self.items]

    @property
    def ready_count(self) -> int:
        return sum(1 for item in self.items if item.ready)


def queue_items(
    *, user: User, messages: Sequence[Message], now: dt.datetime | None = None
) -> list[QueueItem]:
    """Cards for these messages, checked and placed in their group."""
    now = now or timezone.now()
    calendar, _ = selectors.cadence_inputs_for(user=user)
    facts = draft_facts_many(user=user, messages=messages, calendar=calendar)
    return [
        QueueItem(
            message=message,
            findings=checks.check_draft(facts[message.pk]),
            group=group_for(message.due_at, now=now, zone=calendar.zone),
        )
        for message in messages
    ]


def queue_page(*, user: User, page_number: object = 1, now: dt.datetime | None = None) -> QueuePage:
    """A page of the user's drafts, grouped Overdue / Today / Tomorrow / Later, soonest first."""
    page = Paginator(queue_drafts(user=user), QUEUE_PAGE_SIZE).get_page(page_number)
    items = queue_items(user=user, messages=list(page.object_list), now=now)
    grouped: dict[str, list[QueueItem]] = {key: [] for key in GROUP_LABELS}
    for item in items:
        grouped[item.group].append(item)
    groups = [
        QueueGroup(key=key, label=GROUP_LABELS[key], items=grouped[key])
        for key in GROUP_LABELS
        if grouped[key]
    ]
    return QueuePage(page=page, groups=groups, items=items)


def queue_item(*, user: User, message: Message, now: dt.datetime | None = None) -> QueueItem:
    """One card, checked the same way as on the page (for htmx responses)."""
    return queue_items(user=user, messages=[message], now=now)[0]


def ready_draft_ids(*, user: User, ids: Iterable[int]) -> list[int]:
    """Of these ids: the user's own drafts that nothing blocks (what approve-all would take)."""
    drafts = list(queue_drafts(user=user).filter(pk__in=list(ids)))
    return [item.message.pk for item in queue_items(user=user, messages=drafts) if item.ready]


# -- the other tabs -------------------------------------------------------------------------------


def scheduled_page(*, user: User, page_number: object = 1) -> Page:
    """Approved messages not yet sent, next to go first."""
    messages = with_card_rows(Message.objects.filter(SCHEDULED_Q, user=user)).order_by(
        F("due_at").asc(nulls_last=True), "pk"
    )
    return Paginator(messages, TAB_PAGE_SIZE).get_page(page_number)


def sent_page(*, user: User, page_number: object = 1) -> Page:
    """Sent messages, newest first, with what the ESP's webhooks said since."""
    messages = with_card_rows(Message.objects.filter(user=user, status=Status.SENT)).order_by(
        F("sent_at").desc(nulls_last=True), "-pk"
    )
    return Paginator(messages, TAB_PAGE_SIZE).get_page(page_number)


def failed_page(*, user: User, page_number: object = 1) -> Page:
    """Messages the ESP refused, most recent first, with its reason."""
    messages = with_card_rows(Message.objects.filter(user=user, status=Status.FAILED)).order_by(
        "-updated_at", "-pk"
    )
    return Paginator(messages, TAB_PAGE_SIZE).get_page(page_number)
