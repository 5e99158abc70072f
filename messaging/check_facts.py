"""The facts the quality checks read about real messages, for many drafts at once.

The one builder of checks.DraftFacts: approval (services.approval.message_findings), the
queue and the application page all ask it. A fixed number of queries whatever the number of
drafts: names and captured details, bounced addresses, sibling drafts at the same company,
and the follow-ups and thank-yous the pestering check spaces from.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Max

from followup.accounts.models import User
from followup.accounts.services import profile_for
from followup.rules import checks, stages
from followup.rules.cadence import CadenceSettings
from followup.rules.calendar import SenderCalendar
from interviews.models import Interview, InterviewParticipant
from messaging import selectors
from messaging.models import BouncedAddress, Message, Reply

Status = Message.Status


@dataclass
class _Participants:
    """Who took part in the messages' applications, and what was noted for each."""

    names_by_app: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    by_person: dict[tuple[int, int], tuple[str, ...]] = field(default_factory=dict)
    by_interview: dict[int, tuple[str, ...]] = field(default_factory=lambda: defaultdict(tuple))


def _participants(app_ids: Iterable[int]) -> _Participants:
    """Names and captured details (discussed, asked, promised) per person and per interview."""
    found = _Participants()
    rows = InterviewParticipant.objects.filter(interview__application_id__in=app_ids).values_list(
        "interview__application_id",
        "interview_id",
        "contact_id",
        "contact__name",
        "discussed",
        "questions",
        "promised",
    )
    for app_id, interview_id, contact_id, name, discussed, questions, promised in rows:
        found.names_by_app[app_id].add(name)
        details = tuple(d for d in (discussed, questions, promised) if d)
        found.by_person[(interview_id, contact_id)] = details
        found.by_interview[interview_id] += details
    return found


def _pending_at_companies(
    *, user: User, company_ids: Iterable[int]
) -> tuple[dict[int, list[tuple[int, str, str]]], dict[str, list[tuple[int, dt.datetime]]]]:
    """Pending messages at these companies: (pk, address, body) per company, due times per
    address (for the near-duplicate and same-recipient checks)."""
    by_company: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    due_by_address: dict[str, list[tuple[int, dt.datetime]]] = defaultdict(list)
    pending = Message.objects.filter(
        user=user, application__company_id__in=company_ids, status__in=Message.PENDING_STATUSES
    ).values_list("pk", "application__company_id", "to_email", "body_text", "due_at")
    for pk, company_id, to_email, body, due_at in pending.order_by("pk"):
        by_company[company_id].append((pk, to_email.lower(), body))
        if to_email and due_at is not None:
            due_by_address[to_email.lower()].append((pk, due_at))
    return by_company, due_by_address


def _answered_or_round_start(app_ids: Iterable[int]) -> dict[int, dt.datetime]:
    """Per application: the later of its latest interview's end and the company's latest answer."""
    since: dict[int, dt.datetime] = dict(
        Interview.objects.filter(application_id__in=app_ids)
        .values("application_id")
        .annotate(last=Max("ends_at"))
        .values_list("application_id", "last")
    )
    answers = (
        Reply.objects.filter(application_id__in=app_ids, kind__in=(stages.REPLY, stages.NO_NEWS))
        .values("application_id")
        .annotate(last=Max("received_at"))
        .values_list("application_id", "last")
    )
    for app_id, answered in answers:
        if app_id not in since or answered > since[app_id]:
            since[app_id] = answered
    return since


def _follow_ups_and_thank_yous(
    app_ids: Iterable[int],
) -> tuple[dict[int, list[tuple[int, dt.datetime]]], dict[int, dt.datetime]]:
    """Per application: its follow-ups since its latest round or answer, and its latest live
    thank-you; each when it went, or when it is due while it waits."""
    since_by_app = _answered_or_round_start(app_ids)
    follow_ups: dict[int, list[tuple[int, dt.datetime]]] = defaultdict(list)
    thank_yous: dict[int, dt.datetime] = {}
    rows = Message.objects.filter(
        application_id__in=app_ids, stage__in=[*stages.CHECK_IN_STAGES, stages.THANK_YOU]
    ).values_list("pk", "application_id", "stage", "status", "sent_at", "due_at")
    for pk, app_id, stage, status, sent_at, due_at in rows.order_by("pk"):
        # A sent one counts when it went, a pending one when it is due; cancelled, skipped
        # and failed ones never reached the company.
        at = sent_at if status in (Status.SENT, Status.SENDING) else None
        if at is None and status in Message.PENDING_STATUSES:
            at = due_at
        if at is None:
            continue
        if stage == stages.THANK_YOU:
            # The spacing also runs from the application's latest live thank-you, whatever its
            # round: the same one the cadence plans the first check-in around
            # (selectors.cadence_facts_for), so the check never blocks the cadence's own plan.
            thank_yous[app_id] = max(at, thank_yous.get(app_id, at))
            continue
        since = since_by_app.get(app_id)
        if since is None or at > since:
            follow_ups[app_id].append((pk, at))
    return follow_ups, thank_yous


def draft_facts_many(
    *,
    user: User,
    messages: Sequence[Message],
    calendar: SenderCalendar | None = None,
    settings: CadenceSettings | None = None,
) -> dict[int, checks.DraftFacts]:
    """DraftFacts for each message, from a fixed number of queries (none per message).

    The messages need application__company, application__main_contact and contact joined.
    The calendar and settings are the user's (read here unless given): the pestering check
    counts business days and spaces follow-ups as the cadence does.
    """
    if not messages:
        return {}
    if calendar is None or settings is None:
        calendar, settings = selectors.cadence_inputs_for(user=user)
    full_name = profile_for(user=user).full_name
    app_ids = {m.application_id for m in messages}
    people = _participants(app_ids)
    bounced = frozenset(BouncedAddress.objects.filter(user=user).values_list("email", flat=True))
    pending_by_company, due_by_address = _pending_at_companies(
        user=user, company_ids={m.application.company_id for m in messages}
    )
    follow_ups_by_app, thank_you_by_app = _follow_ups_and_thank_yous(app_ids)
    facts: dict[int, checks.DraftFacts] = {}
    for message in messages:
        application = message.application
        names = {application.company.name, application.role, full_name}
        names |= people.names_by_app.get(application.pk, set())
        if application.main_contact is not None:
            names.add(application.main_contact.name)
        if message.contact is not None:
            names.add(message.contact.name)
        own_address = (message.to_email or "\0").lower()
        facts[message.pk] = checks.DraftFacts(
            stage=message.stage,
            to_email=message.to_email,
            subject=message.subject,
            body=message.body_text,
            in_reply_to=message.in_reply_to,
            references=message.references,
            known_names=tuple(sorted(n for n in names if n)),
            details=_details(message, people.by_person, people.by_interview),
            bounced_addresses=bounced,
            sibling_bodies=tuple(
                body
                for pk, to_email, body in pending_by_company.get(application.company_id, ())
                if pk != message.pk and to_email != own_address
            ),
            previous_sends=tuple(
                at for pk, at in follow_ups_by_app.get(application.pk, ()) if pk != message.pk
            ),
            thank_you_at=thank_you_by_app.get(application.pk),
            planned_at=message.due_at,
            same_recipient_due=tuple(
                at for pk, at in due_by_address.get(own_address, ()) if pk != message.pk
            ),
            calendar=calendar,
            settings=settings,
        )
    return facts


def facts_with_changes(
    facts: checks.DraftFacts,
    *,
    to_email: str,
    subject: str,
    body: str,
    due_at: dt.datetime | None,
) -> checks.DraftFacts:
    """The same facts for a version the user is still typing (the live re-check)."""
    return dataclasses.replace(
        facts,
        to_email=to_email,
        subject=subject,
        body=body,
        planned_at=due_at or facts.planned_at,
    )


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
