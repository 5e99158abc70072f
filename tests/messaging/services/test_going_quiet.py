"""Two unanswered follow-ups are the limit: then the application goes quiet until they answer."""

from __future__ import annotations

import pytest
import time_machine
from django.utils import timezone

from interviews.models import Application, TimelineEvent
from messaging.drafting.planning import replan_application
from messaging.models import Message
from messaging.services.holds import (
    applications_go_quiet,
)
from messaging.services.outcomes import application_outcome
from messaging.services.replies import application_reply
from tests.builders.clock import local
from tests.builders.queries import check_ins, events, messages
from tests.builders.scenario import planned, sent_cadence

pytestmark = pytest.mark.django_db

Stage = Message.Stage
Status = Message.Status
Kind = TimelineEvent.Kind


@pytest.fixture
def application(user):
    return planned(user)[0]


def test_there_is_no_third_follow_up_after_two_unanswered(application):

    sent_cadence(application)
    with time_machine.travel(local(2025, 3, 27, 9), tick=False):
        replan_application(application=application)

    follow_ups = check_ins(application, statuses=None)
    assert len(follow_ups) == 2
    assert {m.status for m in follow_ups} == {Status.SENT}


def test_an_application_goes_quiet_five_business_days_after_the_last_follow_up(application):
    sent_cadence(application)
    with time_machine.travel(local(2025, 3, 31, 17), tick=False):
        assert applications_go_quiet(now=timezone.now()) == 0
    application.refresh_from_db()
    assert application.stage == Application.Stage.INTERVIEWING

    quiet_at = local(2025, 4, 1, 8)
    with time_machine.travel(quiet_at, tick=False):
        assert applications_go_quiet(now=timezone.now()) == 1

    application.refresh_from_db()
    assert application.stage == Application.Stage.QUIET
    assert application.closed_at == quiet_at
    (task,) = events(application, Kind.TASK)
    assert "LinkedIn" in task.summary
    assert "Jordan Lee" in task.summary
    # No email: only the stay-in-touch note, weeks later, waits for approval.
    pending = messages(application, statuses=Message.PENDING_STATUSES)
    assert [m.stage for m in pending] == [Stage.STAY_IN_TOUCH]
    assert pending[0].due_at == local(2025, 5, 13, 8)
    # Running again changes nothing.
    with time_machine.travel(local(2025, 4, 2, 8), tick=False):
        assert applications_go_quiet(now=timezone.now()) == 0


def test_an_answered_application_never_goes_quiet(application):
    sent_cadence(application)
    with time_machine.travel(local(2025, 3, 26, 10), tick=False):
        application_reply(application=application, user=application.user, kind="reply")
    with time_machine.travel(local(2025, 4, 10, 8), tick=False):
        assert applications_go_quiet(now=timezone.now()) == 0
    application.refresh_from_db()
    assert application.stage == Application.Stage.INTERVIEWING


def test_a_reply_after_going_quiet_reopens_the_application(application):
    sent_cadence(application)
    with time_machine.travel(local(2025, 4, 1, 8), tick=False):
        applications_go_quiet(now=timezone.now())
    with time_machine.travel(local(2025, 4, 3, 10), tick=False):
        application_reply(application=application, user=application.user, kind="reply")

    application.refresh_from_db()
    assert application.stage == Application.Stage.INTERVIEWING
    assert application.closed_at is None
    assert messages(application, Stage.STAY_IN_TOUCH, statuses=Message.PENDING_STATUSES) == []
    (note,) = messages(application, Stage.STAY_IN_TOUCH, statuses=[Message.Status.CANCELLED])
    assert "no longer quiet" in note.status_reason
    assert TimelineEvent.objects.filter(message=note, kind="cancelled").exists()


def test_an_offer_on_a_quiet_application_cancels_its_stay_in_touch_note(user):
    application, _ = planned(user)
    sent_cadence(application)
    with time_machine.travel(local(2025, 4, 1, 8), tick=False):
        applications_go_quiet(now=local(2025, 4, 1, 8))
    with time_machine.travel(local(2025, 4, 3, 10), tick=False):
        application_outcome(application=application, outcome="offer", user=user)

    assert messages(application, Stage.STAY_IN_TOUCH, statuses=Message.PENDING_STATUSES) == []
    (note,) = messages(application, Stage.STAY_IN_TOUCH, statuses=[Status.CANCELLED])
    assert "offer" in note.status_reason
