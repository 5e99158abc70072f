"""Chunks: one claim, one gate and one record per chunk; the cap counted under the gate."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from interviews.models import TimelineEvent
from messaging.dispatch.chunks import claim_chunk, send_claimed
from messaging.dispatch.drain import send_due
from messaging.models import Message
from tests.builders.messages import IN_WINDOW, make_message, sending_setup
from tests.services import require_postgres

Status = Message.Status


def _statements_for_a_chunk_of(count: int, application, contact) -> int:
    ids = {make_message(application, contact=contact).pk for _ in range(count)}
    now = timezone.now()
    with CaptureQueriesContext(connection) as queries:
        claimed = claim_chunk(now=now, size=count)
        result = send_claimed(ids=claimed, token=now)
    assert set(claimed) == ids
    assert result.statuses == dict.fromkeys(ids, Status.SENT)
    return len(queries.captured_queries)


@time_machine.travel(IN_WINDOW, tick=False)
def test_a_chunk_costs_the_same_statements_for_5_messages_as_for_40(setup, locmem, settings):
    settings.FOLLOWUP_DAILY_SEND_CAP = 1000
    application, contact = setup

    small = _statements_for_a_chunk_of(5, application, contact)
    large = _statements_for_a_chunk_of(40, application, contact)

    assert large == small
    assert len(locmem) == 45
    sent = Message.objects.filter(status=Status.SENT)
    assert sent.count() == 45
    assert set(sent.values_list("attempts", flat=True)) == {1}
    # Each one's timeline: sent, and the thank-you's LinkedIn suggestion.
    kinds = TimelineEvent.objects.filter(message__in=sent).values_list("kind", flat=True)
    assert sorted(set(kinds)) == [TimelineEvent.Kind.SENT, TimelineEvent.Kind.TASK]
    assert len(kinds) == 90


@time_machine.travel(IN_WINDOW, tick=False)
def test_a_chunk_out_of_time_gives_back_what_it_never_handed_over(setup, locmem, settings):
    settings.FOLLOWUP_DISPATCH_CHUNK_SECONDS = 0
    application, contact = setup
    ids = [make_message(application, contact=contact).pk for _ in range(3)]
    now = timezone.now()

    result = send_claimed(ids=claim_chunk(now=now, size=10), token=now)

    assert result.statuses == dict.fromkeys(ids, Status.APPROVED)
    assert locmem == []
    rows = Message.objects.filter(pk__in=ids)
    assert {(m.status, m.send_started_at, m.attempts) for m in rows} == {(Status.APPROVED, None, 0)}


@time_machine.travel(IN_WINDOW, tick=False)
def test_a_sender_puts_back_a_message_it_claimed_outside_its_window(setup, locmem):
    application, contact = setup
    message = make_message(application, contact=contact)
    application.user.profile.send_window_start = dt.time(13, 0)
    application.user.profile.save()

    assert (
        send_due(
            now=timezone.now, budget=dt.timedelta(seconds=30), claim_timeout=dt.timedelta(minutes=5)
        ).sent
        == 0
    )

    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.APPROVED, 0)
    assert message.due_at == dt.datetime(2025, 3, 18, 17, 0, tzinfo=dt.UTC)  # 13:00 in New York
    assert locmem == []


@pytest.mark.django_db(transaction=True)
@time_machine.travel(IN_WINDOW, tick=True)
def test_two_dispatchers_never_pass_the_daily_cap_together(user, settings, locmem):
    require_postgres()
    settings.FOLLOWUP_DAILY_SEND_CAP = 5
    application, contact = sending_setup(user)
    ids = {make_message(application, contact=contact).pk for _ in range(12)}
    start = threading.Barrier(2)
    claimed: list[list[int]] = []

    def dispatcher() -> None:
        try:
            now = timezone.now()
            taken = claim_chunk(now=now, size=6)
            claimed.append(taken)
            start.wait()  # both hold their chunk before either reaches its gate
            send_claimed(ids=taken, token=now)
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(pk for taken in claimed for pk in taken) == sorted(ids)
    statuses = list(Message.objects.values_list("status", flat=True))
    assert statuses.count(Status.SENT) == 5
    assert statuses.count(Status.APPROVED) == 7
    assert len(locmem) == 5
    waiting = Message.objects.filter(status=Status.APPROVED)
    assert all(m.due_at > timezone.now() + dt.timedelta(hours=12) for m in waiting)


@time_machine.travel(IN_WINDOW, tick=False)
def test_a_sender_sweeps_first_so_a_backlog_never_holds_a_lost_claim(setup, locmem, settings):
    # Every worker slot busy with senders: the beat's tick may wait, the sweep does not.
    settings.FOLLOWUP_CLAIM_RELEASE_SECONDS = 30
    application, contact = setup
    lost = make_message(application, contact=contact)
    Message.objects.filter(pk=lost.pk).update(
        status=Status.SENDING, claimed_at=timezone.now() - dt.timedelta(minutes=1), attempts=1
    )

    drained = send_due(
        now=timezone.now, budget=dt.timedelta(seconds=30), claim_timeout=dt.timedelta(minutes=5)
    )

    lost.refresh_from_db()
    assert drained.sent == 1
    assert (lost.status, lost.attempts) == (Status.SENT, 1)
    assert len(locmem) == 1
