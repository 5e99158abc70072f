"""Inbound emails: which application they answer, what they say, and acting on a reply."""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import logging
import re
from dataclasses import dataclass

import nh3
from anymail.inbound import AnymailInboundMessage
from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from followup.accounts.models import User
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


# --- Reading the stored email ---------------------------------------------------------------

# The EmailEvent.payload key of the message exactly as received, base64 (receivers.py).
RAW_KEY = "raw_base64"
# No real From header is this long; a longer one is not read at all.
MAX_FROM = 4000
# How many of a thread header's Message-IDs are looked up (the latest References count).
MAX_THREAD_IDS = 100
# How many recipient addresses are compared with the users'.
MAX_RECIPIENTS = 200
AMBIGUOUS = (
    "Matches applications of several users; assign it by hand (set its user) and process it again."
)
_ADDR_SPEC = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
# Mislabelled Western text is nearly always windows-1252 (as browsers read it, WHATWG).
_AS_WINDOWS_1252 = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii"}


class AmbiguousInbound(Exception):
    """The email fits applications of several users and nothing tells them apart."""


def raw_bytes(payload: dict) -> bytes:
    """The stored email exactly as received (the text of events stored before RAW_KEY)."""
    encoded = payload.get(RAW_KEY)
    if encoded:
        return base64.b64decode(encoded)
    return str(payload.get("raw", "")).encode("utf-8", "surrogateescape")


def inbound_message_of(payload: dict) -> AnymailInboundMessage:
    """The stored email, parsed from its bytes (stdlib email, policy.default)."""
    return AnymailInboundMessage.parse_raw_mime_bytes(raw_bytes(payload))


def clean_text(value: str) -> str:
    """Text a database column can hold: undecodable bytes read as windows-1252, no NULs."""
    try:
        data = value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        data = value.encode("utf-8", "replace")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("windows-1252", "replace")
    return text.replace("\x00", "")


def raw_header(inbound_message: AnymailInboundMessage, name: str) -> list[str]:
    """Every value of a header as received, unfolded and unparsed (parsing cannot fail)."""
    return [
        _FOLD.sub("", str(value))
        for key, value in inbound_message.raw_items()
        if key.lower() == name.lower()
    ]


def _usable(addresses: list[str]) -> set[str]:
    return {a.strip().lower() for a in addresses if _ADDR_SPEC.match(a.strip())}


def sender_of(inbound_message: AnymailInboundMessage) -> tuple[str, str]:
    """The one address in From, lower-cased, and "" as the problem; or "" and the problem.

    Hostile display names ('Dana <Boss> Richardson <dana@acme.example>') do not fool it:
    the strict parser's answer counts when it names one real address, else the lenient one.
    """
    values = raw_header(inbound_message, "From")
    if not "".join(values).strip():
        return "", "It has no From address, so whose reply it is cannot be told."
    if sum(len(v) for v in values) > MAX_FROM:
        return "", "Its From header is too long to be read."
    found: set[str] = set()
    try:
        found = _usable([a.addr_spec for a in inbound_message["From"].addresses])
    except Exception:  # any defect of a hostile header: the lenient reading
        found = set()
    if len(found) != 1:
        found = _usable([address for _name, address in email.utils.getaddresses(values)])
    if len(found) > 1:
        return "", "Its From header names several addresses, so who wrote it cannot be told."
    if not found:
        return "", "Its From header holds no usable address."
    return clean_text(found.pop()), ""


def recipients_of(inbound_message: AnymailInboundMessage, envelope_recipient: str = "") -> set[str]:
    """The addresses the email was delivered or addressed to, lower-cased."""
    values = [
        value
        for header in ("To", "Cc", "Delivered-To", "X-Original-To")
        for value in raw_header(inbound_message, header)
    ]
    if envelope_recipient:
        values.append(envelope_recipient)
    found = [address for _name, address in email.utils.getaddresses(values)]
    return set(sorted(_usable(found))[:MAX_RECIPIENTS])


def thread_ids_of(inbound_message: AnymailInboundMessage) -> list[str]:
    """The Message-IDs the email answers: In-Reply-To's, then the latest of References."""
    in_reply_to = message_ids_in(" ".join(raw_header(inbound_message, "In-Reply-To")))
    references = message_ids_in(" ".join(raw_header(inbound_message, "References")))
    ids = [clean_text(i) for i in in_reply_to[:MAX_THREAD_IDS] + references[-MAX_THREAD_IDS:]]
    return [i for i in ids if len(i) <= 300]


def subject_of(inbound_message: AnymailInboundMessage) -> str:
    """The Subject, its encoded words decoded; as received when it does not parse."""
    try:
        subject = str(inbound_message["Subject"] or "")
    except Exception:  # a defective header reads as received
        subject = " ".join(raw_header(inbound_message, "Subject"))
    return clean_text(subject)


def _part_text(part: AnymailInboundMessage) -> str:
    """A text part's words, in its charset when that decodes it, never raising."""
    data = part.get_payload(decode=True) or b""
    if not isinstance(data, bytes):
        return clean_text(str(data))
    charset = (part.get_content_charset() or "utf-8").lower()
    charset = "windows-1252" if charset in _AS_WINDOWS_1252 else charset
    try:
        return clean_text(data.decode(charset))
    except LookupError:
        return clean_text(data.decode("utf-8", "surrogateescape"))
    except UnicodeDecodeError:
        return clean_text(data.decode(charset, "replace"))


def body_of(inbound_message: AnymailInboundMessage, subtype: str) -> str:
    """The first text/<subtype> part that is not an attachment, decoded; "" when none."""
    for part in inbound_message.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        if part.get_content_type() == f"text/{subtype}":
            return _part_text(part)
    return ""


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


def _addressed_users(recipients: set[str]) -> set[int]:
    """The users whose own address the email was delivered or addressed to."""
    if not recipients:
        return set()
    return set(
        User.objects.annotate(address=Lower("email"))
        .filter(address__in=recipients)
        .values_list("pk", flat=True)
    )


def inbound_match(
    *,
    inbound_message: AnymailInboundMessage,
    envelope_recipient: str = "",
    user_id: int | None = None,
) -> InboundMatch | None:
    """The application an inbound email answers, or None when it answers none of ours.

    Only the applications of the user it was addressed to count, when that can be told:
    `user_id` (assigned by hand in the admin), else the users whose own address it was
    delivered or addressed to. Otherwise it must fit one user's applications only: one
    that fits several raises AmbiguousInbound (never guessed: it is someone's private mail).
    """
    sender_address, problem = sender_of(inbound_message)
    if problem:
        return None
    if sender_address == email.utils.parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower():
        return None  # our own mail coming back
    scope = (
        {user_id}
        if user_id is not None
        else _addressed_users(recipients_of(inbound_message, envelope_recipient))
    )
    match = _thread_match(
        ids=thread_ids_of(inbound_message), sender_address=sender_address, scope=scope
    )
    if match is None:
        match = _sender_match(sender_address=sender_address, scope=scope)
    if match is None:
        return None
    # The user's own copy or forward is not the company answering.
    if sender_address == match.application.user.email.lower():
        return None
    return match


def _one_user(user_ids: set[int]) -> bool:
    """Whether the candidates are one user's (none: False); several raise AmbiguousInbound."""
    if len(user_ids) > 1:
        raise AmbiguousInbound(AMBIGUOUS)
    return bool(user_ids)


def _thread_match(*, ids: list[str], sender_address: str, scope: set[int]) -> InboundMatch | None:
    """The application whose thread the email continues: one of our Message-IDs it names."""
    if not ids:
        return None
    variants = ids + [i.strip("<>") for i in ids]
    messages = Message.objects.filter(message_id__in=variants)
    interviews = Interview.objects.filter(scheduling_message_id__in=variants)
    if scope:
        messages = messages.filter(user_id__in=scope)
        interviews = interviews.filter(application__user_id__in=scope)
    ours = list(messages.select_related("application", "contact").order_by("-sent_at", "-pk")[:50])
    scheduling = list(interviews.select_related("application").order_by("-pk")[:50])
    users = {m.user_id for m in ours} | {i.application.user_id for i in scheduling}
    if not _one_user(users):
        return None
    if ours:
        return InboundMatch(
            application=ours[0].application,
            contact=_contact_for(ours[0].user_id, sender_address) or ours[0].contact,
            message=ours[0],
        )
    application = scheduling[0].application
    return InboundMatch(
        application=application,
        contact=_contact_for(application.user_id, sender_address),
        message=None,
    )


def _sender_match(*, sender_address: str, scope: set[int]) -> InboundMatch | None:
    """The latest application of the one user (of those in scope) who knows the sender."""
    contacts = Contact.objects.filter(email__iexact=sender_address)
    if scope:
        contacts = contacts.filter(user_id__in=scope)
    contacts = list(contacts.select_related("user")[:200])
    if not _one_user({c.user_id for c in contacts}):
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
        header
        for header in raw_header(inbound_message, "Authentication-Results")
        if authserv_id(header) == trusted
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
    auto_submitted = " ".join(raw_header(inbound_message, "Auto-Submitted")).strip().lower()
    if auto_submitted and auto_submitted != "no":
        return True
    if raw_header(inbound_message, "X-Autoreply") or raw_header(inbound_message, "X-Autorespond"):
        return True
    precedence = " ".join(raw_header(inbound_message, "Precedence")).strip().lower()
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

    text = body_of(inbound_message, "plain")
    html = "" if text.strip() else body_of(inbound_message, "html")
    if html:
        # No text part: the HTML, sanitised down to its words.
        text = nh3.clean(html, tags=set())
    latest = stripped or EmailReplyParser(languages=["en"]).parse_reply(text) or text
    return clean_text(latest).strip()[:MAX_DETAIL]


def _received_at(inbound_message: AnymailInboundMessage, fallback: dt.datetime) -> dt.datetime:
    """When they sent it, by its Date header, never later than now; else `fallback`."""
    try:
        when = inbound_message.date
    except Exception:  # any unreadable Date header: the fallback
        when = None
    if when is None:
        return fallback
    if timezone.is_naive(when):
        when = timezone.make_aware(when, dt.UTC)
    # A wrong clock on their side must not put the reply in the future.
    return min(when, timezone.now())


# --- Acting on it ---------------------------------------------------------------------------


def _leave_for_admin(event: EmailEvent, reason: str) -> None:
    """Mark the email failed with a plain reason: the admin lists it and can process it again."""
    event.processed_at = None
    event.failed_at = timezone.now()
    event.failure = reason[:500]
    event.save(update_fields=["processed_at", "failed_at", "failure"])
    logger.warning("Inbound email %s left for the admin: %s", event.event_id, reason)


def inbound_event_apply(*, event: EmailEvent) -> InboundMatch | None:
    """Act on a stored inbound email: a reply or an out-of-office notice on its application.

    Parsed from the bytes as received and matched once; the match's user becomes the event's
    owner (even when the email then changes nothing), and is returned. An email without a
    usable From, or one that fits several users' applications, is marked failed for the
    admin instead (nobody's timeline shows it).
    """
    inbound_message = inbound_message_of(event.payload)
    sender_address, problem = sender_of(inbound_message)
    if problem:
        _leave_for_admin(event, problem)
        return None
    try:
        match = inbound_match(
            inbound_message=inbound_message,
            envelope_recipient=str(event.payload.get("envelope_recipient", "") or ""),
            user_id=event.user_id,
        )
    except AmbiguousInbound as ambiguous:
        _leave_for_admin(event, str(ambiguous))
        return None
    if match is None:
        logger.info("Inbound email %s matched no application", event.event_id)
        return None
    event.user_id = match.application.user_id
    event.message = match.message or event.message
    event.save(update_fields=["user", "message"])

    at = _received_at(inbound_message, event.received_at)
    text = reply_text(inbound_message, stripped=str(event.payload.get("stripped_text", "") or ""))
    automatic = is_automatic(inbound_message)
    subject = subject_of(inbound_message)
    if is_out_of_office(subject=subject, text=text, automatic=automatic):
        zone = selectors.cadence_inputs_for(user=match.application.user)[0].zone
        return_date = return_date_in(f"{subject}\n{text}", received=at, zone=zone)
        kind = "out_of_office"
    elif automatic:
        # An automatic receipt or notice is not an answer from a person.
        logger.info("Inbound email %s is automatic, not a reply", event.event_id)
        return match
    else:
        kind, return_date = "reply", None

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
        return match

    application_reply(
        application=match.application,
        user=match.application.user,
        kind=kind,
        at=at,
        detail=f"Subject: {subject}\n\n{text}".strip()[:MAX_DETAIL],
        return_date=return_date,
        contact=match.contact,
    )
    return match
