"""Queue actions that messaging.services does not have: snooze, send now, approve many, retry.

Each builds on services.message_approve / message_edit (which run the checks, lock the row
and write the timeline) rather than repeating them; what is new here is only the step
around them. Candidates to move into messaging/services.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from followup.accounts.models import User
from interviews.models import TimelineEvent
from interviews.timeline import timeline_record
from messaging import cadence, dispatch, selectors, services, tasks
from messaging.models import Message

Kind = TimelineEvent.Kind
Status = Message.Status

TOMORROW_MORNING = "tomorrow"
NEXT_MONDAY = "next_monday"
SNOOZE_PRESETS = {TOMORROW_MORNING: "Tomorrow morning", NEXT_MONDAY: "Next Monday morning"}


def snooze_preset_time(
    *, preset: str, now: dt.datetime, calendar: cadence.SenderCalendar
) -> dt.datetime:
    """When a snooze preset ends: the send window's start tomorrow, or on the coming Monday."""
    today = calendar.local_date(now)
    if preset == TOMORROW_MORNING:
        day = today + dt.timedelta(days=1)
    elif preset == NEXT_MONDAY:
        # Strictly after today: on a Monday, "next Monday" is a week away.
        day = today + dt.timedelta(days=(7 - today.weekday()) or 7)
    else:
        raise ValueError(f"Unknown snooze preset: {preset!r}")
    return calendar.window_opens(day)


def message_snooze(*, message: Message, user: User, until: dt.datetime) -> Message:
    """Move a draft to a later time; it stays a draft and keeps its place in the queue.

    Marked edited_by_user so that re-planning (which re-times untouched drafts) does not
    pull it back to the cadence's time the user just chose to leave.
    """
    services._require_owner(message, user)
    with transaction.atomic():
        message = services._locked_message(message)
        if message.status != Status.DRAFT:
            raise services.ActionRefused(
                f"This message is {message.get_status_display().lower()}: "
                "only a draft waiting for approval can be snoozed."
            )
        old = message.due_at
        services._set_status(
            message, to=Status.DRAFT, expect=(Status.DRAFT,), due_at=until, edited_by_user=True
        )
        calendar, _ = selectors.cadence_inputs_for(user=user)
        timeline_record(
            application=message.application,
            kind=Kind.NOTE,
            summary=f"{services._label(message)} snoozed to {services._local(until, calendar)}",
            detail=f"It was due {services._local(old, calendar)}." if old else "",
            message=message,
        )
    return message


def message_send_now(
    *,
    message: Message,
    user: User,
    override_pestering: bool = False,
    now: dt.datetime | None = None,
) -> Message:
    """Approve (if the checks allow) and send at once: due now, claimed, send task after commit.

    1. A draft is moved to now first, so the checks judge the time it really goes out;
       message_approve then refuses it on errors (the whole step rolls back).
    2. An approved message is moved to now.
    3. The claim (approved -> sending) is the dispatcher's own, so the beat cannot send it
       twice; the task is enqueued only once the transaction has committed. A paused
       application leaves it held instead: nothing is claimed.
    """
    services._require_owner(message, user)
    now = now or timezone.now()
    with transaction.atomic():
        message = services._locked_message(message)
        if message.status not in (Status.DRAFT, Status.APPROVED):
            raise services.ActionRefused(
                f"This message is {message.get_status_display().lower()}: it cannot be sent now."
            )
        was_approved = message.status == Status.APPROVED
        services._set_status(message, to=message.status, expect=(message.status,), due_at=now)
        if was_approved:
            timeline_record(
                application=message.application,
                kind=Kind.NOTE,
                summary=f"{services._label(message)}: sending now at your request",
                message=message,
                at=now,
            )
        else:
            message = services.message_approve(
                message=message, user=user, override_pestering=override_pestering
            )
        if dispatch.message_claim(message_id=message.pk, now=now):
            tasks.send_message.delay_on_commit(message.pk)
    message.refresh_from_db()
    return message


@dataclass(frozen=True)
class ApproveManyResult:
    approved: list[Message]
    # Shown drafts left waiting: blocked by the checks (pestering is never overridden in bulk).
    left: int


def messages_approve_many(*, user: User, ids: Iterable[int]) -> ApproveManyResult:
    """Approve the user's own drafts among `ids` that nothing blocks; ignore every other id.

    Ids of other users' messages, or of messages no longer drafts, simply match nothing.
    Each approval is its own transaction, so one refusal does not undo the others.
    """
    drafts = Message.objects.filter(user=user, pk__in=list(ids), status=Status.DRAFT).order_by(
        "due_at", "pk"
    )
    approved, left = [], 0
    for message in drafts:
        try:
            approved.append(services.message_approve(message=message, user=user))
        except services.ActionRefused:
            left += 1
    return ApproveManyResult(approved=approved, left=left)


def message_retry(
    *,
    message: Message,
    user: User,
    to_email: str,
    subject: str,
    body_text: str,
    override_pestering: bool = False,
    now: dt.datetime | None = None,
) -> Message:
    """Fix a message the ESP refused and send it again: the user's version, approved, due now.

    All or nothing: if the checks refuse the new version, it stays failed with its reason.
    """
    services._require_owner(message, user)
    now = now or timezone.now()
    with transaction.atomic():
        message = services._locked_message(message)
        if message.status != Status.FAILED:
            raise services.ActionRefused("Only a message that failed to send can be retried.")
        reason = message.status_reason
        services._set_status(
            message,
            to=Status.DRAFT,
            expect=(Status.FAILED,),
            due_at=now,
            approved_at=None,
            claimed_at=None,
            send_started_at=None,
        )
        timeline_record(
            application=message.application,
            kind=Kind.NOTE,
            summary=f"Retrying {services._label(message)} after it failed",
            detail=f"It failed with: {reason}" if reason else "",
            message=message,
            at=now,
        )
        message = services.message_edit(
            message=message,
            user=user,
            to_email=to_email,
            subject=subject,
            body_text=body_text,
            due_at=now,
        )
        message = services.message_approve(
            message=message, user=user, override_pestering=override_pestering
        )
    return message
