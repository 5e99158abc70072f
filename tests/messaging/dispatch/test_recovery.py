"""Crash recovery: stale claims go back to the queue; interrupted sends fail, never go twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import OperationalError
from django.utils import timezone

from interviews.models import TimelineEvent
from messaging.dispatch import chunks
from messaging.dispatch.chunks import claim_chunk, send_claimed
from messaging.dispatch.claims import (
    message_claim,
    recover_stale_claims,
)
from messaging.dispatch.sending import (
    INTERRUPTED_REASON,
    message_send,
)
from messaging.models import Message
from tests.builders.messages import claim_and_send, make_message
from tests.builders.queries import timeline_kinds

Status = Message.Status
TIMEOUT = dt.timedelta(minutes=10)


def stale_claim(message: Message, **fields: object) -> None:
    """Leave the message as a worker that died would: claimed 20 minutes ago."""
    claimed_at = timezone.now() - dt.timedelta(minutes=20)
    Message.objects.filter(pk=message.pk).update(
        status=Status.SENDING, claimed_at=claimed_at, attempts=1, **fields
    )


def test_recovery_leaves_an_interrupted_send_unconfirmed_instead_of_guessing(setup, locmem):
    application, contact = setup
    message = make_message(application, contact=contact)
    stale_claim(message, send_started_at=timezone.now() - dt.timedelta(minutes=19))

    assert recover_stale_claims(now=timezone.now(), older_than=TIMEOUT) == 1
    # A task redelivered after the crash must not send it either.
    assert message_send(message_id=message.pk) == Status.UNCONFIRMED

    message.refresh_from_db()
    assert message.status == Status.UNCONFIRMED
    assert message.status_reason == INTERRUPTED_REASON
    assert locmem == []
    assert timeline_kinds(message) == [TimelineEvent.Kind.NOTE]


def test_a_redelivered_task_leaves_an_open_attempt_alone(setup, locmem):
    application, contact = setup
    message = make_message(application, contact=contact)
    assert message_claim(message_id=message.pk, now=timezone.now())
    Message.objects.filter(pk=message.pk).update(send_started_at=timezone.now())

    assert message_send(message_id=message.pk) == Status.SENDING
    assert locmem == []


def test_recovery_puts_a_claim_that_never_started_back_in_the_queue(setup, locmem):
    application, contact = setup
    message = make_message(application, contact=contact)
    stale_claim(message)

    assert recover_stale_claims(now=timezone.now(), older_than=TIMEOUT) == 1
    message.refresh_from_db()
    assert message.status == Status.APPROVED
    assert message.claimed_at is None

    assert claim_and_send(message) == Status.SENT
    assert len(locmem) == 1


def test_a_started_send_is_left_to_its_task_until_the_claim_timeout(setup, locmem):
    application, contact = setup
    message = make_message(application, contact=contact)
    claimed_at = timezone.now()
    assert message_claim(message_id=message.pk, now=claimed_at)
    Message.objects.filter(pk=message.pk).update(send_started_at=claimed_at)

    later = claimed_at + dt.timedelta(minutes=5)
    assert recover_stale_claims(now=later, older_than=TIMEOUT) == 0
    message.refresh_from_db()
    assert message.status == Status.SENDING


def test_a_claim_nobody_started_is_given_back_within_a_minute(setup, locmem, settings):
    # A task lost with the broker, or a worker killed between claim and gate.
    settings.FOLLOWUP_CLAIM_RELEASE_SECONDS = 30
    application, contact = setup
    message = make_message(application, contact=contact)
    claimed_at = timezone.now()
    assert message_claim(message_id=message.pk, now=claimed_at)

    soon = claimed_at + dt.timedelta(seconds=10)
    assert recover_stale_claims(now=soon, older_than=TIMEOUT) == 0
    within_a_minute = claimed_at + dt.timedelta(seconds=45)
    assert recover_stale_claims(now=within_a_minute, older_than=TIMEOUT) == 1

    message.refresh_from_db()
    assert (message.status, message.claimed_at, message.attempts) == (Status.APPROVED, None, 0)
    assert claim_and_send(message) == Status.SENT
    assert len(locmem) == 1


def test_a_chunk_whose_claim_was_given_back_and_taken_again_sends_nothing(setup, locmem):
    """The claim time is the chunk's token: a late chunk never sends a row claimed since."""
    application, contact = setup
    first = timezone.now() - dt.timedelta(minutes=2)
    message = make_message(application, contact=contact, due_at=first - dt.timedelta(hours=1))
    assert claim_chunk(now=first, size=10) == [message.pk]
    assert recover_stale_claims(now=timezone.now(), older_than=TIMEOUT) == 1
    second = timezone.now()
    assert claim_chunk(now=second, size=10) == [message.pk]

    assert send_claimed(ids=[message.pk], token=first, in_window_only=False).statuses == {}
    assert locmem == []
    result = send_claimed(ids=[message.pk], token=second, in_window_only=False)
    assert result.statuses == {message.pk: Status.SENT}
    assert len(locmem) == 1


def test_a_database_error_while_building_escapes_and_leaves_the_claim_to_recovery(
    setup, locmem, monkeypatch
):
    application, contact = setup
    message = make_message(application, contact=contact)

    def database_down(*args, **kwargs):
        # Fault injection at one point: the profile cannot be read.
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(chunks, "_senders", database_down)

    with pytest.raises(OperationalError):
        claim_and_send(message)

    message.refresh_from_db()
    assert message.status == Status.SENDING  # not failed for good
    assert message.send_started_at is None  # the ESP was never called
    later = timezone.now() + TIMEOUT + dt.timedelta(minutes=1)
    assert recover_stale_claims(now=later, older_than=TIMEOUT) == 1
    message.refresh_from_db()
    assert message.status == Status.APPROVED
    assert locmem == []
