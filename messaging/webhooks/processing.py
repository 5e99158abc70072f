"""Processing stored webhook events once: delivery reports and bounces here, inbound handed on."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from anymail.signals import EventType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from interviews.locks import lock_applications
from interviews.models import TimelineEvent
from interviews.timeline import timeline_record
from messaging.models import BouncedAddress, EmailEvent, Message
from messaging.side_tasks import message_sent_side_tasks
from messaging.status import bounced_messages_hold, message_label
from messaging.webhooks.inbound import inbound_event_apply

logger = logging.getLogger(__name__)

# Events after which nothing more may be sent to the address.
UNDELIVERABLE = frozenset(
    {EventType.BOUNCED, EventType.REJECTED, EventType.FAILED, EventType.COMPLAINED}
)
# The sweep re-enqueues events left unprocessed this long (their task failed or was lost),
# up to this age: an event that still fails after days is a bug to read in the logs, not
# something to retry every ten minutes for ever.
REQUEUE_AFTER = dt.timedelta(minutes=10)
REQUEUE_UNTIL = dt.timedelta(days=3)
REQUEUE_BATCH = 500


def email_events_requeue(
    *, now: dt.datetime, enqueue: Callable[[int], object], limit: int = REQUEUE_BATCH
) -> int:
    """Hand stored events still unprocessed after REQUEUE_AFTER to `enqueue` again; how many.

    The ESP got its 200 when the event was stored, so it never sends it again: a task lost
    with a broker outage, or one that ran out of retries, would otherwise drop a bounce or
    a reply for good. Processing claims each event, so an event enqueued twice is harmless.
    """
    ids = list(
        EmailEvent.objects.filter(
            processed_at__isnull=True,
            received_at__lt=now - REQUEUE_AFTER,
            received_at__gte=now - REQUEUE_UNTIL,
        )
        .order_by("received_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        enqueue(pk)
    if ids:
        logger.warning("Re-enqueued %d unprocessed webhook events", len(ids))
    return len(ids)


def email_event_process(*, event_pk: int) -> None:
    """Act on one stored event, exactly once (the claim and the work commit together)."""
    with transaction.atomic():
        claimed = EmailEvent.objects.filter(pk=event_pk, processed_at__isnull=True).update(
            processed_at=timezone.now()
        )
        if not claimed:
            return
        event = EmailEvent.objects.get(pk=event_pk)
        if event.event_type == EventType.INBOUND:
            inbound_event_apply(event=event)
        else:
            _tracking_event_apply(event)


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
    event.save(update_fields=["message"])
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
    stuck = Q(status=Message.Status.SENDING) | Q(status=Message.Status.FAILED, outcome_unknown=True)
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
