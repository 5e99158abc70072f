"""Clocks: New York wall times, the default user's calendar and business-day counts."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from followup.rules.calendar import SenderCalendar

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
# The calendar of the default user (accounts.make_user): New York, US holidays, 08:00-19:00.
CALENDAR = SenderCalendar(time_zone="America/New_York", country="US")
# The last minute a datetime can hold: far past anything the cadence should plan.
ABSURD = dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.UTC)


def utc(*args: int) -> dt.datetime:
    """A datetime in UTC."""
    return dt.datetime(*args, tzinfo=dt.UTC)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0, *, zone=NEW_YORK):
    """An aware datetime on a wall clock (New York by default)."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=zone)


def local_date(at: dt.datetime) -> dt.date:
    """The New York date of an instant."""
    return at.astimezone(NEW_YORK).date()


def business_days_after(start: dt.date, at: dt.datetime) -> int:
    """How many business days lie between `start` (excluded) and the local date of `at`."""
    day, count = start, 0
    while day < CALENDAR.local_date(at):
        day += dt.timedelta(days=1)
        count += CALENDAR.is_business_day(day)
    return count
