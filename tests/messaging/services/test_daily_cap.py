"""The daily sending cap: per user and local day, for approving, "send now" and the dispatcher."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from interviews.models import TimelineEvent
from messaging.dispatch.claims import claim_due_messages
from messaging.models import Message
from messaging.services.approval import message_approve, message_send_now
from messaging.services.refusals import ActionRefused
from tests.builders.messages import IN_WINDOW, draft, make_message, panel, sending_setup

pytestmark = pytest.mark.django_db

Status = Message.Status
NOW = IN_WINDOW  # Tuesday 18 March 2025, 11:00 in New York
# Wednesday 19 March, 08:00 in New York: the next day's window opens.
NEXT_WINDOW = dt.datetime(2025, 3, 19, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen_and_capped(settings):
    settings.FOLLOWUP_DAILY_SEND_CAP = 2
    with time_machine.travel(NOW, tick=False):
        yield


def _sent(user, *, at: dt.datetime, n: int = 1) -> None:
    application, contact = sending_setup(user)
    for _ in range(n):
        make_message(application, contact=contact, status=Status.SENT, sent_at=at, due_at=at)


def test_approving_beyond_the_cap_is_refused_naming_the_cap_and_the_reset(user):
    _sent(user, at=NOW - dt.timedelta(hours=2), n=2)
    application, _ = panel(user)
    message = draft(application)

    with pytest.raises(ActionRefused) as refused:
        message_approve(message=message, user=user)
    text = str(refused.value)
    assert "2 emails a day" in text
    assert "Wed 19 Mar 00:00" in text
    message.refresh_from_db()
    assert message.status == Status.DRAFT


def test_approved_messages_due_that_day_count_too(user):
    application, _ = panel(user)
    first = message_approve(message=draft(application), user=user)
    second = message_approve(message=draft(application, interview=None), user=user)
    assert first.status == second.status == Status.APPROVED
    with pytest.raises(ActionRefused, match="2 emails a day"):
        message_approve(message=draft(application, interview=None), user=user)


def test_a_message_due_on_another_day_can_still_be_approved(user):
    _sent(user, at=NOW - dt.timedelta(hours=2), n=2)
    application, _ = panel(user)
    message = message_approve(
        message=draft(application, due_at=NOW + dt.timedelta(days=1)), user=user
    )
    assert message.status == Status.APPROVED


def test_what_was_sent_yesterday_in_the_users_time_zone_does_not_count(user):
    # 23:30 on Monday in New York (03:30 UTC on Tuesday).
    _sent(user, at=dt.datetime(2025, 3, 18, 3, 30, tzinfo=dt.UTC), n=2)
    application, _ = panel(user)
    assert message_approve(message=draft(application), user=user).status == Status.APPROVED


def test_send_now_beyond_the_cap_is_refused(user):
    _sent(user, at=NOW - dt.timedelta(hours=2), n=2)
    application, _ = panel(user)
    message = draft(application)
    with pytest.raises(ActionRefused, match="2 emails a day"):
        message_send_now(message=message, user=user, enqueue=lambda pk: None)
    message.refresh_from_db()
    assert message.status == Status.DRAFT


def test_the_dispatcher_sends_up_to_the_cap_and_the_rest_waits_for_the_next_day(user):
    application, contact = sending_setup(user)
    waiting = [make_message(application, contact=contact) for _ in range(3)]

    claimed = claim_due_messages(now=timezone.now(), limit=100)

    assert claimed == [waiting[0].pk, waiting[1].pk]
    last = Message.objects.get(pk=waiting[2].pk)
    assert last.status == Status.APPROVED
    assert last.approved_at is not None
    assert last.due_at == NEXT_WINDOW
    note = TimelineEvent.objects.filter(message=last, kind=TimelineEvent.Kind.NOTE).get()
    assert "daily limit of 2" in note.detail


def test_the_dispatcher_counts_what_was_already_sent_today(user):
    _sent(user, at=NOW - dt.timedelta(hours=1), n=2)
    application, contact = sending_setup(user)
    message = make_message(application, contact=contact)

    assert claim_due_messages(now=timezone.now(), limit=100) == []
    message.refresh_from_db()
    assert message.status == Status.APPROVED
    assert message.due_at == NEXT_WINDOW


def test_each_user_has_a_cap_of_their_own(user, outsider):
    _sent(user, at=NOW - dt.timedelta(hours=1), n=2)
    application, contact = sending_setup(outsider)
    message = make_message(application, contact=contact)
    # 12:00 in Berlin is outside the outsider's window? No: 16:00 there, inside 08-19.
    assert claim_due_messages(now=timezone.now(), limit=100) == [message.pk]
