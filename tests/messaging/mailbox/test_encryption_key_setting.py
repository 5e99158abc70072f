"""FOLLOWUP_FIELD_ENCRYPTION_KEY: strict at start-up, a development key only with DEBUG on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[3]
_DUMP = """
import json, os
os.environ["DJANGO_SETTINGS_MODULE"] = "followup.settings"
from django.conf import settings
print(json.dumps([settings.FOLLOWUP_FIELD_ENCRYPTION_KEYS, settings.FOLLOWUP_MAILBOX_PRIVATE_HOSTS,
                  settings.CELERY_BEAT_SCHEDULE["poll-mailboxes"]["schedule"]]))
"""


def run(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "VAR_DIR": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "-c", _DUMP],
        cwd=ROOT,
        env=environment | variables,
        capture_output=True,
        text=True,
        timeout=120,
    )


def loaded(tmp_path: Path, **variables: str) -> list:
    result = run(tmp_path, **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_without_a_key_keeps_no_password(tmp_path):
    keys, private_hosts, every = loaded(tmp_path, SECRET_KEY="s" * 50)

    assert keys == []
    assert private_hosts is False
    assert every == 300


def test_development_derives_a_key_from_the_secret_key(tmp_path):
    first = loaded(tmp_path, DEBUG="true", SECRET_KEY="a" * 50)[0]
    again = loaded(tmp_path, DEBUG="true", SECRET_KEY="a" * 50)[0]
    other = loaded(tmp_path, DEBUG="true", SECRET_KEY="b" * 50)[0]

    assert len(first) == 1 and first == again != other
    Fernet(first[0])  # a usable key


def test_keys_from_the_environment_in_their_order(tmp_path):
    new, old = Fernet.generate_key().decode(), Fernet.generate_key().decode()

    keys, _, every = loaded(
        tmp_path,
        SECRET_KEY="s" * 50,
        FOLLOWUP_FIELD_ENCRYPTION_KEY=f"{new}, {old}",
        FOLLOWUP_IMAP_POLL_SECONDS="60",
    )

    assert keys == [new, old]
    assert every == 60


def test_a_key_that_is_not_a_fernet_key_stops_start_up(tmp_path):
    result = run(tmp_path, SECRET_KEY="s" * 50, FOLLOWUP_FIELD_ENCRYPTION_KEY="hunter2")

    assert result.returncode != 0
    assert "FOLLOWUP_FIELD_ENCRYPTION_KEY holds a value that is not a Fernet key" in result.stderr
    assert "hunter2" not in result.stderr
