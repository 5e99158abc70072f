"""The ESP's webhook URLs: Anymail's own views for the ESP in use, guarded against bad bodies.

Anymail's anymail.urls mounts every ESP it knows, and its views answer 500 to a body they
cannot parse (an ESP takes that for "try again later"). Here only the configured ESP's
tracking and inbound views are mounted, under Anymail's own routes and names
(anymail:postmark_tracking_webhook), each wrapped so that a body that is too large, of the
wrong type or not the ESP's format answers 413 or 400 before any event is stored.
"""

from __future__ import annotations

import json
import logging
from functools import cache

from anymail import urls as anymail_urls
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import URLPattern, path, re_path
from django.urls.resolvers import RoutePattern

logger = logging.getLogger(__name__)

# The embedded default sends through the local outbox, which has no webhooks. With a
# webhook secret set there anyway (to try the webhooks locally), the URLs are those of
# the ESP the project ships with (pyproject.toml: django-anymail[postmark]).
DEFAULT_ESP = "postmark"
ANYMAIL_BACKENDS = "anymail.backends."

# The Content-Type each ESP posts its webhooks with, where we know it: anything else is not
# the ESP. (Other ESPs' views parse form posts or JSON as Anymail sees fit.)
CONTENT_TYPES = {"postmark": "application/json"}


class WebhookPayloadError(Exception):
    """The body is not an event of this ESP: answered 400, nothing stored."""


def _postmark_shape(view_name: str, body: object) -> None:
    """Postmark posts one JSON object an event; a tracking event always names its RecordType.

    Anymail reads any object, even {}, as an event of type "unknown" and stores it.
    """
    if not isinstance(body, dict):
        raise WebhookPayloadError("not a JSON object")
    if view_name.endswith("_tracking_webhook") and not isinstance(body.get("RecordType"), str):
        raise WebhookPayloadError("no RecordType")


SHAPES = {"postmark": _postmark_shape}


class GuardedWebhookMixin:
    """Before Anymail's view: a size limit; around its parsing: a 400 for what it cannot read.

    Anymail's post() runs its validators (the basic auth) first, so an unsigned request
    still gets Anymail's own answer, then parses every event, then sends the signals that
    store them (messaging.receivers). Only errors of parsing become a 400: an error while
    storing stays a 500, so the ESP sends the event again later.
    """

    esp: str = ""
    view_name: str = ""

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        limit = settings.FOLLOWUP_WEBHOOK_MAX_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponseBadRequest("Invalid Content-Length.")
        if length > limit:
            logger.warning("Refused a %d-byte %s webhook (limit %d)", length, self.esp, limit)
            return HttpResponse("Payload too large.", status=413)
        # Read here, within our own limit: Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB, made
        # for forms) would refuse an inbound email with an attachment. request.body then
        # returns these bytes (Django keeps a body read once in _body).
        body = request.read(limit + 1)
        if len(body) > limit:
            return HttpResponse("Payload too large.", status=413)
        request._body = body
        try:
            return super().post(request, *args, **kwargs)  # type: ignore[misc]
        except WebhookPayloadError as error:
            logger.warning("Refused a %s webhook payload: %s", self.view_name, error)
            return HttpResponseBadRequest("Unreadable webhook payload.")

    def parse_events(self, request: HttpRequest) -> list:
        expected = CONTENT_TYPES.get(self.esp)
        if expected and request.content_type != expected:
            raise WebhookPayloadError(f"Content-Type {request.content_type!r}, not {expected}")
        shape = SHAPES.get(self.esp)
        try:
            if shape is not None:
                shape(self.view_name, json.loads(request.body))
            # A list, so that every event is read before the first one is stored.
            return list(super().parse_events(request))  # type: ignore[misc]
        except WebhookPayloadError:
            raise
        except Exception as error:
            # Parsing is a translation of the body with no side effects: whatever it raises
            # (bad JSON or UTF-8, a list where an object belongs, a missing field) means the
            # body is not an event we can store.
            raise WebhookPayloadError(f"{type(error).__name__}: {error}") from error


def esp_of(email_backend: str) -> str:
    """The ESP of an email backend: anymail.backends.postmark.EmailBackend -> postmark."""
    if email_backend.startswith(ANYMAIL_BACKENDS):
        return email_backend.removeprefix(ANYMAIL_BACKENDS).split(".", 1)[0]
    return DEFAULT_ESP


@cache
def _guarded(view_class: type, esp: str, view_name: str) -> type:
    """Anymail's view class with the guards in front."""
    return type(
        f"Guarded{view_class.__name__}",
        (GuardedWebhookMixin, view_class),
        {"esp": esp, "view_name": view_name},
    )


def webhook_urlpatterns(email_backend: str) -> list[URLPattern]:
    """Anymail's URL patterns of this backend's ESP only, each with its guarded view."""
    esp = esp_of(email_backend)
    patterns = []
    for pattern in anymail_urls.urlpatterns:
        # Anymail names each URL <esp>_tracking_webhook, <esp>_inbound_webhook (Mandrill:
        # <esp>_webhook); no ESP's name followed by "_" starts another's.
        if not (pattern.name or "").startswith(f"{esp}_"):
            continue
        view = _guarded(pattern.callback.view_class, esp, pattern.name).as_view()
        route = pattern.pattern
        make = path if isinstance(route, RoutePattern) else re_path
        patterns.append(make(str(route), view, name=pattern.name))
    return patterns
