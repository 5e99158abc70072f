"""A message's row changed together with its timeline entry, under the application's lock.

One message at a time (message_update_with_timeline) for the rare outcomes, and a whole
chunk at once (messages_record_sent) for the common one: a few statements per chunk.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Q

from followup.rules.calendar import SenderCalendar, local_time_label
from interviews.locks import lock_application
from interviews.models import Application, TimelineEvent
from interviews.timeline import timeline_record
from messaging.models import Message
from messaging.side_tasks import linkedin_suggestion, messages_sent_side_tasks
from messaging.status import message_label

Status = Message.Status

# Shown on a message the mail service may have taken but never confirmed (Status.UNCONFIRMED).
# With the default set-up the email goes out from our address, so it is not in the user's own
# sent folder: the ways to find out are the mail service's own records (asked by Followup
# where the service can tell), the delivery status on the Not confirmed tab, and the recipient.
UNCONFIRMED_REASON = (
    "Sent, but the mail service never confirmed that it took it: it may or may not have "
    "reached them. Followup asks the mail service where it can; otherwise check its delivery "
    "status on the Not confirmed tab, or ask the recipient, before you send it again."
)


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


def _locked_applications(ids: set[int]) -> None:
    """Lock the applications by pk in one statement: the first locks of a chunk's records."""
    list(
        Application.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def messages_record_sent(
    *, sent: Sequence[tuple[Message, dt.datetime, str]], at: dt.datetime
) -> list[Message]:
    """Record a chunk's accepted sends (message, sent_at, ESP id); returns those recorded.

    One transaction: the applications' locks, the messages still "sending" (a delivery
    webhook may have settled one first), one UPDATE for all of them, their timeline entries
    (and a thank-you's LinkedIn suggestion, messaging.side_tasks) in one INSERT.
    """
    if not sent:
        return []
    by_pk = {message.pk: (message, sent_at, esp_id) for message, sent_at, esp_id in sent}
    with transaction.atomic():
        _locked_applications({message.application_id for message, _, _ in sent})
        still = set(
            Message.objects.select_for_update()
            .filter(pk__in=list(by_pk), status=Status.SENDING)
            .values_list("pk", flat=True)
        )
        recorded = []
        for pk in sorted(still):
            message, sent_at, esp_id = by_pk[pk]
            message.status, message.sent_at = Status.SENT, sent_at
            message.esp_message_id, message.status_reason = esp_id[:300], ""
            message.outcome_unknown, message.updated_at = False, at
            recorded.append(message)
        Message.objects.bulk_update(
            recorded,
            [
                "status",
                "sent_at",
                "esp_message_id",
                "status_reason",
                "outcome_unknown",
                "updated_at",
            ],
        )
        events = []
        for message in recorded:
            events.append(
                _event(
                    message,
                    TimelineEvent.Kind.SENT,
                    f"Sent: {message_label(message)}",
                    f"Subject: {message.subject}",
                    message.sent_at,
                )
            )
            if message.stage == Message.Stage.THANK_YOU:
                events.append(linkedin_suggestion(message))
        TimelineEvent.objects.bulk_create(events)
        _mark_active(events)
        # The thank-yous' LinkedIn tasks, in one INSERT as well (messaging.side_tasks).
        messages_sent_side_tasks([m for m in recorded if m.stage == Message.Stage.THANK_YOU])
    return recorded


def _event(
    message: Message, kind: str, summary: str, detail: str, at: dt.datetime
) -> TimelineEvent:
    return TimelineEvent(
        user_id=message.user_id,
        application_id=message.application_id,
        kind=kind,
        summary=summary[:300],
        detail=detail,
        interview_id=message.interview_id,
        message=message,
        happened_at=at,
    )


def _mark_active(events: Sequence[TimelineEvent]) -> None:
    """Each application active at its latest new event, as timeline_record does one by one."""
    latest: dict[int, dt.datetime] = {}
    for event in events:
        if event.application_id not in latest or event.happened_at > latest[event.application_id]:
            latest[event.application_id] = event.happened_at
    for application_id, at in latest.items():
        Application.objects.filter(pk=application_id, last_activity_at__lt=at).update(
            last_activity_at=at
        )


def messages_retry_later(
    *, retries: Sequence[tuple[Message, dt.datetime, str]], at: dt.datetime
) -> int:
    """Put messages the ESP certainly did not take back to approved, due at their retry time.

    (message, due_at, reason) each; one UPDATE per message inside one transaction, only
    where the row is still this chunk's "sending". No timeline entry: nothing happened
    that the user must act on, and the status reason says it is being retried.
    """
    done = 0
    with transaction.atomic():
        for message, due_at, reason in retries:
            done += Message.objects.filter(pk=message.pk, status=Status.SENDING).update(
                status=Status.APPROVED,
                due_at=due_at,
                claimed_at=None,
                send_started_at=None,
                status_reason=f"Retrying: {reason}"[:500],
                updated_at=at,
            )
    return done


def messages_reopen(*, ids: Sequence[int], at: dt.datetime) -> int:
    """Give back claims whose email was never handed to the ESP (the chunk ran out of time)."""
    from django.db.models import F

    return Message.objects.filter(pk__in=list(ids), status=Status.SENDING).update(
        status=Status.APPROVED,
        claimed_at=None,
        send_started_at=None,
        attempts=F("attempts") - 1,
        updated_at=at,
    )


def message_record_unconfirmed(*, message: Message, what: str, at: dt.datetime) -> bool:
    """The ESP may have taken it but never said so: unconfirmed, never resent by itself."""
    return message_update_with_timeline(
        message=message,
        where=Q(status=Status.SENDING),
        kind=TimelineEvent.Kind.NOTE,
        summary=f"Not confirmed: {message_label(message)}",
        detail=f"While sending it, {what}. {UNCONFIRMED_REASON}",
        at=at,
        status=Status.UNCONFIRMED,
        status_reason=UNCONFIRMED_REASON,
        outcome_unknown=True,
    )


def message_record_failed(
    *, message: Message, reason: str, at: dt.datetime, where: Q | None = None
) -> bool:
    """The ESP refused it for good (or it could not be built): failed, with the reason.

    where: the row's state it must still be in (default: being sent).
    """
    return message_update_with_timeline(
        message=message,
        where=where if where is not None else Q(status=Status.SENDING),
        kind=TimelineEvent.Kind.FAILED,
        summary=f"Sending failed: {message_label(message)}",
        detail=reason,
        at=at,
        status=Status.FAILED,
        status_reason=reason[:500],
    )
