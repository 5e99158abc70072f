"""The interviewer's words about timing, read with the user's country and holidays.

The reading itself is pure (followup.rules.timing_words); this only brings the user's facts.
"""

from __future__ import annotations

import datetime as dt

from followup.accounts.models import Profile
from followup.rules.calendar import WEEKDAYS_ONLY, SenderCalendar
from followup.rules.timing_words import TimingReading, read_timing_words


def read_decision_words(*, profile: Profile, words: str, interview_day: dt.date) -> TimingReading:
    """The date the words name, as read for this user (their date order, their holidays)."""
    try:
        calendar = SenderCalendar(
            time_zone=profile.time_zone or "UTC", country=profile.country, region=profile.region
        )
    except ValueError:
        # A profile saved before its holiday calendar was withdrawn: weekends still count.
        calendar = WEEKDAYS_ONLY
    return read_timing_words(
        words, interview_day=interview_day, country=profile.country, calendar=calendar
    )
