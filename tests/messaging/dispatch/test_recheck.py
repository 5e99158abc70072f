"""The re-check before sending (§7): what changed since approval cancels or holds a message."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.utils import timezone

from interviews.models import Application, TimelineEvent
from messaging.dispatch.claims import (
    message_claim,
)
from messaging.dispatch.sending import (
    message_send,
)
from messaging.models import BouncedAddress, Message, Reply
from tests.builders.messages import IN_WINDOW, claim_and_send, make_message
from tests.builders.queries import timeline_kinds

Status = Message.Status


def test_it_cancels_a_check_in_when_the_application_was_rejected(setup, locmem):
    application, contact = setup
    message = make_message(application, contact=contact, stage=Message.Stage.CHECK_IN)
    Application.objects.filter(pk=application.pk).update(stage=Application.Stage.REJECTED)

    assert claim_and_send(message) == Status.CANCELLED

    message.refresh_from_db()
    assert locmem == []
    assert "ended" in message.status_reason
    event = TimelineEvent.objects.get(message=message)
    assert event.kind == TimelineEvent.Kind.CANCELLED
    assert event.detail == message.status_reason


def test_it_still_sends_the_close_out_of_a_rejected_application(setup, locmem):
    application, contact = setup
    message = make_message(application, contact=contact, stage=Message.Stage.REJECTION_REPLY)
    Application.objects.filter(pk=application.pk).update(stage=Application.Stage.REJECTED)

    assert claim_and_send(message) == Status.SENT
    assert len(locmem) == 1


def test_it_cancels_check_ins_after_an_offer(setup, locmem):
    application, contact = setup
    message = make_message(application, contact=contact, stage=Message.Stage.SECOND_CHECK_IN)
    Application.objects.filter(pk=application.pk).update(stage=Application.Stage.OFFER)

    assert claim_and_send(message) == Status.CANCELLED
    assert locmem == []


def test_it_cancels_a_claimed_check_in_when_they_replied_after_approval(setup, locmem):
    application, contact = setup
    message = make_message(application, contact=contact, stage=Message.Stage.CHECK_IN)
    Reply.objects.create(
        user=application.user,
        application=application,
        kind=Reply.Kind.REPLY,
        received_at=timezone.now() - dt.timedelta(minutes=5),
    )

    assert claim_and_send(message) == Status.CANCELLED

    message.refresh_from_db()
    assert "answered" in message.status_reason
    assert locmem == []


def test_a_reply_written_before_approval_but_logged_after_it_still_stops_the_check_in(
    setup, locmem
):
    application, contact = setup
    message = make_message(application, contact=contact, stage=Message.Stage.CHECK_IN)
    # Written two hours ago (before the approval an hour ago), but we learned of it just now.
    Reply.objects.create(
        user=application.user,
        application=application,
        kind=Reply.Kind.REPLY,
        received_at=timezone.now() - dt.timedelta(hours=2),
    )

    assert claim_and_send(message) == Status.CANCELLED

    message.refresh_from_db()
    assert "answered" in message.status_reason
    assert locmem == []


def test_a_reply_logged_before_approval_does_not_stop_the_check_in_at_sending(setup, locmem):
    application, contact = setup
    message = make_message(application, contact=contact, stage=Message.Stage.CHECK_IN)
    reply = Reply.objects.create(
        user=application.user,
        application=application,
        kind=Reply.Kind.REPLY,
        received_at=timezone.now() - dt.timedelta(hours=3),
    )
    # The user saw it (logged two hours ago) and approved this check-in an hour ago anyway.
    Reply.objects.filter(pk=reply.pk).update(created_at=timezone.now() - dt.timedelta(hours=2))

    assert claim_and_send(message) == Status.SENT
    assert len(locmem) == 1


def test_it_holds_every_message_of_a_paused_application(setup, locmem):
    application, contact = setup
    message = make_message(application, contact=contact)
    Application.objects.filter(pk=application.pk).update(paused=True)

    assert claim_and_send(message) == Status.HELD

    message.refresh_from_db()
    assert "paused" in message.status_reason
    assert message.approved_at is not None  # resuming lets it go without a new approval
    assert timeline_kinds(message) == [TimelineEvent.Kind.HELD]
    assert locmem == []


def test_an_out_of_office_notice_holds_check_ins_but_not_a_thank_you(setup, locmem):
    application, contact = setup
    check_in = make_message(application, contact=contact, stage=Message.Stage.CHECK_IN)
    thank_you = make_message(application, contact=contact)
    Application.objects.filter(pk=application.pk).update(
        paused_until=timezone.now() + dt.timedelta(days=3)
    )

    assert claim_and_send(check_in) == Status.HELD
    assert claim_and_send(thank_you) == Status.SENT
    check_in.refresh_from_db()
    assert "out of the office" in check_in.status_reason
    assert len(locmem) == 1


def test_it_gives_the_out_of_office_date_in_the_users_own_zone(setup, locmem):
    application, contact = setup
    # 2:00 UTC on 20 March is still the 19th in New York.
    Application.objects.filter(pk=application.pk).update(
        paused_until=dt.datetime(2025, 3, 20, 2, 0, tzinfo=dt.UTC)
    )
    with time_machine.travel(IN_WINDOW, tick=False):
        message = make_message(application, contact=contact, stage=Message.Stage.CHECK_IN)
        assert claim_and_send(message) == Status.HELD

    message.refresh_from_db()
    assert "until 19 Mar 2025" in message.status_reason


def test_it_cancels_a_message_to_an_address_that_bounced(setup, locmem, outsider):
    application, contact = setup
    message = make_message(application, contact=contact, to_email="Dana@Acme.example")
    BouncedAddress.objects.create(
        user=application.user, email="dana@acme.example", bounced_at=timezone.now()
    )

    assert claim_and_send(message) == Status.CANCELLED

    message.refresh_from_db()
    assert "bounced" in message.status_reason
    assert timeline_kinds(message) == [TimelineEvent.Kind.CANCELLED]
    assert locmem == []


def test_another_users_bounce_does_not_stop_the_message(setup, locmem, outsider):
    application, contact = setup
    message = make_message(application, contact=contact)
    BouncedAddress.objects.create(user=outsider, email=contact.email, bounced_at=timezone.now())

    assert claim_and_send(message) == Status.SENT


def test_a_message_whose_approval_was_withdrawn_goes_back_to_awaiting_approval(setup, locmem):
    application, contact = setup
    message = make_message(application, contact=contact)
    assert message_claim(message_id=message.pk, now=timezone.now())
    Message.objects.filter(pk=message.pk).update(approved_at=None)

    assert message_send(message_id=message.pk) == Status.DRAFT

    message.refresh_from_db()
    assert "approve it again" in message.status_reason
    assert locmem == []


def test_a_message_without_a_recipient_is_cancelled(setup, locmem):
    application, _ = setup
    message = make_message(application, to_email="  ")

    assert claim_and_send(message) == Status.CANCELLED
    message.refresh_from_db()
    assert "recipient" in message.status_reason
