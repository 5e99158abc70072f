"""What an ESP's answer (or its absence) means: not taken, refused for good, or unknown."""

from __future__ import annotations

import email.utils
import smtplib
import socket

import requests
from anymail.exceptions import (
    AnymailAPIError,
    AnymailInvalidAddress,
    AnymailRecipientsRefused,
    AnymailSerializationError,
    AnymailUnsupportedFeature,
)
from django.core.mail import EmailMultiAlternatives
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

PERMANENT = "permanent"  # the ESP refused it for good: failed, with its words
TRANSIENT = "transient"  # it certainly did not take it: tried again later by itself
UNKNOWN = "unknown"  # it may have taken it: unconfirmed, never resent by itself

# Keys of the JSON error body an ESP's own API answers with (Postmark: ErrorCode/Message).
# A gateway or load balancer in front of it answers with HTML or nothing instead.
_ESP_ERROR_KEYS = ("ErrorCode", "Message", "message", "error", "errors", "detail")


def _never_connected(exc: BaseException) -> bool:
    """True when the request cannot have left: no connection was ever made (refused, DNS)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if isinstance(exc, requests.ConnectionError):
        # requests wraps urllib3's MaxRetryError, whose reason tells a refused or
        # unresolvable connection (nothing sent) from one aborted mid-request. Anymail
        # raises its own copy "from" requests' error, so look there too.
        for error in (exc, exc.__cause__):
            wrapped = error.args[0] if error is not None and error.args else None
            if isinstance(
                getattr(wrapped, "reason", None), NewConnectionError | ConnectTimeoutError
            ):
                return True
    return False


def _esp_error_body(exc: BaseException) -> bool:
    """The answer carries the ESP's own JSON error body, not a gateway's page."""
    response = getattr(exc, "response", None)
    if response is None:
        return False
    try:
        data = response.json()
    except ValueError:
        return False
    return isinstance(data, dict) and any(key in data for key in _ESP_ERROR_KEYS)


def classify_send_error(exc: BaseException) -> str:
    """PERMANENT (never retry), TRANSIENT (retry later) or UNKNOWN (may have been sent).

    TRANSIENT only for answers that certainly mean "not taken": no connection was made
    (refused, DNS failure), 429, or a 503 carrying the ESP's own error body. Any other
    5xx may come from a gateway after the ESP took the email, and a read timeout or a
    reset after the request went out may too: UNKNOWN, never resent by itself.
    """
    if isinstance(
        exc,
        AnymailRecipientsRefused
        | AnymailInvalidAddress
        | AnymailUnsupportedFeature
        | AnymailSerializationError,
    ):
        return PERMANENT
    if isinstance(exc, AnymailAPIError):
        status = exc.status_code
        if status == 429:
            return TRANSIENT
        if status == 503 and _esp_error_body(exc):
            return TRANSIENT
        if status == 408:
            # The server gave up reading our request; a gateway may say so after forwarding.
            return UNKNOWN
        if status is not None and 400 <= status < 500:
            return PERMANENT
        if status is not None:
            return UNKNOWN
        # Anymail re-raises requests' errors as subclasses of both (base_requests.py).
        return TRANSIENT if _never_connected(exc) else UNKNOWN
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return PERMANENT
    if isinstance(exc, smtplib.SMTPResponseException):
        return PERMANENT if 500 <= exc.smtp_code < 600 else TRANSIENT
    if _never_connected(exc):
        return TRANSIENT
    if isinstance(exc, ConnectionRefusedError | socket.gaierror):
        return TRANSIENT
    # Anything else (a dropped SMTP session, a read timeout, a time limit, a bug) may come
    # after the server took the message.
    return UNKNOWN


def esp_reason(exc: BaseException) -> str:
    """The ESP's own words for a refusal, short enough to show the user."""
    response = getattr(exc, "response", None)
    status = getattr(exc, "status_code", None)
    text = ""
    if response is not None:
        try:
            data = response.json()
        except ValueError:
            data = None
        if isinstance(data, dict):
            for key in ("Message", "message", "error", "errors", "detail"):
                if data.get(key):
                    text = str(data[key])
                    break
        if not text:
            text = (getattr(response, "text", "") or "").strip()[:300]
    if not text:
        text = "no answer it could read" if exc.args else "no reason given"
        if exc.args and isinstance(exc.args[0], str):
            text = exc.args[0]
    esp = getattr(exc, "esp_name", None) or "The mail service"
    prefix = f"{esp} refused it" + (f" ({status})" if status else "")
    return f"{prefix}: {text}"[:500]


def what_happened(exc: BaseException) -> str:
    """Plain words for an unknown outcome, for the timeline (no exception class names)."""
    status = getattr(exc, "status_code", None)
    if status:
        return f"the mail service's gateway answered with an error ({status}) after we sent it"
    if isinstance(exc, requests.Timeout | TimeoutError | socket.timeout):
        return "the mail service did not answer in time"
    if isinstance(exc, requests.ConnectionError | ConnectionError):
        return "the connection to the mail service broke after we sent it"
    return "sending stopped before the mail service answered"


def esp_message_id(mail: EmailMultiAlternatives) -> str:
    """The id the ESP gave the sent email ("" when the backend tells none)."""
    found = getattr(getattr(mail, "anymail_status", None), "message_id", None)
    if isinstance(found, set):
        # Several recipients with different ids; we send to one, but be total.
        found = " ".join(sorted(str(item) for item in found if item))
    return str(found or "")


def accepted(mail: EmailMultiAlternatives) -> bool:
    """Whether the ESP took the email for a recipient (Anymail's status says so).

    A backend that tells nothing (the local outbox, Django's own) took it when it did not
    raise; an Anymail status with no recipient taken (only "rejected" or "invalid" ones,
    or none it could read out of the answer) means nothing went out.
    """
    anymail_status = getattr(mail, "anymail_status", None)
    status = getattr(anymail_status, "status", None)
    if status is None:
        return True
    response = getattr(anymail_status, "esp_response", None)
    if getattr(response, "status_code", 200) >= 300:
        # An error answer Anymail let through as "unknown" (Postmark's 422 in words it
        # could not read): the ESP said no.
        return False
    return bool(set(status) & {"sent", "queued", "scheduled", "unknown"})


def refusal_reason(mail: EmailMultiAlternatives) -> str:
    """Why the ESP took none of the email's recipients: its own words when it gave some, else
    ours naming the recipient (not the user's own copy, which is no one's concern here)."""
    anymail_status = getattr(mail, "anymail_status", None)
    response = getattr(anymail_status, "esp_response", None)
    try:
        words = response.json().get("Message") if response is not None else None
    except (ValueError, AttributeError):
        words = None
    if isinstance(words, str) and words.strip():
        return f"The mail service refused it: {words.strip()}"[:500]
    recipients = getattr(anymail_status, "recipients", {}) or {}
    to = {email.utils.parseaddr(address)[1].lower() for address in mail.to}
    named = sorted(r for r in recipients if r.lower() in to) or sorted(recipients)
    refused = ", ".join(named) or "the recipient"
    return f"The mail service refused to send to {refused}: the address was rejected."
