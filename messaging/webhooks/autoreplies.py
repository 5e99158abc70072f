"""Whether an inbound email is a machine's, and what an out-of-office notice says.

The wording and header rules are pure (followup.rules.autoreply); this reads them off
the email as received.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from anymail.inbound import AnymailInboundMessage

from followup.rules import autoreply
from messaging.inbound_mail import clean_text


@dataclass(frozen=True)
class Absence:
    """An out-of-office notice: the language it is written in and the day they are back."""

    language: str
    return_date: dt.date | None


def is_automatic(inbound_message: AnymailInboundMessage) -> bool:
    """Sent by a machine (RFC 3834 Auto-Submitted and the common vendor headers)."""
    headers = [(str(key), clean_text(str(value))) for key, value in inbound_message.raw_items()]
    return autoreply.headers_say_automatic(headers)


def is_out_of_office(*, subject: str, text: str, automatic: bool) -> bool:
    """An absence notice: by its subject, or an automatic email that talks of absence."""
    return autoreply.absence_language(subject=subject, text=text, automatic=automatic) is not None


def absence_in(
    *, subject: str, text: str, automatic: bool, received: dt.datetime, zone: dt.tzinfo
) -> Absence | None:
    """The out-of-office notice the email is, with its return date; None when it is not one."""
    language = autoreply.absence_language(subject=subject, text=text, automatic=automatic)
    if language is None:
        return None
    return Absence(
        language=language,
        return_date=autoreply.return_date_in(
            f"{subject}\n{text}", received=received, zone=zone, language=language
        ),
    )


def return_date_in(
    text: str, *, received: dt.datetime, zone: dt.tzinfo = dt.UTC, language: str = "en"
) -> dt.date | None:
    """The date an out-of-office notice says they are back (followup.rules.autoreply)."""
    return autoreply.return_date_in(text, received=received, zone=zone, language=language)
