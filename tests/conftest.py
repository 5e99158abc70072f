"""Fixtures shared by every test: an owner, an outsider, and their clients."""

from __future__ import annotations

import pytest
from django.test import Client

from followup.accounts.models import User
from tests.builders.accounts import make_user


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Templates resolve {% static %} without a collectstatic manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def user(db) -> User:
    return make_user("alex@example.com")


@pytest.fixture
def outsider(db) -> User:
    return make_user("sam@example.org", full_name="Sam Other", time_zone="Europe/Berlin")


@pytest.fixture
def owner_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def outsider_client(outsider) -> Client:
    client = Client()
    client.force_login(outsider)
    return client


@pytest.fixture(autouse=True)
def _own_cache(settings, request):
    """A cache per test: rate-limit counters must not carry over (parallel workers share Redis)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": request.node.nodeid,
        }
    }
