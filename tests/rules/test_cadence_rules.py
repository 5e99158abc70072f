"""The cadence's building blocks and plan() rules, one behaviour per test.

Local times are given in comments; 2026 US DST runs 8 March - 1 November (EDT = UTC-4).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from followup.rules import cadence
from followup.rules.cadence import (
    CadenceFacts,
    CadenceSettings,
    Due,
    Plan,
    Reply,
    SenderCalendar,
    SentMessage,
    after_no_news_reply_due,
    check_in_due,
    close_out_due,
    out_of_office_until,
    plan,
    resume_due,
    second_check_in_due,
    stay_in_touch_due,
    thank_you_due,
)
from tests.builders.clock import CALENDAR, local, local_date, utc

WEEKENDS_ONLY = SenderCalendar("America/New_York", "")
SETTINGS = CadenceSettings()
INTERVIEW_END = dt.datetime(2026, 9, 15, 15, 0, tzinfo=ZoneInfo("America/New_York"))  # Tue


def facts(**changes: object) -> CadenceFacts:
    """The standard application: interviewed Tue 15 Sep 2026, 15:00 New York."""
    values: dict[str, object] = {
        "last_interview_end": INTERVIEW_END,
        "now": local(2026, 9, 15, 16, 0),
        "calendar": CALENDAR,
    }
    return CadenceFacts(**(values | changes))


THANK_YOU = SentMessage("thank_you", local(2026, 9, 16, 8, 0))
FIRST = SentMessage("check_in", local(2026, 9, 29, 8, 0))
SECOND = SentMessage("second_check_in", local(2026, 10, 6, 8, 0))


def test_settings_below_one_business_day_are_refused():
    with pytest.raises(ValueError, match="check_in_business_days"):
        CadenceSettings(check_in_business_days=0)


def test_an_unknown_reply_kind_is_refused():
    with pytest.raises(ValueError):
        Reply(local(2026, 9, 20, 9, 0), "angry")


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        thank_you_due(
            interview_end=dt.datetime(2026, 9, 15, 15, 0), now=INTERVIEW_END, calendar=CALENDAR
        )
    with pytest.raises(ValueError, match="naive"):
        plan(facts(now=dt.datetime(2026, 9, 15, 16, 0)))
    with pytest.raises(ValueError, match="naive"):
        plan(facts(sent=(SentMessage("check_in", dt.datetime(2026, 9, 29, 8, 0)),)))


def test_the_same_instant_in_any_zone_gives_the_same_due_time():
    in_tokyo = INTERVIEW_END.astimezone(ZoneInfo("Asia/Tokyo"))
    due = check_in_due(
        last_interview_end=in_tokyo, decision_date=None, calendar=CALENDAR, settings=SETTINGS
    )
    assert due == utc(2026, 9, 29, 12, 0)  # Tue 29 Sep 08:00 EDT
    assert due.tzinfo is dt.UTC


def test_a_thank_you_due_exactly_now_is_not_late():
    due = thank_you_due(
        interview_end=INTERVIEW_END, now=local(2026, 9, 16, 8, 0), calendar=CALENDAR
    )
    assert due == Due(utc(2026, 9, 16, 12, 0), late=False)


def test_an_early_interview_ending_near_a_short_window_end_moves_to_the_next_morning():
    short = SenderCalendar("America/New_York", window_start=dt.time(8), window_end=dt.time(9))
    end = local(2026, 9, 16, 7, 30)  # end + 2 h = 09:30, after the window closed
    assert thank_you_due(interview_end=end, now=end, calendar=short) == Due(utc(2026, 9, 17, 12))


def test_a_decision_date_on_the_interview_day_counts_from_that_day():
    due = check_in_due(
        last_interview_end=INTERVIEW_END,
        decision_date=dt.date(2026, 9, 15),
        calendar=CALENDAR,
        settings=SETTINGS,
    )
    assert due == utc(2026, 9, 17, 12)  # Thu 17 Sep 08:00 EDT


def test_the_after_decision_days_come_from_the_settings():
    due = check_in_due(
        last_interview_end=INTERVIEW_END,
        decision_date=dt.date(2026, 9, 18),
        calendar=CALENDAR,
        settings=CadenceSettings(after_decision_business_days=3),
    )
    assert due == utc(2026, 9, 23, 12)  # Wed 23 Sep 08:00 EDT


def test_the_second_check_in_counts_from_the_local_date_of_the_first():
    # 23:30 EDT on Tue 29 Sep is already Wednesday in UTC; the count starts from Tuesday.
    due = second_check_in_due(
        first_check_in_at=local(2026, 9, 29, 23, 30), calendar=CALENDAR, settings=SETTINGS
    )
    assert due == utc(2026, 10, 6, 12)  # Tue 6 Oct 08:00 EDT


def test_a_no_news_reply_waits_the_configured_silence():
    due = after_no_news_reply_due(
        reply_at=local(2026, 9, 21, 11, 0),
        calendar=CALENDAR,
        settings=CadenceSettings(no_news_business_days=3),
    )
    assert due == utc(2026, 9, 24, 12)  # Thu 24 Sep 08:00 EDT


def test_an_out_of_office_return_on_a_weekend_ends_on_monday_morning():
    until = out_of_office_until(
        reply_at=local(2026, 9, 22, 9, 0),
        return_date=dt.date(2026, 10, 3),
        calendar=CALENDAR,
        settings=SETTINGS,
    )
    assert until == utc(2026, 10, 5, 12)  # Mon 5 Oct 08:00 EDT


def test_an_out_of_office_return_date_already_past_ends_the_next_business_morning():
    until = out_of_office_until(
        reply_at=local(2026, 9, 22, 9, 0),
        return_date=dt.date(2026, 9, 1),
        calendar=CALENDAR,
        settings=SETTINGS,
    )
    assert until == utc(2026, 9, 23, 12)  # Wed 23 Sep 08:00 EDT


def test_an_out_of_office_without_a_date_uses_the_configured_days():
    until = out_of_office_until(
        reply_at=local(2026, 9, 22, 9, 0),
        return_date=None,
        calendar=CALENDAR,
        settings=CadenceSettings(out_of_office_business_days=2),
    )
    assert until == utc(2026, 9, 24, 12)  # Thu 24 Sep 08:00 EDT


def test_a_near_deadline_logged_at_night_goes_when_the_window_opens_any_day():
    saturday_night = local(2025, 3, 8, 23)
    due = cadence.offer_deadline_due(
        logged_at=saturday_night, deadline=dt.date(2025, 3, 10), calendar=CALENDAR
    )
    assert due == local(2025, 3, 9, 8)  # Sunday morning: no waiting for a business day


def test_a_deadline_of_today_logged_after_the_window_is_never_due_after_it():
    evening = local(2025, 3, 4, 21)
    due = cadence.offer_deadline_due(
        logged_at=evening, deadline=dt.date(2025, 3, 4), calendar=CALENDAR
    )
    assert local_date(due) <= dt.date(2025, 3, 4)


def test_a_close_out_at_once_inside_the_window_goes_at_that_moment():
    logged = local(2026, 9, 19, 10, 30)  # Saturday: at once ignores business days
    assert close_out_due(logged_at=logged, calendar=CALENDAR, at_once=True) == utc(
        2026, 9, 19, 14, 30
    )


def test_a_close_out_logged_before_the_window_goes_that_morning():
    logged = local(2026, 9, 16, 6, 0)
    assert close_out_due(logged_at=logged, calendar=CALENDAR) == utc(2026, 9, 16, 12)


def test_stay_in_touch_counts_whole_weeks_from_the_local_date():
    due = stay_in_touch_due(
        closed_at=local(2026, 9, 16, 22, 0), calendar=CALENDAR, settings=SETTINGS
    )
    assert due == utc(2026, 10, 28, 12)  # Wed 28 Oct 08:00 EDT


def test_a_due_time_after_the_resume_is_left_alone():
    due = resume_due(
        due_at=local(2026, 9, 29, 8), resumed_at=local(2026, 9, 20, 9), calendar=CALENDAR
    )
    assert due == utc(2026, 9, 29, 12)


def test_a_due_time_during_the_pause_goes_to_the_next_window_start():
    friday_noon = local(2026, 9, 18, 12, 0)
    business = resume_due(due_at=local(2026, 9, 17, 8), resumed_at=friday_noon, calendar=CALENDAR)
    any_day = resume_due(
        due_at=local(2026, 9, 17, 8), resumed_at=friday_noon, calendar=CALENDAR, business_day=False
    )
    assert business == utc(2026, 9, 21, 12)  # Mon 08:00 EDT
    assert any_day == utc(2026, 9, 19, 12)  # Sat 08:00 EDT


def test_a_fresh_plan_goes_quiet_five_business_days_after_the_second_check_in():
    result = plan(facts(sent=(THANK_YOU,)))
    # Tue 29 Sep, Tue 6 Oct, then Wed 14 Oct (Columbus Day skipped), all 08:00 EDT.
    assert result == Plan(utc(2026, 9, 29, 12), utc(2026, 10, 6, 12), utc(2026, 10, 14, 12))


def test_after_two_check_ins_no_third_is_planned_and_the_application_goes_quiet():
    result = plan(facts(now=local(2026, 10, 6, 9, 0), sent=(THANK_YOU, FIRST, SECOND)))
    assert result.check_in is None
    assert result.second_check_in is None
    assert result.goes_quiet_at == utc(2026, 10, 14, 12)  # Wed 14 Oct 08:00 EDT
    assert result.stopped_reason == ""


def test_a_no_news_reply_after_both_check_ins_only_moves_the_quiet_date():
    result = plan(
        facts(
            now=local(2026, 10, 8, 10, 5),
            sent=(THANK_YOU, FIRST, SECOND),
            replies=(Reply(local(2026, 10, 8, 10, 0), "no_news"),),
        )
    )
    assert (result.check_in, result.second_check_in) == (None, None)
    assert result.goes_quiet_at == utc(2026, 10, 20, 12)  # Tue 20 Oct 08:00 EDT: 7 days later


def test_a_check_in_sent_after_a_no_news_reply_starts_the_usual_gap_again():
    result = plan(
        facts(
            now=local(2026, 10, 1, 9, 0),
            sent=(THANK_YOU, SentMessage("check_in", local(2026, 9, 30, 8, 0))),
            replies=(Reply(local(2026, 9, 21, 11, 0), "no_news"),),
        )
    )
    assert result.check_in is None
    assert result.second_check_in == utc(2026, 10, 7, 12)  # Wed 7 Oct 08:00 EDT


def test_a_no_news_reply_never_brings_the_check_in_before_their_decision_date():
    result = plan(
        facts(
            now=local(2026, 9, 17, 12, 0),
            decision_date=dt.date(2026, 10, 16),  # Friday
            sent=(THANK_YOU,),
            replies=(Reply(local(2026, 9, 17, 11, 0), "no_news"),),  # alone: Mon 28 Sep
        )
    )
    assert result.check_in == utc(2026, 10, 20, 12)  # Tue 20 Oct 08:00 EDT, 2 after the date


def test_a_real_reply_stops_with_the_date_in_the_sender_zone():
    result = plan(
        facts(
            now=local(2026, 9, 24, 22, 0),
            replies=(
                Reply(local(2026, 9, 21, 11, 0), "no_news"),
                Reply(local(2026, 9, 24, 21, 30), "reply"),  # already 25 Sep in UTC
            ),
        )
    )
    assert result == Plan(
        None,
        None,
        None,
        stopped_reason="They replied on 24 September: the automatic check-ins stop.",
    )


@pytest.mark.parametrize(
    "outcome", ["offer", "accepted", "rejected", "withdrawn", "closed", "quiet"]
)
def test_every_outcome_stops_the_check_ins_with_a_reason(outcome):
    result = plan(facts(outcome=outcome))
    assert (result.check_in, result.second_check_in, result.goes_quiet_at) == (None, None, None)
    assert result.stopped_reason


@pytest.mark.parametrize("outcome", ["", "applied", "interviewing"])
def test_an_open_stage_keeps_the_cadence_running(outcome):
    assert plan(facts(outcome=outcome)).check_in == utc(2026, 9, 29, 12)


def test_an_unknown_outcome_is_refused_rather_than_ignored():
    with pytest.raises(ValueError, match="outcome"):
        plan(facts(outcome="ghosted"))


def test_replies_and_check_ins_of_an_earlier_round_do_not_count():
    round_two = local(2026, 10, 20, 15, 0)  # Tue 20 Oct
    result = plan(
        facts(
            last_interview_end=round_two,
            now=local(2026, 10, 20, 16, 0),
            sent=(THANK_YOU, FIRST, SECOND),
            replies=(Reply(local(2026, 10, 1, 9, 0), "reply"),),
        )
    )
    assert result.stopped_reason == ""
    assert result.check_in == utc(2026, 11, 3, 13)  # Tue 3 Nov 08:00 EST: 10 days later


def test_a_paused_application_is_held_but_keeps_its_due_times():
    result = plan(facts(paused=True, paused_since=local(2026, 9, 16, 9, 0)))
    assert result.held is True
    assert result.held_reason
    assert result.check_in == utc(2026, 9, 29, 12)


def test_an_out_of_office_holds_until_its_return_and_says_so():
    result = plan(
        facts(
            now=local(2026, 9, 22, 9, 5),
            replies=(Reply(local(2026, 9, 22, 9, 0), "out_of_office", dt.date(2026, 10, 5)),),
        )
    )
    assert result.held is True
    assert result.held_until == utc(2026, 10, 5, 12)
    assert result.held_reason == "Out of office until 5 October: the check-ins wait until then."


def test_an_out_of_office_that_ends_before_the_check_in_leaves_it_alone():
    result = plan(
        facts(
            now=local(2026, 9, 16, 9, 5),
            replies=(Reply(local(2026, 9, 16, 9, 0), "out_of_office", dt.date(2026, 9, 18)),),
        )
    )
    assert result.check_in == utc(2026, 9, 29, 12)


def test_an_out_of_office_that_has_ended_no_longer_holds():
    result = plan(
        facts(
            now=local(2026, 9, 28, 9, 0),
            replies=(Reply(local(2026, 9, 16, 9, 0), "out_of_office", dt.date(2026, 9, 18)),),
        )
    )
    assert (result.held, result.held_until, result.held_reason) == (False, None, "")


def test_a_no_news_reply_after_an_out_of_office_ends_the_hold():
    result = plan(
        facts(
            now=local(2026, 9, 23, 10, 5),
            replies=(
                Reply(local(2026, 9, 16, 9, 0), "out_of_office", dt.date(2026, 10, 30)),
                Reply(local(2026, 9, 23, 10, 0), "no_news"),
            ),
        )
    )
    assert result.held is False
    assert result.check_in == utc(2026, 10, 2, 12)  # Fri 2 Oct 08:00 EDT: 7 days after


def test_an_out_of_office_after_the_first_check_in_holds_the_second():
    result = plan(
        facts(
            now=local(2026, 9, 29, 8, 5),
            sent=(THANK_YOU, FIRST),
            replies=(Reply(local(2026, 9, 29, 8, 1), "out_of_office", dt.date(2026, 10, 16)),),
        )
    )
    assert result.second_check_in == utc(2026, 10, 16, 12)  # Fri 16 Oct 08:00 EDT
    assert result.goes_quiet_at == utc(2026, 10, 23, 12)  # Fri 23 Oct 08:00 EDT


def test_a_still_paused_application_ignores_an_older_resume():
    result = plan(
        facts(
            now=local(2026, 9, 30, 10, 0),
            paused=True,
            resumed_at=local(2026, 9, 17, 9, 0),
        )
    )
    assert result.held is True
    assert result.check_in == utc(2026, 10, 1, 12)  # past due: Thu 1 Oct 08:00 EDT
