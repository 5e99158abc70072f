"""Whether an inbound email's sender is who its From header says (SPF or DKIM, RFC 8601)."""

from __future__ import annotations

import re

from anymail.inbound import AnymailInboundMessage
from django.conf import settings

from messaging.inbound_mail import raw_header

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
