"""The sender's calendar: business days, holidays, the send window across DST, its far end."""

from __future__ import annotations

import datetime as dt

import holidays
import pytest

from followup.rules import cadence
from followup.rules.calendar import (
    LATEST_DAY,
    WEEKDAYS_ONLY,
    SenderCalendar,
    add_business_days,
    business_morning,
    clamp_into_window,
    next_business_morning,
)
from tests.builders.clock import ABSURD, CALENDAR, local, utc
from tests.builders.scenario import LOGGED

WEEKENDS_ONLY = SenderCalendar("America/New_York", "")


def test_weekends_are_never_business_days():
    assert not CALENDAR.is_business_day(dt.date(2026, 9, 19))  # Saturday
    assert not WEEKENDS_ONLY.is_business_day(dt.date(2026, 9, 20))  # Sunday


def test_an_observed_holiday_is_not_a_business_day():
    assert not CALENDAR.is_business_day(dt.date(2026, 7, 3))  # 4 July observed


def test_without_a_country_only_weekends_are_days_off():
    assert WEEKENDS_ONLY.is_business_day(dt.date(2026, 7, 3))
    assert WEEKENDS_ONLY.is_business_day(dt.date(2026, 12, 25))


def test_a_regional_holiday_counts_only_in_its_region():
    assert not SenderCalendar("Europe/Berlin", "DE", "BY").is_business_day(dt.date(2026, 1, 6))
    assert SenderCalendar("Europe/Berlin", "DE", "BE").is_business_day(dt.date(2026, 1, 6))
    assert SenderCalendar("Europe/Berlin", "DE").is_business_day(dt.date(2026, 1, 6))


def test_holidays_are_loaded_once_per_country_region_and_year(monkeypatch):
    loaded = []
    real = holidays.country_holidays

    def counting(*args, **kwargs):
        loaded.append((args, kwargs))
        return real(*args, **kwargs)

    monkeypatch.setattr(holidays, "country_holidays", counting)
    calendar = SenderCalendar("Europe/London", "GB", "WLS")
    for day in (3, 4, 5):
        calendar.is_business_day(dt.date(2032, 3, day))
    calendar.is_business_day(dt.date(2033, 3, 3))
    assert len(loaded) == 2  # 2032 once, 2033 once


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"time_zone": "Mars/Olympus_Mons"}, id="unknown-time-zone"),
        pytest.param({"time_zone": "UTC", "country": "XX"}, id="unknown-country"),
        pytest.param({"time_zone": "UTC", "country": "DE", "region": "SCT"}, id="unknown-region"),
        pytest.param(
            {"time_zone": "UTC", "window_start": dt.time(19), "window_end": dt.time(8)},
            id="window-ends-before-it-starts",
        ),
    ],
)
def test_a_calendar_with_bad_facts_is_refused(kwargs):
    with pytest.raises(ValueError):
        SenderCalendar(**kwargs)


def test_a_half_hour_dst_jump_opens_the_window_when_the_clocks_jump():
    lord_howe = SenderCalendar("Australia/Lord_Howe", "", window_start=dt.time(2, 15))
    # 4 Oct 2026 the clocks go from 02:00 (UTC+10:30) to 02:30 (UTC+11).
    assert lord_howe.window_opens(dt.date(2026, 10, 4)) == utc(2026, 10, 3, 15, 30)


def test_a_window_start_outside_any_dst_change_is_plain_local_time():
    assert CALENDAR.window_opens(dt.date(2026, 1, 5)) == utc(2026, 1, 5, 13, 0)  # 08:00 EST
    assert CALENDAR.window_opens(dt.date(2026, 7, 6)) == utc(2026, 7, 6, 12, 0)  # 08:00 EDT


def test_business_days_count_only_the_days_after_the_start():
    friday = dt.date(2026, 9, 18)
    assert add_business_days(start=friday, days=1, calendar=CALENDAR) == dt.date(2026, 9, 21)
    assert add_business_days(start=friday, days=2, calendar=CALENDAR) == dt.date(2026, 9, 22)


def test_zero_business_days_is_the_start_itself():
    saturday = dt.date(2026, 9, 19)
    assert add_business_days(start=saturday, days=0, calendar=CALENDAR) == saturday


def test_negative_business_days_are_refused():
    with pytest.raises(ValueError):
        add_business_days(start=dt.date(2026, 9, 18), days=-1, calendar=CALENDAR)


def test_business_days_skip_a_holiday():
    # Fri 9 Oct + 1 skips the weekend and Columbus Day (Mon 12 Oct).
    assert add_business_days(start=dt.date(2026, 10, 9), days=1, calendar=CALENDAR) == dt.date(
        2026, 10, 13
    )


def test_a_business_morning_is_that_days_window_start():
    assert business_morning(day=dt.date(2026, 9, 16), calendar=CALENDAR) == utc(2026, 9, 16, 12)


def test_a_business_morning_on_a_weekend_or_holiday_moves_to_the_next_business_day():
    assert business_morning(day=dt.date(2026, 10, 10), calendar=CALENDAR) == utc(
        2026, 10, 13, 12
    )  # Sat -> Tue 13 Oct 08:00 EDT (Columbus Day on Monday)


def test_the_next_business_morning_is_strictly_after():
    at_eight = local(2026, 9, 16, 8, 0)
    assert next_business_morning(after=at_eight, calendar=CALENDAR) == utc(2026, 9, 17, 12)
    early = local(2026, 9, 16, 7, 59)
    assert next_business_morning(after=early, calendar=CALENDAR) == utc(2026, 9, 16, 12)
    friday_evening = local(2026, 9, 18, 18, 0)
    assert next_business_morning(after=friday_evening, calendar=CALENDAR) == utc(2026, 9, 21, 12)


def test_a_time_inside_the_window_stays_and_comes_back_in_utc():
    inside = local(2026, 9, 16, 10, 15)
    clamped = clamp_into_window(at=inside, calendar=CALENDAR, business_day=True)
    assert clamped == utc(2026, 9, 16, 14, 15)
    assert clamped.tzinfo is dt.UTC


def test_a_time_before_the_window_moves_to_its_start():
    early = local(2026, 9, 16, 6, 0)
    assert clamp_into_window(at=early, calendar=CALENDAR, business_day=True) == utc(2026, 9, 16, 12)


def test_the_window_end_itself_is_outside_the_window():
    closing = local(2026, 9, 16, 19, 0)
    assert clamp_into_window(at=closing, calendar=CALENDAR, business_day=True) == utc(
        2026, 9, 17, 12
    )


def test_a_weekend_time_moves_to_monday_only_for_business_day_messages():
    saturday = local(2026, 9, 19, 10, 0)
    assert clamp_into_window(at=saturday, calendar=CALENDAR, business_day=True) == utc(
        2026, 9, 21, 12
    )
    assert clamp_into_window(at=saturday, calendar=CALENDAR, business_day=False) == utc(
        2026, 9, 19, 14
    )


def test_business_days_between_counts_monday_as_day_one_after_a_friday():
    friday = dt.date(2026, 3, 6)
    assert WEEKDAYS_ONLY.business_days_between(friday, dt.date(2026, 3, 9)) == 1
    assert WEEKDAYS_ONLY.business_days_between(friday, dt.date(2026, 3, 10)) == 2
    assert WEEKDAYS_ONLY.business_days_between(friday, dt.date(2026, 3, 20)) == 10
    assert WEEKDAYS_ONLY.business_days_between(friday, friday) == 0


def test_cadence_date_arithmetic_stops_short_of_the_end_of_the_calendar():
    day = add_business_days(start=dt.date(9999, 12, 30), days=5, calendar=CALENDAR)
    facts = cadence.CadenceFacts(
        last_interview_end=ABSURD,
        now=LOGGED,
        calendar=CALENDAR,
        decision_date=dt.date(9999, 12, 31),
        thank_you_at=ABSURD,
    )

    assert day.year == LATEST_DAY.year
    assert cadence.plan(facts).check_in is not None
