"""The facts the quality checks read about real messages, for many drafts at once.

The one builder of checks.DraftFacts: approval (services.approval.message_findings), the
queue and the application page all ask it. A fixed number of queries whatever the number of
drafts: names and captured details, the user's own dictionary, bounced addresses, the
nearest pending messages at the same company and to the same address (a bounded number per
draft: _neighbours), and the follow-ups and thank-yous the pestering check spaces from.
Nothing here is stored: a word added to the dictionary counts in every draft shown next.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Max

from followup.accounts.dictionary import dictionary_words
from followup.accounts.models import User
from followup.accounts.services import profile_for
from followup.rules import checks, limits, stages
from followup.rules.cadence import CadenceSettings
from followup.rules.calendar import SenderCalendar
from interviews.models import Application, Interview, InterviewParticipant
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


# Each draft is compared for near-duplicates with at most this many pending messages at its
# company on either side of its due time: the ones that reach the company around the same
# time, which people there might put side by side. A bound, so a company with a thousand
# drafts costs what one with twenty does (rapidfuzz compares 20 texts, not 999).
NEAR_DUPLICATE_NEIGHBOURS = 10
# How far each draft looks, per pending status and per side of its due time: this many of the
# user's pending messages due nearest it. The siblings and same-address emails are found among
# them, so the work per draft is bounded whatever the history (and what is further away in
# time than the user's next NEIGHBOURHOOD messages does not land beside it anyway).
NEIGHBOURHOOD = 30

# One statement for every draft at once. Per draft, per pending status and per side of its due
# time, an index-ordered scan (messaging_msg_user_status: user, status, due_at) reads the
# NEIGHBOURHOOD messages due nearest it; of those, the ones at the same company to other
# addresses are its siblings (with their text), the ones to its own address within the
# same-recipient window are its same-address emails. The inner LIMIT is the bound: the planner
# cannot trade it for reading a busy company's whole history and sorting it.
_SIDE_SQL = """
SELECT d.id, n.due_at, n.id,
       a.company_id = d.company AND n.address <> d.address,
       CASE WHEN a.company_id = d.company AND n.address <> d.address THEN n.body_text END
  FROM d CROSS JOIN LATERAL (
    SELECT m.due_at, m.id, m.body_text, m.application_id, lower(m.to_email) AS address
      FROM {message} m
     WHERE m.user_id = %(user)s AND m.status = %({status})s AND m.due_at {compare} d.due
       AND m.id <> d.id
     ORDER BY m.due_at {order} LIMIT %(scan)s
  ) n JOIN {application} a ON a.id = n.application_id
 WHERE (a.company_id = d.company AND n.address <> d.address)
    OR (n.address = d.address AND abs(extract(epoch FROM n.due_at - d.due)) < %(window)s)"""
_DRAFTS_SQL = """
WITH d (id, due, company, address) AS (
    SELECT * FROM unnest(%(ids)s::bigint[], %(dues)s::timestamptz[],
                         %(companies)s::bigint[], %(addresses)s::text[])
)
"""


def _neighbours_sql() -> tuple[str, dict[str, str]]:
    """The statement for _neighbours, and its parameters naming each pending status."""
    names = {
        "message": connection.ops.quote_name(Message._meta.db_table),
        "application": connection.ops.quote_name(Application._meta.db_table),
    }
    statuses = {f"status_{n}": status for n, status in enumerate(sorted(Message.PENDING_STATUSES))}
    parts = [
        _SIDE_SQL.format(status=key, compare=compare, order=order, **names)
        for key in statuses
        for compare, order in ((">=", "ASC"), ("<", "DESC"))
    ]
    return _DRAFTS_SQL + "\nUNION ALL".join(parts), statuses


def _neighbour_rows_sql(*, user: User, dated: Sequence[Message]) -> list[tuple]:
    """PostgreSQL: each draft's neighbours in one statement (the user's nearest pending
    messages by due time, per status and side; see _SIDE_SQL)."""
    sql, statuses = _neighbours_sql()
    params = {
        "ids": [m.pk for m in dated],
        "dues": [m.due_at for m in dated],
        "companies": [m.application.company_id for m in dated],
        # An address no row has ("@" alone): a draft without one has no same-address neighbours.
        "addresses": [(m.to_email or "@").lower() for m in dated],
        "user": user.pk,
        "scan": NEIGHBOURHOOD,
        "window": limits.SAME_RECIPIENT_HOURS * 3600,
        **statuses,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _neighbour_rows_portable(*, user: User, dated: Sequence[Message]) -> list[tuple]:
    """Any other database (the embedded SQLite): the same rows as _neighbour_rows_sql, from
    one read of the user's pending messages (one person's queue, not a hosted instance's)."""
    pending = list(
        Message.objects.filter(
            user=user, status__in=Message.PENDING_STATUSES, due_at__isnull=False
        ).values_list("pk", "status", "due_at", "body_text", "application__company_id", "to_email")
    )
    window = dt.timedelta(hours=limits.SAME_RECIPIENT_HOURS)
    rows = []
    for draft in dated:
        company, address = draft.application.company_id, (draft.to_email or "@").lower()
        near = []
        for status in Message.PENDING_STATUSES:
            others = [p for p in pending if p[1] == status and p[0] != draft.pk]
            later = sorted((p for p in others if p[2] >= draft.due_at), key=lambda p: p[2])
            sooner = sorted(
                (p for p in others if p[2] < draft.due_at), key=lambda p: p[2], reverse=True
            )
            near += later[:NEIGHBOURHOOD] + sooner[:NEIGHBOURHOOD]
        for pk, _, due_at, body, other_company, other_email in near:
            other_address = (other_email or "").lower()
            sibling = other_company == company and other_address != address
            if sibling:
                rows.append((draft.pk, due_at, pk, True, body))
            elif other_address == address and abs(due_at - draft.due_at) < window:
                rows.append((draft.pk, due_at, pk, False, None))
    return rows


def _neighbours(
    *, user: User, messages: Sequence[Message]
) -> tuple[dict[int, list[str]], dict[int, list[dt.datetime]]]:
    """Per message: the bodies of its nearest pending siblings at the same company (to other
    addresses; for the near-duplicate check), and when its other pending emails to the same
    address within the same-recipient window are due. Nearness is by due time, so a message
    without one has no neighbours, and is nobody's."""
    siblings: dict[int, list[str]] = defaultdict(list)
    same_address: dict[int, list[dt.datetime]] = defaultdict(list)
    dated = [m for m in messages if m.due_at is not None]
    if not dated:
        return siblings, same_address
    if connection.vendor == "postgresql":
        rows = _neighbour_rows_sql(user=user, dated=dated)
    else:
        rows = _neighbour_rows_portable(user=user, dated=dated)
    due_of = {m.pk: m.due_at for m in dated}
    after: dict[int, list[tuple[dt.datetime, int, str]]] = defaultdict(list)
    before: dict[int, list[tuple[dt.datetime, int, str]]] = defaultdict(list)
    for draft_id, due_at, other_id, sibling, body in rows:
        if not sibling:
            same_address[draft_id].append(due_at)
        elif due_at >= due_of[draft_id]:
            after[draft_id].append((due_at, other_id, body))
        else:
            before[draft_id].append((due_at, -other_id, body))
    # Each status gave its nearest few: of them all, the nearest few on each side.
    for draft_id in due_of:
        nearest = sorted(after[draft_id])[:NEAR_DUPLICATE_NEIGHBOURS]
        nearest += sorted(before[draft_id], reverse=True)[:NEAR_DUPLICATE_NEIGHBOURS]
        siblings[draft_id] = [body for _, _, body in nearest]
        same_address[draft_id].sort()
    return siblings, same_address


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
        application_id__in=app_ids, stage__in=[*stages.FOLLOW_UP_STAGES, stages.THANK_YOU]
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
    own_words = dictionary_words(user=user)
    app_ids = {m.application_id for m in messages}
    people = _participants(app_ids)
    bounced = frozenset(BouncedAddress.objects.filter(user=user).values_list("email", flat=True))
    siblings, same_address = _neighbours(user=user, messages=messages)
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
        facts[message.pk] = checks.DraftFacts(
            stage=message.stage,
            to_email=message.to_email,
            subject=message.subject,
            body=message.body_text,
            in_reply_to=message.in_reply_to,
            references=message.references,
            known_names=tuple(sorted(n for n in names if n)),
            known_words=own_words,
            details=_details(message, people.by_person, people.by_interview),
            bounced_addresses=bounced,
            sibling_bodies=tuple(siblings.get(message.pk, ())),
            previous_sends=tuple(
                at for pk, at in follow_ups_by_app.get(application.pk, ()) if pk != message.pk
            ),
            thank_you_at=thank_you_by_app.get(application.pk),
            planned_at=message.due_at,
            same_recipient_due=tuple(same_address.get(message.pk, ())),
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
