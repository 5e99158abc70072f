"""Who gets a thank-you for an interview, when it is due, and keeping them in line (spec §2).

The caller holds the application's lock (interviews.locks.lock_application).
"""

from __future__ import annotations

import datetime as dt

from followup.rules import cadence
from followup.rules.calendar import SenderCalendar
from interviews.models import Application, Contact, Interview, InterviewParticipant
from interviews.selectors import current_round
from messaging.drafting.rendering import interview_participants, joined_names
from messaging.drafting.writing import (
    MessageSpec,
    message_draft,
    message_redraft,
    read_locking_pending,
)
from messaging.models import Message
from messaging.selectors import cadence_inputs_for
from messaging.status import messages_cancel

Stage = Message.Stage
Status = Message.Status
PENDING = Message.PENDING_STATUSES


def _thank_you_specs(
    *, application: Application, interview: Interview, people: list[InterviewParticipant]
) -> dict[int | None, MessageSpec]:
    """Who gets a thank-you for this interview, keyed by contact id.

    1. Every interviewer with an address gets their own.
    2. Interviewers without one are thanked by name through ONE message to the main contact
       (or a recruiter/coordinator in the interview) with an address; if that person already
       gets a thank-you, the request goes into it.
    3. Nobody with an address to ask: that message is drafted to the main contact (or
       coordinator) without an address, for the user to fill in; with no such person at all,
       each interviewer's own thank-you is drafted without an address.
    """
    specs: dict[int | None, MessageSpec] = {}
    missing: list[InterviewParticipant] = []
    for participant in people:
        if participant.contact.email:
            specs[participant.contact_id] = MessageSpec(
                Stage.THANK_YOU, participant.contact, interview
            )
        else:
            missing.append(participant)
    if not missing:
        return specs
    coordinators = [
        p.contact
        for p in people
        if p.contact.kind in (Contact.Kind.RECRUITER, Contact.Kind.COORDINATOR)
    ]
    main = application.main_contact
    candidates = [c for c in [main, *coordinators] if c is not None]
    via = next((c for c in candidates if c.email), None) or next(iter(candidates), None)
    if via is None:
        for participant in missing:
            specs[participant.contact_id] = MessageSpec(
                Stage.THANK_YOU, participant.contact, interview
            )
        return specs
    # Named as each is addressed: "Ms. Lee" (formal), "Dana" (first name), else the full name.
    names = joined_names(p.contact.greeting_name for p in missing if p.contact_id != via.pk)
    spec = specs.setdefault(via.pk, MessageSpec(Stage.THANK_YOU, via, interview))
    if names:
        spec.extra["pass_on_names"] = names
    return specs


def _thank_you_due(
    *,
    message: Message | None,
    interview: Interview,
    now: dt.datetime,
    calendar: SenderCalendar,
) -> tuple[dt.datetime, bool]:
    """The thank-you's due time and late flag; an existing plan stands while still right.

    A message already due at (or after) its ideal moment that has simply passed keeps its time:
    re-planning it to "now" would mark it late for no reason. One planned on time whose ideal
    moment only moved into the past through a re-plan (a new time zone or send window) goes
    at once, still not late: "late" says the interview was logged late, not that we moved it.
    """
    due = cadence.thank_you_due(interview_end=interview.ends_at, now=now, calendar=calendar)
    if due.late and message is not None and message.due_at is not None:
        ideal = cadence.thank_you_due(
            interview_end=interview.ends_at, now=interview.ends_at, calendar=calendar
        ).at
        if ideal <= message.due_at <= now:
            return message.due_at, message.late
        if not message.late:
            return due.at, False
    return due.at, due.late


def thank_yous_plan(
    *,
    application: Application,
    interview: Interview,
    now: dt.datetime,
    reason: str = "The interview was edited.",
) -> None:
    """Draft, re-render or cancel this interview's thank-yous to match its participants.

    The caller holds the application's lock. `reason` goes on the timeline of a re-rendered
    thank-you (what changed: the interview, the profile, a contact ...).
    """
    if application.has_ended:
        return
    calendar, _ = cadence_inputs_for(user=application.user)
    people = interview_participants(interview)
    specs = _thank_you_specs(application=application, interview=interview, people=people)
    existing = read_locking_pending(
        Message.objects.filter(interview=interview, stage=Stage.THANK_YOU)
        .exclude(status=Status.CANCELLED)
        .select_related("contact")
    )
    by_contact = {m.contact_id: m for m in existing}
    why = "Planned from the interview as logged."
    # Re-planning an older round only refreshes its existing thank-yous: a new one drafted now
    # would be a late thank-you nobody asked for (or one the user already cancelled). Its
    # first planning (a round logged after a newer one) drafts them as usual.
    is_current = getattr(current_round(application=application), "pk", None) == interview.pk
    may_create = (
        is_current
        or not Message.objects.filter(interview=interview, stage=Stage.THANK_YOU).exists()
    )
    for contact_id, spec in specs.items():
        message = by_contact.get(contact_id)
        due_at, late = _thank_you_due(
            message=message, interview=interview, now=now, calendar=calendar
        )
        if message is None and not may_create:
            continue
        if message is None:
            message_draft(
                application=application,
                spec=spec,
                due_at=due_at,
                late=late,
                why=why,
                calendar=calendar,
                people=people,
            )
        elif message.status in PENDING and not message.edited_by_user:
            message_redraft(
                message=message,
                application=application,
                spec=spec,
                due_at=due_at,
                late=late,
                why=reason,
                calendar=calendar,
                people=people,
            )
    _unneeded_thank_yous_cancel(
        application=application, existing=existing, specs=specs, people=people
    )


def _unneeded_thank_yous_cancel(
    *,
    application: Application,
    existing: list[Message],
    specs: dict[int | None, MessageSpec],
    people: list[InterviewParticipant],
) -> None:
    """Cancel the pending thank-yous nobody gets any more, saying why; hand-edited ones stay."""
    present = {p.contact_id for p in people}
    for message in existing:
        if message.contact_id in specs or message.status not in PENDING:
            continue
        if message.edited_by_user:
            continue  # the user wrote it: theirs to skip
        if message.contact_id in present or message.contact_id == getattr(
            application.main_contact, "pk", None
        ):
            reason = "Not needed any more: the interview's participants or addresses changed."
        else:
            reason = f"{message.to_name or 'This person'} is no longer listed in this interview."
        messages_cancel([message], reason=reason)
