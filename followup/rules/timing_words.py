"""What the interviewer said about timing, read as the date Followup will use (spec §4).

"By the end of next week", "in two weeks", "early January", "Friday": each is read relative
to the interview's own date and becomes the date by which they said they would decide. The
user sees that date and confirms or corrects it; words this module cannot read say so, and
the default check-in applies.

How the words are read (each choice is the date by which they said they would decide):
- Several timings in one sentence ("Monday or Tuesday", "by EOD tomorrow"): the latest.
- "Friday", "this Friday": the first Friday after the interview day (never that day itself).
  "Next Friday": the Friday of the week after the interview's week (weeks run Monday-Sunday).
- "This week" / "the end of the week": that week's Friday; "next week" and "the end of next
  week": the Friday of the week after; "early" is its Tuesday, "mid" its Wednesday.
- "In two weeks", "10 days", "a couple of weeks", "within a week", "in a few days" (3):
  calendar days after the interview; "5 business days" counts business days. A range
  ("1-2 weeks", "a week or two") takes its later end. "Several" is not a number we guess.
- "Early January": the 10th; "mid-January": the 15th; "late January", "the end of the month",
  "in January", "next month": the last business day of that month. "By January": the 1st.
- "After the holidays" (or "in the new year"), said in November or December: the first
  business day of January from the 2nd. Said at another time of year we cannot tell which
  holidays are meant: not read.
- Dates without a year: the next one on or after the interview day. "By the 15th": the next
  15th after the interview day. "5/12" is read as the user's country writes dates (the US
  writes the month first); when only one order makes a date ("18/12"), that one.
- A date that lands on a weekend or a public holiday is kept: it is a "by" date, and the
  cadence counts its business days after it anyway.

Pure: no Django, no clock. dateparser reads what the rules (followup.rules.timing_rules)
leave, when a month name and a number are left ("18-Dec-2026"), relative to the interview date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from dateparser.search import search_dates

from followup.rules.calendar import WEEKDAYS_ONLY, SenderCalendar, month_first
from followup.rules.timing_rules import MONTH_PATTERN, RULES, Context

UNREAD = "Followup could not read a date in these words."
# A decision date further than this from the interview is a misreading, not a promise.
MAX_AHEAD = dt.timedelta(days=366)


@dataclass(frozen=True)
class TimingReading:
    """The date some timing words name (None when unread) and how Followup read them."""

    words: str
    day: dt.date | None
    explanation: str

    @property
    def read(self) -> bool:
        return self.day is not None

    @property
    def empty(self) -> bool:
        return not self.words.strip()


def read_timing_words(
    words: str,
    *,
    interview_day: dt.date,
    country: str = "",
    calendar: SenderCalendar = WEEKDAYS_ONLY,
) -> TimingReading:
    """The date the words name, read relative to the interview day.

    1. Lower-case the words and run the rules in order, most specific first; each match
       blanks out what it read, so "next week" inside "end of next week" is read once.
    2. Nothing read and a month name with a number left: ask dateparser.
    3. The latest date read on or after the interview day wins; none: unread.
    """
    text = " " + re.sub(r"\s+", " ", words.lower().replace("\u2019", "'")) + " "
    context = Context(interview_day, month_first(country), calendar)
    found: list[tuple[dt.date, str]] = []
    for pattern, reader in RULES:
        for match in list(pattern.finditer(text)):
            try:
                reading = reader(match, context)
            except (OverflowError, ValueError):  # "in 999 months" near the end of time
                continue
            if reading is not None:
                found.append(reading)
                text = text[: match.start()] + " " * len(match[0]) + text[match.end() :]
    if not found:
        found.extend(_dateparser_dates(text, context))
    found = [(day, why) for day, why in found if day >= interview_day]
    if not found:
        return TimingReading(words=words, day=None, explanation=UNREAD if words.strip() else "")
    day, why = max(found, key=lambda reading: reading[0])
    return TimingReading(words=words, day=day, explanation=why)


def _dateparser_dates(text: str, context: Context) -> Iterator[tuple[dt.date, str]]:
    """What dateparser reads in words the rules left, where it found a month name and a number.

    Both: on its own dateparser reads "a", "may" and "2nd round" as dates.
    """
    if not re.search(rf"\b(?:{MONTH_PATTERN})\b", text):
        return
    base = dt.datetime.combine(context.interview_day, dt.time(12))
    settings = {
        "RELATIVE_BASE": base,
        "PREFER_DATES_FROM": "future",
        "DATE_ORDER": "MDY" if context.month_first else "DMY",
    }
    try:
        results = search_dates(text, languages=["en"], settings=settings) or []
    except (ValueError, OverflowError):  # a year dateparser cannot hold
        return
    latest = context.interview_day + MAX_AHEAD
    for found, when in results:
        if not (re.search(r"\d", found) and re.search(rf"\b(?:{MONTH_PATTERN})\b", found.lower())):
            continue
        # "December 32" is no date: dateparser takes the 32 for a year (2032). Nobody
        # promises a decision more than a year out, so such a reading is no reading.
        if when.date() > latest:
            continue
        yield when.date(), "the date they named"
