"""Inbound emails: which application they answer, what they say, and acting on a reply."""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import re
from dataclasses import dataclass

import nh3
from anymail.inbound import AnymailInboundMessage
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from interviews.models import Application, Contact, Interview, TimelineEvent
from interviews.timeline import timeline_record
from messaging import selectors
from messaging.models import EmailEvent, Message
from messaging.services.replies import application_reply

logger = logging.getLogger(__name__)

MAX_DETAIL = 2000
# How far ahead an out-of-office return date may plausibly lie.
MAX_ABSENCE = dt.timedelta(days=180)

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
_AUTH_RESULT = re.compile(r"\b(dkim|spf)\s*=\s*(\w+)([^;]*)", re.IGNORECASE)
_COMMENT = re.compile(r"\([^()]*\)")
_AUTH_DOMAIN = re.compile(r"\b(?:header\.d|header\.i|smtp\.mailfrom)\s*=\s*\"?([^\s;\"]+)", re.I)


# --- Which application an inbound email answers ---------------------------------------------


@dataclass(frozen=True)
class InboundMatch:
    """The application an inbound email answers, and whom and which message of ours it answers."""

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
    """The addresses in these headers, lower-cased."""
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
    match = _thread_match(ids=ids, sender_address=sender_address)
    if match is None and sender_address:
        match = _sender_match(
            inbound_message=inbound_message,
            sender_address=sender_address,
            envelope_recipient=envelope_recipient,
        )
    if match is None:
        return None
    # The user's own copy or forward is not the company answering.
    if sender_address and sender_address == match.application.user.email.lower():
        return None
    return match


def _thread_match(*, ids: list[str], sender_address: str) -> InboundMatch | None:
    """The application whose thread the email continues: one of our Message-IDs it names."""
    if not ids:
        return None
    variants = ids + [i.strip("<>") for i in ids]
    ours = (
        Message.objects.filter(message_id__in=variants)
        .select_related("application", "contact")
        .order_by("-sent_at", "-pk")
        .first()
    )
    if ours is not None:
        return InboundMatch(
            application=ours.application,
            contact=_contact_for(ours.user_id, sender_address) or ours.contact,
            message=ours,
        )
    interview = (
        Interview.objects.filter(scheduling_message_id__in=variants)
        .select_related("application")
        .first()
    )
    if interview is None:
        return None
    application = interview.application
    return InboundMatch(
        application=application,
        contact=_contact_for(application.user_id, sender_address),
        message=None,
    )


def _sender_match(
    *, inbound_message: AnymailInboundMessage, sender_address: str, envelope_recipient: str
) -> InboundMatch | None:
    """The latest application of the one user who knows the sender as a contact."""
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
    return InboundMatch(application=application, contact=contact, message=None, by_sender=True)


def _contact_for(user_id: int, address: str) -> Contact | None:
    """The user's contact with this address, if any."""
    if not address:
        return None
    return Contact.objects.filter(user_id=user_id, email__iexact=address).first()


# --- Whether the sender is who the From header says ---------------------------------------


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


# --- What an inbound email says -------------------------------------------------------------


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
    # Imported here, not at the top: it takes ~0.2 s, and every process loads this module
    # at start-up (MessagingConfig.ready) while only an out-of-office notice needs it.
    from dateparser.search import search_dates

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
    # Imported here, not at the top: slow to import (its patterns compile on import), and
    # every process loads this module at start-up while only inbound replies need it.
    from mailparser_reply import EmailReplyParser

    text = inbound_message.text or ""
    if not text.strip() and inbound_message.html:
        # No text part: the HTML, sanitised down to its words.
        text = nh3.clean(inbound_message.html, tags=set())
    latest = stripped or EmailReplyParser(languages=["en"]).parse_reply(text) or text
    return latest.strip()[:MAX_DETAIL]


def _received_at(inbound_message: AnymailInboundMessage, fallback: dt.datetime) -> dt.datetime:
    """When they sent it, by its Date header, never later than now; else `fallback`."""
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


# --- Acting on it ---------------------------------------------------------------------------


def inbound_event_apply(*, event: EmailEvent) -> None:
    """Act on a stored inbound email: a reply or an out-of-office notice on its application."""
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

    application_reply(
        application=match.application,
        user=match.application.user,
        kind=kind,
        at=at,
        detail=f"Subject: {subject}\n\n{text}".strip()[:MAX_DETAIL],
        return_date=return_date,
        contact=match.contact,
    )
