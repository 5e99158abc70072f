"""The date-words table: what an interviewer said about timing, and the date Followup reads.

Most rows are said at an interview on Tuesday 1 December 2026 (US holidays: Friday
1 January 2027 is New Year's Day); the rest name their own interview day.
"""

from __future__ import annotations

import datetime as dt

import pytest

from followup.rules.calendar import SenderCalendar
from followup.rules.timing_words import UNREAD, read_timing_words

TUE_1_DEC = dt.date(2026, 12, 1)
FRI_4_DEC = dt.date(2026, 12, 4)
SAT_5_DEC = dt.date(2026, 12, 5)
MON_13_JUL = dt.date(2026, 7, 13)
US = SenderCalendar("America/New_York", "US")
GB = SenderCalendar("Europe/London", "GB")
D = dt.date

# words, interview day, country, the date read (None: unread)
TABLE = [
    # weeks
    ("by the end of next week", TUE_1_DEC, "US", D(2026, 12, 11)),
    ("We'll let you know by the end of next week.", TUE_1_DEC, "US", D(2026, 12, 11)),
    ("next week", TUE_1_DEC, "US", D(2026, 12, 11)),
    ("sometime next week", TUE_1_DEC, "US", D(2026, 12, 11)),
    ("early next week", TUE_1_DEC, "US", D(2026, 12, 8)),
    ("mid next week", TUE_1_DEC, "US", D(2026, 12, 9)),
    ("by the end of the week", TUE_1_DEC, "US", D(2026, 12, 4)),
    ("this week", TUE_1_DEC, "US", D(2026, 12, 4)),
    ("later this week", TUE_1_DEC, "US", D(2026, 12, 4)),
    ("this week", SAT_5_DEC, "US", D(2026, 12, 11)),
    ("the week after next", TUE_1_DEC, "US", D(2026, 12, 18)),
    ("end of the following week", TUE_1_DEC, "US", D(2026, 12, 11)),
    # spans after the interview
    ("in two weeks", TUE_1_DEC, "US", D(2026, 12, 15)),
    ("in 2 weeks", TUE_1_DEC, "US", D(2026, 12, 15)),
    ("within a week", TUE_1_DEC, "US", D(2026, 12, 8)),
    ("in a few days", TUE_1_DEC, "US", D(2026, 12, 4)),
    ("a couple of weeks", TUE_1_DEC, "US", D(2026, 12, 15)),
    ("10 days", TUE_1_DEC, "US", D(2026, 12, 11)),
    ("in the next 10 days or so", TUE_1_DEC, "US", D(2026, 12, 11)),
    ("1-2 weeks", TUE_1_DEC, "US", D(2026, 12, 15)),
    ("two to three weeks", TUE_1_DEC, "US", D(2026, 12, 22)),
    ("a week or two", TUE_1_DEC, "US", D(2026, 12, 15)),
    ("one\u2013two weeks", TUE_1_DEC, "US", D(2026, 12, 15)),
    ("5 business days", TUE_1_DEC, "US", D(2026, 12, 8)),
    ("within 3 working days", FRI_4_DEC, "US", D(2026, 12, 9)),
    ("in a fortnight", TUE_1_DEC, "GB", D(2026, 12, 15)),
    ("within 48 hours", TUE_1_DEC, "US", D(2026, 12, 3)),
    ("within a month", TUE_1_DEC, "US", D(2027, 1, 1)),
    # days of the week
    ("Friday", TUE_1_DEC, "US", D(2026, 12, 4)),
    ("by Friday", FRI_4_DEC, "US", D(2026, 12, 11)),
    ("this Friday", TUE_1_DEC, "US", D(2026, 12, 4)),
    ("next Monday", TUE_1_DEC, "US", D(2026, 12, 7)),
    ("next Friday", TUE_1_DEC, "US", D(2026, 12, 11)),
    ("Friday week", TUE_1_DEC, "GB", D(2026, 12, 11)),
    ("Monday or Tuesday", TUE_1_DEC, "US", D(2026, 12, 8)),
    ("by Friday, next week at the latest", TUE_1_DEC, "US", D(2026, 12, 11)),
    ("by 10am Thursday", TUE_1_DEC, "US", D(2026, 12, 3)),
    # days around the interview
    ("by EOD tomorrow", TUE_1_DEC, "US", D(2026, 12, 2)),
    ("tomorrow", TUE_1_DEC, "US", D(2026, 12, 2)),
    ("the day after tomorrow", TUE_1_DEC, "US", D(2026, 12, 3)),
    ("by the end of the day", TUE_1_DEC, "US", D(2026, 12, 1)),
    ("later today", TUE_1_DEC, "US", D(2026, 12, 1)),
    # months
    ("early January", TUE_1_DEC, "US", D(2027, 1, 10)),
    ("mid January", TUE_1_DEC, "US", D(2027, 1, 15)),
    ("mid-Jan", TUE_1_DEC, "GB", D(2027, 1, 15)),
    ("late January", TUE_1_DEC, "US", D(2027, 1, 29)),
    ("by the end of January", TUE_1_DEC, "US", D(2027, 1, 29)),
    ("sometime in January", TUE_1_DEC, "US", D(2027, 1, 29)),
    ("by January", TUE_1_DEC, "US", D(2027, 1, 1)),
    ("end of the month", TUE_1_DEC, "US", D(2026, 12, 31)),
    ("end of this month", MON_13_JUL, "US", D(2026, 7, 31)),
    ("next month", TUE_1_DEC, "US", D(2027, 1, 29)),
    ("early next month", MON_13_JUL, "US", D(2026, 8, 10)),
    ("late July", MON_13_JUL, "US", D(2026, 7, 31)),
    ("early July", MON_13_JUL, "US", D(2027, 7, 10)),
    # the holidays
    ("after the holidays", TUE_1_DEC, "US", D(2027, 1, 4)),
    ("after the holidays", TUE_1_DEC, "GB", D(2027, 1, 4)),
    ("in the new year", dt.date(2026, 11, 20), "US", D(2027, 1, 4)),
    ("after the holidays", MON_13_JUL, "US", None),
    # dates they named
    ("by the 15th", TUE_1_DEC, "US", D(2026, 12, 15)),
    ("by the 1st", TUE_1_DEC, "US", D(2027, 1, 1)),
    ("Dec 18", TUE_1_DEC, "US", D(2026, 12, 18)),
    ("Friday 18 December", TUE_1_DEC, "GB", D(2026, 12, 18)),
    ("December 18th, 2026", TUE_1_DEC, "US", D(2026, 12, 18)),
    ("the 3rd of January", TUE_1_DEC, "GB", D(2027, 1, 3)),
    ("by Jan. 8", TUE_1_DEC, "US", D(2027, 1, 8)),
    ("2026-12-20", TUE_1_DEC, "US", D(2026, 12, 20)),
    ("18/12", TUE_1_DEC, "US", D(2026, 12, 18)),
    ("12/18", TUE_1_DEC, "GB", D(2026, 12, 18)),
    ("5/1", TUE_1_DEC, "US", D(2027, 5, 1)),
    ("5/1", TUE_1_DEC, "GB", D(2027, 1, 5)),
    ("12/10/2026", TUE_1_DEC, "US", D(2026, 12, 10)),
    ("10.12.", TUE_1_DEC, "DE", D(2026, 12, 10)),
    ("bis 10.12.2026", TUE_1_DEC, "DE", D(2026, 12, 10)),
    ("18-Dec-2026", TUE_1_DEC, "GB", D(2026, 12, 18)),
    # unread: the default applies
    ("soon", TUE_1_DEC, "US", None),
    # dateparser would take the number for a year (2032, 9999): no decision is that far out.
    ("by december 32", TUE_1_DEC, "US", None),
    ("by march 2099", TUE_1_DEC, "US", None),
    ("We'll be in touch", TUE_1_DEC, "US", None),
    ("in several days", TUE_1_DEC, "US", None),
    ("after the 2nd round", TUE_1_DEC, "US", None),
    ("we may have news", TUE_1_DEC, "US", None),
    ("at 5.30pm", TUE_1_DEC, "US", None),
    ("as soon as possible", TUE_1_DEC, "US", None),
    ("Dec 1, 2025", TUE_1_DEC, "US", None),
    ("31/02", TUE_1_DEC, "GB", None),
    ("", TUE_1_DEC, "US", None),
]


@pytest.mark.parametrize(("words", "interview_day", "country", "expected"), TABLE)
def test_the_words_read_as_the_date_in_the_table(words, interview_day, country, expected):
    calendar = {"US": US, "GB": GB}.get(country, SenderCalendar("UTC", ""))

    reading = read_timing_words(
        words, interview_day=interview_day, country=country, calendar=calendar
    )

    assert reading.day == expected, reading.explanation
    assert reading.read is (expected is not None)


def test_the_table_is_long_enough_and_has_unread_rows():
    assert len(TABLE) >= 50
    assert sum(expected is None for *_, expected in TABLE) >= 8


def test_a_reading_says_how_it_was_read():
    reading = read_timing_words("by the end of next week", interview_day=TUE_1_DEC, country="US")

    assert reading.explanation == "the Friday of the week after your interview"


def test_unread_words_say_so():
    reading = read_timing_words("soon", interview_day=TUE_1_DEC, country="US")

    assert reading.day is None
    assert reading.explanation == UNREAD
    assert not reading.empty


def test_no_words_are_empty_not_unread():
    reading = read_timing_words("  ", interview_day=TUE_1_DEC)

    assert reading.empty
    assert reading.explanation == ""


def test_a_date_on_a_weekend_is_kept_as_they_said_it():
    reading = read_timing_words("early January", interview_day=TUE_1_DEC, country="US")

    assert reading.day == D(2027, 1, 10)  # a Sunday: it is a "by" date
    assert reading.explanation == "the 10th of January (early January)"


def test_a_numeric_date_says_which_order_it_was_read_in():
    us = read_timing_words("5/1", interview_day=TUE_1_DEC, country="US")
    gb = read_timing_words("5/1", interview_day=TUE_1_DEC, country="GB")

    assert us.explanation == "the date they named (read month first)"
    assert gb.explanation == "the date they named (read day first)"


@pytest.mark.parametrize("words", ["x" * 300, "by the 99th", "99/99/9999", "in 999 months"])
def test_odd_words_never_raise(words):
    read_timing_words(words, interview_day=TUE_1_DEC, country="US", calendar=US)
