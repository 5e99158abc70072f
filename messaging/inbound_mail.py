"""Reading an inbound email as received: its bytes, addresses, thread headers, subject and text.

No database here: the webhooks (messaging.webhooks), the forward to the user
(messaging.forwarding) and the receivers all read a stored email through these.
"""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import re

import nh3
from anymail.inbound import AnymailInboundMessage
from django.conf import settings
from django.utils import timezone

from followup.rules.autoreply import LANGUAGES

MAX_DETAIL = 2000
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")

# The EmailEvent.payload key of the message exactly as received, base64 (receivers.py).
RAW_KEY = "raw_base64"
# No real From header is this long; a longer one is not read at all.
MAX_FROM = 4000
# How many of a thread header's Message-IDs are looked up (the latest References count).
MAX_THREAD_IDS = 100
# How many recipient addresses are compared with the users'.
MAX_RECIPIENTS = 200
_ADDR_SPEC = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
# Mislabelled Western text is nearly always windows-1252 (as browsers read it, WHATWG).
_AS_WINDOWS_1252 = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii"}


def our_address() -> str:
    """The address part of DEFAULT_FROM_EMAIL (our ESP's verified sender), lower-case."""
    return email.utils.parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()


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


def sender_name_of(inbound_message: AnymailInboundMessage) -> str:
    """The display name in From ("" when none or unreadable), one line, at most 100 characters."""
    try:
        name = inbound_message["From"].addresses[0].display_name
    except Exception:  # any defect of a hostile header: no name
        name = email.utils.parseaddr(" ".join(raw_header(inbound_message, "From")))[0]
    return " ".join(clean_text(str(name or "")).split())[:100]


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


def message_ids_in(value: str) -> list[str]:
    """Every <message-id> in an In-Reply-To or References header."""
    found = _MESSAGE_ID.findall(value or "")
    if not found and (value or "").strip():
        found = [f"<{value.strip().strip('<>')}>"]
    return found


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
    latest = stripped or EmailReplyParser(languages=list(LANGUAGES)).parse_reply(text) or text
    return clean_text(latest).strip()[:MAX_DETAIL]


def received_at(inbound_message: AnymailInboundMessage, fallback: dt.datetime) -> dt.datetime:
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
