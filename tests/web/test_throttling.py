"""Throttling: failed log-ins lock out (django-axes); sign-up and password reset have limits."""

from __future__ import annotations

import axes.conf  # noqa: F401 - sets Axes' defaults on the settings before any test overrides them
import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from followup.accounts import throttle
from followup.accounts.models import User
from tests.builders.accounts import PASSWORD
from tests.builders.forms import signup_data

pytestmark = pytest.mark.django_db

AXES_BACKEND = "axes.backends.AxesStandaloneBackend"
AXES_MIDDLEWARE = "axes.middleware.AxesMiddleware"


@pytest.fixture(autouse=True)
def _fresh_counters(settings, request):
    # A cache of this test's own: parallel workers share Redis, and the counters live there.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": request.node.nodeid,
        }
    }
    yield
    cache.clear()


@pytest.fixture
def axes_on(settings):
    """The django-axes settings of followup/settings.py (cache handler: no tables needed)."""
    had_axes = "axes" in django_settings.INSTALLED_APPS
    if not had_axes:
        settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "axes"]
    if AXES_MIDDLEWARE not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, AXES_MIDDLEWARE]
    settings.AUTHENTICATION_BACKENDS = [AXES_BACKEND, "django.contrib.auth.backends.ModelBackend"]
    settings.AXES_ENABLED = True
    settings.AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = 0.25  # hours
    settings.AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
    settings.AXES_RESET_ON_SUCCESS = True
    settings.AXES_USERNAME_CALLABLE = "followup.accounts.throttle.axes_username"
    settings.AXES_CLIENT_IP_CALLABLE = "followup.accounts.throttle.client_ip"
    settings.AXES_LOCKOUT_CALLABLE = "followup.web.accounts.locked_out"
    settings.AXES_VERBOSE = False
    from axes import signals
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

    receivers = [
        (user_login_failed, signals.handle_user_login_failed),
        (user_logged_in, signals.handle_user_logged_in),
        (user_logged_out, signals.handle_user_logged_out),
    ]
    for signal, receiver in receivers:
        signal.connect(receiver)  # again, if an earlier test took them off: connected once
    yield
    if not had_axes:
        # Without Axes' tables (the app was only installed for this test) its receivers
        # must not run in the tests that follow.
        for signal, receiver in receivers:
            signal.disconnect(receiver)


def _log_in(client: Client, email: str, password: str, ip: str = "203.0.113.5"):
    return client.post(
        reverse("accounts:login"), {"username": email, "password": password}, REMOTE_ADDR=ip
    )


def test_five_failed_log_ins_lock_the_address_out_from_that_network(axes_on, user):
    client = Client()
    for _ in range(4):
        assert _log_in(client, "alex@example.com", "wrong").status_code == 200
    locked = _log_in(client, "alex@example.com", "wrong")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many failed log-ins" in page
    assert "15 minutes" in page

    # The right password does not get through the lock either, and says so clearly.
    again = _log_in(client, "alex@example.com", PASSWORD)
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_counts_the_address_in_any_case(axes_on, user):
    client = Client()
    for email in ["alex@example.com", "ALEX@example.com", "Alex@Example.com", "alex@EXAMPLE.com"]:
        _log_in(client, email, "wrong")
    assert _log_in(client, "ALEX@EXAMPLE.COM", "wrong").status_code == 429


def test_the_lock_holds_one_address_from_one_network_only(axes_on, user):
    for _ in range(5):
        _log_in(Client(), "alex@example.com", "wrong")
    other_network = Client()
    response = _log_in(other_network, "alex@example.com", PASSWORD, ip="198.51.100.7")
    assert response.status_code == 302
    assert other_network.session["_auth_user_id"] == str(user.pk)


def test_a_good_log_in_before_the_limit_starts_the_count_again(axes_on, user):
    client = Client()
    for _ in range(4):
        _log_in(client, "alex@example.com", "wrong")
    assert _log_in(client, "alex@example.com", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert _log_in(client, "alex@example.com", "wrong").status_code == 200


def test_sign_ups_from_one_network_are_limited(client):
    limit = throttle.SIGNUP_PER_IP.count
    for n in range(limit):
        response = client.post(
            reverse("accounts:signup"),
            signup_data(email=f"person{n}@example.com"),
            REMOTE_ADDR="203.0.113.9",
        )
        assert response.status_code == 302
        client.logout()
    refused = client.post(
        reverse("accounts:signup"),
        signup_data(email="one.more@example.com"),
        REMOTE_ADDR="203.0.113.9",
    )
    assert refused.status_code == 429
    assert "Too many" in refused.content.decode()
    assert not User.objects.filter(email="one.more@example.com").exists()

    elsewhere = Client().post(
        reverse("accounts:signup"),
        signup_data(email="one.more@example.com"),
        REMOTE_ADDR="198.51.100.2",
    )
    assert elsewhere.status_code == 302


def test_a_sign_up_form_with_errors_does_not_use_up_the_limit(client):
    for _ in range(throttle.SIGNUP_PER_IP.count + 2):
        response = client.post(reverse("accounts:signup"), signup_data(password2="different"))
        assert response.status_code == 200
    assert client.post(reverse("accounts:signup"), signup_data()).status_code == 302


def test_password_reset_requests_for_one_address_are_limited(client, user):
    limit = throttle.RESET_PER_ADDRESS.count
    for n in range(limit):
        response = client.post(
            reverse("accounts:password_reset"),
            {"email": "Alex@example.com"},
            REMOTE_ADDR=f"203.0.113.{n + 1}",
        )
        assert response.status_code == 302
    refused = client.post(reverse("accounts:password_reset"), {"email": "alex@example.com"})
    assert refused.status_code == 429
    assert "Too many" in refused.content.decode()
    assert len(mail.outbox) == limit


def test_password_reset_requests_from_one_network_are_limited(client, user):
    limit = throttle.RESET_PER_IP.count
    for n in range(limit):
        response = client.post(
            reverse("accounts:password_reset"),
            {"email": f"nobody{n}@example.com"},
            REMOTE_ADDR="203.0.113.20",
        )
        assert response.status_code == 302
    refused = client.post(
        reverse("accounts:password_reset"),
        {"email": "alex@example.com"},
        REMOTE_ADDR="203.0.113.20",
    )
    assert refused.status_code == 429
    assert mail.outbox == []


def test_behind_a_proxy_the_client_is_the_address_the_proxy_saw(settings, rf):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.8")
    assert throttle.client_ip(request) == "203.0.113.8"
    settings.SECURE_PROXY_SSL_HEADER = None
    assert throttle.client_ip(request) == "10.0.0.2"
