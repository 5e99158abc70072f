"""Reads for the approval queue: a user's drafts grouped by when they are due, with check results.

The queue is the screen with the most messages on it, so nothing here runs a query per
message: the page's drafts come in one query, and what the checks need in a fixed handful
more (messaging.check_facts), whatever the number of drafts.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import nh3
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from followup.accounts.models import User
from followup.rules import checks
from followup.rules.calendar import wall_to_utc
from messaging import selectors
from messaging.check_facts import draft_facts_many
from messaging.models import Message

Status = Message.Status

# Drafts on one page of the queue: a morning's worth. Each card runs every check (a couple of
# milliseconds), so the page stays about as quick with a thousand drafts waiting as with ten.
QUEUE_PAGE_SIZE = 15
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


# A send whose outcome is unknown (it may have arrived): the "not confirmed" status, or a
# failed row written before that status existed and flagged as possibly arrived
# (Message.outcome_unknown). They have a tab of their own, apart from the plain failures.
UNCONFIRMED_Q = Q(status=Status.UNCONFIRMED) | Q(status=Status.FAILED, outcome_unknown=True)
FAILED_Q = Q(status=Status.FAILED, outcome_unknown=False)


def queue_counts(*, user: User) -> dict[str, int]:
    """How many messages each tab holds, in one query."""
    return Message.objects.filter(user=user).aggregate(
        drafts=Count("pk", filter=Q(status=Status.DRAFT)),
        scheduled=Count("pk", filter=SCHEDULED_Q),
        failed=Count("pk", filter=FAILED_Q),
        unconfirmed=Count("pk", filter=UNCONFIRMED_Q),
    )


# -- the navigation's badges ----------------------------------------------------------------------


def soon_until(*, now: dt.datetime, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """The end of tomorrow on the user's clock (DST-safe).

    Drafts due before it, the Overdue, Today and Tomorrow groups, are what the navigation
    badge counts: a check-in weeks away needs no attention yet.
    """
    day_after_tomorrow = now.astimezone(zone).date() + dt.timedelta(days=2)
    return wall_to_utc(dt.datetime.combine(day_after_tomorrow, dt.time()), zone)


@dataclass(frozen=True)
class NavCounts:
    """What the navigation shows: drafts due soon, sends that failed, sends not confirmed."""

    due_soon: int
    failed: int
    unconfirmed: int


def nav_counts(*, user: User, zone: zoneinfo.ZoneInfo, now: dt.datetime | None = None) -> NavCounts:
    """The navigation's badges, in one query."""
    until = soon_until(now=now or timezone.now(), zone=zone)
    counts = Message.objects.filter(user=user).aggregate(
        due_soon=Count("pk", filter=Q(status=Status.DRAFT, due_at__lt=until)),
        failed=Count("pk", filter=FAILED_Q),
        unconfirmed=Count("pk", filter=UNCONFIRMED_Q),
    )
    return NavCounts(**counts)


def drafts_awaiting_count(*, user: User, now: dt.datetime | None = None) -> int:
    """The navigation badge's number: drafts due by the end of tomorrow, overdue ones too."""
    calendar, _ = selectors.cadence_inputs_for(user=user)
    until = soon_until(now=now or timezone.now(), zone=calendar.zone)
    return Message.objects.filter(user=user, status=Status.DRAFT, due_at__lt=until).count()


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
    messages = with_card_rows(Message.objects.filter(FAILED_Q, user=user)).order_by(
        "-updated_at", "-pk"
    )
    return Paginator(messages, TAB_PAGE_SIZE).get_page(page_number)


def unconfirmed_page(*, user: User, page_number: object = 1) -> Page:
    """Sends the mail service never confirmed (they may have arrived), most recent first."""
    messages = with_card_rows(Message.objects.filter(UNCONFIRMED_Q, user=user)).order_by(
        "-updated_at", "-pk"
    )
    return Paginator(messages, TAB_PAGE_SIZE).get_page(page_number)
