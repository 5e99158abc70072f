"""The dashboard's pipeline chart as an image, and the search over companies, roles, people."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from interviews import search_selectors
from messaging import charts, dashboard_selectors


@login_required
@require_GET
def pipeline_chart(request: HttpRequest) -> HttpResponse:
    svg = charts.pipeline_svg(dashboard_selectors.pipeline_weeks(user=request.user))
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    # pygal styles the drawing with a <style> element of its own: allowed for this image
    # alone, which runs no script and loads nothing (django-csp leaves a set header alone).
    response["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'none'"
    )
    return response


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = " ".join(str(request.GET.get("q", "")).split())[: search_selectors.MAX_QUERY]
    results = search_selectors.search(user=request.user, query=query) if query else None
    return render(request, "interviews/search.html", {"query": query, "results": results})
