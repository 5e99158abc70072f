"""Security headers: a strict Content-Security-Policy everywhere, no caching of signed-in pages.

The policy itself is proved in a real browser by tests/browser/test_csp.py (no violation
on the main pages); here the headers and settings are pinned down with the test client.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from messaging.models import OutboxEmail
from tests.builders.messages import draft, panel


def _directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


@pytest.fixture
def main_pages(user) -> dict[str, str]:
    application, _people = panel(user)
    draft(application)
    kept = OutboxEmail.objects.create(
        user=user,
        subject="Thank you",
        from_email="Alex Morgan <followup@localhost>",
        to="dana@acme.example",
        body_text="Thank you.",
        body_html="<p>Thank you <b>today</b>.</p>",
        headers={},
    )
    return {
        "dashboard": reverse("interviews:dashboard"),
        "log interview": reverse("interviews:log"),
        "application": reverse("interviews:application", args=[application.pk]),
        "queue": reverse("messaging:queue"),
        "outbox": reverse("messaging:outbox"),
        "outbox email": reverse("messaging:outbox_detail", args=[kept.pk]),
        "profile": reverse("accounts:profile"),
        "companies": reverse("interviews:companies"),
    }


def _assert_strict_script_policy(response) -> None:
    directives = _directives(response)
    script_src = directives.get("script-src", directives.get("default-src"))
    assert script_src == ["'self'"], response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]


@pytest.mark.django_db
def test_every_main_page_carries_a_strict_content_security_policy(owner_client, main_pages):
    for name, url in main_pages.items():
        response = owner_client.get(url)
        assert response.status_code == 200, name
        _assert_strict_script_policy(response)


@pytest.mark.django_db
def test_the_pages_before_log_in_carry_it_too(client):
    for url in (reverse("accounts:login"), reverse("accounts:signup")):
        response = client.get(url)
        assert response.status_code == 200
        _assert_strict_script_policy(response)


@pytest.mark.django_db
def test_the_pages_have_no_inline_script_handler_or_style_attribute(owner_client, main_pages):
    urls = [*main_pages.values(), reverse("accounts:login"), reverse("accounts:signup")]
    for url in urls:
        page = owner_client.get(url).content.decode()
        # Scripts only from files (json_script data blocks do not run and are allowed).
        for tag in re.findall(r"<script\b[^>]*>", page):
            assert "src=" in tag or 'type="application/json"' in tag, (url, tag)
        assert not re.search(r"\son[a-z]+\s*=", page), url
        assert not re.search(r"\sstyle\s*=", page), url
        assert "<style" not in page, url


def test_the_error_pages_inline_style_is_allowed_by_its_hash_only():
    # The error layout keeps its own <style> (no static files needed to render a 500);
    # the policy names exactly that block's hash, and no 'unsafe-inline'.
    style_src = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"]
    assert "'unsafe-inline'" not in style_src
    hashes = [source for source in style_src if source.startswith("'sha256-")]
    assert len(hashes) == 1


@pytest.mark.django_db
def test_an_error_page_carries_the_policy(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    _assert_strict_script_policy(response)


@pytest.mark.django_db
def test_signed_in_pages_are_not_stored_by_any_cache(owner_client, main_pages):
    for name, url in main_pages.items():
        response = owner_client.get(url)
        cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= cache_control, (name, response["Cache-Control"])
        assert "public" not in cache_control


@pytest.mark.django_db
def test_in_place_htmx_answers_are_not_stored_either(owner_client, user):
    application, _people = panel(user)
    message = draft(application)
    response = owner_client.get(
        reverse("messaging:queue_card", args=[message.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_an_anonymous_page_is_left_to_its_view(client):
    # The log-in page is never_cache by its own view; our middleware adds nothing for visitors.
    response = client.get(reverse("accounts:signup"))
    assert "private" not in response.get("Cache-Control", "")


@pytest.mark.django_db
def test_the_login_pages_static_files_stay_cacheable_even_for_a_signed_in_user(user, settings):
    # Static files are answered by whitenoise before the session is read: the signed-in
    # rule never reaches them. (Finders: the tests run without collectstatic.)
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    client = Client()
    page = client.get(reverse("accounts:login")).content.decode()
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
    assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets)
    client.force_login(user)
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert "no-store" not in response.get("Cache-Control", ""), asset
        assert "private" not in response.get("Cache-Control", ""), asset


@pytest.mark.django_db
def test_the_health_check_is_untouched(owner_client):
    response = owner_client.get("/healthz/")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


# --- Session idle timeout and error reports: settings from the environment ------------------

ROOT = Path(__file__).resolve().parent.parent
_DUMP = """
import json, os
os.environ["DJANGO_SETTINGS_MODULE"] = "followup.settings"
import django
from django.conf import settings
django.setup()
names = ["ADMINS", "SESSION_COOKIE_AGE", "SESSION_SAVE_EVERY_REQUEST"]
print(json.dumps({name: getattr(settings, name) for name in names}))
"""


def _settings_run(**variables: str) -> subprocess.CompletedProcess[str]:
    """The real settings in a subprocess with only PATH and `variables` set."""
    return subprocess.run(
        [sys.executable, "-c", _DUMP],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **variables},
        capture_output=True,
        text=True,
        timeout=120,
    )


def load_settings(**variables: str) -> dict:
    result = _settings_run(**variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def start_up_error(**variables: str) -> str:
    result = _settings_run(**variables)
    assert result.returncode != 0, "settings loaded but should have refused to start"
    return result.stderr


def test_sessions_expire_after_the_idle_time_and_each_request_renews_it():
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE == settings.FOLLOWUP_SESSION_IDLE_MINUTES * 60


@pytest.mark.django_db
def test_a_request_renews_the_session_cookie(owner_client):
    response = owner_client.get(reverse("interviews:dashboard"))
    cookie = response.cookies["sessionid"]
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE


def test_the_idle_time_comes_from_the_environment():
    loaded = load_settings(DEBUG="true", FOLLOWUP_SESSION_IDLE_MINUTES="30")
    assert loaded["SESSION_COOKIE_AGE"] == 30 * 60
    assert loaded["SESSION_SAVE_EVERY_REQUEST"] is True
    assert load_settings(DEBUG="true")["SESSION_COOKIE_AGE"] == 480 * 60


def test_an_idle_time_that_is_not_a_number_is_refused():
    error = start_up_error(DEBUG="true", FOLLOWUP_SESSION_IDLE_MINUTES="an hour")
    assert "FOLLOWUP_SESSION_IDLE_MINUTES='an hour' is not a whole number" in error
    assert "must be at least 5" in start_up_error(DEBUG="true", FOLLOWUP_SESSION_IDLE_MINUTES="0")


def test_admins_come_from_the_environment():
    loaded = load_settings(DEBUG="true", ADMINS="Alex Morgan <alex@example.com>, ops@example.org")
    assert loaded["ADMINS"] == [
        ["Alex Morgan", "alex@example.com"],
        ["ops@example.org", "ops@example.org"],
    ]
    assert load_settings(DEBUG="true")["ADMINS"] == []


@pytest.mark.parametrize(
    "value",
    ["Alex Morgan alex@example.com", "Alex <not-an-address>", "Alex <a@example.com", "a@b, ,"],
)
def test_an_admins_value_that_does_not_parse_is_refused(value):
    error = start_up_error(DEBUG="true", ADMINS=value)
    assert "ADMINS=" in error and "Name <address>" in error


def test_server_errors_are_mailed_to_the_admins():
    # Django's own "django" logger mails 500s to ADMINS (when DEBUG is off); our LOGGING
    # must not have replaced it.
    import logging

    from django.utils.log import AdminEmailHandler

    handlers = logging.getLogger("django").handlers
    assert any(isinstance(handler, AdminEmailHandler) for handler in handlers)


def test_signed_in_pages_under_debug_off_settings_are_still_covered():
    assert "followup.middleware.PrivatePagesMiddleware" in settings.MIDDLEWARE
    assert "csp.middleware.CSPMiddleware" in settings.MIDDLEWARE
