"""Anymail's signal receivers: store each ESP webhook event once, process it after commit.

Receivers stay fast: they store each event once (EmailEvent.event_id is unique) and hand it
to the process_email_event task after commit; the task's work is messaging.webhooks.processing.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging

from anymail.signals import AnymailInboundEvent, AnymailTrackingEvent, EventType, inbound, tracking

from messaging.models import EmailEvent
from messaging.tasks import process_email_event
from messaging.webhooks.inbound import RAW_KEY, clean_text, sender_of

logger = logging.getLogger(__name__)


def connect() -> None:
    """Wire the receivers to Anymail's signals (called from MessagingConfig.ready)."""
    tracking.connect(on_tracking, dispatch_uid="messaging.receivers.on_tracking")
    inbound.connect(on_inbound, dispatch_uid="messaging.receivers.on_inbound")


def on_tracking(
    sender: object, event: AnymailTrackingEvent, esp_name: str, **kwargs: object
) -> None:
    """Store a delivery, bounce or other tracking event."""
    email_event_store(event=event, esp_name=esp_name)


def on_inbound(sender: object, event: AnymailInboundEvent, esp_name: str, **kwargs: object) -> None:
    """Store an inbound email."""
    email_event_store(event=event, esp_name=esp_name)


def _jsonable(value: object) -> object:
    """The value as JSON can hold it (dates and the like as text)."""
    return json.loads(json.dumps(value, default=str))


def _event_key(esp_name: str, raw_id: str) -> str:
    """The unique key of an event: the ESP's name and its id, hashed when too long."""
    key = f"{esp_name.lower()}:{raw_id}"
    if len(key) > 300:
        key = f"{esp_name.lower()}:sha256:{hashlib.sha256(raw_id.encode()).hexdigest()}"
    return key


def _fingerprint(*parts: object) -> str:
    """A stable id made of the parts, for events that come without one."""
    return "sha256:" + hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


def _raw_bytes(event: AnymailInboundEvent) -> bytes:
    """The inbound email's bytes as received: the ESP's raw MIME when it sent it.

    Postmark's RawEmail (when the inbound stream includes it) is the message as it arrived;
    without it, the message Anymail parsed or built from the ESP's fields, generated without
    re-folding any header it parsed (the stdlib keeps no other copy of the bytes).
    """
    esp_event = event.esp_event if isinstance(event.esp_event, dict) else {}
    esp_raw = esp_event.get("RawEmail")
    if isinstance(esp_raw, str) and esp_raw:
        return esp_raw.encode("utf-8", "surrogatepass")
    message = event.message
    if message is None:
        return b""
    try:
        # As on the wire (CRLF), parsed headers as they came: a CRLF message comes out whole.
        return message.as_bytes(policy=message.policy.clone(refold_source="none", linesep="\r\n"))
    except Exception:  # a message the generator chokes on: its text instead
        logger.exception("Inbound email could not be generated as bytes; stored as text")
        return message.as_string().encode("utf-8", "surrogateescape")


def _event_fields(event: AnymailTrackingEvent | AnymailInboundEvent, esp_name: str) -> dict:
    """The EmailEvent columns for one Anymail event, its unique key included."""
    if isinstance(event, AnymailInboundEvent):
        message = event.message
        raw = _raw_bytes(event)
        try:
            raw_id = event.event_id or str(message.get("Message-ID", "") or "").strip()
        except Exception:  # a defective Message-ID: the fingerprint instead
            raw_id = event.event_id or ""
        sender = sender_of(message)[0] if message is not None else ""
        return {
            "event_id": _event_key(esp_name, clean_text(raw_id) or _fingerprint(raw)),
            "esp_name": esp_name,
            "event_type": EventType.INBOUND,
            "recipient": sender[:300],
            "payload": {
                # Exactly as received: processing parses these bytes, nothing re-folded.
                RAW_KEY: base64.b64encode(raw).decode("ascii"),
                "envelope_recipient": clean_text(
                    str(getattr(message, "envelope_recipient", "") or "")
                ),
                "stripped_text": clean_text(str(getattr(message, "stripped_text", "") or "")),
            },
        }
    timestamp = event.timestamp.isoformat() if event.timestamp else ""
    # Some events carry no id (Postmark's deliveries): the same event sent again has
    # the same type, message, recipient and time, so that is its key.
    raw_id = event.event_id or _fingerprint(
        event.event_type, event.message_id, event.recipient, timestamp
    )
    return {
        "event_id": _event_key(esp_name, str(raw_id)),
        "esp_name": esp_name,
        "event_type": event.event_type,
        "esp_message_id": str(event.message_id or "")[:300],
        "recipient": str(event.recipient or "")[:300],
        "payload": _jsonable(
            {
                "timestamp": timestamp,
                "metadata": event.metadata or {},
                "description": event.description or "",
                "mta_response": event.mta_response or "",
                "reject_reason": event.reject_reason or "",
                "esp_event": event.esp_event,
            }
        ),
    }


def email_event_store(
    *, event: AnymailTrackingEvent | AnymailInboundEvent, esp_name: str
) -> EmailEvent:
    """Store a webhook event once by its id and enqueue its processing after commit."""
    fields = _event_fields(event, esp_name)
    stored, created = EmailEvent.objects.get_or_create(
        event_id=fields.pop("event_id"), defaults=fields
    )
    if created or stored.processed_at is None:
        # Also when the ESP sends an event again that was stored but never processed
        # (the broker was down): processing claims the event, so twice is harmless.
        process_email_event.delay_on_commit(stored.pk)
    return stored
