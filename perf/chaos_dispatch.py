"""`make chaos`: every message goes out once, or says why not, while everything fails.

The run of perf/common.py with faults injected, all on this machine:
- a broker of its own: a second redis-server on a free loopback port, append-only, which
  this script starts, restarts during dispatch (CHAOS_BROKER_DOWN seconds down), and stops;
  the shared Redis on 6379 is never touched;
- CHAOS_WORKERS (4) Celery workers and two `celery beat` instances ticking at once;
- the fake Postmark fails CHAOS_FAULT_PERCENT (30) % of requests, drawn per request from a
  seeded mix (CHAOS_SEED): its own 503 and 429 (not taken: retried), a hang past the
  client's timeout (not taken), a reset after it took the email, a gateway's 504 after it
  took the email, and a 422 refusal (never taken: failed with its words);
- as the run goes it SIGKILLs whole workers and prefork children (CHAOS_KILLS, 3), waiting
  for a request in flight so the kill lands mid-send.
Unconfirmed sends are settled by the reconciliation against the fake's Postmark search.

Invariants, checked once every message has settled or CHAOS_TIMEOUT (300 s) has passed:
1. no message taken by the ESP twice (duplicates);
2. every message recorded sent was taken by the ESP exactly once, under the id it gave;
3. every message ends sent, unconfirmed, or failed with a reason: none left approved or
   sending (stuck), none recorded failed although the ESP took it (lost);
Prints a report, writes test-artifacts/chaos.json, and ends with the line
`chaos: scheduled=N sent_once=N duplicates=0 lost=0 stuck=0 failed=N unconfirmed=N`.
Exits 1 on a violation. Run it as `python -m perf.chaos_dispatch`.
"""

from __future__ import annotations

import dataclasses
import email.utils
import os
import random
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from followup import env
from perf import common
from tests.fakeesp import Answer, FakePostmark

ESP_TIMEOUT = 2  # seconds Anymail waits for an answer (ANYMAIL_REQUESTS_TIMEOUT)
HANG_SECONDS = ESP_TIMEOUT + 1.5  # a hang outlasts the client's patience
SETTINGS = {
    "ANYMAIL_REQUESTS_TIMEOUT": str(ESP_TIMEOUT),
    "CELERY_TASK_SOFT_TIME_LIMIT": "25",
    "CELERY_TASK_TIME_LIMIT": "30",
    "FOLLOWUP_DISPATCH_INTERVAL_SECONDS": "1",
    "FOLLOWUP_DISPATCH_CHUNK_SIZE": "10",
    "FOLLOWUP_DISPATCH_DRAIN_SECONDS": "5",
    "FOLLOWUP_DISPATCH_CHUNK_SECONDS": "15",
    "FOLLOWUP_SEND_MAX_RETRIES": "3",
    "FOLLOWUP_SEND_RETRY_BACKOFF_SECONDS": "1",
    "FOLLOWUP_SEND_RETRY_BACKOFF_MAX": "4",
    "FOLLOWUP_CLAIM_RELEASE_SECONDS": "5",
    "FOLLOWUP_CLAIM_TIMEOUT_SECONDS": "35",
    "FOLLOWUP_RECONCILE_AFTER_SECONDS": "4",
    "FOLLOWUP_RECONCILE_INTERVAL_SECONDS": "2",
}

ACCEPT = "accepted"
ESP_503, RATE_LIMITED, HANG = "503 from the ESP", "429 rate limited", "hang, not taken"
RESET, GATEWAY_504, REFUSED = "reset after taking it", "504 after taking it", "422 refused"
FAULTS = {ESP_503: 6, RATE_LIMITED: 6, HANG: 5, RESET: 5, GATEWAY_504: 5, REFUSED: 3}


class FaultScript:
    """The fake ESP's answers: a seeded draw per message and attempt, so a seed replays."""

    def __init__(self, *, seed: int, percent: int) -> None:
        self.seed, self.percent = seed, percent
        self.tries: Counter[str] = Counter()
        self.kinds: list[str] = []
        self.in_flight_until = 0.0

    def slow_in_flight(self) -> bool:
        return time.monotonic() < self.in_flight_until - 0.5

    def __call__(self, body: dict[str, Any]) -> Answer:
        # Called under the fake ESP's lock.
        pk = str((body.get("Metadata") or {}).get("message_id", ""))
        attempt = self.tries[pk]
        self.tries[pk] += 1
        draw = random.Random(f"{self.seed}:{pk}:{attempt}")
        kind = ACCEPT
        if draw.random() * 100 < self.percent:
            kind = draw.choices(list(FAULTS), weights=list(FAULTS.values()))[0]
        self.kinds.append(kind)
        if kind == ESP_503:
            return Answer(503, {"ErrorCode": 503, "Message": "Injected: service unavailable."})
        if kind == RATE_LIMITED:
            return Answer(429, {"ErrorCode": 429, "Message": "Injected: rate limit exceeded."})
        if kind == HANG:
            self.in_flight_until = time.monotonic() + HANG_SECONDS
            return Answer(503, {"ErrorCode": 503, "Message": "late"}, delay=HANG_SECONDS)
        if kind == RESET:
            return Answer(accepted=True, reset=True)
        if kind == GATEWAY_504:
            return Answer(504, text="<html><h1>504 Gateway Time-out</h1></html>", accepted=True)
        if kind == REFUSED:
            address = email.utils.parseaddr(body.get("To", ""))[1].lower()
            # Postmark's own words: Anymail reads the refused address out of them.
            words = (
                "You tried to send to a recipient that has been marked as inactive.\n"
                f"Found inactive addresses: {address}.\nInactive recipients are ones that "
                "have generated a hard bounce or a spam complaint."
            )
            return Answer(422, {"ErrorCode": 406, "Message": words})
        return Answer()


class Broker:
    """A redis-server of the run's own on a free loopback port, append-only, restartable."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process: subprocess.Popen | None = None
        self.restarts: list[dict[str, float]] = []

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        redis_server = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [
                *(redis_server, "--bind", "127.0.0.1", "--port", str(self.port), "--save", ""),
                *("--appendonly", "yes", "--appendfsync", "always", "--dir", str(self.directory)),
            ],
            stdout=(self.directory / "redis.log").open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("the run's redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: redis flushes its append-only file and exits
            self.process.wait(timeout=20)

    def restart(self, down: float, started: float) -> None:
        at = time.monotonic() - started
        self.stop()
        time.sleep(down)
        self.start()
        self.restarts.append({"at_seconds": round(at, 2), "down_seconds": down})


class Beats:
    """Two `celery beat` instances at once, as a careless deployment would run them."""

    def __init__(self, *, environment: dict[str, str], log_dir: Path) -> None:
        self.processes = [
            subprocess.Popen(
                [
                    *(str(common.CELERY), "-A", "followup", "beat", "--loglevel", "WARNING"),
                    *("--schedule", str(log_dir / f"beat{n}-schedule")),
                ],
                cwd=common.ROOT,
                env=environment,
                stdout=(log_dir / f"beat{n}.log").open("a"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            for n in (1, 2)
        ]

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


class Faults:
    """On each poll: kill workers mid-send past thresholds; restart the broker once."""

    def __init__(self, *, run: common.Run, script: FaultScript, broker: Broker, kills: int):
        self.workers, self.script, self.broker = run.workers, script, broker
        total = run.config.messages
        self.total = total
        self.kill_at = [total * (n + 1) / (kills + 3) for n in range(kills)]
        self.restart_at = total * (kills + 1.5) / (kills + 3)
        self.down = float(env.integer("CHAOS_BROKER_DOWN", 3, minimum=1))
        self.started = time.monotonic()
        self.done: list[dict[str, Any]] = []
        self.respawned: list[dict[str, Any]] = []
        self.restart_thread: threading.Thread | None = None

    def __call__(self, settled: int) -> None:
        # A worker may exit by itself when the broker goes away under it (kombu gives up on
        # an acknowledgement): started again, as the compose stack's restart policy does.
        for index, process in self.workers.processes.items():
            if process.poll() is not None:
                self.workers.start(index)
                at = round(time.monotonic() - self.started, 2)
                self.respawned.append({"at_seconds": at, "worker": f"w{index}"})
        while len(self.done) < len(self.kill_at) and settled >= self.kill_at[len(self.done)]:
            if not self.script.slow_in_flight() and settled < self.kill_at[len(self.done)] + (
                self.total / 10
            ):
                break  # wait a little for a request in flight, so the kill lands mid-send
            number = len(self.done)
            index = number % self.workers.count + 1
            if number % 2 == 0:
                self.workers.kill(index)
                self.workers.start(index)
                what = f"w{index} and its pool SIGKILLed, then started again"
            else:
                pid = self.workers.kill_child(index)
                what = f"prefork child {pid} of w{index} SIGKILLed" if pid else "no child"
            at = round(time.monotonic() - self.started, 2)
            self.done.append({"at_seconds": at, "settled": settled, "what": what})
        if self.restart_thread is None and settled >= self.restart_at:
            # In a thread: the run keeps watching (and killing) while the broker is down.
            self.restart_thread = threading.Thread(
                target=self.broker.restart, args=(self.down, self.started), daemon=True
            )
            self.restart_thread.start()


def check(rows: list[dict[str, Any]], requests: list[Any]) -> tuple[list[str], dict[str, int]]:
    """The invariants' violations, and the final line's counts."""
    from messaging.models import Message

    Status = Message.Status
    taken: dict[str, list[Any]] = defaultdict(list)
    for request in requests:
        if request.taken:
            taken[str((request.json.get("Metadata") or {}).get("message_id", ""))].append(request)
    problems: list[str] = []
    counts: Counter[str] = Counter()
    for row in rows:
        pk, status = row["pk"], row["status"]
        copies = taken.pop(str(pk), [])
        if len(copies) > 1:
            counts["duplicates"] += 1
            problems.append(f"message {pk}: taken by the ESP {len(copies)} times")
        if status == Status.SENT:
            if len(copies) != 1:
                counts["lost"] += 1
                problems.append(f"message {pk}: recorded sent, taken {len(copies)} times")
            elif row["esp_message_id"] != copies[0].reply.get("MessageID"):
                problems.append(f"message {pk}: sent under an id the ESP did not give it")
            else:
                counts["sent_once"] += 1
        elif status == Status.FAILED:
            counts["failed"] += 1
            if not row["status_reason"]:
                problems.append(f"message {pk}: failed without a reason")
            if copies:
                counts["lost"] += 1
                problems.append(f"message {pk}: failed although the ESP took it")
        elif status == Status.UNCONFIRMED:
            counts["unconfirmed"] += 1
        else:
            counts["stuck"] += 1
            problems.append(f"message {pk}: ended {status}")
    for pk in taken:
        problems.append(f"the ESP took an email for unknown message {pk!r}")
    return problems, dict(counts)


def main() -> int:
    common.stop_cleanly_on_sigterm()
    try:
        seed = env.integer("CHAOS_SEED", 1)
        kills = env.integer("CHAOS_KILLS", 3, minimum=1)
        percent = env.integer("CHAOS_FAULT_PERCENT", 30, minimum=0)
    except ImproperlyConfigured as exc:
        print(exc, file=sys.stderr)
        return 2
    broker_dir = common.ARTIFACTS / "chaos-broker"
    shutil.rmtree(broker_dir, ignore_errors=True)
    broker_dir.mkdir(parents=True)
    broker = Broker(broker_dir)
    broker.start()
    try:
        return _run(broker=broker, seed=seed, kills=kills, percent=percent)
    finally:
        broker.stop()


def _run(*, broker: Broker, seed: int, kills: int, percent: int) -> int:
    os.environ["REDIS_URL"] = broker.url
    config = common.read_config("chaos", messages=300, timeout=300, settings=SETTINGS, workers=4)
    config = dataclasses.replace(config, concurrency=env.integer("CHAOS_CONCURRENCY", 2, minimum=1))
    script = FaultScript(seed=seed, percent=percent)
    with FakePostmark(respond=script) as esp:
        run = common.Run(config, esp_url=esp.url)
        with run:
            faults = Faults(run=run, script=script, broker=broker, kills=kills)
            beats = Beats(environment=dict(os.environ), log_dir=run.log_dir)
            try:
                common.messages_make_due()
                drive = common.drive(
                    config=config,
                    workers=run.workers,
                    on_poll=faults,
                    ticks=False,
                    open_statuses=("approved", "sending", "unconfirmed"),
                )
            finally:
                beats.stop()
                if faults.restart_thread is not None:
                    faults.restart_thread.join(timeout=60)
            logs = run.workers.log_tails()
        requests = list(esp.requests)
    rows = common.message_rows()

    problems, counts = check(rows, requests)
    if not drive.finished:
        problems.insert(0, f"not every message settled within {config.timeout} s")
    if not faults.done:
        problems.append("the run ended before any worker was killed")
    if not broker.restarts:
        problems.append("the run ended before the broker was restarted")
    statuses = Counter(row["status"] for row in rows)
    report = {
        "messages": len(rows),
        "seed": seed,
        "workers": f"{config.workers} x {config.concurrency} prefork, 2 beat instances",
        "broker": broker.url,
        "settings": SETTINGS,
        "wall_seconds": round(drive.seconds, 2),
        "statuses": dict(statuses),
        "esp_requests": len(requests),
        "esp_answers": dict(Counter(script.kinds)),
        "kills": faults.done,
        "broker_restarts": broker.restarts,
        "workers_restarted_after_exiting": faults.respawned,
        "counts": counts,
        "problems": problems,
    }
    common.report_print("Dispatch under faults", list(report.items()), problems)
    print(f"Report: {common.report_write('chaos', report)}")
    if problems:
        print(logs, file=sys.stderr)
    run.finish(passed=not problems)
    print(
        f"chaos: scheduled={len(rows)} sent_once={counts.get('sent_once', 0)} "
        f"duplicates={counts.get('duplicates', 0)} lost={counts.get('lost', 0)} "
        f"stuck={counts.get('stuck', 0)} failed={counts.get('failed', 0)} "
        f"unconfirmed={counts.get('unconfirmed', 0)}"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
