"""An out-of-office notice holds the check-ins until the return date, approval and all."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from interviews.models import TimelineEvent
from messaging.models import Message
from messaging.services.approval import message_approve
from messaging.services.holds import (
    applications_end_holds,
)
from messaging.services.replies import application_reply
from tests.builders.clock import local
from tests.builders.queries import check_ins, events
from tests.builders.scenario import planned

pytestmark = pytest.mark.django_db

Status = Message.Status
Kind = TimelineEvent.Kind


@pytest.fixture
def application(user):
    return planned(user)[0]


def test_out_of_office_holds_check_ins_until_the_return_date(application):
    with time_machine.travel(local(2025, 3, 17, 10), tick=False):  # Monday
        application_reply(
            user=application.user,
            application=application,
            kind="out_of_office",
            return_date=dt.date(2025, 3, 24),
        )

    application.refresh_from_db()
    assert application.paused_until == local(2025, 3, 24, 8)
    first, second = check_ins(application)
    assert first.status == second.status == Status.HELD
    assert "out of office" in first.status_reason.lower().replace("-", " ")
    assert first.due_at == local(2025, 3, 24, 8)
    assert second.due_at >= local(2025, 3, 31, 8)
    assert events(application, Kind.OUT_OF_OFFICE)
    # An out-of-office message is not a reply: nothing was cancelled.
    assert check_ins(application, statuses=[Status.CANCELLED]) == []

    with time_machine.travel(local(2025, 3, 21, 12), tick=False):
        assert applications_end_holds(now=timezone.now()) == 0
    with time_machine.travel(local(2025, 3, 24, 8, 1), tick=False):
        assert applications_end_holds(now=timezone.now()) == 1

    application.refresh_from_db()
    assert application.paused_until is None
    first, _ = check_ins(application)
    assert first.status == Status.DRAFT
    assert first.due_at == local(2025, 3, 24, 8)


def test_out_of_office_without_a_date_holds_five_business_days(application):
    with time_machine.travel(local(2025, 3, 17, 10), tick=False):
        application_reply(application=application, user=application.user, kind="out_of_office")

    application.refresh_from_db()
    assert application.paused_until == local(2025, 3, 24, 8)
    assert check_ins(application)[0].status == Status.HELD


def test_an_approved_check_in_held_by_out_of_office_is_approved_again_afterwards(application, user):
    first = check_ins(application)[0]
    with time_machine.travel(local(2025, 3, 10, 9), tick=False):
        message_approve(message=first, user=user)
    with time_machine.travel(local(2025, 3, 17, 10), tick=False):
        application_reply(application=application, user=application.user, kind="out_of_office")
    first.refresh_from_db()
    assert first.status == Status.HELD
    assert first.approved_at is not None

    with time_machine.travel(local(2025, 3, 24, 8, 5), tick=False):
        applications_end_holds(now=timezone.now())
    first.refresh_from_db()
    assert first.status == Status.APPROVED
