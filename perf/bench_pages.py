"""`make bench-pages`: the busiest pages with a long history, against the same with a short one.

In one process, against a scratch PostgreSQL database (DATABASE_URL, loopback only; default
postgres://postgres@127.0.0.1:5432/followup_bench_pages, created and dropped):
1. four users, each with the same 20 applications (20 companies, a panel interview each);
2. each user gets SMALL (10) or ROWS (1,000) drafts, sent messages, timeline entries and
   outbox emails, either spread round-robin over the 20 applications or concentrated in the
   first one (one application, so one company too);
3. for each user, each page (the queue, the dashboard, the first application's page, the
   outbox) is fetched once to count its queries (Django's test client, DEBUG off), then
   BENCH_PAGES_REPEAT (7) times for its server time: the median;
4. each page's ratio: its time at ROWS over its time at SMALL, spread and concentrated.
Merges its keys (all under "pages") into bench/results.json, which `make bench` writes first
(perf.bench_dispatch), and writes test-artifacts/bench_pages.json. Exits 1 when a page's
query count differs between SMALL and ROWS (that is deterministic); the time ratios are
reported against the target (1.5), not enforced: the machine is shared.
BENCH_PAGES_ROWS and BENCH_PAGES_REPEAT set the size (CI's small run: 300 and 3).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
import warnings
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

from followup import env
from perf import common

RESULTS = common.ROOT / "bench" / "results.json"
SMALL = 10
APPLICATIONS = 20
TARGET_RATIO = 1.5
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/followup_bench_pages"
PAGES = ("queue", "dashboard", "application", "outbox")
SHAPES = ("spread", "concentrated")


@dataclass(frozen=True)
class World:
    """One user's world: who they are and the application whose page is measured."""

    user_id: int
    application_id: int


def _seed(*, email: str, rows: int, shape: str) -> World:
    """A user with APPLICATIONS applications, and `rows` of each kind of history row."""
    from tests.builders.accounts import make_user
    from tests.builders.history import add_history, history_applications

    applications = history_applications(make_user(email), APPLICATIONS)
    add_history(applications, rows=rows, shape=shape)
    return World(user_id=applications[0].user_id, application_id=applications[0].pk)


def _urls(world: World) -> dict[str, str]:
    from django.urls import reverse

    from interviews.models import Application

    return {
        "queue": reverse("messaging:queue"),
        "dashboard": reverse("interviews:dashboard"),
        "application": Application.objects.get(pk=world.application_id).get_absolute_url(),
        "outbox": reverse("messaging:outbox"),
    }


def _measure(world: World, *, repeat: int) -> dict[str, dict[str, float | int]]:
    """Per page: its query count (one fetch) and its median server time over `repeat` fetches."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from followup.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(pk=world.user_id))
    measured: dict[str, dict[str, float | int]] = {}
    for page, url in _urls(world).items():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{page} ({url}) answered {response.status_code}")
        # Read now: the next request empties the connection's query log.
        count = len(queries.captured_queries)
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(url)
            times.append(time.perf_counter() - started)
        measured[page] = {
            "ms": round(statistics.median(times) * 1000, 1),
            "queries": count,
        }
    return measured


def _configure(database_url: str) -> None:
    """Django on the scratch database, with the app's own settings and no Redis."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "followup.settings",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or "perf-runs-only-" + "x" * 40,
            "DEBUG": "false",
            "DATABASE_URL": database_url,
            "REDIS_URL": "",
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "false",
            "LOG_LEVEL": "WARNING",
            "VAR_DIR": str(common.ARTIFACTS / "bench-pages-var"),
        }
    )
    for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL"):
        os.environ.pop(f"{name}_FILE", None)
    import django
    from django.conf import settings
    from django.core.management import call_command

    # The pages are served from the templates here, not from collected static files.
    warnings.filterwarnings("ignore", "No directory at", UserWarning)

    django.setup()
    # Pages resolve {% static %} without a collectstatic manifest (as in the test suite).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("migrate", interactive=False, verbosity=0)


def _analyze() -> None:
    """Fresh planner statistics, as autovacuum keeps them on a database in use."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _merge(report: dict) -> None:
    """Add this run's keys to bench/results.json, keeping what the dispatch bench wrote."""
    try:
        results = json.loads(RESULTS.read_text())
    except (OSError, ValueError):
        results = {}
    if not isinstance(results, dict):
        results = {}
    results["pages"] = report
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")


def main() -> int:
    common.stop_cleanly_on_sigterm()
    try:
        rows = env.integer("BENCH_PAGES_ROWS", 1000, minimum=SMALL * 2)
        repeat = env.integer("BENCH_PAGES_REPEAT", 7, minimum=1)
        database_url = env.string("DATABASE_URL", DEFAULT_DATABASE_URL)
    except ImproperlyConfigured as exc:
        print(exc, file=sys.stderr)
        return 2
    common.require_loopback(DATABASE_URL=database_url)
    common.scratch_database_create(database_url)
    passed = False
    try:
        _configure(database_url)
        measured: dict[str, dict[str, dict]] = {}
        worlds = {
            (shape, size): _seed(email=f"{shape}-{size}@bench.example", rows=size, shape=shape)
            for shape in SHAPES
            for size in (SMALL, rows)
        }
        _analyze()
        for shape in SHAPES:
            measured[shape] = {}
            for size in (SMALL, rows):
                measured[shape][str(size)] = _measure(worlds[shape, size], repeat=repeat)
        report, problems = _report(measured, rows=rows, repeat=repeat)
        _merge(report)
        print(f'Report: {RESULTS} ("pages") and {common.report_write("bench_pages", report)}')
        passed = not problems
    finally:
        from django.db import connections

        connections.close_all()
        if passed:
            common.scratch_database_drop(database_url)
    return 0 if passed else 1


def _report(measured: dict, *, rows: int, repeat: int) -> tuple[dict, list[str]]:
    """The figures, printed and returned; problems are query counts that grew."""
    report: dict = {
        "rows": rows,
        "small_rows": SMALL,
        "applications": APPLICATIONS,
        "repeat": repeat,
        "target_ratio": TARGET_RATIO,
    }
    lines: list[tuple[str, object]] = []
    problems: list[str] = []
    slow: list[str] = []
    for shape in SHAPES:
        small, big = measured[shape][str(SMALL)], measured[shape][str(rows)]
        for page in PAGES:
            ratio = round(big[page]["ms"] / max(small[page]["ms"], 0.1), 2)
            key = f"{page}_{shape}"
            report[key] = {
                f"ms_{SMALL}": small[page]["ms"],
                f"ms_{rows}": big[page]["ms"],
                "ratio": ratio,
                f"queries_{SMALL}": small[page]["queries"],
                f"queries_{rows}": big[page]["queries"],
            }
            lines.append(
                (
                    f"{page}, {shape}",
                    f"{small[page]['ms']} ms -> {big[page]['ms']} ms (x{ratio}); queries "
                    f"{small[page]['queries']} -> {big[page]['queries']}",
                )
            )
            if big[page]["queries"] != small[page]["queries"]:
                problems.append(
                    f"{key}: {small[page]['queries']} -> {big[page]['queries']} queries"
                )
            if ratio > TARGET_RATIO:
                slow.append(f"{key}: x{ratio}")
    report["over_target"] = slow
    report["problems"] = problems
    report["load_average"] = [round(x, 2) for x in os.getloadavg()]
    common.report_print(f"Pages at {SMALL} and {rows} rows", lines, problems)
    if slow:
        print(f"Over the x{TARGET_RATIO} target (reported, not enforced): {', '.join(slow)}")
    return report, problems


if __name__ == "__main__":
    sys.exit(main())
