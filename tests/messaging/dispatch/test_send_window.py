"""The send window: the beat waits for it, approval moves into it, "send now" goes at once."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.utils import timezone

from interviews.models import TimelineEvent
from messaging.dispatch.claims import (
    claim_due_messages,
)
from messaging.models import Message
from messaging.services.approval import message_approve, message_send_now
from messaging.tasks import dispatch_due_messages, send_message
from tests.builders.messages import AT_NIGHT, eager_celery, make_message

Status = Message.Status


def test_the_beat_puts_a_message_due_at_night_back_until_the_window_opens(setup, locmem):
    application, contact = setup
    with time_machine.travel(AT_NIGHT, tick=False):
        message = make_message(application, contact=contact, stage=Message.Stage.CHECK_IN)
        with eager_celery():
            assert dispatch_due_messages.apply().get() == 0

    message.refresh_from_db()
    assert message.status == Status.APPROVED
    assert message.claimed_at is None
    assert message.attempts == 0
    # Wednesday 19 March, 8:00 in New York.
    assert message.due_at == dt.datetime(2025, 3, 19, 12, 0, tzinfo=dt.UTC)
    assert locmem == []
    event = TimelineEvent.objects.get(message=message)
    assert event.kind == TimelineEvent.Kind.NOTE
    assert "Wed 19 Mar 08:00" in event.detail


def test_the_beat_sends_a_check_in_due_on_a_saturday_inside_the_window(
    setup, locmem, django_capture_on_commit_callbacks
):
    # Business days are the cadence's rule when it plans; a Saturday the user approved stands.
    application, contact = setup
    saturday_noon = dt.datetime(2025, 3, 22, 16, 0, tzinfo=dt.UTC)
    with time_machine.travel(saturday_noon, tick=False):
        check_in = make_message(application, contact=contact, stage=Message.Stage.CHECK_IN)
        with eager_celery(), django_capture_on_commit_callbacks(execute=True):
            assert dispatch_due_messages.apply().get() == 1

    check_in.refresh_from_db()
    assert check_in.status == Status.SENT
    assert len(locmem) == 1


def test_the_beat_holds_a_saturday_message_at_night_only_until_the_window_opens_that_day(
    setup, locmem
):
    application, contact = setup
    saturday_night = dt.datetime(2025, 3, 22, 5, 0, tzinfo=dt.UTC)  # 1:00 in New York
    with time_machine.travel(saturday_night, tick=False):
        check_in = make_message(application, contact=contact, stage=Message.Stage.CHECK_IN)
        with eager_celery():
            assert dispatch_due_messages.apply().get() == 0

    check_in.refresh_from_db()
    assert check_in.status == Status.APPROVED
    assert check_in.due_at == dt.datetime(2025, 3, 22, 12, 0, tzinfo=dt.UTC)  # Sat 8:00


def test_approving_a_past_check_in_on_a_saturday_keeps_it_that_day(setup, user):
    application, contact = setup
    saturday_noon = dt.datetime(2025, 3, 22, 16, 0, tzinfo=dt.UTC)
    with time_machine.travel(saturday_noon, tick=False):
        message = make_message(
            application,
            contact=contact,
            stage=Message.Stage.CHECK_IN,
            status=Status.DRAFT,
            due_at=saturday_noon - dt.timedelta(hours=2),
        )
        message_approve(message=message, user=user)

    message.refresh_from_db()
    assert message.status == Status.APPROVED
    assert message.due_at == saturday_noon


def test_the_beat_never_claims_a_message_outside_the_window(setup):
    application, contact = setup
    with time_machine.travel(AT_NIGHT, tick=False):
        message = make_message(application, contact=contact)
        assert claim_due_messages(now=timezone.now(), limit=10) == []

    message.refresh_from_db()
    assert message.status == Status.APPROVED
    assert message.attempts == 0
    assert message.claimed_at is None


def test_send_now_at_night_still_goes_at_once(
    setup, locmem, user, django_capture_on_commit_callbacks
):
    application, contact = setup
    with time_machine.travel(AT_NIGHT, tick=False):
        message = make_message(application, contact=contact, stage=Message.Stage.CHECK_IN)
        with eager_celery(), django_capture_on_commit_callbacks(execute=True):
            message_send_now(message=message, user=user, enqueue=send_message.delay_on_commit)

    message.refresh_from_db()
    assert message.status == Status.SENT
    assert len(locmem) == 1


def test_approving_a_message_whose_time_has_passed_moves_it_into_the_window(setup, user):
    application, contact = setup
    with time_machine.travel(AT_NIGHT, tick=False):
        message = make_message(
            application,
            contact=contact,
            stage=Message.Stage.THANK_YOU,
            status=Status.DRAFT,
            due_at=AT_NIGHT - dt.timedelta(hours=6),
        )
        message_approve(message=message, user=user)

    message.refresh_from_db()
    assert message.status == Status.APPROVED
    assert message.due_at == dt.datetime(2025, 3, 19, 12, 0, tzinfo=dt.UTC)
