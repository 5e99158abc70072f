"""ESP webhooks: delivery, bounces and inbound replies, through Anymail's normalised signals.

Receivers stay fast: they store each event once (EmailEvent.event_id is unique) and
hand it to the process_email_event task after commit. The task does the work:
- delivered -> the message's delivery status (and proof it was sent, after a crash);
- bounced / rejected / failed / complained -> a BouncedAddress, so nothing more goes
  there (dispatch.recheck), the delivery status and a timeline entry;
- inbound -> matched to the application by our Message-ID in In-Reply-To/References
  (else by the sender's address among the user's contacts, acted on only when SPF or
  DKIM vouches for that address in the Authentication-Results of our own receiving server,
  FOLLOWUP_INBOUND_AUTHSERV_ID: a From header is easy to forge), quoted text stripped,
  automatic replies told apart; then messaging.services.application_reply.
A stored event whose processing failed is not lost: the task retries database errors,
and the beat re-enqueues what is still unprocessed after a while (email_events_requeue).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

import nh3
from anymail.inbound import AnymailInboundMessage
from anymail.signals import AnymailInboundEvent, AnymailTrackingEvent, EventType, inbound, tracking
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from interviews.models import Application, Contact, Interview, TimelineEvent
from interviews.timeline import timeline_record
from messaging import selectors
from messaging.models import BouncedAddress, EmailEvent, Message
from messaging.status import lock_application, message_label

logger = logging.getLogger(__name__)

# Events after which nothing more may be sent to the address.
UNDELIVERABLE = frozenset(
    {EventType.BOUNCED, EventType.REJECTED, EventType.FAILED, EventType.COMPLAINED}
)
MAX_DETAIL = 2000
# How far ahead an out-of-office return date may plausibly lie.
MAX_ABSENCE = dt.timedelta(days=180)
# The sweep re-enqueues events left unprocessed this long (their task failed or was lost),
# up to this age: an event that still fails after days is a bug to read in the logs, not
# something to retry every ten minutes for ever.
REQUEUE_AFTER = dt.timedelta(minutes=10)
REQUEUE_UNTIL = dt.timedelta(days=3)
REQUEUE_BATCH = 500

_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_OUT_OF_OFFICE = re.compile(
    r"out of (the )?office|automatic reply|auto[- ]?reply|autoreply|away from (the )?office"
    r"|on (annual |parental |sick )?leave|on vacation|on holiday|away until|back in the office"
    r"|limited access to (my )?e-?mail|abwesend|absence",
    re.IGNORECASE,
)
# A found date must hold a number or a weekday: "I may reply" is not the 1st of May.
_DAY_WORDS = re.compile(
    r"\d|\btomorrow\b|\b(mon|tues?|wed(nes)?|thu(rs)?|fri|sat(ur)?|sun)(day)?\b", re.IGNORECASE
)


# --- Receivers: store once, enqueue after commit -------------------------------------------


def connect() -> None:
    """Wire the receivers to Anymail's signals (called from MessagingConfig.ready)."""
    tracking.connect(on_tracking, dispatch_uid="messaging.webhooks.on_tracking")
    inbound.connect(on_inbound, dispatch_uid="messaging.webhooks.on_inbound")


def on_tracking(
    sender: object, event: AnymailTrackingEvent, esp_name: str, **kwargs: object
) -> None:
    email_event_store(event=event, esp_name=esp_name)


def on_inbound(sender: object, event: AnymailInboundEvent, esp_name: str, **kwargs: object) -> None:
    email_event_store(event=event, esp_name=esp_name)


def _jsonable(value: object) -> object:
    return json.loads(json.dumps(value, default=str))


def _event_key(esp_name: str, raw_id: str) -> str:
    key = f"{esp_name.lower()}:{raw_id}"
    if len(key) > 300:
        key = f"{esp_name.lower()}:sha256:{hashlib.sha256(raw_id.encode()).hexdigest()}"
    return key


def _fingerprint(*parts: object) -> str:
    return "sha256:" + hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


def _event_fields(event: AnymailTrackingEvent | AnymailInboundEvent, esp_name: str) -> dict:
    """The EmailEvent columns for one Anymail event, its unique key included."""
    if isinstance(event, AnymailInboundEvent):
        message = event.message
        raw_id = event.event_id or (message.get("Message-ID", "") or "").strip()
        raw = message.as_string() if message is not None else ""
        sender = message.from_email if message is not None else None
        return {
            "event_id": _event_key(esp_name, raw_id or _fingerprint(raw)),
            "esp_name": esp_name,
            "event_type": EventType.INBOUND,
            "recipient": str(getattr(sender, "addr_spec", "") or "")[:300],
            "payload": {
                "raw": raw,
                "envelope_recipient": str(getattr(message, "envelope_recipient", "") or ""),
                "stripped_text": str(getattr(message, "stripped_text", "") or ""),
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
    from messaging.tasks import process_email_event  # tasks imports this module

    fields = _event_fields(event, esp_name)
    stored, created = EmailEvent.objects.get_or_create(
        event_id=fields.pop("event_id"), defaults=fields
    )
    if created or stored.processed_at is None:
        # Also when the ESP sends an event again that was stored but never processed
        # (the broker was down): processing claims the event, so twice is harmless.
        process_email_event.delay_on_commit(stored.pk)
    return stored


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


# --- The task's work ----------------------------------------------------------------------


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
            _apply_inbound(event)
        else:
            _apply_tracking(event)


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


def _apply_tracking(event: EmailEvent) -> None:
    message = _tracked_message(event)
    if message is None:
        return
    # The lock order everywhere: the Application row before its messages (the Message updates
    # below, then the timeline's update of the application).
    lock_application(message.application_id)
    event.message = message
    event.save(update_fields=["message"])
    payload = event.payload
    at = parse_datetime(payload.get("timestamp") or "") or timezone.now()
    detail = (payload.get("description") or payload.get("mta_response") or "")[:500]
    address = (event.recipient or message.to_email).strip().lower()

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


def _confirm_sent(*, message: Message, esp_message_id: str, at: dt.datetime) -> None:
    """The ESP reports a message we could not confirm ourselves: it was sent after all.

    Happens when a worker died after the ESP accepted the message but before it
    recorded so (dispatch.recover_stale_claims then marked it failed as interrupted), or when
    the report arrives while the worker is still recording the send. Either way the sent
    message's side tasks run here, once: the worker's record finds the row settled.
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
        from messaging import services  # imported late: services imports dispatch and more

        message.refresh_from_db()
        services.message_sent_side_tasks(message=message)


# --- Inbound replies ----------------------------------------------------------------------


@dataclass(frozen=True)
class InboundMatch:
    application: Application
    contact: Contact | None
    message: Message | None
    # Matched only by the From address (no thread header of ours): forgeable by anyone.
    by_sender: bool = False


def message_ids_in(value: str) -> list[str]:
    """Every <message-id> in an In-Reply-To or References header."""
    found = _MESSAGE_ID.findall(value or "")
    if not found and (value or "").strip():
        found = [f"<{value.strip().strip('<>')}>"]
    return found


def _addresses(inbound_message: AnymailInboundMessage, *headers: str) -> set[str]:
    found: set[str] = set()
    for header in headers:
        for item in inbound_message.get_address_header(header):
            if item.addr_spec:
                found.add(item.addr_spec.lower())
    return found


def inbound_match(
    *, inbound_message: AnymailInboundMessage, envelope_recipient: str = ""
) -> InboundMatch | None:
    """The application an inbound email answers, or None when it cannot be told."""
    sender = inbound_message.from_email
    sender_address = (getattr(sender, "addr_spec", "") or "").lower()
    if (
        sender_address
        and sender_address == email.utils.parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()
    ):
        return None  # our own mail coming back

    ids = message_ids_in(inbound_message.get("In-Reply-To", "")) + message_ids_in(
        inbound_message.get("References", "")
    )
    variants = ids + [i.strip("<>") for i in ids]
    if ids:
        ours = (
            Message.objects.filter(message_id__in=variants)
            .select_related("application", "contact")
            .order_by("-sent_at", "-pk")
            .first()
        )
        if ours is not None:
            return _checked(
                InboundMatch(
                    application=ours.application,
                    contact=_contact_for(ours.user_id, sender_address) or ours.contact,
                    message=ours,
                ),
                sender_address,
            )
        interview = (
            Interview.objects.filter(scheduling_message_id__in=variants)
            .select_related("application")
            .first()
        )
        if interview is not None:
            application = interview.application
            return _checked(
                InboundMatch(
                    application=application,
                    contact=_contact_for(application.user_id, sender_address),
                    message=None,
                ),
                sender_address,
            )

    if not sender_address:
        return None
    contacts = list(Contact.objects.filter(email__iexact=sender_address).select_related("user"))
    if len({c.user_id for c in contacts}) > 1:
        # Several users know this recruiter: keep the one the email was addressed to.
        recipients = _addresses(inbound_message, "To", "Cc", "Delivered-To")
        if envelope_recipient:
            recipients.add(envelope_recipient.lower())
        contacts = [c for c in contacts if c.user.email.lower() in recipients]
    if len({c.user_id for c in contacts}) != 1:
        return None
    applications = (
        Application.objects.filter(user_id=contacts[0].user_id)
        .filter(
            Q(main_contact__in=contacts)
            | Q(interviews__participants__contact__in=contacts)
            | Q(messages__contact__in=contacts)
        )
        .distinct()
        .order_by("-last_activity_at")
    )
    candidates = list(applications[:20])
    if not candidates:
        return None
    active = [a for a in candidates if not a.has_ended]
    application = (active or candidates)[0]
    contact = next((c for c in contacts if c.company_id == application.company_id), contacts[0])
    return _checked(
        InboundMatch(application=application, contact=contact, message=None, by_sender=True),
        sender_address,
    )


def _contact_for(user_id: int, address: str) -> Contact | None:
    if not address:
        return None
    return Contact.objects.filter(user_id=user_id, email__iexact=address).first()


def _checked(match: InboundMatch, sender_address: str) -> InboundMatch | None:
    # The user's own copy or forward is not the company answering.
    if sender_address and sender_address == match.application.user.email.lower():
        return None
    return match


_AUTH_RESULT = re.compile(r"\b(dkim|spf)\s*=\s*(\w+)([^;]*)", re.IGNORECASE)
_COMMENT = re.compile(r"\([^()]*\)")
_AUTH_DOMAIN = re.compile(r"\b(?:header\.d|header\.i|smtp\.mailfrom)\s*=\s*\"?([^\s;\"]+)", re.I)


def _domain_covers(signed: str, sender_domain: str) -> bool:
    """The authenticated domain is the sender's, or a parent or child of it (relaxed alignment).

    A bounce domain like mail.acme.example passing SPF vouches for dana@acme.example.
    """
    signed = signed.rpartition("@")[2].strip(".").lower()
    return bool(signed) and (
        sender_domain == signed
        or sender_domain.endswith(f".{signed}")
        or signed.endswith(f".{sender_domain}")
    )


def authserv_id(header: str) -> str:
    """The authserv-id of an Authentication-Results header: who wrote it (RFC 8601 §2.2)."""
    # "mx.example.com 1; spf=pass ...": the id, an optional version, then the results.
    head = _COMMENT.sub(" ", header.split(";", 1)[0]).split()
    return head[0].lower() if head else ""


def sender_authenticated(inbound_message: AnymailInboundMessage, sender_address: str) -> bool:
    """SPF or DKIM passed for the sender's domain, per our ESP's Authentication-Results.

    Anyone can write an Authentication-Results header into the mail they send: only one
    bearing FOLLOWUP_INBOUND_AUTHSERV_ID, the id of the server that received it for us,
    counts (RFC 8601 §5: that server removes any copy of its own id that came with the
    mail). Without that setting nothing is trusted, so no From-only match acts.
    """
    trusted = settings.FOLLOWUP_INBOUND_AUTHSERV_ID.strip().lower()
    sender_domain = sender_address.rpartition("@")[2].lower()
    headers = [
        str(header)
        for header in inbound_message.get_all("Authentication-Results") or []
        if authserv_id(str(header)) == trusted
    ]
    if not trusted or not sender_domain or not headers:
        return False
    # The topmost is the one our receiving server added last.
    for _method, result, properties in _AUTH_RESULT.findall(headers[0]):
        if result.lower() != "pass":
            continue
        domain = _AUTH_DOMAIN.search(properties)
        if domain and _domain_covers(domain.group(1), sender_domain):
            return True
    return False


def is_automatic(inbound_message: AnymailInboundMessage) -> bool:
    """Sent by a machine (RFC 3834 Auto-Submitted and the common vendor headers)."""
    auto_submitted = (inbound_message.get("Auto-Submitted", "") or "").strip().lower()
    if auto_submitted and auto_submitted != "no":
        return True
    if inbound_message.get("X-Autoreply") or inbound_message.get("X-Autorespond"):
        return True
    precedence = (inbound_message.get("Precedence", "") or "").strip().lower()
    return precedence in {"auto_reply", "bulk", "junk"}


def is_out_of_office(*, subject: str, text: str, automatic: bool) -> bool:
    """An absence notice: by its subject, or an automatic email that talks of absence."""
    if _OUT_OF_OFFICE.search(subject or ""):
        return True
    return automatic and bool(_OUT_OF_OFFICE.search(text[:1000]))


def return_date_in(text: str, *, received: dt.datetime, zone: dt.tzinfo = dt.UTC) -> dt.date | None:
    """The date an out-of-office notice says they are back (the latest plausible one).

    Relative words ("tomorrow", "Monday") count from the day it arrived in `zone`, the
    user's: the dates it gives are the days the user's cadence plans with.
    """
    from dateparser.search import search_dates  # slow to import; only inbound needs it

    base = timezone.localtime(received, zone).replace(tzinfo=None)
    found = search_dates(
        text[:MAX_DETAIL],
        languages=["en"],
        settings={
            "PREFER_DATES_FROM": "future",
            "RELATIVE_BASE": base,
            "RETURN_AS_TIMEZONE_AWARE": False,
        },
    )
    candidates = [
        when.date()
        for words, when in (found or [])
        # search_dates reads dates into stray words ("may", "now"); keep real ones.
        if _DAY_WORDS.search(words) and base.date() < when.date() <= (base + MAX_ABSENCE).date()
    ]
    return max(candidates) if candidates else None


def reply_text(inbound_message: AnymailInboundMessage, *, stripped: str = "") -> str:
    """The new part of a reply: quoted history and signature removed; text from HTML if need be."""
    from mailparser_reply import EmailReplyParser

    text = inbound_message.text or ""
    if not text.strip() and inbound_message.html:
        # No text part: the HTML, sanitised down to its words.
        text = nh3.clean(inbound_message.html, tags=set())
    latest = stripped or EmailReplyParser(languages=["en"]).parse_reply(text) or text
    return latest.strip()[:MAX_DETAIL]


def _received_at(inbound_message: AnymailInboundMessage, fallback: dt.datetime) -> dt.datetime:
    try:
        when = inbound_message.date
    except (TypeError, ValueError):
        when = None
    if when is None:
        return fallback
    if timezone.is_naive(when):
        when = timezone.make_aware(when, dt.UTC)
    # A wrong clock on their side must not put the reply in the future.
    return min(when, timezone.now())


def _apply_inbound(event: EmailEvent) -> None:
    inbound_message = AnymailInboundMessage.parse_raw_mime(event.payload.get("raw", ""))
    match = inbound_match(
        inbound_message=inbound_message,
        envelope_recipient=event.payload.get("envelope_recipient", ""),
    )
    if match is None:
        logger.info("Inbound email %s matched no application", event.event_id)
        return
    if match.message is not None:
        event.message = match.message
        event.save(update_fields=["message"])

    at = _received_at(inbound_message, event.received_at)
    text = reply_text(inbound_message, stripped=event.payload.get("stripped_text", ""))
    automatic = is_automatic(inbound_message)
    subject = inbound_message.subject or ""
    if is_out_of_office(subject=subject, text=text, automatic=automatic):
        zone = selectors.cadence_inputs_for(user=match.application.user)[0].zone
        return_date = return_date_in(f"{subject}\n{text}", received=at, zone=zone)
        kind = "out_of_office"
    elif automatic:
        # An automatic receipt or notice is not an answer from a person.
        logger.info("Inbound email %s is automatic, not a reply", event.event_id)
        return
    else:
        kind, return_date = "reply", None

    sender_address = str(getattr(inbound_message.from_email, "addr_spec", "") or "")
    if match.by_sender and not sender_authenticated(inbound_message, sender_address):
        # Anyone can put a recruiter's address in From: without SPF or DKIM vouching for
        # it, an email outside our threads must not stop the check-ins by itself.
        timeline_record(
            application=match.application,
            kind=TimelineEvent.Kind.NOTE,
            summary=f"A message from {sender_address} looks like a reply",
            detail="We could not confirm it came from them, so nothing changed. If it is "
            "their answer, confirm it with the 'They replied' button.\n\n"
            f"Subject: {subject}".strip()[:MAX_DETAIL],
            at=at,
        )
        return

    from messaging import services  # h4b's events module; imported late to avoid a cycle

    services.application_reply(
        application=match.application,
        user=match.application.user,
        kind=kind,
        at=at,
        detail=f"Subject: {subject}\n\n{text}".strip()[:MAX_DETAIL],
        return_date=return_date,
        contact=match.contact,
    )
