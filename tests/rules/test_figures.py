"""The dashboard's arithmetic: rates with their counts, medians in business days, weeks."""

from __future__ import annotations

import datetime as dt

from followup.rules.calendar import SenderCalendar
from followup.rules.figures import Rate, answered, median_business_days, rates, week_starts

NEW_YORK = SenderCalendar("America/New_York", "US")


def at(day: int, hour: int = 15) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, tzinfo=dt.UTC)


def test_rates_keep_their_counts_and_order():
    found = rates(
        {"thank_you": "Thank-you", "check_in": "Check-in", "second": "Second"},
        [("check_in", True), ("thank_you", False), ("check_in", False), ("elsewhere", True)],
    )

    assert found == [Rate("Thank-you", 0, 1), Rate("Check-in", 1, 2), Rate("Second", 0, 0)]
    assert [r.percent for r in found] == [0, 50, None]


def test_the_median_counts_business_days_only():
    pairs = [
        (at(20), at(23)),  # Friday to Monday: 1 business day
        (at(2), at(5)),  # Monday to Thursday: 3
        (at(9), at(16)),  # a week: 5
    ]

    assert median_business_days(pairs, calendar=NEW_YORK) == 3


def test_thanksgiving_is_not_a_business_day():
    # Wednesday 25 to Friday 27 November 2026 over Thanksgiving (Thursday 26): 1 day.
    assert median_business_days([(at(25), at(27))], calendar=NEW_YORK) == 1


def test_no_pairs_no_median():
    assert median_business_days([], calendar=NEW_YORK) is None
    assert median_business_days([(at(9), at(2))], calendar=NEW_YORK) is None


def test_week_starts_end_with_this_week():
    weeks = week_starts(today=dt.date(2026, 12, 6), weeks=3)  # a Sunday

    assert weeks == [dt.date(2026, 11, 16), dt.date(2026, 11, 23), dt.date(2026, 11, 30)]


def test_a_reply_answers_the_latest_message_before_it_only():
    sent = [(1, at(2)), (2, at(9)), (3, at(16))]  # thank-you, check-in, second check-in

    assert answered(sent, [at(17)]) == {3}
    assert answered(sent, [at(3), at(17)]) == {1, 3}
    assert answered(sent, [at(1)]) == set()  # before anything was sent
