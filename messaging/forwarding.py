"""Forwarding an answer to the user: they read and answer it from their own mailbox.

An email that reached Followup through a reply address never reached the user, so each one
matched to an application goes on to them at once, through EMAIL_BACKEND (Anymail in
production): From "<Their name> via Followup" at our address, Reply-To the sender, the text,
HTML and attachments as received, In-Reply-To and References kept so their mail client
threads it under their own copy of our email. Nothing is ever sent to the sender.

Exactly once: messaging.webhooks.inbound marks the InboundEmail pending in the transaction
that records the reply, and enqueues this task after commit; the task claims it
(pending -> sending) before calling the mail service and records the outcome after. A
failure the mail service certainly did not take (no connection, 429) goes back to pending
and is retried with backoff; any other, or the last try's, is failed and shown on the
application's timeline. The reply itself was recorded before, so it counts either way.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from email import encoders
from email.headerregistry import Address
from email.mime.base import MIMEBase

from anymail.inbound import AnymailInboundMessage
from celery import shared_task
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from interviews.locks import lock_applications
from interviews.models import TimelineEvent
from interviews.timeline import timeline_record
from messaging.dispatch.errors import (
    TRANSIENT,
    UNKNOWN,
    classify_send_error,
    esp_reason,
    what_happened,
)
from messaging.inbound_mail import body_of, inbound_message_of, our_address, raw_header
from messaging.models import InboundEmail

logger = logging.getLogger(__name__)

Forward = InboundEmail.Forward
MAX_RETRIES = 6
# A forward claimed this long ago and never recorded: its worker died mid-send.
STALE_AFTER = dt.timedelta(minutes=30)
# A forward still pending this long after it was recorded lost its task: enqueued again.
REQUEUE_AFTER = dt.timedelta(minutes=10)
REQUEUE_BATCH = 200


class TransientForwardError(Exception):
    """The mail service certainly did not take the forward: try again after a backoff."""


def _address(name: str, addr_spec: str) -> str:
    try:
        return str(Address(display_name=name.strip(), addr_spec=addr_spec.strip()))
    except (ValueError, IndexError, TypeError):
        return addr_spec.strip()


def forward_email(
    *, inbound: InboundEmail, inbound_message: AnymailInboundMessage, from_address: str
) -> EmailMultiAlternatives:
    """The forward of an inbound email to its user (built, not sent)."""
    name = inbound.sender_name or inbound.sender
    headers = {"Auto-Submitted": "auto-generated", "X-Followup-Forward": str(inbound.pk)}
    for header in ("In-Reply-To", "References"):
        value = " ".join(" ".join(raw_header(inbound_message, header)).split())
        if value:
            headers[header] = value[:2000]
    text = body_of(inbound_message, "plain")
    html = body_of(inbound_message, "html")
    mail = EmailMultiAlternatives(
        subject=inbound.subject,
        body=text or ("" if html else inbound.snippet),
        from_email=_address(f"{name} via Followup", from_address),
        to=[inbound.user.email],
        reply_to=[_address(inbound.sender_name, inbound.sender)],
        headers=headers,
    )
    if html:
        mail.attach_alternative(html, "text/html")
    # Inline images too, but not a text part some mail programs mark inline (Apple Mail):
    # that is the body above.
    inline = [
        p for p in inbound_message.inlines if p.get_content_maintype() != "text" or p.get_filename()
    ]
    for part in [*inbound_message.attachments, *inline]:
        mail.attach(_attachment(part))
    return mail


def _attachment(part: AnymailInboundMessage) -> MIMEBase:
    """An attachment or inline image as received, its Content-ID kept for the HTML."""
    maintype, _, subtype = part.get_content_type().partition("/")
    attachment = MIMEBase(maintype or "application", subtype or "octet-stream")
    attachment.set_payload(part.get_content_bytes() or b"")
    encoders.encode_base64(attachment)
    disposition = "inline" if part.is_inline() else "attachment"
    filename = part.get_filename()
    if filename:
        attachment.add_header("Content-Disposition", disposition, filename=filename)
    else:
        attachment.add_header("Content-Disposition", disposition)
    content_id = part.get("Content-ID")
    if content_id:
        attachment.add_header("Content-ID", str(content_id))
    return attachment


def inbound_forward(*, inbound_id: int, from_address: str, final_attempt: bool = True) -> str:
    """Forward one inbound email to its user, once; the forward status it ends in.

    1. Claim it (pending -> sending): a second task for it finds nothing to do.
    2. Send it through EMAIL_BACKEND.
    3. Record sent; or pending again (TransientForwardError, retried); or failed, on the
       application's timeline.
    """
    now = timezone.now()
    claimed = InboundEmail.objects.filter(pk=inbound_id, forward_status=Forward.PENDING).update(
        forward_status=Forward.SENDING,
        forward_started_at=now,
        forward_attempts=F("forward_attempts") + 1,
    )
    inbound = InboundEmail.objects.select_related("user", "event", "application").get(pk=inbound_id)
    if not claimed:
        return inbound.forward_status
    try:
        mail = forward_email(
            inbound=inbound,
            inbound_message=inbound_message_of(inbound.event.payload),
            from_address=from_address,
        )
        mail.send()
    except Exception as error:
        return _record_failure(inbound=inbound, error=error, final_attempt=final_attempt)
    InboundEmail.objects.filter(pk=inbound_id, forward_status=Forward.SENDING).update(
        forward_status=Forward.SENT, forwarded_at=timezone.now(), forward_error=""
    )
    return Forward.SENT


def _record_failure(*, inbound: InboundEmail, error: Exception, final_attempt: bool) -> str:
    """Pending again when it certainly did not leave and tries remain; else failed, noted."""
    verdict = classify_send_error(error)
    if verdict == TRANSIENT and not final_attempt:
        InboundEmail.objects.filter(pk=inbound.pk, forward_status=Forward.SENDING).update(
            forward_status=Forward.PENDING, forward_error=esp_reason(error)
        )
        raise TransientForwardError(str(error)) from error
    logger.warning("Forward of inbound email %s failed: %r", inbound.pk, error)
    # Unknown: it may have reached them, so it is not sent again (a duplicate is worse).
    reason = what_happened(error) if verdict == UNKNOWN else esp_reason(error)
    forward_failed(inbound_id=inbound.pk, reason=reason)
    return Forward.FAILED


def forward_failed(*, inbound_id: int, reason: str) -> None:
    """Mark a forward failed and say so on the application's timeline (once)."""
    with transaction.atomic():
        changed = InboundEmail.objects.filter(
            pk=inbound_id, forward_status__in=[Forward.PENDING, Forward.SENDING]
        ).update(forward_status=Forward.FAILED, forward_error=reason[:500])
        inbound = InboundEmail.objects.select_related("application").get(pk=inbound_id)
        if not changed or inbound.application is None:
            return
        lock_applications([inbound.application.pk])  # the timeline updates the application
        automatic = inbound.kind in ("out_of_office", "automatic")
        what = "An automatic reply" if automatic else "Their reply"
        timeline_record(
            application=inbound.application,
            kind=TimelineEvent.Kind.NOTE,
            summary=f"{what} from {inbound.sender} could not be forwarded to you",
            detail=(
                f"{reason}. It still counts: what it changed here stands. What it says:\n\n"
                f"Subject: {inbound.subject}\n\n{inbound.snippet}"
            )[:2000],
        )


def forwards_recover(
    *, now: dt.datetime, enqueue: Callable[[int], object], limit: int = REQUEUE_BATCH
) -> int:
    """Enqueue forwards still pending after REQUEUE_AFTER again; fail those stuck sending.

    A forward left sending after STALE_AFTER may have reached the user: failed with a
    timeline note, never sent again by itself.
    """
    stuck = InboundEmail.objects.filter(
        forward_status=Forward.SENDING, forward_started_at__lt=now - STALE_AFTER
    ).values_list("pk", flat=True)[:limit]
    for pk in list(stuck):
        forward_failed(
            inbound_id=pk, reason="The forward was interrupted; it may not have reached you"
        )
    ids = list(
        InboundEmail.objects.filter(
            forward_status=Forward.PENDING, created_at__lt=now - REQUEUE_AFTER
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        enqueue(pk)
    return len(ids)


@shared_task(
    bind=True,
    ignore_result=True,
    autoretry_for=(TransientForwardError,),
    max_retries=MAX_RETRIES,
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
)
def forward_inbound_email(self, inbound_id: int) -> str:
    """Forward one matched inbound email to its user; transient failures retry with backoff."""
    final_attempt = self.max_retries is not None and self.request.retries >= self.max_retries
    return inbound_forward(
        inbound_id=inbound_id, from_address=our_address(), final_attempt=final_attempt
    )


@shared_task(ignore_result=True)
def requeue_forwards() -> int:
    """Beat, every 10 minutes: forwards whose task was lost go again; stuck ones are failed."""
    return forwards_recover(now=timezone.now(), enqueue=forward_inbound_email.delay_on_commit)
