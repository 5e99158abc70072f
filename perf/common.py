"""What `make bench` and `make chaos` share: scratch services, real workers, the dispatch loop.

A run drives the real pipeline (Celery prefork workers on Redis and PostgreSQL, Anymail's
Postmark backend) against the fake Postmark of tests/fakeesp.py, all on this machine:
1. refuse any service address that is not loopback (127.0.0.1, ::1);
2. create a scratch database marked as ours, migrate it, flush the Redis database;
3. configure Django for the run and store N approved messages, due tomorrow;
4. start the workers and wait until each answers a ping;
5. make every message due at once, then send a dispatch run every tick until no message is
   approved or sending, or the deadline passes (bounded in count and time);
6. stop the workers; the caller checks its invariants and reports, and finish() drops the
   scratch database when the run passed (a failed run keeps it, and the logs, for a look).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from followup import env

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CELERY = Path(sys.executable).with_name("celery")

# followup_bench for the benchmark, followup_chaos for the fault run.
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/followup_{name}"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/11"
# The only hosts a load or fault run may talk to.
LOOPBACK = frozenset({"127.0.0.1", "::1"})
# Written on the scratch database: a database without it is never dropped.
SCRATCH_MARK = "Followup perf scratch database (perf/common.py): dropped by every run."
POLL_SECONDS = 0.2
READY_SECONDS = 60  # for every worker to answer a ping
STOP_SECONDS = 20  # for a worker's warm shutdown before it is killed


@dataclass(frozen=True)
class RunConfig:
    """One run's size, bounds and the extra settings its processes get."""

    name: str
    messages: int
    workers: int
    concurrency: int
    timeout: int  # seconds for every message to settle
    database_url: str
    redis_url: str
    tick: float = 1.0  # seconds between dispatch runs
    settings: dict[str, str] = field(default_factory=dict)
    settings_module: str = "followup.settings"


def read_config(
    name: str,
    *,
    messages: int,
    timeout: int,
    settings: dict[str, str] | None = None,
    workers: int = 2,
    tick: float = 1.0,
    settings_module: str = "followup.settings",
) -> RunConfig:
    """Sizes from <NAME>_MESSAGES, _WORKERS, _CONCURRENCY, _TIMEOUT; services from the URLs."""
    prefix = name.upper()
    return RunConfig(
        name=name,
        messages=env.integer(f"{prefix}_MESSAGES", messages, minimum=1),
        workers=env.integer(f"{prefix}_WORKERS", workers, minimum=1),
        concurrency=env.integer(f"{prefix}_CONCURRENCY", 4, minimum=1),
        timeout=env.integer(f"{prefix}_TIMEOUT", timeout, minimum=1),
        database_url=env.string("DATABASE_URL", DEFAULT_DATABASE_URL.format(name=name)),
        redis_url=env.string("REDIS_URL", DEFAULT_REDIS_URL),
        tick=tick,
        settings=settings or {},
        settings_module=settings_module,
    )


def stop_cleanly_on_sigterm() -> None:
    """Turn SIGTERM (a cancelled CI job, `timeout`) into SystemExit: the workers still stop."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def require_loopback(**urls: str) -> None:
    """Stop unless every URL's host is 127.0.0.1 or ::1."""
    for what, url in urls.items():
        host = urlsplit(url).hostname
        if host not in LOOPBACK:
            raise SystemExit(
                f"{what} must point at 127.0.0.1 or ::1 (load and fault runs stay on this "
                f"machine), not {host!r}."
            )


# --- Scratch services -----------------------------------------------------------------------


def _database_name(url: str) -> str:
    name = urlsplit(url).path.lstrip("/")
    if not name:
        raise SystemExit(f"DATABASE_URL {url!r} names no database.")
    return name


def _scratch_mark(conn: Any, name: str) -> str | None:
    """The database's comment ("" when it has none), or None when it does not exist."""
    row = conn.execute(
        "SELECT coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database "
        "WHERE datname = %s",
        [name],
    ).fetchone()
    return None if row is None else row[0]


def _maintenance(url: str) -> str:
    return urlsplit(url)._replace(path="/postgres").geturl()


def scratch_database_create(url: str) -> None:
    """Create the run's database afresh; refuse to drop one another run did not mark."""
    import psycopg
    from psycopg import sql

    name = _database_name(url)
    ident = sql.Identifier(name)
    with psycopg.connect(_maintenance(url), autocommit=True) as conn:
        mark = _scratch_mark(conn, name)
        if mark is not None and mark != SCRATCH_MARK:
            raise SystemExit(
                f"Database {name!r} exists and is not a perf scratch database; point "
                "DATABASE_URL at a new name (the run drops it afterwards)."
            )
        if mark is not None:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(ident))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(ident))
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(ident, sql.Literal(SCRATCH_MARK))
        )


def scratch_database_drop(url: str) -> None:
    """Drop the run's database if it carries our mark."""
    import psycopg
    from psycopg import sql

    name = _database_name(url)
    with psycopg.connect(_maintenance(url), autocommit=True) as conn:
        if _scratch_mark(conn, name) == SCRATCH_MARK:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def redis_flush(url: str) -> None:
    """Empty the run's Redis database: no task of an earlier run may reach these workers."""
    import redis

    redis.Redis.from_url(url, socket_connect_timeout=5).flushdb()


def run_environment(config: RunConfig, *, esp_url: str, var_dir: Path) -> dict[str, str]:
    """The variables this process and its workers share (the run's settings win)."""
    return {
        "DJANGO_SETTINGS_MODULE": config.settings_module,
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "perf-runs-only-" + "x" * 40,
        # DEBUG would keep every query of the run in memory.
        "DEBUG": "false",
        "DATABASE_URL": config.database_url,
        "REDIS_URL": config.redis_url,
        "CELERY_BROKER_URL": config.redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_BACKEND": "anymail.backends.postmark.EmailBackend",
        "ANYMAIL_POSTMARK_SERVER_TOKEN": "perf-run-token",
        "ANYMAIL_POSTMARK_API_URL": esp_url,
        # Required with an Anymail backend; no webhook reaches a perf run.
        "ANYMAIL_WEBHOOK_SECRET": "perf:perf-run-webhook-secret",
        "DEFAULT_FROM_EMAIL": "Followup <send@followup.example>",
        # One seeded user sends every message of the run: the per-user daily cap (a guard
        # for real users) must not be what the run measures.
        "FOLLOWUP_DAILY_SEND_CAP": "10000000",
        "VAR_DIR": str(var_dir),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    } | config.settings


# --- Workers --------------------------------------------------------------------------------


class WorkerDied(RuntimeError):
    """A worker exited that the run did not kill."""


class Workers:
    """Celery prefork workers w1..wK, each in a session of its own so a kill reaches its pool."""

    def __init__(
        self, *, name: str, count: int, concurrency: int, env: dict[str, str], log_dir: Path
    ) -> None:
        self.name, self.count, self.concurrency = name, count, concurrency
        self.env, self.log_dir = env, log_dir
        self.processes: dict[int, subprocess.Popen] = {}

    def start(self, index: int) -> None:
        command = [str(CELERY), "-A", "followup", "worker", "--pool", "prefork"]
        command += ["--concurrency", str(self.concurrency), "--loglevel", "WARNING"]
        command += ["--without-gossip", "--without-mingle"]
        command += ["--hostname", f"{self.name}-w{index}@%h"]
        with (self.log_dir / f"w{index}.log").open("a") as log:
            self.processes[index] = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def start_all(self) -> None:
        for index in range(1, self.count + 1):
            self.start(index)

    def wait_ready(self) -> None:
        """Return once every worker answers a ping; bounded by READY_SECONDS."""
        from followup.celery import app

        wanted = {f"{self.name}-w{index}" for index in self.processes}
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            self.check_alive()
            replies = app.control.ping(timeout=1.0)
            if wanted <= {node.partition("@")[0] for reply in replies for node in reply}:
                return
        raise WorkerDied(f"the workers did not answer a ping within {READY_SECONDS} s")

    def check_alive(self) -> None:
        for index, process in self.processes.items():
            if process.poll() is not None:
                raise WorkerDied(f"worker w{index} exited with status {process.returncode}")

    def kill(self, index: int) -> None:
        """SIGKILL worker `index` and its pool: no shutdown, no acknowledgements."""
        process = self.processes[index]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def kill_child(self, index: int) -> int | None:
        """SIGKILL one prefork child of worker `index` (its parent starts another); its pid."""
        pid = self.processes[index].pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        if not children:
            return None
        os.kill(int(children[0]), signal.SIGKILL)
        return int(children[0])

    def stop_all(self) -> None:
        """Warm shutdown (running tasks finish), then SIGKILL whatever is left."""
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def pids(self) -> list[int]:
        """Every live process of the workers: each parent and its prefork children."""
        found = []
        for process in self.processes.values():
            if process.poll() is not None:
                continue
            found.append(process.pid)
            try:
                path = Path(f"/proc/{process.pid}/task/{process.pid}/children")
                found += [int(pid) for pid in path.read_text().split()]
            except OSError:
                pass
        return found

    def cpu_seconds(self) -> float:
        """User + system CPU the workers' processes have used so far."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / tick

    def peak_rss_mb(self) -> float:
        """The largest peak resident set (VmHWM) of any one worker process, in MiB."""
        peak = 0
        for pid in self.pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
            except OSError:
                continue
        return round(peak / 1024, 1)

    def log_tails(self, chars: int = 3000) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-chars:]}"
            for log in sorted(self.log_dir.glob("w*.log"))
        )


# --- The run ----------------------------------------------------------------------------------


class Run:
    """Scratch services, Django and the workers of one run: `with Run(config, esp_url=...)`."""

    def __init__(self, config: RunConfig, *, esp_url: str) -> None:
        self.config = config
        self.esp_url = esp_url
        self.log_dir = ARTIFACTS / f"{config.name}-logs"
        self.workers: Workers | None = None

    def __enter__(self) -> Run:
        config = self.config
        require_loopback(
            DATABASE_URL=config.database_url, REDIS_URL=config.redis_url, ESP=self.esp_url
        )
        shutil.rmtree(self.log_dir, ignore_errors=True)
        (self.log_dir / "var").mkdir(parents=True)
        environment = run_environment(config, esp_url=self.esp_url, var_dir=self.log_dir / "var")
        scratch_database_create(config.database_url)
        redis_flush(config.redis_url)
        for name in environment:
            # followup.env prefers <NAME>_FILE: one left in the shell would override the run.
            os.environ.pop(f"{name}_FILE", None)
        os.environ.update(environment)

        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", interactive=False, verbosity=0)
        messages_seed(count=config.messages)
        self.workers = Workers(
            name=config.name,
            count=config.workers,
            concurrency=config.concurrency,
            env=dict(os.environ),
            log_dir=self.log_dir,
        )
        try:
            self.workers.start_all()
            self.workers.wait_ready()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        from django.db import connections

        if self.workers is not None:
            self.workers.stop_all()
        connections.close_all()
        # Tasks a killed worker held stay in Redis (unacknowledged) until the next run.
        redis_flush(self.config.redis_url)

    def finish(self, *, passed: bool) -> None:
        """Drop the scratch database after a passing run; keep it to look into a failure."""
        from django.db import connections

        connections.close_all()
        if passed:
            scratch_database_drop(self.config.database_url)
        else:
            name = _database_name(self.config.database_url)
            print(f"Kept database {name!r} and the worker logs in {self.log_dir} for a look.")


def messages_seed(*, count: int) -> None:
    """One user, application and recruiter, and `count` approved thank-yous due tomorrow."""
    from django.utils import timezone

    from followup.accounts.services import account_signup, profile_for, profile_update
    from messaging.models import Message
    from tests.builders.messages import sending_setup

    user = account_signup(
        email="alex@example.com",
        password="perf-run-password",
        full_name="Alex Morgan",
        time_zone="America/New_York",
    )
    # Confirmed as by the link in the sign-up email: the dispatcher sends nothing for a login
    # address not confirmed yet (dispatch.recheck), and approval needs it anyway.
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    # The whole day is the send window and every message a thank-you (no business-day
    # rule): whenever the run starts, the dispatcher sends instead of waiting for morning.
    profile_update(
        profile=profile_for(user=user),
        email=user.email,
        changes={
            "send_window_start": dt.time(0, 0),
            "send_window_end": dt.time(23, 59, 59, 999999),
        },
    )
    application, contact = sending_setup(user)
    now = timezone.now()
    Message.objects.bulk_create(
        [
            Message(
                user=user,
                application=application,
                contact=contact,
                stage=Message.Stage.THANK_YOU,
                status=Message.Status.APPROVED,
                to_email=contact.email,
                to_name=contact.name,
                subject=f"Thank you - Data Engineer interview ({number})",
                body_text="Dear Ms. Richardson,\n\nThank you for your time today.\n\nAlex Morgan",
                body_html="<p>Dear Ms. Richardson,</p><p>Thank you for your time today.</p>",
                approved_at=now - dt.timedelta(hours=1),
                # Drafting gives every message its Message-ID; dispatch refuses one without.
                message_id=email.utils.make_msgid(domain="followup.example"),
                # Not due yet: the workers start first, then messages_make_due() starts the clock.
                due_at=now + dt.timedelta(days=1),
            )
            for number in range(count)
        ],
        batch_size=1000,
    )


def messages_make_due() -> dt.datetime:
    """Make every approved message due now; returns that moment."""
    from django.utils import timezone

    from messaging.models import Message

    now = timezone.now()
    Message.objects.filter(status=Message.Status.APPROVED).update(due_at=now)
    return now


@dataclass(frozen=True)
class Drive:
    finished: bool  # no message left approved or sending before the deadline
    seconds: float
    dispatch_runs: int


def drive(
    *,
    config: RunConfig,
    workers: Workers,
    on_poll: Callable[[int], None] | None = None,
    ticks: bool = True,
    open_statuses: Sequence[str] = ("approved", "sending"),
) -> Drive:
    """Send a dispatch run every tick until no message is approved or sending, or the deadline.

    on_poll(settled) runs at every poll, before the finish check (chaos kills workers there).
    ticks False: real beat processes send the ticks; this only waits and watches.
    """
    from messaging.models import Message
    from messaging.tasks import dispatch_due_messages

    open_statuses = list(open_statuses)
    start = time.monotonic()
    deadline = start + config.timeout
    next_run, runs = start, 0
    while (now := time.monotonic()) < deadline:
        if ticks and now >= next_run:
            # Expires with the tick, like beat's runs: one still queued behind send tasks
            # when the next is due is dropped, not piled up.
            dispatch_due_messages.apply_async(expires=config.tick)
            runs += 1
            next_run = max(next_run + config.tick, now)
        remaining = Message.objects.filter(status__in=open_statuses).count()
        if on_poll is not None:
            on_poll(config.messages - remaining)
        if remaining == 0:
            return Drive(True, time.monotonic() - start, runs)
        workers.check_alive()
        time.sleep(POLL_SECONDS)
    return Drive(False, time.monotonic() - start, runs)


def message_rows() -> list[dict[str, Any]]:
    """Every message of the run as it ended."""
    from messaging.models import Message

    return list(
        Message.objects.order_by("pk").values(
            "pk",
            "status",
            "status_reason",
            "esp_message_id",
            "message_id",
            "due_at",
            "sent_at",
            "attempts",
        )
    )


# --- Reporting ------------------------------------------------------------------------------


def percentile(values: Sequence[float], pct: float) -> float | None:
    """Nearest-rank percentile; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(pct / 100 * len(ordered))) - 1]


def seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


def report_print(title: str, rows: Sequence[tuple[str, object]], problems: Sequence[str]) -> None:
    width = max(len(label) for label, _ in rows)
    print(f"\n{title}")
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")
    if problems:
        print(f"\nFAILED: {len(problems)} problem(s)")
        for problem in problems[:30]:
            print(f"  - {problem}")
        if len(problems) > 30:
            print(f"  ... and {len(problems) - 30} more")
    else:
        print("\nPASSED")


def report_write(name: str, data: dict[str, Any]) -> Path:
    """test-artifacts/<name>.json, for CI to keep."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    return path
