"""Re-planning moves what is pending into the sender's window; approval follows the move."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

from interviews.models import TimelineEvent
from messaging.drafting.planning import replan_for
from messaging.models import Message
from messaging.services.outcomes import application_outcome
from messaging.services.replies import application_reply
from tests.builders.accounts import set_profile
from tests.builders.clock import NEW_YORK, local
from tests.builders.queries import check_ins, mark_approved, one
from tests.builders.scenario import planned

pytestmark = pytest.mark.django_db

Stage = Message.Stage
Status = Message.Status
Kind = TimelineEvent.Kind


def test_a_time_zone_change_moves_an_approved_close_out_off_a_holiday_and_keeps_approval(user):
    set_profile(user, time_zone="Europe/Berlin", country="DE")
    application, _ = planned(user)
    logged = dt.datetime(2025, 11, 26, 17, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin"))
    with time_machine.travel(logged, tick=False):
        application_outcome(application=application, outcome="rejected", user=user)
        close_out = one(application, Stage.REJECTION_REPLY)
        mark_approved(close_out, logged)
        stay = one(application, Stage.STAY_IN_TOUCH)
        # Thursday 27 November 08:00 Berlin: 02:00 in New York, on Thanksgiving.
        assert close_out.due_at.astimezone(NEW_YORK) == local(2025, 11, 27, 2)

        set_profile(user, time_zone="America/New_York", country="US")
        replan_for(applications=[application], reason="Your profile changed.")

    close_out.refresh_from_db()
    assert close_out.due_at == local(2025, 11, 28, 8)  # the Friday, when the window opens
    assert close_out.status == Status.APPROVED and close_out.approved_at is not None
    note = TimelineEvent.objects.filter(message=close_out, kind=Kind.EDITED).get()
    assert "stays approved" in note.detail
    stay.refresh_from_db()
    assert stay.due_at.astimezone(NEW_YORK).time() == dt.time(8, 0)


def test_a_time_zone_change_moves_the_thanks_for_the_update_into_the_window(user):
    set_profile(user, time_zone="Europe/Berlin", country="DE")
    application, _ = planned(user)
    with time_machine.travel(local(2025, 3, 10, 12), tick=False):
        application_reply(application=application, user=user, kind="no_news")
        thanks = one(application, Stage.NO_NEWS_REPLY, statuses=Message.PENDING_STATUSES)
        assert thanks.due_at.astimezone(NEW_YORK).hour == 3

        set_profile(user, time_zone="America/New_York", country="US")
        replan_for(applications=[application], reason="Your profile changed.")

    thanks.refresh_from_db()
    assert thanks.due_at == local(2025, 3, 11, 8)


def test_an_approved_check_in_moved_earlier_needs_approval_again(user):
    application, _ = planned(user)
    with time_machine.travel(local(2025, 3, 5, 12), tick=False):
        check_in = check_ins(application)[0]
        mark_approved(check_in, local(2025, 3, 5, 12))
        set_profile(user, time_zone="Europe/Berlin")  # 08:00 Berlin is 02:00 in New York
        lost = replan_for(applications=[application], reason="Your profile changed.")

    check_in.refresh_from_db()
    assert check_in.status == Status.DRAFT and check_in.approved_at is None
    assert lost >= 1


def test_an_approved_check_in_moved_later_stays_approved_and_says_so(user):
    application, _ = planned(user)
    with time_machine.travel(local(2025, 3, 5, 12), tick=False):
        check_in = check_ins(application)[0]
        mark_approved(check_in, local(2025, 3, 5, 12))
        set_profile(user, time_zone="America/Los_Angeles")
        replan_for(applications=[application], reason="Your profile changed.")

    check_in.refresh_from_db()
    assert check_in.status == Status.APPROVED and check_in.approved_at is not None
    assert check_in.due_at == local(2025, 3, 18, 11)  # 08:00 in Los Angeles
    note = TimelineEvent.objects.filter(message=check_in, kind=Kind.EDITED).latest("pk")
    assert "stays approved" in note.detail
