"""`make bench`: Followup's dispatch against the floor and django-post-office, in one run.

On one machine, in one run, against one fake Postmark on 127.0.0.1 answering every request
after BENCH_ESP_MS (20 ms), with the same total concurrency (BENCH_WORKERS x
BENCH_CONCURRENCY = 2 x 4 = 8) and the app's default settings:
1. floor: 8 forked processes send the BENCH_MESSAGES (10,000) emails, prebuilt, through the
   same Anymail backend, one connection each, with no database and no Celery (`floor_s`);
2. dispatch: the same messages, approved, fall due in the same minute; beat's tick comes
   (then every FOLLOWUP_DISPATCH_INTERVAL_SECONDS) and real Celery workers send them
   (`dispatch_s`: from the first tick to the last one recorded sent), each exactly once;
3. post_office: django-post-office's send_queued(processes=8) sends the same emails through
   the same backend (`post_office_s`; in a process of its own, perf.post_office_run);
4. tick cost: one tick among 1,000 and among BENCH_TICK_ROWS (1,000,000) future messages.
Writes bench/results.json (and test-artifacts/bench.json), prints a report, and exits 1 when
a message was sent twice, not at all, or recorded with an id the ESP did not give it.
Targets (reported, not enforced: the machine is shared): dispatch_vs_floor <= 1.25,
dispatch_vs_post_office <= 1.0. BENCH_COMPARE=0 skips the floor and post_office (CI's small run).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from collections import Counter

from django.core.exceptions import ImproperlyConfigured

from followup import env
from perf import common
from tests.fakeesp import FakePostmark

RESULTS = common.ROOT / "bench" / "results.json"


def _pg_stats() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sessions, xact_commit FROM pg_stat_database WHERE datname = current_database()"
        )
        sessions, commits = cursor.fetchone()
    return {"sessions": int(sessions), "commits": int(commits)}


def _pg_stats_settle() -> dict[str, int]:
    # pg_stat_database is updated by each backend when it goes idle or ends (PostgreSQL 15
    # flushes at least every second): wait for the counters to catch up before reading.
    time.sleep(1.5)
    return _pg_stats()


def _statements() -> int:
    import redis

    from perf.instrument import STATEMENTS_KEY

    value = redis.Redis.from_url(os.environ["REDIS_URL"]).get(STATEMENTS_KEY)
    return int(value or 0)


def _side_run(module: str, processes: int, settings_module: str) -> dict:
    """Run perf.floor or perf.post_office_run in a process of its own; its JSON line."""
    environment = dict(os.environ) | {"DJANGO_SETTINGS_MODULE": settings_module}
    done = subprocess.run(
        [sys.executable, "-m", module, str(processes)],
        cwd=common.ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _tick_ms(rows: int, template_pk: int) -> float:
    """Median ms of one dispatch tick with `rows` approved messages scheduled for later."""
    from django.db import connection
    from django.utils import timezone

    from messaging.dispatch.drain import dispatch_tick
    from messaging.models import Message

    future = Message.objects.filter(status=Message.Status.APPROVED)
    missing = rows - future.count()
    if missing > 0:
        _insert_future(missing, template_pk)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE messaging_message")
    times = []
    for _ in range(7):
        start = time.perf_counter()
        dispatch_tick(
            now=timezone.now(),
            start_senders=lambda count: None,
            claim_timeout=dt.timedelta(seconds=300),
        )
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times[1:]), 3)


def _insert_future(count: int, template_pk: int) -> None:
    """Copy the template message `count` times, approved and due days from now, in SQL."""
    from django.db import connection

    from messaging.models import Message

    columns = [
        f.column
        for f in Message._meta.concrete_fields
        if f.column not in ("id", "due_at", "status", "message_id")
    ]
    quote = connection.ops.quote_name
    listed = ", ".join(quote(column) for column in columns)
    copied = ", ".join(f"m.{quote(column)}" for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO messaging_message ({listed}, due_at, status, message_id) "
            f"SELECT {copied}, now() + interval '2 days' + g * interval '1 second', "
            f"'approved', '<tick-' || g || '-' || m.id || '@bench.example>' "
            f"FROM messaging_message m, generate_series(1, %s) g WHERE m.id = %s",
            [count, template_pk],
        )


def main() -> int:
    common.stop_cleanly_on_sigterm()
    try:
        config = common.read_config(
            "bench",
            messages=10000,
            timeout=900,
            settings_module="perf.settings_bench",
            tick=float(env.integer("FOLLOWUP_DISPATCH_INTERVAL_SECONDS", 10, minimum=1)),
        )
        esp_ms = env.integer("BENCH_ESP_MS", 20, minimum=0)
        tick_rows = env.integer("BENCH_TICK_ROWS", 1_000_000, minimum=1000)
        compare = env.boolean("BENCH_COMPARE", True)
    except ImproperlyConfigured as exc:
        print(exc, file=sys.stderr)
        return 2
    concurrency = config.workers * config.concurrency
    load_before = os.getloadavg()

    with FakePostmark(latency=esp_ms / 1000) as esp:
        run = common.Run(config, esp_url=esp.url)
        with run:
            floor_s = floor_sent = None
            if compare:
                # In a process of its own, like post_office: forked from this one (which
                # serves the fake ESP from its threads), its children would share its GIL.
                floor = _side_run("perf.floor", concurrency, "followup.settings")
                floor_s, floor_sent = floor["seconds"], floor["sent"]
            floor_requests = len(esp.requests)
            esp.requests.clear()

            stats_before, cpu_before, statements_before = (
                _pg_stats_settle(),
                run.workers.cpu_seconds(),
                _statements(),
            )
            common.messages_make_due()
            drive = common.drive(config=config, workers=run.workers)
            stats_after = _pg_stats_settle()
            cpu_s = run.workers.cpu_seconds() - cpu_before
            statements = _statements() - statements_before
            peak_rss = run.workers.peak_rss_mb()
            logs = run.workers.log_tails()
        dispatch_requests = list(esp.requests)
        esp.requests.clear()
        rows = common.message_rows()

        post_office = (
            _side_run("perf.post_office_run", concurrency, "perf.settings_post_office")
            if compare
            else None
        )
        post_office_requests = len(esp.requests)

    from messaging.models import Message

    sent = [row for row in rows if row["status"] == Message.Status.SENT]
    first_tick = min(row["due_at"] for row in rows)
    dispatch_s = (
        max((row["sent_at"] - first_tick).total_seconds() for row in sent) if sent else None
    )
    per_message_id = Counter(request.header("Message-ID") for request in dispatch_requests)
    duplicates = sorted(mid for mid, n in per_message_id.items() if n > 1)
    issued = {r.header("Message-ID"): r.reply["MessageID"] for r in dispatch_requests}
    mismatched = [
        row["pk"] for row in sent if row["esp_message_id"] != issued.get(row["message_id"])
    ]

    problems = []
    if not drive.finished:
        problems.append(f"not every message settled within {config.timeout} s")
    if duplicates:
        problems.append(f"{len(duplicates)} message(s) reached the ESP more than once")
    if len(sent) != len(rows):
        problems.append(f"{len(rows) - len(sent)} message(s) not sent")
    if mismatched:
        problems.append(f"{len(mismatched)} sent message(s) store an id the ESP did not give")
    if len(dispatch_requests) != len(rows):
        problems.append(f"{len(dispatch_requests)} ESP requests for {len(rows)} messages")
    if compare and floor_sent != len(rows):
        problems.append(f"the floor sent {floor_sent} of {len(rows)}")
    if post_office and post_office["sent"] != len(rows):
        problems.append(f"post_office sent {post_office['sent']} of {len(rows)}")

    # The tick's cost among 1k and many future messages, on the same database.
    template = rows[0]["pk"]
    tick_1k = _tick_ms(1000, template)
    tick_big = _tick_ms(tick_rows, template)

    n = max(1, len(rows))
    ratio = lambda a, b: round(a / b, 3) if a and b else None  # noqa: E731
    report = {
        "messages": len(rows),
        "concurrency": f"{config.workers} workers x {config.concurrency} prefork = {concurrency}",
        "esp_latency_ms": esp_ms,
        "dispatch_s": round(dispatch_s, 3) if dispatch_s else None,
        "floor_s": round(floor_s, 3) if floor_s else None,
        "post_office_s": post_office["seconds"] if post_office else None,
        "dispatch_vs_floor": ratio(dispatch_s, floor_s),
        "dispatch_vs_post_office": ratio(dispatch_s, post_office and post_office["seconds"]),
        "worker_cpu_ms_per_message": round(cpu_s * 1000 / n, 3),
        "sql_statements_per_message": round(statements / n, 3),
        "transactions_committed_per_message": round(
            (stats_after["commits"] - stats_before["commits"]) / n, 3
        ),
        "db_connections_opened": stats_after["sessions"] - stats_before["sessions"],
        "peak_worker_rss_mb": peak_rss,
        "tick_ms_1k": tick_1k,
        f"tick_ms_{_rows_label(tick_rows)}": tick_big,
        "tick_rows": tick_rows,
        "tick_ratio": ratio(tick_big, tick_1k),
        "dispatch_ticks": drive.dispatch_runs,
        "esp_requests": {
            "floor": floor_requests,
            "dispatch": len(dispatch_requests),
            "post_office": post_office_requests,
        },
        "duplicates": len(duplicates),
        "not_sent": len(rows) - len(sent),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "problems": problems,
    }
    common.report_print("Dispatch benchmark", list(report.items()), problems)
    RESULTS.parent.mkdir(exist_ok=True)
    # Other benchmarks write their own keys to the same file: keep them.
    try:
        merged = json.loads(RESULTS.read_text())
    except (OSError, ValueError):
        merged = {}
    merged = (merged if isinstance(merged, dict) else {}) | report
    RESULTS.write_text(json.dumps(merged, indent=2) + "\n")
    print(f"Report: {RESULTS} and {common.report_write('bench', report)}")
    if problems:
        print(logs, file=sys.stderr)
    run.finish(passed=not problems)
    return 1 if problems else 0


def _rows_label(rows: int) -> str:
    return f"{rows // 1_000_000}m" if rows % 1_000_000 == 0 else f"{rows // 1000}k"


if __name__ == "__main__":
    sys.exit(main())
