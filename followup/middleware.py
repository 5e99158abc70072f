"""Signed-in pages are never stored: not by a shared proxy, not by the browser's own cache.

A page behind the log-in holds the user's applications, contacts and drafts. `private`
keeps shared caches (a proxy, a CDN) from keeping it; `no-store` keeps the browser from
writing it to disk, so the Back button after logging out, or the next person at a shared
computer, does not bring it back. Only requests of a signed-in user are touched: static
files are answered by whitenoise (and /healthz/ by its middleware) before this runs.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class PrivatePagesMiddleware:
    """`Cache-Control: private, no-store` on every response to a signed-in user."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # Merged with what a view set (never_cache's no-cache, must-revalidate stay);
            # `private` also removes a `public`.
            patch_cache_control(response, private=True, no_store=True)
        return response
