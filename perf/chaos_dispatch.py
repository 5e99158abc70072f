"""`make chaos`: the sending pipeline keeps its promises while the ESP fails and workers die.

The run of perf/common.py with faults injected:
- the fake Postmark answers each request from a seeded mix (CHAOS_SEED): accepted (200),
  a server error (500), rate limited (429), refused for good (422, inactive recipient), or
  accepted but answered only after Anymail's timeout (the ambiguous case);
- the workers run with short time limits, retries and FOLLOWUP_CLAIM_TIMEOUT_SECONDS, so
  retries and the recovery of dead claims both happen within the run;
- as the run progresses it SIGKILLs a whole worker (then starts it again) and, for a second
  kill, one prefork child (its parent replaces it); CHAOS_KILLS (2) kills in all.

Invariants, checked once every message has settled or CHAOS_TIMEOUT (300 s) has passed:
1. no message accepted by the ESP twice (a second acceptance that follows a timed-out one
   is counted apart: the at-least-once window of read timeouts, if dispatch ever resends);
2. every message ends sent or failed: none left approved, sending or anything else;
3. every failed message says why (status_reason);
4. every sent message stores the id the ESP gave it, and every attempt carried one Message-ID.
Prints a report, writes test-artifacts/chaos.json, exits 1 on a violation.
Environment: CHAOS_MESSAGES (300), CHAOS_SEED (1), CHAOS_KILLS (2), CHAOS_WORKERS (2),
CHAOS_CONCURRENCY (4), CHAOS_TIMEOUT; DATABASE_URL and REDIS_URL as for the benchmark.
Run it as `python -m perf.chaos_dispatch`.
"""

from __future__ import annotations

import email.utils
import random
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from followup import env
from perf import common
from tests.fakeesp import Answer, FakePostmark

ESP_TIMEOUT = 2  # seconds Anymail waits for an answer (ANYMAIL_REQUESTS_TIMEOUT)
SLOW_SECONDS = ESP_TIMEOUT + 1.5  # a slow answer comes well after the client gave up
# Short enough for retries and recovery to happen within the run. The claim timeout must
# outlast the task time limit plus the longest retry backoff (followup/settings.py).
SETTINGS = {
    "ANYMAIL_REQUESTS_TIMEOUT": str(ESP_TIMEOUT),
    "CELERY_TASK_SOFT_TIME_LIMIT": "5",
    "CELERY_TASK_TIME_LIMIT": "6",
    "FOLLOWUP_SEND_MAX_RETRIES": "3",
    "FOLLOWUP_SEND_RETRY_BACKOFF_SECONDS": "1",
    "FOLLOWUP_SEND_RETRY_BACKOFF_MAX": "4",
    "FOLLOWUP_CLAIM_TIMEOUT_SECONDS": "12",
}

ACCEPT, SLOW_ACCEPT = "accepted", "accepted after the timeout"
SERVER_ERROR, RATE_LIMITED, REFUSED = "500 server error", "429 rate limited", "422 refused"
# How often each answer comes (per request, so a retry draws again).
MIX = {ACCEPT: 60, SERVER_ERROR: 12, RATE_LIMITED: 10, SLOW_ACCEPT: 8, REFUSED: 10}
ACCEPTING = frozenset({ACCEPT, SLOW_ACCEPT})


@dataclass(frozen=True)
class Hit:
    """One request the fake ESP answered, and how."""

    pk: str  # our Message's pk, from the metadata Anymail sends
    message_id: str  # the email's Message-ID header
    kind: str
    esp_id: str  # the id the ESP gave when it accepted it


def _email_header(body: dict[str, Any], name: str) -> str:
    for item in body.get("Headers", []):
        if item["Name"].lower() == name.lower():
            return item["Value"]
    return ""


class FaultScript:
    """The fake ESP's answers: a seeded mix, drawn per message and attempt so a seed replays."""

    def __init__(self, *, seed: int) -> None:
        self.seed = seed
        self.tries: Counter[str] = Counter()
        self.hits: list[Hit] = []
        self.slow_until = 0.0  # when the last slow answer started so far will be given

    def slow_in_flight(self) -> bool:
        """Some worker is waiting on a slow answer right now (a kill then hits mid-send)."""
        return time.monotonic() < self.slow_until - 0.5

    def __call__(self, body: dict[str, Any]) -> Answer:
        # Called under the fake ESP's lock: no lock of our own needed.
        pk = str((body.get("Metadata") or {}).get("message_id", ""))
        attempt = self.tries[pk]
        self.tries[pk] += 1
        kind = random.Random(f"{self.seed}:{pk}:{attempt}").choices(
            list(MIX), weights=list(MIX.values())
        )[0]
        if kind in ACCEPTING:
            reply = FakePostmark.accepted(body)
            answer = Answer(200, reply, SLOW_SECONDS if kind == SLOW_ACCEPT else 0)
            if kind == SLOW_ACCEPT:
                self.slow_until = time.monotonic() + SLOW_SECONDS
        elif kind == REFUSED:
            address = email.utils.parseaddr(body.get("To", ""))[1].lower()
            reply = {
                "ErrorCode": 406,
                "Message": "You tried to send to a recipient that has been marked as "
                f"inactive.\nFound inactive addresses: {address}.\nInactive recipients are "
                "ones that have generated a hard bounce or a spam complaint.",
            }
            answer = Answer(422, reply)
        else:
            status = 500 if kind == SERVER_ERROR else 429
            reply = {"ErrorCode": status, "Message": f"Injected fault: {kind}."}
            answer = Answer(status, reply)
        self.hits.append(
            Hit(pk, _email_header(body, "Message-ID"), kind, str(reply.get("MessageID", "")))
        )
        return answer


class Killer:
    """SIGKILLs a worker each time the settled count passes the next threshold.

    Even kills take a whole worker and its pool down, then start it again; odd kills take
    one prefork child, which its parent replaces. Thresholds: 1/(k+2), 2/(k+2), ... of all;
    past one, the kill waits for a slow answer in flight (for up to a tenth of all messages
    more), so a worker is likely to die between calling the ESP and recording its answer.
    """

    def __init__(
        self, *, workers: common.Workers, script: FaultScript, total: int, kills: int
    ) -> None:
        self.workers, self.script = workers, script
        self.thresholds = [total * (n + 1) / (kills + 2) for n in range(kills)]
        self.patience = total / 10
        self.started = time.monotonic()
        self.done: list[dict[str, Any]] = []

    def __call__(self, settled: int) -> None:
        while len(self.done) < len(self.thresholds):
            number = len(self.done)
            threshold = self.thresholds[number]
            if settled < threshold or (
                settled < threshold + self.patience and not self.script.slow_in_flight()
            ):
                return
            index = number % self.workers.count + 1
            if number % 2 == 0:
                self.workers.kill(index)
                self.workers.start(index)
                what = f"w{index} and its pool killed, then started again"
            else:
                pid = self.workers.kill_child(index)
                what = f"prefork child {pid} of w{index} killed" if pid else "no child to kill"
            self.done.append(
                {
                    "at_seconds": round(time.monotonic() - self.started, 2),
                    "settled": settled,
                    "what": what,
                }
            )


def check(
    rows: list[dict[str, Any]], hits: list[Hit], *, interrupted: frozenset[int] = frozenset()
) -> tuple[list[str], dict[str, int]]:
    """The invariants' violations, and counts of the allowed but notable outcomes.

    `interrupted`: the pks of messages whose send was interrupted (Message.outcome_unknown).
    """
    from messaging.models import Message

    by_pk: dict[str, list[Hit]] = defaultdict(list)
    for hit in hits:
        by_pk[hit.pk].append(hit)
    problems: list[str] = []
    notable: Counter[str] = Counter()
    for row in rows:
        pk, status = row["pk"], row["status"]
        mine = by_pk.pop(str(pk), [])
        answered = [hit for hit in mine if hit.kind == ACCEPT]
        accepted = [hit for hit in mine if hit.kind in ACCEPTING]
        if len(answered) > 1:
            problems.append(f"message {pk}: accepted by the ESP {len(answered)} times")
        elif len(accepted) > 1:
            notable["accepted again after a timeout (at-least-once window)"] += 1
        if len({hit.message_id for hit in mine}) > 1:
            problems.append(f"message {pk}: its attempts carried different Message-IDs")
        if status not in (Message.Status.SENT, Message.Status.FAILED):
            problems.append(f"message {pk}: ended {status}, not sent or failed")
        elif status == Message.Status.FAILED:
            if not row["status_reason"]:
                problems.append(f"message {pk}: failed without a reason")
            if pk in interrupted:
                notable["failed as interrupted"] += 1
            if accepted:
                notable["failed although the ESP accepted it"] += 1
        elif not row["esp_message_id"]:
            problems.append(f"message {pk}: sent without the ESP's id")
        elif row["esp_message_id"] not in {hit.esp_id for hit in answered}:
            problems.append(f"message {pk}: sent with an id the ESP did not answer it with")
        if row["attempts"] > 1:
            notable["claimed more than once (recovered)"] += 1
    for pk in by_pk:
        problems.append(f"the ESP got a request for unknown message {pk!r}")
    return problems, dict(notable)


def interrupted_sends() -> frozenset[int]:
    """Messages whose send was interrupted after the ESP may have taken it (outcome unknown)."""
    from messaging.models import Message

    return frozenset(Message.objects.filter(outcome_unknown=True).values_list("pk", flat=True))


def _reason_kind(reason: str) -> str:
    """A failure reason without the message-specific part, for counting."""
    return reason.split(":")[0][:80]


def main() -> int:
    common.stop_cleanly_on_sigterm()
    try:
        config = common.read_config("chaos", messages=300, timeout=300, settings=SETTINGS)
        seed = env.integer("CHAOS_SEED", 1)
        kills = env.integer("CHAOS_KILLS", 2, minimum=1)
    except ImproperlyConfigured as exc:
        print(exc, file=sys.stderr)
        return 2

    script = FaultScript(seed=seed)
    with FakePostmark(respond=script) as esp:
        run = common.Run(config, esp_url=esp.url)
        with run:
            killer = Killer(workers=run.workers, script=script, total=config.messages, kills=kills)
            common.messages_make_due()
            drive = common.drive(config=config, workers=run.workers, on_poll=killer)
            logs = run.workers.log_tails()
        hits = list(script.hits)
    rows = common.message_rows()

    interrupted = interrupted_sends()
    problems, notable = check(rows, hits, interrupted=interrupted)
    notable["interrupted: worker died mid-send, settled by the sweep"] = len(interrupted)
    if not drive.finished:
        problems.insert(0, f"not every message settled within {config.timeout} s")
    if not killer.done:
        problems.append("the run ended before any worker was killed")
    statuses = Counter(row["status"] for row in rows)
    answers = Counter(hit.kind for hit in hits)
    reasons = Counter(
        _reason_kind(row["status_reason"]) for row in rows if row["status"] == "failed"
    )
    report = {
        "messages": len(rows),
        "seed": seed,
        "workers": f"{config.workers} x {config.concurrency} prefork",
        "settings": SETTINGS,
        "wall_seconds": round(drive.seconds, 2),
        "statuses": dict(statuses),
        "esp_requests": len(hits),
        "esp_answers": dict(answers),
        "kills": killer.done,
        "notable": notable,
        "failure_reasons": dict(reasons),
        "problems": problems,
    }
    rows_out: list[tuple[str, object]] = [
        ("messages", len(rows)),
        ("seed", seed),
        ("workers", report["workers"]),
        ("wall time (due -> all settled)", common.seconds(drive.seconds)),
        ("final statuses", dict(statuses)),
        ("ESP requests", len(hits)),
    ]
    rows_out += [(f"  {kind}", count) for kind, count in answers.most_common()]
    rows_out += [
        (f"kill {n}", f"{k['what']} ({k['at_seconds']} s)") for n, k in enumerate(killer.done, 1)
    ]
    rows_out += [(label, count) for label, count in sorted(notable.items())]
    rows_out += [(f"failed: {reason}", count) for reason, count in reasons.most_common()]
    common.report_print("Dispatch under faults", rows_out, problems)
    print(f"Report: {common.report_write('chaos', report)}")
    if problems:
        print(logs, file=sys.stderr)
    run.finish(passed=not problems)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
