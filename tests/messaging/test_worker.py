"""Real Celery workers and beat on Redis and PostgreSQL: each approved message goes out once.

Two worker processes (four prefork children each) and a beat ticking every second,
plus a burst of extra dispatch tasks, all race for the same few hundred messages.
The outbox backend records every email that was "sent", so a double send would show.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from celery import Celery
from django.db import connection
from django.db.models import Count

from followup.accounts.models import Profile
from messaging.models import Message, OutboxEmail
from tests.builders.messages import make_message, sending_setup
from tests.services import redis_url, require_postgres

pytestmark = [pytest.mark.slow, pytest.mark.services]

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")
MESSAGES = 300
DEADLINE = 90  # seconds to wait for every message to be sent before giving up


def _test_database_url() -> str:
    """The URL of the database this test runs in (test_<name>), for the worker processes."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"])
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{credentials}@{host}:{port}/{db['NAME']}"


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    # A session of its own, so stopping it reaches its prefork children too.
    return subprocess.Popen(
        [str(CELERY), "-A", "followup", *args],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)  # warm shutdown: running tasks finish
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.mark.django_db(transaction=True)
def test_several_workers_and_beat_send_each_message_exactly_once(user, tmp_path):
    require_postgres()
    broker = redis_url()
    # The broker database must hold only this test's tasks.
    redis.Redis.from_url(broker).flushdb()

    application, contact = sending_setup(user)
    # Real time runs here: a send window all day long, so the beat never holds one back.
    Profile.objects.filter(user=user).update(
        send_window_start=dt.time(0, 0), send_window_end=dt.time(23, 59, 59, 999999)
    )
    for number in range(MESSAGES):
        make_message(application, contact=contact, subject=f"Note {number}")

    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _test_database_url(),
        "CELERY_BROKER_URL": broker,
        "EMAIL_BACKEND": "messaging.outbox.OutboxEmailBackend",
        "VAR_DIR": str(tmp_path),
        "FOLLOWUP_DISPATCH_INTERVAL_SECONDS": "1",
        # Small chunks: many senders compete for the same rows.
        "FOLLOWUP_DISPATCH_CHUNK_SIZE": "20",
        # One user sends them all: the daily cap (a guard for real users) is set above them.
        "FOLLOWUP_DAILY_SEND_CAP": str(MESSAGES * 2),
        "PYTHONPATH": str(ROOT),
    }
    worker = ["worker", "--pool", "prefork", "--concurrency", "4", "--loglevel", "WARNING"]
    worker += ["--without-gossip", "--without-mingle"]
    processes = [
        _start([*worker, "--hostname", "w1@%h"], env, tmp_path / "w1.log"),
        _start([*worker, "--hostname", "w2@%h"], env, tmp_path / "w2.log"),
        _start(
            ["beat", "--loglevel", "WARNING", "--schedule", str(tmp_path / "beat-schedule")],
            env,
            tmp_path / "beat.log",
        ),
    ]
    try:
        # A second source of dispatch runs besides beat: a burst straight into the queue.
        with Celery("probe", broker=broker) as probe:
            for _ in range(12):
                probe.send_task("messaging.tasks.dispatch_due_messages")

        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            if Message.objects.filter(status=Message.Status.SENT).count() == MESSAGES:
                break
            assert all(p.poll() is None for p in processes), "a Celery process exited"
            time.sleep(0.5)
    finally:
        for process in processes:
            _stop(process)
        logs = "\n".join(
            f"--- {log.name}\n{log.read_text()[-3000:]}" for log in sorted(tmp_path.glob("*.log"))
        )

    statuses = dict(
        Message.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    assert statuses == {Message.Status.SENT: MESSAGES}, logs
    per_id = (
        OutboxEmail.objects.values("message_id").annotate(n=Count("pk")).filter(n__gt=1).count()
    )
    assert per_id == 0, "an email was sent twice"
    assert OutboxEmail.objects.count() == MESSAGES
    sent_ids = set(Message.objects.values_list("message_id", flat=True))
    assert sent_ids == set(OutboxEmail.objects.values_list("message_id", flat=True))
    assert set(Message.objects.values_list("attempts", flat=True)) == {1}  # claimed once each
