"""Holding and letting go: pause and resume, out-of-office holds, and going quiet (spec §5-§7)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from followup.accounts.models import User
from followup.rules import actions, cadence, limits, stages
from interviews.locks import lock_application
from interviews.models import Application, Contact, TimelineEvent
from interviews.services.applications import application_stage_set
from interviews.timeline import timeline_record
from messaging import selectors
from messaging.drafting.planning import replan_application
from messaging.models import Message
from messaging.services.locking import pending_messages, require_owner
from messaging.services.outcomes import stay_in_touch_plan
from messaging.services.refusals import ActionRefused
from messaging.side_tasks import quiet_side_task
from messaging.status import (
    message_release,
    messages_cancel,
    messages_hold,
)

Kind = TimelineEvent.Kind
Stage = Message.Stage
Status = Message.Status

# How late an out-of-office release may run and still keep the hold's end as the due time.
RELEASE_GRACE = dt.timedelta(minutes=15)

PAUSED_REASON = "Paused by you: it waits until you resume the application."


def application_pause(*, application: Application, user: User) -> None:
    """Hold everything pending for this application until the user resumes it."""
    require_owner(application, user)
    now = timezone.now()
    with transaction.atomic():
        application = lock_application(application.pk)
        if application.paused:
            return
        refused = actions.action_refused(action=actions.PAUSE, stage=application.stage)
        if refused:
            raise ActionRefused(refused)
        application.paused = True
        application.save(update_fields=["paused", "updated_at"])
        timeline_record(
            application=application,
            kind=Kind.PAUSED,
            summary="Application paused",
            detail="Nothing goes out for it until you resume it.",
            at=now,
        )
        messages_hold(pending_messages(application), reason=PAUSED_REASON, at=now)
        replan_application(application=application, now=now, reason="You paused the application.")


def application_resume(*, application: Application, user: User) -> None:
    """Resume a paused application: what fell due meanwhile goes at the next window start."""
    require_owner(application, user)
    now = timezone.now()
    with transaction.atomic():
        application = lock_application(application.pk)
        if not application.paused:
            return
        application.paused = False
        application.save(update_fields=["paused", "updated_at"])
        # Recorded first: the cadence reads the last resume from the timeline.
        timeline_record(
            application=application,
            kind=Kind.RESUMED,
            summary="Application resumed",
            detail="Anything that fell due while it was paused goes out at the next "
            "send-window start.",
            at=now,
        )
        application_holds_release(application, now=now, why="You resumed the application.")


def application_holds_release(application: Application, *, now: dt.datetime, why: str) -> None:
    """Let held messages go again unless a pause or an out-of-office hold still applies.

    1. Re-planning releases the check-ins (and re-times those not edited by hand).
    2. Anything still held that no hold covers (e.g. a message of an application without an
       interview) goes back to where it was: approved if it had been approved, else a draft;
       one whose time passed meanwhile moves to the next send-window start.
    """
    replan_application(application=application, now=now, reason=why)
    if application.paused:
        return
    calendar, _ = selectors.cadence_inputs_for(user=application.user)
    out_of_office = application.paused_until is not None and application.paused_until > now
    for message in pending_messages(application):
        if message.status != Status.HELD:
            continue
        if out_of_office and message.stage in Message.CHECK_IN_STAGES:
            continue
        message_release(message, now=now, calendar=calendar, reason=why)


def applications_end_holds(*, now: dt.datetime | None = None) -> int:
    """Release the check-ins of out-of-office holds whose time has come (for a beat task)."""
    now = now or timezone.now()
    count = 0
    ids = Application.objects.filter(paused_until__lte=now).values_list("pk", flat=True)
    for pk in list(ids):
        with transaction.atomic():
            application = lock_application(pk)
            if application.paused_until is None or application.paused_until > now:
                continue
            # Released within a few minutes of the hold's end, the check-in keeps the hold's
            # end as its time (it goes at once); released later (the beat was down), a missed
            # time moves to the next send-window start instead of going out at night.
            hold_end = application.paused_until
            as_of = hold_end if now - hold_end <= RELEASE_GRACE else now
            application.paused_until = None
            application.save(update_fields=["paused_until", "updated_at"])
            why = "They are back in the office: the check-ins go out as planned from now on."
            timeline_record(
                application=application,
                kind=Kind.NOTE,
                summary="Out-of-office hold over",
                detail=why,
                at=now,
            )
            application_holds_release(application, now=as_of, why=why)
            count += 1
    return count


# -- going quiet and side tasks ------------------------------------------------------------------


def applications_go_quiet(*, now: dt.datetime | None = None) -> int:
    """Mark applications quiet after thank-you + two unanswered follow-ups (spec §5, §6).

    No email: the stage becomes "quiet", a LinkedIn task is suggested and a stay-in-touch
    note is planned. Called by a beat task; returns how many went quiet.
    """
    now = now or timezone.now()
    candidates = (
        Application.objects.exclude(stage__in=stages.OUTCOME_STAGES)
        .filter(
            paused=False, messages__stage__in=Message.CHECK_IN_STAGES, messages__status=Status.SENT
        )
        .distinct()
        .values_list("pk", flat=True)
    )
    count = 0
    for pk in list(candidates):
        with transaction.atomic():
            application = lock_application(pk)
            quiet_at = _quiet_at(application, now=now)
            if quiet_at is None or quiet_at > now:
                continue
            _go_quiet(application, now=now)
            count += 1
    return count


def _quiet_at(application: Application, *, now: dt.datetime) -> dt.datetime | None:
    """When the cadence says this application goes quiet; None until both check-ins went."""
    if application.has_ended or application.paused or application.stage == stages.OFFER:
        return None
    facts = selectors.cadence_facts_for(application=application, now=now)
    if facts is None:
        return None
    sent = [
        m
        for m in facts.sent
        if m.stage in Message.CHECK_IN_STAGES and m.sent_at >= facts.last_interview_end
    ]
    if len(sent) < limits.MAX_FOLLOW_UPS:
        return None
    return cadence.plan(facts).goes_quiet_at


def _go_quiet(application: Application, *, now: dt.datetime) -> None:
    why = (
        "The thank-you and two follow-ups went unanswered: no more emails. "
        "A friendly LinkedIn connection keeps the door open instead."
    )
    application_stage_set(application=application, stage=Application.Stage.QUIET, why=why, at=now)
    messages_cancel(pending_messages(application, *Message.CHECK_IN_STAGES), reason=why, at=now)
    people = [
        c.name
        for c in Contact.objects.filter(
            Q(participations__interview__application=application)
            | Q(pk=application.main_contact_id)
        )
        .distinct()
        .order_by("name")
    ]
    timeline_record(
        application=application,
        kind=Kind.TASK,
        summary="Connect on LinkedIn" + (f" with {', '.join(people)}" if people else ""),
        detail="A short, friendly connection request with no ask about the job: it keeps "
        "you in their network without another email.",
        at=now,
    )
    _, settings = selectors.cadence_inputs_for(user=application.user)
    stay_in_touch_plan(application, closed_at=now, settings=settings)
    quiet_side_task(application=application, at=now)
