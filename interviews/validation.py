"""The rules an interview's details must meet: one place, used by the log form and the services.

Each function says why a value is refused ("" or an empty dict when it is fine), in words
for the form field it belongs to.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

from django.utils import dateformat, timezone

from followup.accounts.validators import available_time_zones
from interviews.models import TimelineEvent

Kind = TimelineEvent.Kind


# How far from today an interview date can be: further is a typo (1900, 2205), and would
# reorder the rounds and draft a thank-you for a date nobody meant.
INTERVIEW_YEARS_BACK = 5
INTERVIEW_YEARS_AHEAD = 2


def interview_date_error(starts_at: dt.datetime, *, now: dt.datetime | None = None) -> str:
    """Why this start is not a plausible interview date ("" when it is)."""
    now = now or timezone.now()
    if starts_at < now - dt.timedelta(days=365 * INTERVIEW_YEARS_BACK + 1):
        return (
            f"That date is more than {INTERVIEW_YEARS_BACK} years ago: check the year "
            "(interviews further back are not followed up)."
        )
    if starts_at > now + dt.timedelta(days=365 * INTERVIEW_YEARS_AHEAD + 1):
        return f"That date is more than {INTERVIEW_YEARS_AHEAD} years ahead: check the year."
    return ""


# A line break (or any control character) in a header value would split the email's headers:
# the thank-you that replies in the scheduling thread could be approved, then fail to send.
CONTROL_CHARACTERS_RE = re.compile(r"[\x00-\x1f\x7f]")
# A Message-ID as mail clients write it: <left@right>, no spaces; the brackets may be left off.
_ID_PART = r"[^<>@\s\x00-\x1f\x7f]+"
MESSAGE_ID_RE = re.compile(rf"<{_ID_PART}@{_ID_PART}>|{_ID_PART}@{_ID_PART}")


def scheduling_subject_error(subject: str) -> str:
    """Why this scheduling email subject cannot go in a header ("" when it can)."""
    if CONTROL_CHARACTERS_RE.search(subject):
        return "Keep the subject on one line: paste it again without line breaks or tabs."
    return ""


def scheduling_message_id_error(message_id: str) -> str:
    """Why this is not a Message-ID the thank-you can reply to ("" when it is, or is empty)."""
    if not message_id or MESSAGE_ID_RE.fullmatch(message_id):
        return ""
    return (
        "A Message-ID looks like <CAF1x2y3@mail.example.com>, on one line with no spaces: copy "
        "it from the email's headers (“Show original” in most mail apps), or leave it empty."
    )


def interview_zone(name: str) -> zoneinfo.ZoneInfo | None:
    """The interview's time zone; None for a name we do not offer.

    Only the zones we offer: "localtime" would read the times in the server's zone.
    """
    if name not in available_time_zones():
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def interview_details_errors(
    *,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    time_zone: str,
    decision_date: dt.date | None = None,
    scheduling_subject: str = "",
    scheduling_message_id: str = "",
) -> dict[str, str]:
    """What is wrong with an interview's details, by form field ({} when nothing is).

    The log form and the interview services both ask this, so no caller can skip a rule:
    1. a time zone we offer; 2. an end after the start; 3. a plausible date; 4. a decision
    date not before the interview's own day (in its zone); 5. a one-line subject and a
    Message-ID that looks like one.
    """
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValueError("starts_at and ends_at must be aware datetimes.")
    errors: dict[str, str] = {}
    zone = interview_zone(time_zone)
    if zone is None:
        errors["time_zone"] = (
            f"“{time_zone}” is not a time zone we know. Use a name like Europe/Berlin."
        )
    if ends_at <= starts_at:
        start = starts_at.astimezone(zone or dt.UTC)
        errors["end_time"] = f"The interview must end after it starts ({start:%H:%M})."
    elif date_error := interview_date_error(starts_at):
        errors["date"] = date_error
    if decision_date and zone is not None:
        day = starts_at.astimezone(zone).date()
        if decision_date < day:
            shown = dateformat.format(day, "j M Y")
            errors["decision_date"] = f"The decision date cannot be before the interview ({shown})."
    if subject_error := scheduling_subject_error(scheduling_subject):
        errors["scheduling_subject"] = subject_error
    if id_error := scheduling_message_id_error(scheduling_message_id):
        errors["scheduling_message_id"] = id_error
    return errors
