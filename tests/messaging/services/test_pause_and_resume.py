"""Pause and resume: pending messages wait, then go at the next window start, approval kept."""

from __future__ import annotations

import pytest
import time_machine

from interviews.models import TimelineEvent
from messaging.models import Message
from messaging.services.approval import message_approve
from messaging.services.holds import (
    application_pause,
    application_resume,
)
from tests.builders.clock import local
from tests.builders.queries import check_ins, events, messages
from tests.builders.scenario import CHECK_IN_DUE, SECOND_CHECK_IN_DUE, planned

pytestmark = pytest.mark.django_db

Stage = Message.Stage
Status = Message.Status
Kind = TimelineEvent.Kind


@pytest.fixture
def application(user):
    return planned(user)[0]


def test_pause_holds_pending_messages_and_resume_retimes_to_the_next_window_start(
    application, user
):
    dana = next(m for m in messages(application, Stage.THANK_YOU) if "Dana" in m.to_name)
    with time_machine.travel(local(2025, 3, 5, 7), tick=False):
        message_approve(message=dana, user=user)
        application_pause(application=application, user=user)

    application.refresh_from_db()
    assert application.paused
    pending = messages(application, statuses=Message.PENDING_STATUSES)
    assert {m.status for m in pending} == {Status.HELD}
    assert events(application, Kind.PAUSED)

    # The thank-yous fell due (08:00) while paused; resumed after the window closed.
    with time_machine.travel(local(2025, 3, 5, 20), tick=False):
        application_resume(application=application, user=user)

    application.refresh_from_db()
    assert not application.paused
    thank_yous = messages(application, Stage.THANK_YOU)
    assert {m.due_at for m in thank_yous} == {local(2025, 3, 6, 8)}
    dana.refresh_from_db()
    assert dana.status == Status.APPROVED
    assert dana.approved_at is not None
    others = [m for m in thank_yous if m.pk != dana.pk]
    assert [m.status for m in others] == [Status.DRAFT]
    # Not yet due when resumed: the check-ins keep their times.
    assert [m.due_at for m in check_ins(application)] == [CHECK_IN_DUE, SECOND_CHECK_IN_DUE]
    assert {m.status for m in check_ins(application)} == {Status.DRAFT}
    assert events(application, Kind.RESUMED)


def test_a_check_in_that_fell_due_during_a_pause_goes_at_the_next_window_start(application, user):
    with time_machine.travel(local(2025, 3, 17, 12), tick=False):
        application_pause(application=application, user=user)
    with time_machine.travel(local(2025, 3, 19, 14), tick=False):
        application_resume(application=application, user=user)

    first = check_ins(application)[0]
    assert first.status == Status.DRAFT
    assert first.due_at == local(2025, 3, 20, 8)
