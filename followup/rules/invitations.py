"""Reading an interview invitation (.ics) into what the "Log interview" form asks for.

Calendar files are written by many programs, each its own way: Outlook and Exchange name
their time zones the Windows way ("Pacific Standard Time") inside a VTIMEZONE of their own,
Google writes UTC times with the calendar's zone in X-WR-TIMEZONE, some invitations carry
"floating" times with no zone at all, and a recurring slot ("Interview loop, every Tuesday")
holds many instances. The maintained libraries do the reading (icalendar, x-wr-timezone,
recurring-ical-events); this module decides what each part means for an interview:

- start and end in one named zone (IANA): the invitation's zone when it can be named,
  otherwise the times converted into the user's zone;
- the organizer is the coordinator, the attendees are the interviewers, minus the user's
  own addresses, rooms and resources; "Last, First" names are turned round;
- a video link from the location, the conference property or the description;
- the description (trimmed) becomes the notes; the subject and UID name the thread.

Pure: no Django. Errors a user can act on are InvitationError with a plain message.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass, field

import icalendar
import recurring_ical_events
import x_wr_timezone
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

# Invitation files are small; anything larger is not one (and parsing it would be slow).
MAX_BYTES = 1_000_000
# A file with more events than this is a calendar export, not an invitation.
MAX_EVENTS = 50
# A recurring slot: instances looked for from this long ago to this far ahead.
LOOK_BACK = dt.timedelta(days=30)
LOOK_AHEAD = dt.timedelta(days=366)
MAX_NOTES = 5000
# A recurring slot: at most this many instances are read to find the next one.
MAX_INSTANCES = 2000
FAST_FREQUENCIES = frozenset({"SECONDLY", "MINUTELY", "HOURLY"})
MAX_NAME = 200

_VIDEO_LINK = re.compile(
    r"https://[^\s<>\"']*(?:zoom\.us|meet\.google\.com|teams\.microsoft\.com|teams\.live\.com|"
    r"webex\.com|whereby\.com|chime\.aws|gotomeeting\.com|bluejeans\.com|around\.co)"
    r"[^\s<>\"']*",
    re.IGNORECASE,
)
_ANY_LINK = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
# Outlook's zone names with their offset in front: "(UTC+01:00) Amsterdam, Berlin, ...".
_UTC_LABEL = re.compile(r"^\(UTC[^)]*\)\s*")
# Lines of meeting boilerplate that say nothing about the interview.
_BOILERPLATE = re.compile(
    r"^(?:[-_=~.*]{5,}|.*(?:join (?:zoom|microsoft teams|with google meet|the meeting)|"
    r"meeting id|passcode|password:|dial[- ]in|one tap mobile|find your local number|"
    r"join by phone|learn more about teams|meeting options|help\b.*\bmeeting|"
    r"invitation from google calendar|you are receiving this|forwarding this invitation|"
    r"reply for |more phone numbers|^pin:).*)$",
    re.IGNORECASE,
)


_INSTRUCTIONS_START = re.compile(
    r"^(?:[_\-=~*]{10,}|(?:microsoft teams (?:meeting|need help\?)|join zoom meeting|"
    r"join with google meet|join (?:the )?(?:microsoft teams )?meeting now|"
    r"webex meeting|join (?:the )?webex)\b.*)$",
    re.IGNORECASE,
)


class InvitationError(ValueError):
    """The file cannot give an interview; the message says why, for the user."""


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True)
class Invitation:
    """One interview as an invitation describes it."""

    uid: str
    subject: str
    starts_at: dt.datetime  # aware, in `time_zone`
    ends_at: dt.datetime
    time_zone: str  # an IANA name
    # True when the file's times had no zone we could name (floating, or a zone nobody
    # recognises): they were read in the user's zone, which the form should point out.
    zone_assumed: bool
    location: str
    video_link: str
    notes: str
    organizer: Person | None
    attendees: tuple[Person, ...] = field(default_factory=tuple)
    recurring: bool = False


def invitations_in(
    data: bytes | str, *, own_addresses: set[str], user_zone: str, now: dt.datetime
) -> list[Invitation]:
    """Every interview the file holds, soonest first; a recurring slot gives one instance.

    The instance of a recurring slot is the next one from `now`, or the latest past one
    within LOOK_BACK when none is ahead. `own_addresses` (the user's, any case) are left out
    of the people. Raises InvitationError when the file is not a calendar, has no event, or
    only cancels one.
    """
    calendar = _calendar(data)
    if str(calendar.get("METHOD", "")).upper() == "CANCEL":
        raise InvitationError("This invitation cancels the meeting: there is nothing to log.")
    try:
        calendar = x_wr_timezone.to_standard(calendar)
    except Exception as error:  # a malformed zone is the file's fault
        raise InvitationError(f"The calendar's time zone cannot be read ({error}).") from None
    events = [e for e in calendar.walk("VEVENT") if str(e.get("STATUS", "")).upper() != "CANCELLED"]
    if not events:
        raise InvitationError("This calendar file has no meeting in it.")
    if len(events) > MAX_EVENTS:
        raise InvitationError(
            f"This file holds {len(events)} events: export only the interview's invitation."
        )
    own = {address.casefold() for address in own_addresses}
    found: dict[str, Invitation] = {}
    for event in _instances(calendar, events, now=now):
        invitation = _invitation(event, own=own, user_zone=user_zone)
        # A recurring slot keeps one instance per UID (the one _instances put first).
        found.setdefault(invitation.uid or f"#{len(found)}", invitation)
    if not found:
        raise InvitationError("This calendar file has no meeting with a start time in it.")
    return sorted(found.values(), key=lambda i: i.starts_at)


# -- reading --------------------------------------------------------------------------------


def _calendar(data: bytes | str) -> icalendar.Calendar:
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    if len(data) > MAX_BYTES:
        raise InvitationError("This file is too large to be an invitation (over 1 MB).")
    if b"BEGIN:VCALENDAR" not in data[:4096].upper():
        raise InvitationError("This is not a calendar invitation (.ics file).")
    try:
        calendars = icalendar.Calendar.from_ical(data, multiple=True)
    except Exception as error:  # icalendar raises many kinds on bad input
        raise InvitationError(f"This calendar file cannot be read: {error}") from None
    if not calendars:
        raise InvitationError("This calendar file cannot be read: it stops part-way through.")
    return calendars[0]


def _instances(
    calendar: icalendar.Calendar, events: list[icalendar.Event], *, now: dt.datetime
) -> list[icalendar.Event]:
    """Single events as they are; for each recurring one, its instance nearest ahead.

    Instances are read lazily from LOOK_BACK before `now`, at most MAX_INSTANCES of them, and
    a repeat rule faster than daily is refused: an interview does not recur every minute, and
    a file that says so must not keep a request busy expanding it.
    """
    recurring = [e for e in events if e.get("RRULE") or e.get("RDATE")]
    for event in recurring:
        rules = event.get("RRULE")
        for rule in rules if isinstance(rules, list) else [rules] if rules else []:
            frequency = str((rule.get("FREQ") or [""])[0]).upper()
            if frequency in FAST_FREQUENCIES:
                raise InvitationError(
                    "This meeting repeats every few seconds, minutes or hours: that is not an "
                    "interview invitation."
                )
    recurring_uids = {str(e.get("UID", "")) for e in recurring}
    chosen = [e for e in events if str(e.get("UID", "")) not in recurring_uids]
    if not recurring_uids:
        return chosen
    before: dict[str, icalendar.Event] = {}
    after: dict[str, icalendar.Event] = {}
    try:
        instances = recurring_ical_events.of(calendar).after(now - LOOK_BACK)
        for count, event in enumerate(instances):
            uid = str(event.get("UID", ""))
            if uid in recurring_uids and uid not in after:
                if _start_key(event) >= now:
                    after[uid] = event
                else:
                    before[uid] = event
            if len(after) == len(recurring_uids) or count >= MAX_INSTANCES:
                break
            if _start_key(event) > now + LOOK_AHEAD:
                break
    except Exception as error:  # a broken RRULE is the file's fault
        raise InvitationError(f"The meeting's repeat rule cannot be read ({error}).") from None
    for uid in sorted(recurring_uids):
        pick = after.get(uid) or before.get(uid)
        if pick is not None:
            pick["X-FOLLOWUP-RECURRING"] = "1"
            chosen.append(pick)
    return chosen


def _start_key(event: icalendar.Event) -> dt.datetime:
    start = event.decoded("DTSTART")
    if not isinstance(start, dt.datetime):
        start = dt.datetime.combine(start, dt.time())
    return start if start.tzinfo else start.replace(tzinfo=dt.UTC)


def _invitation(event: icalendar.Event, *, own: set[str], user_zone: str) -> Invitation:
    if "DTSTART" not in event:
        raise InvitationError("The meeting in this file has no start time.")
    start = event.decoded("DTSTART")
    if not isinstance(start, dt.datetime):
        raise InvitationError(
            "This invitation is for a whole day, with no time: log the interview by hand."
        )
    end = _end(event, start)
    zone_name, zone, assumed = _zone(event, start, user_zone=user_zone)
    starts_at = _in_zone(start, zone)
    ends_at = _in_zone(end, zone)
    if ends_at <= starts_at:
        ends_at = starts_at + dt.timedelta(hours=1)
    location = _text(event.get("LOCATION"))[:500]
    description = _text(event.get("DESCRIPTION"))
    return Invitation(
        uid=_text(event.get("UID"))[:300],
        subject=_text(event.get("SUMMARY"))[:300],
        starts_at=starts_at,
        ends_at=ends_at,
        time_zone=zone_name,
        zone_assumed=assumed,
        location=location,
        video_link=_video_link(event, location=location, description=description),
        notes=_notes(description),
        organizer=_organizer(event, own=own),
        attendees=_attendees(event, own=own),
        recurring=bool(event.get("X-FOLLOWUP-RECURRING")),
    )


def _end(event: icalendar.Event, start: dt.datetime) -> dt.datetime:
    if "DTEND" in event:
        end = event.decoded("DTEND")
        if isinstance(end, dt.datetime):
            return end
    if "DURATION" in event:
        duration = event.decoded("DURATION")
        if isinstance(duration, dt.timedelta):
            return start + duration
    return start + dt.timedelta(hours=1)


def _zone(
    event: icalendar.Event, start: dt.datetime, *, user_zone: str
) -> tuple[str, dt.tzinfo, bool]:
    """The zone to show the interview in: (IANA name, tzinfo, assumed?)."""
    tzid = str(event["DTSTART"].params.get("TZID", "") or "")
    if tzid:
        named = iana_zone(tzid)
        if named:
            return named, zoneinfo.ZoneInfo(named), False
    if start.tzinfo is not None and start.utcoffset() == dt.timedelta(0) and not tzid:
        # UTC ("...Z"): an instant, shown in the user's own zone; nothing was assumed.
        return user_zone, zoneinfo.ZoneInfo(user_zone), False
    # Floating, or a zone nobody can name: the user's zone, said so on the form.
    return user_zone, zoneinfo.ZoneInfo(user_zone), True


def iana_zone(tzid: str) -> str:
    """The IANA name a calendar's TZID stands for ("Pacific Standard Time" → ...), or ""."""
    tzid = tzid.strip()
    # Some programs put a path in front of the IANA name
    # ("/mozilla.org/20070129_1/Europe/Berlin"): every tail of the path is a candidate.
    parts = tzid.strip("/").split("/")
    candidates = [tzid, _UTC_LABEL.sub("", tzid)]
    candidates += ["/".join(parts[i:]) for i in range(1, len(parts))]
    for candidate in candidates:
        if candidate in WINDOWS_TO_OLSON:
            return WINDOWS_TO_OLSON[candidate]
        if candidate in zoneinfo.available_timezones():
            return candidate
    return ""


def _in_zone(moment: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    if moment.tzinfo is None:  # floating: the wall-clock time in the chosen zone
        return moment.replace(tzinfo=zone)
    return moment.astimezone(zone)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value).replace("\r\n", "\n").strip()


def _video_link(event: icalendar.Event, *, location: str, description: str) -> str:
    for prop in ("CONFERENCE", "X-GOOGLE-CONFERENCE", "X-MICROSOFT-SKYPETEAMSMEETINGURL"):
        value = _text(event.get(prop))
        if value.lower().startswith("https://"):
            return value[:500]
    for text in (location, description):
        found = _VIDEO_LINK.search(text)
        if found:
            return found.group(0).rstrip(".,;)>")[:500]
    found = _ANY_LINK.search(location)
    return found.group(0).rstrip(".,;)>")[:500] if found else ""


def _notes(description: str) -> str:
    """The description without meeting-software boilerplate, as the interview's notes.

    Outlook, Zoom and Google put their joining instructions after a rule of underscores or
    under a "Microsoft Teams meeting" / "Join Zoom Meeting" heading: everything from there
    on is theirs, not the recruiter's words.
    """
    lines = description.splitlines()
    cut = next((i for i, line in enumerate(lines) if _INSTRUCTIONS_START.match(line.strip())), None)
    kept = [
        line.rstrip()
        for line in lines[:cut]
        if not _BOILERPLATE.match(line.strip()) and not _VIDEO_LINK.fullmatch(line.strip())
    ]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    return text[:MAX_NOTES]


def _person(address: object) -> Person | None:
    email = str(address or "").strip()
    if email.lower().startswith("mailto:"):
        email = email[7:]
    email = email.strip()
    if "@" not in email:
        return None
    params = getattr(address, "params", {}) or {}
    if str(params.get("CUTYPE", "INDIVIDUAL")).upper() in {"ROOM", "RESOURCE"}:
        return None
    return Person(name=display_name(str(params.get("CN", "") or ""), email), email=email)


def display_name(cn: str, email: str) -> str:
    """A person's name from a CN: "Richardson, Dana" → "Dana Richardson"; none for an address."""
    name = " ".join(cn.strip().strip('"').split())
    if not name or "@" in name:
        return ""
    if name.count(",") == 1:
        last, first = (part.strip() for part in name.split(","))
        # "Lee, PhD" is a suffix, not a first name.
        if first and last and not re.fullmatch(r"(?i)(jr|sr|ii|iii|phd|md|mba|cpa)\.?", first):
            name = f"{first} {last}"
    return name[:MAX_NAME]


def _organizer(event: icalendar.Event, *, own: set[str]) -> Person | None:
    person = _person(event.get("ORGANIZER"))
    if person is None or person.email.casefold() in own:
        return None
    return person


def _attendees(event: icalendar.Event, *, own: set[str]) -> tuple[Person, ...]:
    raw = event.get("ATTENDEE") or []
    if not isinstance(raw, list):
        raw = [raw]
    organizer = _person(event.get("ORGANIZER"))
    seen = {organizer.email.casefold()} if organizer else set()
    people = []
    for address in raw:
        person = _person(address)
        if person is None or person.email.casefold() in own | seen:
            continue
        params = getattr(address, "params", {}) or {}
        if str(params.get("ROLE", "")).upper() == "NON-PARTICIPANT":
            continue
        seen.add(person.email.casefold())
        people.append(person)
    return tuple(people)
