"""Reads for the approval queue: a user's drafts grouped by when they are due, with check results.

The queue is the screen with the most messages on it, so nothing here runs a query per
message: the page's drafts come in one query, and everything the quality checks need
(names, captured details, bounced addresses, sibling drafts, earlier follow-ups) in a fixed
handful more, whatever the number of drafts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import nh3
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from followup.accounts.models import User
from followup.accounts.services import profile_for
from interviews.models import Interview, InterviewParticipant
from messaging import cadence, checks, selectors
from messaging.models import BouncedAddress, Message, Reply

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


# -- check facts for many drafts at once ----------------------------------------------------------


def draft_facts_many(
    *, user: User, messages: Sequence[Message], calendar: cadence.SenderCalendar | None = None
) -> dict[int, checks.DraftFacts]:
    """DraftFacts for each message, from a fixed number of queries (none per message).

    The one builder of check facts (services.draft_facts_for asks it about one message):
    1. names and captured details from the participants of the messages' applications;
    2. bounced addresses of the user, once;
    3. sibling bodies: the pending messages at the same companies, matched in Python;
    4. earlier follow-ups of each application since its latest round or answer.
    The messages need application__company, application__main_contact and contact joined.
    """
    if not messages:
        return {}
    if calendar is None:
        calendar, _ = selectors.cadence_inputs_for(user=user)
    full_name = profile_for(user=user).full_name
    app_ids = {m.application_id for m in messages}
    company_ids = {m.application.company_id for m in messages}

    names_by_app: dict[int, set[str]] = defaultdict(set)
    details_by_person: dict[tuple[int, int], tuple[str, ...]] = {}
    details_by_interview: dict[int, tuple[str, ...]] = defaultdict(tuple)
    participants = InterviewParticipant.objects.filter(
        interview__application_id__in=app_ids
    ).values_list(
        "interview__application_id",
        "interview_id",
        "contact_id",
        "contact__name",
        "discussed",
        "questions",
        "promised",
    )
    for app_id, interview_id, contact_id, name, discussed, questions, promised in participants:
        names_by_app[app_id].add(name)
        details_by_person[(interview_id, contact_id)] = tuple(
            d for d in (discussed, questions, promised) if d
        )
        details_by_interview[interview_id] += details_by_person[(interview_id, contact_id)]

    bounced = frozenset(BouncedAddress.objects.filter(user=user).values_list("email", flat=True))

    pending_by_company: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    due_by_address: dict[str, list[tuple[int, dt.datetime]]] = defaultdict(list)
    pending = Message.objects.filter(
        user=user, application__company_id__in=company_ids, status__in=Message.PENDING_STATUSES
    ).values_list("pk", "application__company_id", "to_email", "body_text", "due_at")
    for pk, company_id, to_email, body, due_at in pending.order_by("pk"):
        pending_by_company[company_id].append((pk, to_email.lower(), body))
        if to_email and due_at is not None:
            due_by_address[to_email.lower()].append((pk, due_at))

    since_by_app = _answered_or_round_start(app_ids)
    follow_ups_by_app: dict[int, list[tuple[int, dt.datetime]]] = defaultdict(list)
    thank_you_by_app: dict[int, dt.datetime] = {}
    follow_ups = Message.objects.filter(
        application_id__in=app_ids, stage__in=[*Message.CHECK_IN_STAGES, Message.Stage.THANK_YOU]
    ).values_list("pk", "application_id", "stage", "status", "sent_at", "due_at")
    for pk, app_id, stage, status, sent_at, due_at in follow_ups.order_by("pk"):
        # A sent one counts when it went, a pending one when it is due; cancelled, skipped
        # and failed ones never reached the company.
        at = sent_at if status in (Status.SENT, Status.SENDING) else None
        if at is None and status in Message.PENDING_STATUSES:
            at = due_at
        if at is None:
            continue
        at = at.astimezone(calendar.zone)
        if stage == Message.Stage.THANK_YOU:
            # The follow-up spacing also runs from the application's latest live thank-you,
            # whatever its round: the same one the cadence plans the first check-in around
            # (selectors.cadence_facts_for), so the check never blocks the cadence's own plan.
            thank_you_by_app[app_id] = max(at, thank_you_by_app.get(app_id, at))
            continue
        since = since_by_app.get(app_id)
        if since is None or at > since:
            follow_ups_by_app[app_id].append((pk, at))

    count_business_days = _business_days_between(calendar)
    facts: dict[int, checks.DraftFacts] = {}
    for message in messages:
        application = message.application
        names = {application.company.name, application.role, full_name}
        names |= names_by_app.get(application.pk, set())
        if application.main_contact is not None:
            names.add(application.main_contact.name)
        if message.contact is not None:
            names.add(message.contact.name)
        own_address = (message.to_email or "\0").lower()
        siblings = tuple(
            body
            for pk, to_email, body in pending_by_company.get(application.company_id, ())
            if pk != message.pk and to_email != own_address
        )
        facts[message.pk] = checks.DraftFacts(
            stage=message.stage,
            to_email=message.to_email,
            subject=message.subject,
            body=message.body_text,
            in_reply_to=message.in_reply_to,
            references=message.references,
            known_names=tuple(sorted(n for n in names if n)),
            details=_details(message, details_by_person, details_by_interview),
            bounced_addresses=bounced,
            sibling_bodies=siblings,
            previous_sends=tuple(
                at for pk, at in follow_ups_by_app.get(application.pk, ()) if pk != message.pk
            ),
            thank_you_at=thank_you_by_app.get(application.pk),
            planned_at=message.due_at.astimezone(calendar.zone) if message.due_at else None,
            same_recipient_due=tuple(
                at for pk, at in due_by_address.get(own_address, ()) if pk != message.pk
            ),
            business_days_between=count_business_days,
        )
    return facts


def _business_days_between(calendar: cadence.SenderCalendar) -> Callable[[dt.date, dt.date], int]:
    def count(start: dt.date, end: dt.date) -> int:
        """Business days d with start < d <= end in the sender's calendar."""
        days, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            days += calendar.is_business_day(day)
        return days

    return count


def _answered_or_round_start(app_ids: Iterable[int]) -> dict[int, dt.datetime]:
    """Per application: the later of its latest interview's end and the company's latest answer."""
    since: dict[int, dt.datetime] = dict(
        Interview.objects.filter(application_id__in=app_ids)
        .values("application_id")
        .annotate(last=Max("ends_at"))
        .values_list("application_id", "last")
    )
    answers = (
        Reply.objects.filter(application_id__in=app_ids, kind__in=("reply", "no_news"))
        .values("application_id")
        .annotate(last=Max("received_at"))
        .values_list("application_id", "last")
    )
    for app_id, answered in answers:
        if app_id not in since or answered > since[app_id]:
            since[app_id] = answered
    return since


def facts_with_changes(
    facts: checks.DraftFacts,
    *,
    to_email: str,
    subject: str,
    body: str,
    due_at: dt.datetime | None,
    zone: dt.tzinfo,
) -> checks.DraftFacts:
    """The same facts for a version the user is still typing (the live re-check)."""
    return dataclasses.replace(
        facts,
        to_email=to_email,
        subject=subject,
        body=body,
        planned_at=due_at.astimezone(zone) if due_at else facts.planned_at,
    )


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


def _details(
    message: Message,
    by_person: dict[tuple[int, int], tuple[str, ...]],
    by_interview: dict[int, tuple[str, ...]],
) -> tuple[str, ...]:
    """What the too-generic check looks for: a thank-you speaks of the recipient's own
    conversation; a check-in may name a colleague's (drafting does), so any of the round's.

    A thank-you to someone who was not in the interview (the relay thank-you asking a
    coordinator to pass thanks on) names the interviewers' conversations: any of the round's.
    """
    if not message.interview_id:
        return ()
    own = by_person.get((message.interview_id, message.contact_id or 0))
    if message.stage == Message.Stage.THANK_YOU and own is not None:
        return own
    return by_interview.get(message.interview_id, ())
