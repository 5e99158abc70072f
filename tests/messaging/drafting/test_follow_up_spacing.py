"""The cadence and the pestering check space follow-ups the same way (spec §4, §5, §8).

Between two follow-ups: the user's second-check-in gap (default 5 business days). After the
thank-you: 2 business days, since the thank-you is not a follow-up.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from followup.accounts.models import Profile
from messaging.drafting.planning import plan_interview
from messaging.models import Message
from messaging.services.approval import message_approve, message_findings
from tests.builders.clock import CALENDAR, local
from tests.builders.scenario import LOGGED, make_panel

pytestmark = pytest.mark.django_db


def _check_ins(application) -> tuple[Message, Message]:
    first = Message.objects.get(application=application, stage=Message.Stage.CHECK_IN)
    second = Message.objects.get(application=application, stage=Message.Stage.SECOND_CHECK_IN)
    return first, second


def _business_days(start: dt.datetime, end: dt.datetime) -> int:
    return CALENDAR.business_days_between(CALENDAR.local_date(start), CALENDAR.local_date(end))


@pytest.mark.parametrize("gap", [3, 5, 7])
def test_the_second_check_in_the_cadence_plans_is_never_blocked_as_pestering(user, gap):
    Profile.objects.filter(user=user).update(second_check_in_business_days=gap)
    with time_machine.travel(LOGGED, tick=False):
        application, interview, _ = make_panel(user)
        plan_interview(interview=interview)
        first, second = _check_ins(application)

        assert _business_days(first.due_at, second.due_at) == gap
        assert not [f for f in message_findings(message=second) if f.code == "pestering"]
        message_approve(message=first, user=user)
        second = message_approve(message=second, user=user)

    assert second.approved_at is not None
    assert second.pestering_override_at is None


def test_a_second_check_in_moved_inside_the_users_gap_is_blocked(user):
    Profile.objects.filter(user=user).update(second_check_in_business_days=7)
    with time_machine.travel(LOGGED, tick=False):
        application, interview, _ = make_panel(user)
        plan_interview(interview=interview)
        first, second = _check_ins(application)
        six_days_on = CALENDAR.window_opens(dt.date(2025, 3, 26))  # Wed: 6 business days on

        [finding] = [
            f for f in message_findings(message=second, due_at=six_days_on) if f.code == "pestering"
        ]

    assert _business_days(first.due_at, six_days_on) == 6
    assert "leave at least 7" in finding.message


def test_a_check_in_goes_two_business_days_after_the_decision_date_after_a_recent_thank_you(
    user,
):
    # They said they decide by Thu 6 March; the thank-you goes Wed 5 March 08:00.
    with time_machine.travel(LOGGED, tick=False):
        application, interview, _ = make_panel(user, decision_date=dt.date(2025, 3, 6))
        plan_interview(interview=interview)
        first, _ = _check_ins(application)
        thank_you = Message.objects.filter(
            application=application, stage=Message.Stage.THANK_YOU
        ).latest("due_at")

        findings = message_findings(message=first)

    assert first.due_at == local(2025, 3, 10, 8)  # Mon 10 March: 2 business days after Thu 6
    assert _business_days(thank_you.due_at, first.due_at) == 3
    assert not [f for f in findings if f.code == "pestering"]


def test_a_check_in_one_business_day_after_the_thank_you_is_still_blocked(user):
    with time_machine.travel(LOGGED, tick=False):
        application, interview, _ = make_panel(user)
        plan_interview(interview=interview)
        first, _ = _check_ins(application)
        next_day = local(2025, 3, 6, 8)  # Thu: 1 business day after Wed's thank-you

        pestering = [
            f for f in message_findings(message=first, due_at=next_day) if f.code == "pestering"
        ]

    assert pestering
    assert "1 business day from the thank-you" in pestering[0].message
