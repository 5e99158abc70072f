"""When drafts are due: the cadence's times, and no check-in too soon after the thank-you."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from followup.rules import cadence
from messaging.drafting.planning import plan_interview
from messaging.models import Message
from messaging.selectors import cadence_inputs_for
from messaging.services.approval import message_send_now
from messaging.services.refusals import ApprovalBlocked
from messaging.tasks import send_message
from tests.builders.clock import local
from tests.builders.queries import thank_yous
from tests.builders.scenario import LOGGED, make_panel

pytestmark = pytest.mark.django_db


def test_due_times_equal_the_cadences(sender):
    _, interview, _ = make_panel(sender, decision_date=dt.date(2025, 3, 14))

    plan_interview(interview=interview)

    calendar, settings = cadence_inputs_for(user=sender)
    expected_thank_you = cadence.thank_you_due(
        interview_end=interview.ends_at, now=LOGGED, calendar=calendar
    )
    expected_check_in = cadence.check_in_due(
        last_interview_end=interview.ends_at,
        decision_date=dt.date(2025, 3, 14),
        calendar=calendar,
        settings=settings,
    )
    for draft in thank_yous(interview).values():
        assert draft.due_at == expected_thank_you.at == local(2025, 3, 5, 8)
        assert draft.late is False
    check_in = Message.objects.get(stage="check_in")
    assert check_in.due_at == expected_check_in == local(2025, 3, 18, 8)  # Friday date -> Tuesday
    assert Message.objects.get(stage="second_check_in").due_at == cadence.second_check_in_due(
        first_check_in_at=expected_check_in, calendar=calendar, settings=settings
    )


def test_a_late_logged_interviews_check_in_waits_two_business_days_after_the_thank_you(sender):
    _, interview, _ = make_panel(sender)
    logged = local(2025, 3, 25, 12)  # three weeks after the interview (Tuesday)

    with time_machine.travel(logged, tick=False):
        plan_interview(interview=interview)

    thank_you_due = max(m.due_at for m in thank_yous(interview).values())
    assert thank_you_due == logged
    check_in = Message.objects.get(stage="check_in")
    assert check_in.due_at == local(2025, 3, 27, 8)  # Thu 27 March, two business days on
    assert Message.objects.get(stage="second_check_in").due_at == local(2025, 4, 3, 8)


def test_sending_a_check_in_the_day_after_the_thank_you_is_blocked_unless_overridden(sender):
    _, interview, _ = make_panel(sender)
    plan_interview(interview=interview)
    check_in = Message.objects.get(stage="check_in")

    with time_machine.travel(local(2025, 3, 6, 9), tick=False):
        with pytest.raises(ApprovalBlocked) as blocked:
            message_send_now(message=check_in, user=sender, enqueue=send_message.delay_on_commit)
        assert "from the thank-you" in str(blocked.value.findings[0].message)
        check_in.refresh_from_db()
        assert check_in.status == "draft"

        message_send_now(
            message=check_in,
            user=sender,
            enqueue=send_message.delay_on_commit,
            override_pestering=True,
        )

    check_in.refresh_from_db()
    assert check_in.pestering_override_at is not None


def test_sending_now_a_check_in_approved_for_later_is_checked_again_for_now(sender):
    _, interview, _ = make_panel(sender)
    plan_interview(interview=interview)
    check_in = Message.objects.get(stage="check_in")
    check_in.status, check_in.approved_at = "approved", check_in.due_at  # approved for its date
    check_in.save(update_fields=["status", "approved_at"])
    planned = check_in.due_at

    with (
        time_machine.travel(local(2025, 3, 6, 9), tick=False),
        pytest.raises(ApprovalBlocked) as blocked,
    ):
        message_send_now(message=check_in, user=sender, enqueue=send_message.delay_on_commit)

    assert "from the thank-you" in str(blocked.value.findings[0].message)
    check_in.refresh_from_db()
    assert (check_in.status, check_in.due_at) == ("approved", planned)  # nothing moved
