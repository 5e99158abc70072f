"""The sending checks: no third follow-up, follow-ups spaced, two emails to one person apart."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from followup.rules import checks
from followup.rules.calendar import SenderCalendar
from followup.rules.checks import sending
from tests.builders.checks import MONDAY
from tests.builders.clock import local


def test_it_blocks_a_third_follow_up():
    sent = (MONDAY, MONDAY + dt.timedelta(days=7))
    [finding] = sending.check_pestering(stage="check_in", previous_sends=sent)
    assert (finding.code, finding.severity) == ("pestering", "block")


def test_it_allows_a_second_follow_up_five_business_days_after_the_first():
    assert (
        sending.check_pestering(
            stage="second_check_in",
            previous_sends=(MONDAY,),
            planned_at=MONDAY + dt.timedelta(days=7),
        )
        == []
    )


def test_it_blocks_a_follow_up_four_business_days_after_the_previous_one():
    [finding] = sending.check_pestering(
        stage="second_check_in",
        previous_sends=(MONDAY,),
        planned_at=MONDAY + dt.timedelta(days=4),  # Friday
    )
    assert finding.severity == "block"
    assert "4 business days" in finding.message


def test_it_blocks_a_follow_up_planned_just_before_a_scheduled_one():
    [finding] = sending.check_pestering(
        stage="check_in",
        previous_sends=(MONDAY + dt.timedelta(days=2),),
        planned_at=MONDAY,
    )
    assert finding.code == "pestering"


def test_it_counts_business_days_in_the_senders_calendar_with_its_holidays():
    # Mon 16 to Mon 23 March 2026 is 5 weekdays; Tue 17 is St Patrick's Day in Ireland.
    monday = dt.datetime(2026, 3, 16, 9, 0, tzinfo=ZoneInfo("Europe/Dublin"))
    week_later = monday + dt.timedelta(days=7)
    dublin = SenderCalendar(time_zone="Europe/Dublin", country="IE")

    [finding] = sending.check_pestering(
        stage="second_check_in", previous_sends=(monday,), planned_at=week_later, calendar=dublin
    )
    assert "4 business days" in finding.message
    assert (
        sending.check_pestering(
            stage="second_check_in", previous_sends=(monday,), planned_at=week_later
        )
        == []
    )


def test_it_never_counts_or_spaces_thank_yous_and_event_replies():
    busy = (MONDAY, MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=2))
    for stage in ("thank_you", "no_news_reply", "withdrawal", "offer_deadline"):
        assert sending.check_pestering(stage=stage, previous_sends=busy, planned_at=MONDAY) == []


def test_a_check_in_the_day_after_the_thank_you_is_blocked():
    # "Send now" moves a check-in planned weeks out to the day after the thank-you.
    [finding] = sending.check_pestering(
        stage="check_in", thank_you_at=MONDAY, planned_at=MONDAY + dt.timedelta(days=1)
    )
    assert (finding.code, finding.severity) == ("pestering", "block")
    assert "1 business day from the thank-you" in finding.message
    assert not checks.has_blocking([finding], pestering_overridden=True)


def test_a_check_in_five_business_days_after_the_thank_you_is_fine():
    assert (
        sending.check_pestering(
            stage="check_in", thank_you_at=MONDAY, planned_at=MONDAY + dt.timedelta(days=7)
        )
        == []
    )


def test_the_thank_you_spaces_follow_ups_but_never_counts_towards_the_limit():
    second_week = MONDAY + dt.timedelta(days=7)
    # One check-in sent, the thank-you before it: a second check-in is still allowed.
    assert (
        sending.check_pestering(
            stage="second_check_in",
            previous_sends=(second_week,),
            thank_you_at=MONDAY,
            planned_at=second_week + dt.timedelta(days=7),
        )
        == []
    )


def test_the_same_recipient_check_warns_only_within_twelve_hours():
    at = local(2025, 3, 5, 8)

    (finding,) = sending.check_same_recipient(
        planned_at=at, others_due=[at + dt.timedelta(hours=11, minutes=59)]
    )
    assert finding.severity == checks.WARNING
    assert "within 12 hours" in finding.message
    assert (
        sending.check_same_recipient(planned_at=at, others_due=[at + dt.timedelta(hours=12)]) == []
    )
    assert sending.check_same_recipient(planned_at=None, others_due=[at]) == []
    assert sending.check_same_recipient(planned_at=at, others_due=[]) == []
