"""Counting a worker's SQL statements for `make bench` (loaded by perf.settings_bench only)."""

from __future__ import annotations

import os
from typing import Any

from celery.signals import task_postrun
from django.db.backends.signals import connection_created

STATEMENTS_KEY = "followup-bench:sql-statements"
_counted = 0


def _count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    global _counted
    _counted += 1
    return execute(sql, params, many, context)


def _on_connection(sender: Any, connection: Any, **kwargs: Any) -> None:
    if _count not in connection.execute_wrappers:
        connection.execute_wrappers.append(_count)


def _flush(**kwargs: Any) -> None:
    """Add this process's count to the run's total (one Redis call per task, not per query)."""
    global _counted
    if not _counted:
        return
    import redis

    redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=5).incrby(
        STATEMENTS_KEY, _counted
    )
    _counted = 0


connection_created.connect(_on_connection, dispatch_uid="perf-count-statements")
task_postrun.connect(_flush, dispatch_uid="perf-flush-statements", weak=False)
