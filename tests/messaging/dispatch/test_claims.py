"""Claims: one worker per message, only approved and due ones, the longest waiting first."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from messaging.dispatch.claims import (
    claim_due_messages,
    due_message_ids,
    message_claim,
)
from messaging.models import Message
from messaging.tasks import dispatch_due_messages
from tests.builders.messages import IN_WINDOW, eager_celery, make_message, sending_setup
from tests.services import require_postgres

Status = Message.Status


def test_two_claims_of_one_message_let_exactly_one_through(setup):
    application, contact = setup
    message = make_message(application, contact=contact)
    now = timezone.now()

    results = [message_claim(message_id=message.pk, now=now) for _ in range(2)]

    message.refresh_from_db()
    assert results == [True, False]
    assert message.status == Status.SENDING
    assert message.claimed_at == now
    assert message.attempts == 1


@time_machine.travel(IN_WINDOW, tick=False)
def test_it_claims_only_approved_messages_whose_time_has_come(setup):
    application, contact = setup
    now = timezone.now()
    due = make_message(application, contact=contact)
    later = make_message(application, contact=contact, due_at=now + dt.timedelta(hours=1))
    draft = make_message(application, contact=contact, status=Status.DRAFT)
    approval_cleared = make_message(application, contact=contact, approved_at=None)

    assert due_message_ids(now=now, limit=10) == [due.pk]
    assert claim_due_messages(now=now, limit=10) == [due.pk]
    assert claim_due_messages(now=now, limit=10) == []
    for untouched in (later, draft, approval_cleared):
        untouched.refresh_from_db()
        assert untouched.status in (Status.APPROVED, Status.DRAFT)


@time_machine.travel(IN_WINDOW, tick=False)
def test_a_batch_claim_takes_the_longest_waiting_first_up_to_the_limit(setup):
    application, contact = setup
    now = timezone.now()
    newer = make_message(application, contact=contact, due_at=now - dt.timedelta(minutes=1))
    older = make_message(application, contact=contact, due_at=now - dt.timedelta(hours=2))

    assert claim_due_messages(now=now, limit=1) == [older.pk]
    assert claim_due_messages(now=now, limit=1) == [newer.pk]


@pytest.mark.django_db(transaction=True)
@time_machine.travel(IN_WINDOW, tick=False)
def test_concurrent_batch_claims_never_share_a_message(user, settings):
    require_postgres()
    # One user's 60 messages: the daily cap (a guard for real users) is set above them.
    settings.FOLLOWUP_DAILY_SEND_CAP = 1000
    application, contact = sending_setup(user)
    ids = {make_message(application, contact=contact).pk for _ in range(60)}
    now = timezone.now()
    results: list[list[int]] = []
    start = threading.Barrier(4)

    def claimer() -> None:
        start.wait()
        try:
            taken: list[int] = []
            for _ in range(10):
                taken += claim_due_messages(now=now, limit=7)
            results.append(taken)
        finally:
            connection.close()

    threads = [threading.Thread(target=claimer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    everything = [pk for taken in results for pk in taken]
    assert sorted(everything) == sorted(ids)  # each one claimed, none twice
    assert set(Message.objects.values_list("attempts", flat=True)) == {1}


def test_the_beat_task_sends_every_due_message_once(
    setup, locmem, django_capture_on_commit_callbacks
):
    application, contact = setup
    with eager_celery(), time_machine.travel(IN_WINDOW):
        messages = [make_message(application, contact=contact) for _ in range(3)]
        future = make_message(application, contact=contact, due_at=timezone.now() + dt.timedelta(1))
        for _ in range(2):
            with django_capture_on_commit_callbacks(execute=True):
                dispatch_due_messages.apply().get()

    assert len(locmem) == 3
    assert {m.status for m in Message.objects.filter(pk__in=[m.pk for m in messages])} == {
        Status.SENT
    }
    future.refresh_from_db()
    assert future.status == Status.APPROVED


def test_every_beat_entry_names_a_registered_task(settings):
    from followup.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks
    dispatch_entry = settings.CELERY_BEAT_SCHEDULE["dispatch-due-messages"]
    assert dispatch_entry["schedule"] == settings.FOLLOWUP_DISPATCH_INTERVAL_SECONDS
