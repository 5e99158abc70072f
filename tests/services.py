"""Reach the real services a test needs, or skip — and in CI, fail instead.

.ci/run sets FOLLOWUP_REQUIRE_SERVICES=1: there a missing PostgreSQL, Redis or
Chromium is a failure, never a quiet skip.
"""

from __future__ import annotations

import os
import shutil

import pytest
from django.db import connection

CHROMIUM = "/usr/bin/chromium"


def _missing(what: str) -> None:
    if os.environ.get("FOLLOWUP_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{what} is required here (FOLLOWUP_REQUIRE_SERVICES=1) but unavailable.")
    pytest.skip(f"{what} is not available")


def require_postgres() -> None:
    if connection.vendor != "postgresql":
        _missing("PostgreSQL (set DATABASE_URL=postgres://...)")


def redis_url() -> str:
    url = os.environ.get("REDIS_URL") or os.environ.get("TEST_REDIS_URL", "")
    if not url:
        _missing("Redis (set REDIS_URL=redis://127.0.0.1:6379/0)")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        _missing(f"Redis at {url} ({exc})")
    return url


def require_chromium() -> str:
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        _missing(f"Chromium at {CHROMIUM}")
    return CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")  # type: ignore[return-value]


def require_program(path: str, what: str) -> str:
    """The path of a program a test starts itself (dovecot), or skip — and in CI, fail."""
    if not os.access(path, os.X_OK):
        _missing(f"{what} at {path}")
    return path
