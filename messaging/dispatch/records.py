"""A message's row changed together with its timeline entry, under the application's lock."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q

from followup.rules.calendar import SenderCalendar, local_time_label
from interviews.locks import lock_application
from interviews.models import TimelineEvent
from interviews.timeline import timeline_record
from messaging.models import Message
from messaging.status import message_label

Status = Message.Status


def message_update_with_timeline(
    *,
    message: Message,
    where: Q,
    kind: str,
    summary: str,
    detail: str = "",
    at: dt.datetime,
    **fields: object,
) -> bool:
    """Conditionally update the row and, only if that happened, add the timeline entry."""
    with transaction.atomic():
        # Application before Message, as every writer takes them (interviews.locks): the
        # timeline entry updates the application row, and taking it after the message's
        # would deadlock with a re-plan that holds it and waits for this message. The claim
        # (approved -> sending) stays a lone UPDATE without this lock.
        lock_application(message.application_id)
        changed = Message.objects.filter(where, pk=message.pk).update(updated_at=at, **fields)
        if changed:
            timeline_record(
                application=message.application,
                kind=kind,
                summary=summary,
                detail=detail,
                message=message,
                interview=message.interview,
                at=at,
            )
    return bool(changed)


def message_wait_for_window(
    *,
    message: Message,
    where: Q,
    opens: dt.datetime,
    calendar: SenderCalendar,
    at: dt.datetime,
    **fields: object,
) -> bool:
    """Put a message back to approved, due when the send window next opens; note it."""
    return message_update_with_timeline(
        message=message,
        where=where,
        kind=TimelineEvent.Kind.NOTE,
        summary=f"Waiting for your send window: {message_label(message)}",
        detail=f"It fell due outside your send window, so it goes out "
        f"{local_time_label(opens, calendar)}.",
        at=at,
        status=Status.APPROVED,
        due_at=opens,
        claimed_at=None,
        **fields,
    )
