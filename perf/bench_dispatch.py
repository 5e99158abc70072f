"""`make bench`: how fast real workers send N approved messages, each exactly once.

Environment: BENCH_MESSAGES (2000), BENCH_WORKERS (2) x BENCH_CONCURRENCY (4) prefork
processes, BENCH_TIMEOUT (300 s) for every message to go out; DATABASE_URL and REDIS_URL
name a scratch database and Redis database on loopback (see perf/common.py). The fake
Postmark on 127.0.0.1 accepts every request. Prints a report, writes test-artifacts/bench.json,
and exits 1 when a message was sent twice, not at all, or recorded with an id the ESP did not
give it. Run it as `python -m perf.bench_dispatch`.
"""

from __future__ import annotations

import sys
from collections import Counter

from django.core.exceptions import ImproperlyConfigured

from perf import common
from tests.fakeesp import FakePostmark


def main() -> int:
    common.stop_cleanly_on_sigterm()
    try:
        config = common.read_config("bench", messages=2000, timeout=300)
    except ImproperlyConfigured as exc:
        print(exc, file=sys.stderr)
        return 2

    with FakePostmark() as esp:
        run = common.Run(config, esp_url=esp.url)
        with run:
            due = common.messages_make_due()
            drive = common.drive(config=config, workers=run.workers)
            logs = run.workers.log_tails()
    rows = common.message_rows()

    from messaging.models import Message

    sent = [row for row in rows if row["status"] == Message.Status.SENT]
    latencies = [(row["sent_at"] - row["due_at"]).total_seconds() for row in sent]
    wall = max((row["sent_at"] - due).total_seconds() for row in sent) if sent else drive.seconds
    per_message_id = Counter(request.header("Message-ID") for request in esp.requests)
    duplicates = sorted(mid for mid, n in per_message_id.items() if n > 1)
    issued = {request.header("Message-ID"): request.reply["MessageID"] for request in esp.requests}
    mismatched = [
        row["pk"] for row in sent if row["esp_message_id"] != issued.get(row["message_id"])
    ]
    statuses = Counter(row["status"] for row in rows)

    problems = []
    if not drive.finished:
        problems.append(f"not every message settled within {config.timeout} s")
    if duplicates:
        problems.append(f"{len(duplicates)} message(s) reached the ESP more than once")
    if len(sent) != len(rows):
        problems.append(f"{len(rows) - len(sent)} message(s) not sent: {dict(statuses)}")
    if mismatched:
        problems.append(f"{len(mismatched)} sent message(s) store an id the ESP did not give")
    if len(esp.requests) != len(rows):
        problems.append(f"{len(esp.requests)} ESP requests for {len(rows)} messages")

    report = {
        "messages": len(rows),
        "workers": f"{config.workers} x {config.concurrency} prefork",
        "wall_seconds": round(wall, 3),
        "messages_per_second": round(len(sent) / wall, 1) if wall > 0 else None,
        "due_to_sent_p50_seconds": common.percentile(latencies, 50),
        "due_to_sent_p95_seconds": common.percentile(latencies, 95),
        "esp_requests": len(esp.requests),
        "duplicates": len(duplicates),
        "not_sent": len(rows) - len(sent),
        "claimed_more_than_once": sum(1 for row in rows if row["attempts"] > 1),
        "dispatch_runs": drive.dispatch_runs,
        "statuses": dict(statuses),
        "problems": problems,
    }
    common.report_print(
        "Dispatch benchmark",
        [
            ("messages", report["messages"]),
            ("workers", report["workers"]),
            ("wall time (due -> last sent)", common.seconds(wall)),
            ("messages/s", report["messages_per_second"]),
            ("due -> sent p50", common.seconds(report["due_to_sent_p50_seconds"])),
            ("due -> sent p95", common.seconds(report["due_to_sent_p95_seconds"])),
            ("ESP requests received", report["esp_requests"]),
            ("duplicates", report["duplicates"]),
            ("not sent", report["not_sent"]),
            ("claimed more than once", report["claimed_more_than_once"]),
            ("dispatch runs sent", report["dispatch_runs"]),
        ],
        problems,
    )
    print(f"Report: {common.report_write('bench', report)}")
    if problems:
        print(logs, file=sys.stderr)
    run.finish(passed=not problems)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
