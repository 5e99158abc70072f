"""Processing stored webhook events once: delivery reports and bounces here, inbound handed on."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from anymail.signals import EventType
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from interviews.locks import lock_applications
from interviews.models import Application, TimelineEvent
from interviews.timeline import timeline_record
from messaging.models import BouncedAddress, EmailEvent, Message
from messaging.side_tasks import message_sent_side_tasks
from messaging.status import bounced_messages_hold, message_label
from messaging.webhooks.inbound import (
    InboundMatch,
    inbound_event_apply,
    inbound_match,
    inbound_message_of,
)

logger = logging.getLogger(__name__)

# Events after which nothing more may be sent to the address.
UNDELIVERABLE = frozenset(
    {EventType.BOUNCED, EventType.REJECTED, EventType.FAILED, EventType.COMPLAINED}
)
# The sweep re-enqueues events left unprocessed this long (their task was lost with the
# broker, or the worker died), up to this age; one still unprocessed after that is marked
# failed, so it shows in the admin instead of vanishing from the sweep unnoticed.
REQUEUE_AFTER = dt.timedelta(minutes=10)
REQUEUE_UNTIL = dt.timedelta(days=3)
REQUEUE_BATCH = 500
NEVER_PROCESSED = "Not processed within 3 days of arriving (its task was lost each time)."


def email_events_requeue(
    *, now: dt.datetime, enqueue: Callable[[int], object], limit: int = REQUEUE_BATCH
) -> int:
    """Hand stored events still unprocessed after REQUEUE_AFTER to `enqueue` again; how many.

    The ESP got its 200 when the event was stored, so it never sends it again: a task lost
    with a broker outage would otherwise drop a bounce or a reply for good. Processing
    claims each event, so an event enqueued twice is harmless. Failed events are not
    retried: processing them again is a decision for whoever reads the failure.
    """
    waiting = EmailEvent.objects.filter(processed_at__isnull=True, failed_at__isnull=True)
    expired = waiting.filter(received_at__lt=now - REQUEUE_UNTIL).update(
        failed_at=now, failure=NEVER_PROCESSED
    )
    if expired:
        logger.error("%d webhook events were never processed; marked failed", expired)
    ids = list(
        waiting.filter(received_at__lt=now - REQUEUE_AFTER, received_at__gte=now - REQUEUE_UNTIL)
        .order_by("received_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        enqueue(pk)
    if ids:
        logger.warning("Re-enqueued %d unprocessed webhook events", len(ids))
    return len(ids)


def email_event_process(*, event_pk: int, final_attempt: bool = True) -> None:
    """Act on one stored event, exactly once (the claim and the work commit together).

    When the work raises, everything it did rolls back with the claim. A database error
    on an attempt that is not the task's last goes up for the task to retry; any other
    error, or the last attempt's, is recorded on the event (failed_at, failure) so it
    stops being retried and shows in the admin and on its owner's timeline.
    """
    try:
        _process(event_pk)
    except Exception as error:
        if isinstance(error, DatabaseError) and not final_attempt:
            raise  # the task tries again after a backoff
        logger.exception("Webhook event %s could not be processed", event_pk)
        email_event_fail(event_pk=event_pk, error=f"{type(error).__name__}: {error}")


def _process(event_pk: int) -> None:
    """Claim the event and act on it, in one transaction."""
    with transaction.atomic():
        claimed = EmailEvent.objects.filter(
            pk=event_pk, processed_at__isnull=True, failed_at__isnull=True
        ).update(processed_at=timezone.now())
        if not claimed:
            return
        event = EmailEvent.objects.get(pk=event_pk)
        if event.event_type == EventType.INBOUND:
            # It parses and matches the email once, and sets the event's owner itself.
            inbound_event_apply(event=event)
        else:
            _tracking_event_apply(event)


def email_event_fail(*, event_pk: int, error: str) -> None:
    """Record that an event could not be processed, and tell its owner if it has one."""
    with transaction.atomic():
        event = EmailEvent.objects.select_for_update().filter(pk=event_pk).first()
        if event is None or event.processed_at is not None:
            return
        application, message = _owner_of(event)
        event.failed_at = timezone.now()
        event.failure = error[:500]
        event.message = message or event.message
        event.user_id = application.user_id if application else event.user_id
        event.save(update_fields=["failed_at", "failure", "message", "user"])
        if application is None:
            return
        lock_applications([application.pk])
        if event.event_type == EventType.INBOUND:
            summary = f"An email from {event.recipient or 'your contact'} could not be read"
            detail = "Followup received it but could not act on it, so nothing changed. "
            detail += "Look for it in your mailbox, and use 'They replied' if it is an answer."
        else:
            summary = f"A '{event.event_type}' report on this email could not be processed"
            detail = "The mail service reported on it, but Followup could not act on the "
            detail += "report, so the email's delivery status did not change."
        timeline_record(
            application=application,
            kind=TimelineEvent.Kind.NOTE,
            summary=summary,
            detail=detail,
            message=message,
        )


def _owner_of(event: EmailEvent) -> tuple[Application | None, Message | None]:
    """The application (and our message) an event that failed is about, if it can be told.

    Read again outside the failed work, which rolled back; the event may be what broke
    the matching itself, so any error here means "no owner", never a second failure.
    """
    try:
        # A savepoint: a database error here must not spoil the transaction that records.
        with transaction.atomic():
            if event.event_type == EventType.INBOUND:
                match = _inbound_match(event)
                return (match.application, match.message) if match else (None, None)
            message = _tracked_message(event)
            return (message.application, message) if message else (None, None)
    except Exception:
        logger.exception("Could not tell whose webhook event %s is", event.pk)
        return None, None


def _inbound_match(event: EmailEvent) -> InboundMatch | None:
    """The application a stored inbound email answers (read again after a failure)."""
    return inbound_match(
        inbound_message=inbound_message_of(event.payload),
        envelope_recipient=str(event.payload.get("envelope_recipient", "") or ""),
        user_id=event.user_id,
    )


def _tracked_message(event: EmailEvent) -> Message | None:
    """Our message an ESP event is about: by the id we sent in metadata, else the ESP's id."""
    metadata = event.payload.get("metadata") or {}
    pk = str(metadata.get("message_id", ""))
    queryset = Message.objects.select_related("application", "interview")
    if pk.isdigit():
        found = queryset.filter(pk=int(pk)).first()
        # Trust the metadata only if the ESP's id does not contradict it.
        if found and (
            not found.esp_message_id
            or not event.esp_message_id
            or found.esp_message_id == event.esp_message_id
        ):
            return found
    if event.esp_message_id:
        return queryset.filter(esp_message_id=event.esp_message_id).first()
    return None


def _tracking_event_apply(event: EmailEvent) -> None:
    """A delivery report or a bounce: the message's delivery status and its timeline entry."""
    message = _tracked_message(event)
    if message is None:
        return
    # The lock order everywhere: the Application rows (by pk) before their messages (the
    # Message updates below, a bounce's holds, then the timeline's update of the application).
    address = (event.recipient or message.to_email).strip().lower()
    bounced = event.event_type in UNDELIVERABLE
    lock_applications([message.application_id, *(_pending_to(message, address) if bounced else [])])
    event.message = message
    event.user_id = message.user_id
    event.save(update_fields=["message", "user"])
    payload = event.payload
    at = parse_datetime(payload.get("timestamp") or "") or timezone.now()
    detail = (payload.get("description") or payload.get("mta_response") or "")[:500]

    if event.event_type in (EventType.DELIVERED, EventType.SENT, EventType.QUEUED):
        _confirm_sent(message=message, esp_message_id=event.esp_message_id, at=at)
    if event.event_type == EventType.DELIVERED:
        if message.delivery_status in UNDELIVERABLE:
            return  # a bounce is final; a late "delivered" does not undo it
        Message.objects.filter(pk=message.pk).update(
            delivery_status="delivered", delivery_detail=detail
        )
        timeline_record(
            application=message.application,
            kind=TimelineEvent.Kind.DELIVERED,
            summary=f"Delivered to {address}",
            message=message,
            at=at,
        )
    elif event.event_type in UNDELIVERABLE:
        reason = detail or payload.get("reject_reason") or event.event_type
        if event.event_type == EventType.COMPLAINED:
            reason = f"Marked as spam. {detail}".strip()
        BouncedAddress.objects.get_or_create(
            user_id=message.user_id,
            email__iexact=address,
            defaults={"email": address, "reason": reason[:500], "bounced_at": at},
        )
        Message.objects.filter(pk=message.pk).update(
            delivery_status=event.event_type, delivery_detail=reason[:500]
        )
        # An unconfirmed send that bounced did reach the mail service, and went nowhere:
        # it is settled as failed, with the bounce as its reason.
        Message.objects.filter(pk=message.pk, status=Message.Status.UNCONFIRMED).update(
            status=Message.Status.FAILED,
            status_reason=f"It bounced: {reason}"[:500],
            outcome_unknown=False,
        )
        timeline_record(
            application=message.application,
            kind=TimelineEvent.Kind.BOUNCED,
            summary=f"Bounced: {address}",
            detail=f"{reason}\nNothing more will be sent to this address.",
            message=message,
            at=at,
        )
        bounced_messages_hold(user_id=message.user_id, address=address, reason=reason, at=at)


def _pending_to(message: Message, address: str) -> list[int]:
    """The applications with messages still pending to this address (their locks come first)."""
    return list(
        Message.objects.filter(
            user_id=message.user_id,
            to_email__iexact=address,
            status__in=Message.PENDING_STATUSES,
        ).values_list("application_id", flat=True)
    )


def _confirm_sent(*, message: Message, esp_message_id: str, at: dt.datetime) -> None:
    """The ESP reports a message we could not confirm ourselves: it was sent after all.

    Happens when a worker died after the ESP accepted the message but before it
    recorded so (dispatch.claims.recover_stale_claims then marked it failed as interrupted),
    or when the report arrives while the worker is still recording the send. Either way the
    sent message's side tasks run here, once: the worker's record finds the row settled.
    """
    # Sending (the worker has not recorded it yet), unconfirmed (the ESP never said it took
    # it), or a failed row flagged before the unconfirmed status existed.
    stuck = Q(status__in=[Message.Status.SENDING, Message.Status.UNCONFIRMED]) | Q(
        status=Message.Status.FAILED, outcome_unknown=True
    )
    changed = Message.objects.filter(stuck, pk=message.pk, send_started_at__isnull=False).update(
        status=Message.Status.SENT,
        sent_at=message.send_started_at,
        esp_message_id=esp_message_id or message.esp_message_id,
        status_reason="",
        outcome_unknown=False,
    )
    if changed:
        timeline_record(
            application=message.application,
            kind=TimelineEvent.Kind.SENT,
            summary=f"Sent: {message_label(message)}",
            detail="Confirmed by the mail service's delivery report.",
            message=message,
            at=message.send_started_at or at,
        )
        # The dispatcher's own record of the send now finds the row settled and skips its
        # side tasks: they happen here instead (the LinkedIn suggestion after a thank-you).
        message.refresh_from_db()
        message_sent_side_tasks(message=message)
