"""One lock order everywhere: the Application row first, then its Message rows.

Re-planning takes the application and then its pending messages; the user's actions on one
message and the dispatcher's records must take them in that order too, or the two deadlock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
import time_machine
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from interviews.locks import lock_application
from interviews.models import Application, TimelineEvent
from messaging.dispatch.claims import messages_in_window
from messaging.drafting.planning import plan_interview
from messaging.models import Message
from messaging.services.approval import message_approve
from messaging.services.locking import message_for_update
from tests.builders.clock import local
from tests.builders.queries import dana_thank_you
from tests.builders.scenario import THANK_YOU_DUE, planned
from tests.services import require_postgres

Stage = Message.Stage
Status = Message.Status

NOW = local(2025, 3, 4, 17)
# After the send window closed (19:00): an approved message due now waits for the morning.
NIGHT = local(2025, 3, 4, 21)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def locked_tables(queries: list[dict]) -> list[str]:
    """The table each FOR UPDATE of these queries locks, in the order they ran."""
    found = []
    for query in queries:
        sql = query["sql"]
        if " FOR UPDATE OF " in sql:
            found.append(sql.rsplit(" FOR UPDATE OF ", 1)[1].split()[0].strip('"'))
        elif " FOR UPDATE" in sql:
            found.append("every table of the query")
    return found


@pytest.mark.django_db
def test_a_message_action_locks_the_message_row_by_itself():
    query = message_for_update(1).query
    assert query.select_for_update
    assert query.select_for_update_of == ("self",)


@pytest.mark.django_db
def test_approving_locks_the_application_before_the_message(user):
    require_postgres()
    application, _ = planned(user)
    thank_you = dana_thank_you(application)

    with CaptureQueriesContext(connection) as queries:
        message_approve(message=thank_you, user=user)

    tables = locked_tables(queries.captured_queries)
    assert tables[:2] == ["interviews_application", "messaging_message"]
    assert set(tables) == {"interviews_application", "messaging_message"}
    assert Message.objects.get(pk=thank_you.pk).status == Status.APPROVED


@pytest.mark.django_db
def test_the_dispatcher_locks_the_application_before_recording_on_the_message(user):
    require_postgres()
    application, _ = planned(user)
    thank_you = message_approve(message=dana_thank_you(application), user=user)
    Message.objects.filter(pk=thank_you.pk).update(due_at=local(2025, 3, 4, 20))

    with time_machine.travel(NIGHT, tick=False), CaptureQueriesContext(connection) as queries:
        messages_in_window(message_ids=[thank_you.pk], now=NIGHT)

    sql = [q["sql"] for q in queries.captured_queries]
    lock = next(i for i, s in enumerate(sql) if 'FOR UPDATE OF "interviews_application"' in s)
    write = next(i for i, s in enumerate(sql) if s.startswith('UPDATE "messaging_message"'))
    assert lock < write
    assert Message.objects.get(pk=thank_you.pk).due_at == THANK_YOU_DUE


def _waiting_for_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row is not None and row[0] == "Lock"


def race_with_replan(*, application: Application, action: Callable[[], object]) -> dict:
    """Run `action` while another connection holds the application's lock and then re-plans.

    The re-planner locks the application (as plan_interview does), lets `action` start and
    queue, then re-plans, which locks the pending messages. Both run with a lock timeout, so a
    wrong order fails with an error (deadlock or timeout) instead of hanging. Returns each
    side's error (None when it finished) and whether `action` waited for a lock.
    """
    interview = application.interviews.get()
    held, go = threading.Event(), threading.Event()
    pid: list[int] = []
    errors: dict[str, BaseException | None] = {"replan": None, "action": None}

    def lock_timeout() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '10s'")

    def replanner() -> None:
        try:
            with transaction.atomic():
                lock_timeout()
                lock_application(application.pk)
                held.set()
                go.wait(30)
                plan_interview(interview=interview)
        except BaseException as exc:  # reported to the test, not swallowed
            errors["replan"] = exc
        finally:
            held.set()
            connections.close_all()

    def actor() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pid.append(cursor.fetchone()[0])
            with transaction.atomic():
                lock_timeout()
                action()
        except BaseException as exc:
            errors["action"] = exc
        finally:
            connections.close_all()

    first = threading.Thread(target=replanner)
    first.start()
    second = threading.Thread(target=actor)
    waited = False
    try:
        assert held.wait(30)
        second.start()
        # Let the action reach its first lock before the re-plan goes on: that is the moment
        # the old order (message first) deadlocked. Polled, never timed.
        stop = threading.Event()
        for _ in range(400):
            if pid and _waiting_for_a_lock(pid[0]):
                waited = True
                break
            if not second.is_alive():
                break
            stop.wait(0.025)
    finally:
        go.set()
        first.join(60)
        if second.ident is not None:
            second.join(60)
    return {**errors, "waited": waited}


@pytest.mark.django_db(transaction=True)
def test_approving_during_a_replan_waits_for_the_application_instead_of_deadlocking(user):
    require_postgres()
    application, _ = planned(user)
    thank_you = dana_thank_you(application)

    outcome = race_with_replan(
        application=application,
        action=lambda: message_approve(message=thank_you, user=user),
    )

    assert outcome == {"replan": None, "action": None, "waited": True}
    approved = Message.objects.get(pk=thank_you.pk)
    assert approved.status == Status.APPROVED
    assert TimelineEvent.objects.filter(message=approved, kind=TimelineEvent.Kind.APPROVED).exists()


@pytest.mark.django_db(transaction=True)
def test_the_dispatcher_during_a_replan_waits_for_the_application_instead_of_deadlocking(user):
    require_postgres()
    application, _ = planned(user)
    thank_you = message_approve(message=dana_thank_you(application), user=user)
    # A time the user chose that has passed after the window closed: it waits for the morning.
    Message.objects.filter(pk=thank_you.pk).update(due_at=local(2025, 3, 4, 20))

    with time_machine.travel(NIGHT, tick=False):
        outcome = race_with_replan(
            application=application,
            action=lambda: messages_in_window(message_ids=[thank_you.pk], now=NIGHT),
        )

    assert outcome == {"replan": None, "action": None, "waited": True}
    waiting = Message.objects.get(pk=thank_you.pk)
    assert (waiting.status, waiting.due_at) == (Status.APPROVED, THANK_YOU_DUE)
