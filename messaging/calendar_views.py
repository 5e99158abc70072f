"""The calendar feed: the secret .ics address, and the page that shows and replaces it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from messaging import calendar_feed


@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The .ics document; a wrong or replaced token is a 404 like any unknown address."""
    user = calendar_feed.feed_user(token=token)
    if user is None:
        raise Http404("No such calendar.")
    body = calendar_feed.feed_ics(user=user, base_url=request.build_absolute_uri("/")[:-1])
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="followup.ics"'
    # Calendar programs poll; nothing in between should keep a copy of someone's schedule.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def settings_page(request: HttpRequest) -> HttpResponse:
    token = calendar_feed.feed_token(user=request.user)
    url = request.build_absolute_uri(reverse("messaging:calendar_feed", args=[token]))
    return render(
        request,
        "messaging/calendar.html",
        {"feed_url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]},
    )


@login_required
@require_POST
def regenerate(request: HttpRequest) -> HttpResponse:
    calendar_feed.feed_token_replace(user=request.user)
    messages.success(
        request,
        "Your calendar has a new address. The old one no longer works: subscribe again with "
        "the address below.",
    )
    return redirect("messaging:calendar")
