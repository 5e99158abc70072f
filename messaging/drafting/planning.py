"""Which messages an application needs, to whom and when (etiquette spec §4-§7).

The public operations: plan_interview, replan_application, replan_for and draft_message. Each
takes the application's lock (interviews.locks.lock_application) before it reads or writes a
message; the steps below them expect the caller to hold it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from followup.rules import cadence, stages
from followup.rules.calendar import SenderCalendar, clamp_into_window
from interviews.locks import lock_application
from interviews.models import Application, Contact, Interview, InterviewParticipant
from interviews.selectors import current_round
from messaging.drafting.rendering import interview_participants
from messaging.drafting.thank_yous import thank_yous_plan
from messaging.drafting.threads import recipient_filter
from messaging.drafting.writing import (
    MessageSpec,
    event_messages_retime,
    message_draft,
    message_redraft,
    pending_for_update,
    read_locking_pending,
)
from messaging.models import Message
from messaging.selectors import cadence_facts_for, cadence_inputs_for
from messaging.status import message_release, messages_cancel, messages_hold

Stage = Message.Stage
Status = Message.Status
PENDING = Message.PENDING_STATUSES
CHECK_INS = Message.CHECK_IN_STAGES
# An event-driven message to someone with a thank-you still to go follows it by this much.
AFTER_THANK_YOU = dt.timedelta(hours=1)


# -- check-ins and the rest of the cadence ------------------------------------------------


def check_in_contact(
    *,
    application: Application,
    people: list[InterviewParticipant],
    without: Contact | None = None,
) -> Contact | None:
    """The main contact, else the first interviewer with an address (else whoever is known).

    `without` (e.g. a contact about to be deleted: pass it while it still has its pk) is
    never chosen, neither as the main contact nor as an interviewer.
    """
    main = application.main_contact
    if without is not None:
        if main is not None and main.pk == without.pk:
            main = None
        people = [p for p in people if p.contact_id != without.pk]
    if main is not None and main.email:
        return main
    with_email = next((p.contact for p in people if p.contact.email), None)
    if with_email is not None:
        return with_email
    return main or next((p.contact for p in people), None)


def _stale_messages_cancel(*, application: Application, interview: Interview | None) -> None:
    """Cancel the pending messages of a deleted interview and the check-ins of older rounds."""
    orphans = pending_for_update(Message.objects).filter(
        application=application,
        interview__isnull=True,
        stage__in=stages.ROUND_STAGES,
        status__in=PENDING,
    )
    messages_cancel(orphans, reason="Its interview was deleted.")
    older = (
        pending_for_update(Message.objects)
        .filter(application=application, stage__in=CHECK_INS, status__in=PENDING)
        .exclude(interview=interview)
    )
    messages_cancel(
        older, reason="A new round was scheduled: the check-ins start again from that interview."
    )


def _check_in_plan(
    *,
    application: Application,
    spec: MessageSpec,
    due_at: dt.datetime | None,
    plan: cadence.Plan,
    why: str,
    now: dt.datetime,
    calendar: SenderCalendar,
    people: list[InterviewParticipant],
) -> None:
    """One check-in of the current round brought in line with the plan (its `due_at`).

    1. No due time: a pending one is cancelled with the cadence's reason.
    2. None yet: it is drafted (held if the plan holds them).
    3. A pending one not edited by hand is re-rendered and re-timed; sent, sending, failed
       or skipped ones are not ours to change.
    4. Held by the plan: it goes on hold; once the hold ends it is released.
    """
    message = next(
        iter(
            read_locking_pending(
                Message.objects.filter(interview=spec.interview, stage=spec.stage)
                .exclude(status=Status.CANCELLED)
                .order_by("pk")
            )
        ),
        None,
    )
    if due_at is None:
        if message is not None and message.status in PENDING:
            messages_cancel(
                [message],
                reason=plan.stopped_reason or "The cadence has no further check-in here.",
            )
        return
    if message is None:
        message_draft(
            application=application,
            spec=spec,
            due_at=due_at,
            held_reason=plan.held_reason if plan.held else "",
            why=why,
            calendar=calendar,
            people=people,
        )
        return
    if message.status not in PENDING:
        return  # sent, sending, failed or skipped: not ours to change
    if not message.edited_by_user:
        message_redraft(
            message=message,
            application=application,
            spec=spec,
            due_at=due_at,
            why=why,
            calendar=calendar,
            people=people,
        )
    if plan.held:
        messages_hold([message], reason=plan.held_reason)
    elif message.status == Status.HELD:
        message_release(message, now=now, calendar=calendar, reason=why)


def check_ins_replan(*, application: Application, now: dt.datetime, reason: str) -> None:
    """Bring the application's pending check-ins in line with cadence.plan().

    The caller holds the application's lock. First, pending event messages move into the
    send window (event_messages_retime); then:
    1. Pending thank-yous and check-ins of a deleted interview, and check-ins of an older
       round, are cancelled (a new round restarts the cadence).
    2. Plan the current round from the facts; a stage with no due time is cancelled with the
       cadence's reason; a missing one is drafted; a pending one not edited by hand is
       re-rendered and re-timed (_check_in_plan).
    3. Held by the plan (pause, out-of-office): pending check-ins go on hold; once the hold
       ends they are released. Other held messages are released when the application is no
       longer paused.
    """
    calendar, settings = cadence_inputs_for(user=application.user)
    interview = current_round(application=application)
    event_messages_retime(
        application=application,
        now=now,
        calendar=calendar,
        why=reason or "Re-planned for your send window.",
    )
    # 1.
    _stale_messages_cancel(application=application, interview=interview)
    if interview is None:
        return
    # 2.
    facts = cadence_facts_for(
        application=application, now=now, calendar=calendar, settings=settings
    )
    plan = cadence.plan(facts)
    people = interview_participants(interview)
    contact = check_in_contact(application=application, people=people)
    why = reason or "Planned by the follow-up cadence."
    for stage, due_at in (
        (Stage.CHECK_IN, plan.check_in),
        (Stage.SECOND_CHECK_IN, plan.second_check_in),
    ):
        _check_in_plan(
            application=application,
            spec=MessageSpec(stage, contact, interview),
            due_at=due_at,
            plan=plan,
            why=why,
            now=now,
            calendar=calendar,
            people=people,
        )
    # 3.
    if not application.paused:
        held = pending_for_update(
            Message.objects.filter(application=application, status=Status.HELD)
        ).exclude(stage__in=CHECK_INS)
        for message in held:
            message_release(message, now=now, calendar=calendar, reason=why)


# -- the public operations -----------------------------------------------------------------


def plan_interview(*, interview: Interview, now: dt.datetime | None = None) -> list[Message]:
    """Draft or re-plan an interview's thank-yous and the application's check-ins.

    Idempotent: running it again with unchanged facts changes nothing. Returns the pending
    thank-yous of this interview and the pending check-ins of the current round.
    """
    now = now or timezone.now()
    with transaction.atomic():
        application = lock_application(interview.application_id)
        interview = Interview.objects.get(pk=interview.pk)
        thank_yous_plan(application=application, interview=interview, now=now)
        check_ins_replan(
            application=application, now=now, reason="Planned from the interview as logged."
        )
        current = current_round(application=application)
        return list(
            Message.objects.filter(status__in=PENDING)
            .filter(
                Q(interview=interview, stage=Stage.THANK_YOU)
                | Q(interview=current, stage__in=CHECK_INS)
            )
            .order_by("due_at", "pk")
        )


def replan_application(
    *, application: Application, now: dt.datetime | None = None, reason: str = ""
) -> None:
    """Re-plan the pending check-ins after any event (reply, outcome, pause, new round ...).

    `reason` (e.g. "They said there is no news yet.") goes on the timeline entries it writes.
    """
    now = now or timezone.now()
    with transaction.atomic():
        check_ins_replan(application=lock_application(application.pk), now=now, reason=reason)


def draft_message(
    *,
    application: Application,
    stage: str,
    contact: Contact | None = None,
    interview: Interview | None = None,
    due_at: dt.datetime,
    context: dict | None = None,
) -> Message:
    """Draft one event-driven message (rejection reply, withdrawal, no-news reply, ...).

    `contact` defaults to the check-in recipient; `context` adds template values such as
    deadline (a date), ask_feedback (bool) or hook (the stay-in-touch slot).
    """
    with transaction.atomic():
        application = lock_application(application.pk)
        interview = interview or current_round(application=application)
        people = interview_participants(interview)
        if contact is None:
            contact = check_in_contact(application=application, people=people)
        calendar, _ = cadence_inputs_for(user=application.user)
        spec = MessageSpec(stage, contact, interview, dict(context or {}))
        due_at = _due_after_pending_thank_you(
            application=application, spec=spec, due_at=due_at, calendar=calendar
        )
        return message_draft(
            application=application,
            spec=spec,
            due_at=due_at,
            why="Drafted for your approval.",
            calendar=calendar,
            people=people,
        )


def _due_after_pending_thank_you(
    *,
    application: Application,
    spec: MessageSpec,
    due_at: dt.datetime,
    calendar: SenderCalendar,
) -> dt.datetime:
    """`due_at`, or later: at least AFTER_THANK_YOU after a pending thank-you to the same person.

    A note about the decision (or a thanks for their update) that reached them before our
    thank-you for the interview would read backwards.
    """
    thank_yous = (
        Message.objects.filter(application=application, stage=Stage.THANK_YOU, status__in=PENDING)
        .filter(recipient_filter(contact=spec.contact, to_email=spec.to_email))
        .exclude(due_at__isnull=True)
        .values_list("due_at", flat=True)
    )
    latest = max(thank_yous, default=None)
    if latest is None or due_at >= latest + AFTER_THANK_YOU:
        return due_at
    return clamp_into_window(at=latest + AFTER_THANK_YOU, calendar=calendar, business_day=False)


def replan_for(
    *,
    applications: Iterable[Application] = (),
    interviews: Iterable[Interview] = (),
    reason: str,
    now: dt.datetime | None = None,
) -> int:
    """Re-plan what is pending around these applications and interviews; returns approvals lost.

    1. each open application given: its check-ins, its current round, and every interview with
       a pending thank-you not edited by hand;
    2. each interview given: only if it is its application's current round or has such a
       thank-you (an old round whose thank-yous are gone gets no new, late one);
    3. one transaction per application, so a long re-plan never holds every row at once;
       only when called outside any transaction (after the caller's commit): inside one,
       every application it locks stays locked until the caller's transaction ends.
    4. every pending message not set by hand moves into the sender's current window (event
       messages of ended applications too: event_messages_retime).
    An approved message that re-rendering changed, or that moved EARLIER, needs approval
    again; one moved later stays approved (said on the timeline). The number that lost
    their approval is returned, for the page to say so.
    """
    now = now or timezone.now()
    given = {application.pk for application in applications}
    asked: dict[int, set[int]] = {pk: set() for pk in given}
    for interview in interviews:
        asked.setdefault(interview.application_id, set()).add(interview.pk)
    lost = 0
    for application_id in sorted(asked):
        with transaction.atomic():
            application = lock_application(application_id)
            pending = Message.objects.filter(application=application, status__in=PENDING)
            if application.has_ended:
                # An ended application plans nothing more, but its close-outs still move
                # into the sender's (new) window.
                if application_id in given:
                    calendar, _ = cadence_inputs_for(user=application.user)
                    event_messages_retime(
                        application=application, now=now, calendar=calendar, why=reason
                    )
                continue
            plannable = set(
                pending.filter(
                    stage=Stage.THANK_YOU, edited_by_user=False, interview__isnull=False
                ).values_list("interview_id", flat=True)
            )
            current = current_round(application=application)
            if current is not None:
                plannable.add(current.pk)
            plan = plannable if application_id in given else plannable & asked[application_id]
            if application_id not in given and not plan:
                continue
            approved = set(pending.filter(approved_at__isnull=False).values_list("pk", flat=True))
            # Thank-yous first (the check-ins are planned around them), then the check-ins
            # once, for the whole application.
            for interview in Interview.objects.filter(pk__in=plan).order_by("pk"):
                thank_yous_plan(
                    application=application, interview=interview, now=now, reason=reason
                )
            check_ins_replan(application=application, now=now, reason=reason)
            lost += pending.filter(pk__in=approved, approved_at__isnull=True).count()
    return lost
