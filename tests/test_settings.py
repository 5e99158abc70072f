"""Settings come from the environment only, strictly; each case loads them afresh.

Every case runs in a subprocess with a clean environment, so the settings of
the test process itself are never touched.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_DUMP = """
import json, os
os.environ["DJANGO_SETTINGS_MODULE"] = "followup.settings"
import django
from django.conf import settings
django.setup()
names = [
    "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "DATABASES", "CACHES",
    "CELERY_BROKER_URL", "EMAIL_BACKEND", "ANYMAIL", "DEFAULT_FROM_EMAIL", "SERVER_EMAIL",
    "VAR_DIR", "CELERY_BEAT_SCHEDULE_FILENAME", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE",
    "FOLLOWUP_INBOUND_AUTHSERV_ID",
]
dump = {name: getattr(settings, name, None) for name in names}
dump["CELERY_BROKER_TRANSPORT_OPTIONS"] = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
print(json.dumps(dump, default=str))
"""


def _clean_env(**variables: str) -> dict[str, str]:
    """Only PATH and the given variables: nothing leaks in from the test run."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **variables}


def _run(args: list[str], **variables: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=_clean_env(**variables),
        capture_output=True,
        text=True,
        timeout=120,
    )


def load_settings(**variables: str) -> dict:
    result = _run(["-c", _DUMP], **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def start_up_error(**variables: str) -> str:
    result = _run(["-c", _DUMP], **variables)
    assert result.returncode != 0, "settings loaded but should have refused to start"
    return result.stderr


def test_the_embedded_default_needs_no_service(tmp_path):
    loaded = load_settings(DEBUG="true", VAR_DIR=str(tmp_path))

    database = loaded["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(database["NAME"]) == tmp_path / "db.sqlite3"
    assert loaded["CELERY_BROKER_URL"] == "filesystem://"
    options = loaded["CELERY_BROKER_TRANSPORT_OPTIONS"]
    assert Path(options["data_folder_in"]).is_relative_to(tmp_path)
    assert Path(options["processed_folder"]).is_relative_to(tmp_path)
    assert Path(loaded["CELERY_BEAT_SCHEDULE_FILENAME"]).is_relative_to(tmp_path)
    assert loaded["EMAIL_BACKEND"] == "messaging.outbox.OutboxEmailBackend"
    assert "locmem" in loaded["CACHES"]["default"]["BACKEND"]
    assert "127.0.0.1" in loaded["ALLOWED_HOSTS"]


def test_migrate_works_on_a_fresh_var_dir_that_does_not_exist_yet(tmp_path):
    var_dir = tmp_path / "fresh" / "var"
    result = _run(["manage.py", "migrate", "--noinput"], DEBUG="true", VAR_DIR=str(var_dir))
    assert result.returncode == 0, result.stderr
    assert (var_dir / "db.sqlite3").is_file()


def test_without_var_dir_everything_local_lives_under_var():
    loaded = load_settings(DEBUG="true")
    assert Path(loaded["VAR_DIR"]) == ROOT / "var"
    assert Path(loaded["DATABASES"]["default"]["NAME"]) == ROOT / "var" / "db.sqlite3"
    assert Path(loaded["CELERY_BROKER_TRANSPORT_OPTIONS"]["data_folder_in"]).is_relative_to(
        ROOT / "var"
    )


def test_debug_is_off_unless_asked_for():
    loaded = load_settings(SECRET_KEY="k" * 50)
    assert loaded["DEBUG"] is False
    assert loaded["ALLOWED_HOSTS"] == []
    assert loaded["SECURE_SSL_REDIRECT"] is True
    assert loaded["SESSION_COOKIE_SECURE"] is True


def test_a_missing_secret_key_with_debug_off_is_a_clear_start_up_error():
    error = start_up_error(DEBUG="false")
    assert "SECRET_KEY must be set when DEBUG is off" in error


def test_an_empty_secret_key_counts_as_missing():
    assert "SECRET_KEY must be set" in start_up_error(SECRET_KEY="")


def test_a_debug_value_that_is_not_a_boolean_is_refused():
    error = start_up_error(DEBUG="ture", SECRET_KEY="k" * 50)
    assert "DEBUG='ture' is not a boolean" in error


def test_a_number_that_is_not_a_number_is_refused():
    error = start_up_error(DEBUG="true", FOLLOWUP_DISPATCH_INTERVAL_SECONDS="soon")
    assert "FOLLOWUP_DISPATCH_INTERVAL_SECONDS='soon' is not a whole number" in error


def test_a_secret_can_come_from_a_file(tmp_path):
    secret_file = tmp_path / "secret_key"
    secret_file.write_text("from-a-docker-secret-" + "s" * 40 + "\n")
    loaded = load_settings(SECRET_KEY_FILE=str(secret_file))
    assert loaded["SECRET_KEY"] == "from-a-docker-secret-" + "s" * 40


def test_an_unreadable_secret_file_is_a_start_up_error(tmp_path):
    error = start_up_error(SECRET_KEY_FILE=str(tmp_path / "missing"))
    assert "SECRET_KEY_FILE" in error and "cannot be read" in error


def test_anymail_variables_become_the_anymail_settings(tmp_path):
    webhook_secret = tmp_path / "webhook"
    webhook_secret.write_text("hook:s3cret")
    loaded = load_settings(
        DEBUG="true",
        EMAIL_BACKEND="anymail.backends.postmark.EmailBackend",
        ANYMAIL_POSTMARK_SERVER_TOKEN="server-token",
        ANYMAIL_POSTMARK_API_URL="http://127.0.0.1:9999/",
        ANYMAIL_WEBHOOK_SECRET_FILE=str(webhook_secret),
    )
    assert loaded["EMAIL_BACKEND"] == "anymail.backends.postmark.EmailBackend"
    anymail = loaded["ANYMAIL"]
    assert anymail["POSTMARK_SERVER_TOKEN"] == "server-token"
    # The API URL belongs inside ANYMAIL, where Anymail reads it (not top-level).
    assert anymail["POSTMARK_API_URL"] == "http://127.0.0.1:9999/"
    assert anymail["WEBHOOK_SECRET"] == "hook:s3cret"
    assert not any(key.endswith("_FILE") for key in anymail)


def test_production_services_come_from_their_urls():
    loaded = load_settings(
        DEBUG="true",
        DATABASE_URL="postgres://followup:pw@db.internal:5432/followup",
        REDIS_URL="redis://127.0.0.1:6379/3",
        CONN_MAX_AGE="30",
        ALLOWED_HOSTS="followup.example.com, www.followup.example.com",
        CSRF_TRUSTED_ORIGINS="https://followup.example.com",
        DEFAULT_FROM_EMAIL="Followup <hello@followup.example.com>",
    )
    database = loaded["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["NAME"], database["CONN_MAX_AGE"]) == (
        "db.internal",
        "followup",
        30,
    )
    assert loaded["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/3"
    assert loaded["CACHES"]["default"]["LOCATION"] == "redis://127.0.0.1:6379/3"
    assert loaded["ALLOWED_HOSTS"] == ["followup.example.com", "www.followup.example.com"]
    assert loaded["CSRF_TRUSTED_ORIGINS"] == ["https://followup.example.com"]
    assert loaded["DEFAULT_FROM_EMAIL"] == "Followup <hello@followup.example.com>"
    assert loaded["SERVER_EMAIL"] == "Followup <hello@followup.example.com>"


def test_the_deploy_check_is_clean_under_production_settings(tmp_path):
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="followup.example.com",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        VAR_DIR=str(tmp_path),
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNING" not in output


# Names read through followup.env anywhere in the project's code.
_READ = re.compile(
    r"env\.(?:raw|string|boolean|integer|string_list|prefixed)\(\s*\"([A-Z][A-Z0-9_]*)\"", re.S
)


def _variables_read_by_the_code() -> set[str]:
    names: set[str] = set()
    for folder in ("followup", "interviews", "messaging"):
        for path in (ROOT / folder).rglob("*.py"):
            names |= set(_READ.findall(path.read_text()))
    return names


def test_env_example_documents_every_variable_the_code_reads():
    example = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", example, re.M))
    read = _variables_read_by_the_code()
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "ANYMAIL_"} <= read
    missing = {name for name in read if not name.endswith("_")} - documented
    assert not missing, f".env.example lacks: {sorted(missing)}"
    # Prefixes such as ANYMAIL_ are documented by at least one example key.
    for prefix in (name for name in read if name.endswith("_")):
        assert any(name.startswith(prefix) for name in documented), prefix


def test_each_variable_in_env_example_has_a_comment_above_it():
    lines = (ROOT / ".env.example").read_text().splitlines()
    for index, line in enumerate(lines):
        if re.match(r"^[A-Z][A-Z0-9_]*=", line):
            block = lines[max(0, index - 1)]
            assert block.startswith("#"), f"{line!r} has no comment above it"


def test_an_anymail_backend_without_a_webhook_secret_refuses_to_start():
    error = start_up_error(
        DEBUG="true",
        EMAIL_BACKEND="anymail.backends.postmark.EmailBackend",
        ANYMAIL_POSTMARK_SERVER_TOKEN="server-token",
    )
    assert "ANYMAIL_WEBHOOK_SECRET must be set" in error


def test_the_local_outbox_needs_no_webhook_secret():
    loaded = load_settings(DEBUG="true")
    assert "WEBHOOK_SECRET" not in loaded["ANYMAIL"]


def test_a_claim_timeout_shorter_than_a_send_refuses_to_start():
    # Retries wait approved, not claimed (messaging.dispatch.chunks): only the task's
    # time limit bounds how long a live send holds its claim.
    error = start_up_error(
        DEBUG="true", CELERY_TASK_TIME_LIMIT="120", FOLLOWUP_CLAIM_TIMEOUT_SECONDS="100"
    )
    assert "FOLLOWUP_CLAIM_TIMEOUT_SECONDS (100) must be longer than" in error


def test_no_inbound_authserv_id_is_trusted_unless_one_is_set():
    assert load_settings(DEBUG="true")["FOLLOWUP_INBOUND_AUTHSERV_ID"] == ""
    loaded = load_settings(DEBUG="true", FOLLOWUP_INBOUND_AUTHSERV_ID="mx.postmarkapp.com")
    assert loaded["FOLLOWUP_INBOUND_AUTHSERV_ID"] == "mx.postmarkapp.com"


def test_a_reply_domain_that_is_not_a_domain_refuses_to_start():
    error = start_up_error(DEBUG="true", FOLLOWUP_REPLY_DOMAIN="replies@example.com")
    assert "FOLLOWUP_REPLY_DOMAIN must be a domain name" in error
    # Any case, and a trailing dot as in DNS: the same domain.
    load_settings(DEBUG="true", FOLLOWUP_REPLY_DOMAIN="Replies.Example.COM.")


_URLS = """
import os
os.environ["DJANGO_SETTINGS_MODULE"] = "followup.settings"
import django
django.setup()
from django.urls import resolve, Resolver404
try:
    print(resolve("/anymail/postmark/tracking/").url_name)
except Resolver404:
    print("none")
"""


def test_the_webhook_urls_exist_only_with_a_webhook_secret():
    without = _run(["-c", _URLS], DEBUG="true")
    with_secret = _run(["-c", _URLS], DEBUG="true", ANYMAIL_WEBHOOK_SECRET="hook:s3cret")

    assert without.stdout.strip().splitlines()[-1] == "none", without.stderr
    assert with_secret.stdout.strip().splitlines()[-1] == "postmark_tracking_webhook", (
        with_secret.stderr
    )


def test_manage_py_in_a_bare_checkout_shell_runs_as_local_development(tmp_path):
    result = _run(["manage.py", "check"], VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr


def test_manage_py_with_debug_off_still_needs_a_secret_key(tmp_path):
    result = _run(["manage.py", "check"], DEBUG="false", VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_the_web_server_without_debug_or_secret_key_refuses_to_start(tmp_path):
    result = _run(["-c", "import followup.wsgi"], VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr
