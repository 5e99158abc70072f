"""/healthz/: answers "ok" when the web process can reach its database.

Container health checks call it on 127.0.0.1 over plain HTTP, so it is served by
a middleware placed before SecurityMiddleware and CommonMiddleware: neither the
ALLOWED_HOSTS check nor the HTTPS redirect may turn a healthy server "unhealthy".
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

HEALTH_PATH = "/healthz/"


def healthz(request: HttpRequest) -> HttpResponse:
    """200 "ok" if a trivial query succeeds, else 503."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database is unreachable")
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


class HealthCheckMiddleware:
    """Answer /healthz/ before any middleware that validates the host or the scheme."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == HEALTH_PATH and request.method in ("GET", "HEAD"):
            return healthz(request)
        return self.get_response(request)
