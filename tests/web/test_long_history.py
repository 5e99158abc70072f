"""Pages stay the same size with a long history: the queue, the dashboard, the application page
and the outbox run the same queries with 10 rows as with 1,000, spread over the applications
or concentrated in one (so at one company), and show a page of a long list, not all of it.

Times are measured by `make bench-pages` (perf/bench_pages.py), never asserted here.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from followup.web.interviews import TIMELINE_PAGE_SIZE
from messaging import queue_selectors
from messaging.templatetags.messaging_panel import PANEL_PAGE_SIZE, PENDING_PAGE_SIZE
from messaging.views import OUTBOX_PAGE_SIZE
from tests.builders.history import CONCENTRATED, SPREAD, add_history, history_applications

pytestmark = pytest.mark.django_db

QUEUE = reverse("messaging:queue")
DASHBOARD = reverse("interviews:dashboard")
OUTBOX = reverse("messaging:outbox")
SMALL, LARGE = 10, 1000


def queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.text


@pytest.mark.parametrize("shape", [SPREAD, CONCENTRATED])
def test_every_page_runs_the_same_queries_for_10_and_1000_rows(owner_client, user, shape):
    applications = history_applications(user, 4)
    busiest = applications[0].get_absolute_url()
    pages = (QUEUE, DASHBOARD, busiest, OUTBOX)
    add_history(applications, rows=SMALL, shape=shape)
    for url in pages:
        owner_client.get(url)  # per-process caches (content types, the spell checker) warm
    small = {url: queries(owner_client, url)[0] for url in pages}

    add_history(applications, rows=LARGE - SMALL, shape=shape, start=SMALL)
    large = {url: queries(owner_client, url) for url in pages}

    assert {url: count for url, (count, _) in large.items()} == small
    queue_page = large[QUEUE][1]
    assert queue_page.count("data-queue-card ") == queue_selectors.QUEUE_PAGE_SIZE
    assert f"Page 1 of {-(-LARGE // queue_selectors.QUEUE_PAGE_SIZE)}" in queue_page
    assert large[OUTBOX][1].count("data-outbox=") == OUTBOX_PAGE_SIZE
    application_page = large[busiest][1]
    assert application_page.count('class="timeline-item"') == TIMELINE_PAGE_SIZE
    assert "Show older" in application_page
    assert application_page.count('data-panel-pages="') == 2  # waiting and sent


def test_the_application_page_pages_each_list_on_its_own(owner_client, user):
    applications = history_applications(user, 1)
    add_history(applications, rows=50, shape=CONCENTRATED)
    url = applications[0].get_absolute_url()

    first = owner_client.get(url).text
    later = owner_client.get(url, {"pending_page": 2, "timeline": 2}).text
    beyond = owner_client.get(url, {"pending_page": "999", "sent_page": "x"}).text

    assert first.count('data-status="draft"') == PENDING_PAGE_SIZE
    assert first.count('data-status="sent"') == PANEL_PAGE_SIZE
    assert "Page 1 of 10 · 50 waiting" in first
    assert "Page 2 of 10 · 50 waiting" in later
    # The timeline's own page and the panel's are kept apart in one address.
    assert "?pending_page=2&amp;timeline=3#timeline" in later
    assert "?pending_page=3&amp;timeline=2#messages" in later
    assert "Page 10 of 10 · 50 waiting" in beyond  # past the end: the last page, no error
    assert "Page 1 of 5 · 50 sent" in beyond
