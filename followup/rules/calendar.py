"""The sender's calendar: time zone, public holidays, send window, and business-day arithmetic.

The only home of business-day counting (etiquette spec §4): the cadence, the checks and the
queue all ask a SenderCalendar. Wall-clock arithmetic happens on local dates in the sender's
time zone and only then becomes an instant, so a due time stays at the local window start
across DST changes. Every returned datetime is aware and in UTC.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import zoneinfo
from dataclasses import dataclass

import holidays

UTC = dt.UTC

# Dates past this are absurd (a typo, a year 9999) but must not overflow the date arithmetic
# below (datetime stops at 9999-12-31): every input is read as no later than this.
LATEST_DAY = dt.date(9000, 1, 1)
_LATEST = dt.datetime(9000, 1, 1, tzinfo=UTC)


# Countries that write the month before the day ("Tuesday, November 24", 12/18 for 18
# December); the rest of the English-speaking world writes the day first. US territories
# follow the US. One list for the emails' dates and for reading the dates users type.
MONTH_FIRST_COUNTRIES = frozenset({"US", "AS", "GU", "MP", "PR", "UM", "VI"})


def month_first(country: str) -> bool:
    """Whether people of this country write the month first."""
    return country.upper() in MONTH_FIRST_COUNTRIES


@functools.cache
def zone_named(name: str) -> zoneinfo.ZoneInfo:
    """An IANA time zone, or ValueError for a name we do not know."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"Unknown time zone: {name!r}") from error


@functools.cache
def _holiday_dates(country: str, region: str, year: int) -> frozenset[dt.date]:
    """Public holidays of one country (and region) in one year."""
    if not country:
        return frozenset()
    return frozenset(holidays.country_holidays(country, subdiv=region or None, years=year))


def clamp_day(day: dt.date) -> dt.date:
    """A date, no later than LATEST_DAY."""
    return min(day, LATEST_DAY)


def aware(value: dt.datetime) -> dt.datetime:
    """The value itself, or ValueError for a naive datetime (it has no instant)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"Expected an aware datetime, got a naive one: {value.isoformat()}")
    return value


def as_utc(value: dt.datetime) -> dt.datetime:
    """An aware datetime in any zone as UTC (no later than LATEST_DAY)."""
    return min(aware(value), _LATEST).astimezone(UTC)


def wall_to_utc(wall: dt.datetime, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """A naive local wall-clock time in `zone` as a UTC instant.

    1. A time that exists once: that instant.
    2. A time that exists twice (clocks go back): the first one (fold=0).
    3. A time the clocks skip (spring forward): the first instant after it, i.e. the jump itself
       (02:30 on a 02:00->03:00 night is 03:00 local), found by bisecting whole seconds.
    """
    first = wall.replace(tzinfo=zone, fold=0)
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall:
        return first.astimezone(UTC)
    # In the gap, fold=0 reads the time with the offset from before the jump (an instant after
    # it) and fold=1 with the offset from after it (an instant before it).
    after = first.astimezone(UTC)
    before = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    offset_after = after.astimezone(zone).utcoffset()
    lo, hi = math.floor(before.timestamp()), math.ceil(after.timestamp())
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if dt.datetime.fromtimestamp(mid, zone).utcoffset() == offset_after:
            hi = mid
        else:
            lo = mid
    return dt.datetime.fromtimestamp(hi, UTC)


@dataclass(frozen=True)
class SenderCalendar:
    """Where and when the sender writes: time zone, public holidays, daily send window."""

    time_zone: str  # IANA name, e.g. "America/New_York"
    country: str = "US"  # holidays country code ("" = weekends only)
    region: str = ""  # holidays subdiv code, optional
    window_start: dt.time = dt.time(8, 0)
    window_end: dt.time = dt.time(19, 0)

    def __post_init__(self) -> None:
        # Fail here, on bad facts, rather than deep inside a plan.
        zone_named(self.time_zone)
        if self.window_start >= self.window_end:
            raise ValueError("The send window must end after it starts.")
        supported = holidays.list_supported_countries()
        if self.country and self.country not in supported:
            raise ValueError(f"No public holidays known for country {self.country!r}.")
        if self.region and self.region not in supported.get(self.country, ()):
            raise ValueError(f"Unknown region {self.region!r} of {self.country or 'no country'}.")

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The sender's time zone."""
        return zone_named(self.time_zone)

    def is_business_day(self, day: dt.date) -> bool:
        """Monday to Friday and not a public holiday of the sender's country/region."""
        return day.weekday() < 5 and day not in _holiday_dates(self.country, self.region, day.year)

    def local_date(self, at: dt.datetime) -> dt.date:
        """The sender's calendar date at an instant."""
        return as_utc(at).astimezone(self.zone).date()

    def wall_time(self, day: dt.date, time: dt.time) -> dt.datetime:
        """A local wall-clock time as a UTC instant (DST gap -> the jump; overlap -> the first)."""
        return wall_to_utc(dt.datetime.combine(clamp_day(day), time), self.zone)

    def window_opens(self, day: dt.date) -> dt.datetime:
        """The send window's start on a local date, in UTC."""
        return self.wall_time(day, self.window_start)

    def window_closes(self, day: dt.date) -> dt.datetime:
        """The send window's end on a local date, in UTC."""
        return self.wall_time(day, self.window_end)

    def business_days_between(self, start: dt.date, end: dt.date) -> int:
        """Business days d with start < d <= end (0 when end is not after start)."""
        days, day = 0, clamp_day(start)
        end = clamp_day(end)
        while day < end:
            day += dt.timedelta(days=1)
            days += self.is_business_day(day)
        return days


# Weekends only, in UTC: for facts that come without a sender (a bare check in a test).
WEEKDAYS_ONLY = SenderCalendar(time_zone="UTC", country="")


def add_business_days(*, start: dt.date, days: int, calendar: SenderCalendar) -> dt.date:
    """The date `days` business days after `start`, counting only days strictly after it."""
    if days < 0:
        raise ValueError("days must not be negative.")
    day = clamp_day(start)
    while days:
        day += dt.timedelta(days=1)
        if calendar.is_business_day(day):
            days -= 1
    return day


def business_day_on_or_after(day: dt.date, calendar: SenderCalendar) -> dt.date:
    """`day` itself when it is a business day, else the next one."""
    day = clamp_day(day)
    while not calendar.is_business_day(day):
        day += dt.timedelta(days=1)
    return day


def business_morning(*, day: dt.date, calendar: SenderCalendar) -> dt.datetime:
    """The window start of `day`, or of the next business day when `day` is not one."""
    return calendar.window_opens(business_day_on_or_after(day, calendar))


def business_days_later(at: dt.datetime, days: int, calendar: SenderCalendar) -> dt.datetime:
    """The window start `days` business days after the local date of `at`."""
    day = add_business_days(start=calendar.local_date(at), days=days, calendar=calendar)
    return business_morning(day=day, calendar=calendar)


def next_window_start(
    after: dt.datetime, calendar: SenderCalendar, *, business_day: bool
) -> dt.datetime:
    """The first window start strictly after `after` (on a business day when asked)."""
    after = as_utc(after)
    day = calendar.local_date(after)
    while True:
        if not business_day or calendar.is_business_day(day):
            opens = calendar.window_opens(day)
            if opens > after:
                return opens
        day += dt.timedelta(days=1)


def next_business_morning(*, after: dt.datetime, calendar: SenderCalendar) -> dt.datetime:
    """The first window start strictly after `after` on a business day."""
    return next_window_start(after, calendar, business_day=True)


def clamp_into_window(
    *, at: dt.datetime, calendar: SenderCalendar, business_day: bool
) -> dt.datetime:
    """`at` moved forward into the send window [start, end) (and onto a business day if asked)."""
    at = as_utc(at)
    day = calendar.local_date(at)
    if business_day and not calendar.is_business_day(day):
        return business_morning(day=day, calendar=calendar)
    if at < calendar.window_opens(day):
        return calendar.window_opens(day)
    if at >= calendar.window_closes(day):
        return next_window_start(at, calendar, business_day=business_day)
    return at


def send_window_start(*, calendar: SenderCalendar, at: dt.datetime) -> dt.datetime:
    """The first moment from `at` inside the sender's daily send window.

    Time of day only, for every stage: business days are the cadence's rule when it plans
    a due time; a time the user chose (a weekend, "at once") is theirs.
    """
    return clamp_into_window(at=at, calendar=calendar, business_day=False)


def local_time_label(at: dt.datetime | None, calendar: SenderCalendar) -> str:
    """A time as the sender reads it: "Tue 3 Mar 08:00"."""
    if at is None:
        return "no time set"
    local = at.astimezone(calendar.zone)
    return f"{local:%a} {local.day} {local:%b %H:%M}"
