"""Simple per-client and per-address limits in Django's cache, and who the client is.

django-axes locks out failed log-ins; what it does not cover (sign-ups, password-reset
requests, "send the link again") is counted here: a fixed window per key, one counter in the
cache (Redis in production, the process's memory in the embedded default).
"""

from __future__ import annotations

import hashlib
import ipaddress
import time
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


@dataclass(frozen=True)
class Limit:
    """At most `count` events per `seconds`, per key."""

    name: str
    count: int
    seconds: int


# Accounts created from one network in an hour: a household or an office, not a bot farm.
SIGNUP_PER_IP = Limit("signup-ip", 5, 60 * 60)
# Reset links asked for one address in an hour: each one is an email to a stranger's inbox.
RESET_PER_ADDRESS = Limit("reset-address", 3, 60 * 60)
# Reset requests from one network in an hour, whatever the addresses.
RESET_PER_IP = Limit("reset-ip", 10, 60 * 60)
# "Send the link again" per account in an hour.
VERIFICATION_PER_USER = Limit("verify-user", 3, 60 * 60)


@dataclass(frozen=True)
class Throttled:
    """A limit reached: how long until its window ends."""

    limit: Limit
    retry_after: int  # seconds

    @property
    def minutes(self) -> int:
        return max(1, -(-self.retry_after // 60))


def _window(limit: Limit, key: str) -> tuple[str, int]:
    now = int(time.time())
    start = now - now % limit.seconds
    digest = hashlib.sha256(key.strip().lower().encode()).hexdigest()[:32]
    return f"throttle:{limit.name}:{digest}:{start}", start + limit.seconds - now


def _unlimited(key: str) -> bool:
    """A loopback client is not limited per address: there we cannot tell clients apart.

    The embedded default on one's own machine, or a proxy on the same host that we cannot
    see through (BEHIND_TLS_PROXY off): one counter for everyone would lock everyone out.
    """
    try:
        return ipaddress.ip_address(key).is_loopback
    except ValueError:
        return False


def throttled(limit: Limit, key: str) -> Throttled | None:
    """The limit if `key` has used it up in the current window, else None (nothing counted)."""
    if _unlimited(key):
        return None
    cache_key, remaining = _window(limit, key)
    if (cache.get(cache_key) or 0) >= limit.count:
        return Throttled(limit=limit, retry_after=remaining)
    return None


def count(limit: Limit, key: str) -> None:
    """Count one event of `key` against the limit."""
    if _unlimited(key):
        return
    cache_key, remaining = _window(limit, key)
    cache.add(cache_key, 0, timeout=remaining + 1)
    try:
        cache.incr(cache_key)
    except ValueError:  # expired between add and incr: start again
        cache.set(cache_key, 1, timeout=remaining + 1)


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind our TLS proxy the one it saw.

    Only with BEHIND_TLS_PROXY (SECURE_PROXY_SSL_HEADER set) is X-Forwarded-For trusted, and
    only its last entry: the one our proxy appended (earlier ones are the client's own say).
    Django-axes asks it through axes_client_ip, so both count the same client.
    """
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR", "")


def axes_client_ip(request: HttpRequest) -> str | None:
    """django-axes' AXES_CLIENT_IP_CALLABLE: client_ip, or None when the request has no
    address at all (a log-in made in code, not over HTTP); axes stores it in an IP field."""
    return client_ip(request) or None


def axes_username(request: HttpRequest, credentials: Mapping[str, object] | None) -> str:
    """django-axes' AXES_USERNAME_CALLABLE: the email as typed, in any case, is one username."""
    value = (credentials or {}).get("username")
    if value is None:
        value = request.POST.get("username", "")
    return str(value).strip().lower()
