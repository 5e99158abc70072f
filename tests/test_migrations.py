"""The suite runs with --nomigrations, so prove here that the migrations build the schema."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

from tests.services import require_postgres

ROOT = Path(__file__).resolve().parent.parent


def migrate(database_url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ["PATH"],
        "DATABASE_URL": database_url,
        "SECRET_KEY": "migration-test-" + "x" * 40,
        "VAR_DIR": str(tmp_path),
    }
    return subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_migrations_build_an_empty_sqlite_database(tmp_path):
    result = migrate(f"sqlite:///{tmp_path / 'fresh.sqlite3'}", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Applying messaging.0001_initial... OK" in result.stdout


@pytest.mark.django_db(transaction=True)
def test_migrations_build_an_empty_postgresql_database(tmp_path):
    require_postgres()
    name = f"fu_migrate_{uuid.uuid4().hex[:8]}"
    settings = connection.settings_dict
    host = f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
    base = f"postgres://{settings['USER']}@{host}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        result = migrate(f"{base}/{name}", tmp_path)
        assert result.returncode == 0, result.stderr
        assert "Applying interviews.0002_initial... OK" in result.stdout
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
