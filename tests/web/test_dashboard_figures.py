"""The dashboard's figures, chart and search: right numbers, constant queries, no script."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from interviews.models import Application
from messaging.dashboard_selectors import figures_for, pipeline_weeks
from messaging.models import Message, Reply
from tests.builders.accounts import make_user
from tests.builders.interviews import make_application, make_company, make_contact
from tests.builders.messages import make_message

pytestmark = pytest.mark.django_db

# Monday 16 November 2026, 15:00 UTC (10:00 in New York, the profile's zone).
MONDAY = dt.datetime(2026, 11, 16, 15, tzinfo=dt.UTC)


def sent(application, stage, at, contact=None):
    return make_message(application, contact=contact, stage=stage, status="sent", sent_at=at)


def reply(application, at, kind=Reply.Kind.REPLY):
    return Reply.objects.create(
        user=application.user, application=application, kind=kind, received_at=at
    )


@pytest.fixture
def search_history(user):
    """Acme answered its thank-you after 3 business days; Globex never answered and went
    quiet; Initech only sent an out-of-office."""
    acme = make_application(user, make_company(user, "Acme"))
    globex = make_application(user, make_company(user, "Globex"), stage="quiet")
    initech = make_application(user, make_company(user, "Initech"))
    sent(acme, Message.Stage.THANK_YOU, MONDAY)
    reply(acme, MONDAY + dt.timedelta(days=3))
    for stage in (Message.Stage.THANK_YOU, Message.Stage.CHECK_IN, Message.Stage.SECOND_CHECK_IN):
        sent(globex, stage, MONDAY - dt.timedelta(days=30))
    sent(initech, Message.Stage.THANK_YOU, MONDAY)
    reply(initech, MONDAY + dt.timedelta(days=1), kind=Reply.Kind.OUT_OF_OFFICE)
    make_application(user, make_company(user, "Hooli"), stage="applied")  # nothing sent
    return acme, globex, initech


def test_reply_rates_by_message_and_company(user, search_history):
    figures = figures_for(user=user)

    rates = {rate.label: (rate.replied, rate.asked) for rate in figures.by_message}
    assert rates == {"Thank-you": (1, 3), "First check-in": (0, 1), "Second check-in": (0, 1)}
    companies = {rate.label: (rate.replied, rate.asked) for rate in figures.by_company}
    # An out-of-office is not an answer.
    assert companies == {"Acme": (1, 1), "Globex": (0, 1), "Initech": (0, 1)}
    assert figures.median_days_to_reply == 3
    assert (figures.quiet.replied, figures.quiet.asked) == (1, 3)
    assert dict(figures.by_stage) == {"Applied": 1, "Interviewing": 2, "Gone quiet": 1}


def test_a_reply_before_the_message_does_not_answer_it(user):
    application = make_application(user)
    reply(application, MONDAY - dt.timedelta(days=1))
    sent(application, Message.Stage.CHECK_IN, MONDAY)

    figures = figures_for(user=user)

    assert [(r.replied, r.asked) for r in figures.by_message][1] == (0, 1)
    assert figures.median_days_to_reply is None


def test_figures_are_the_users_own(user, search_history):
    stranger = make_user("sam@example.org")

    figures = figures_for(user=stranger)

    assert not figures.anything and figures.by_company == [] and figures.by_stage == []


def test_pipeline_weeks_count_interviews_replies_and_endings(user, search_history):
    _, globex, _ = search_history
    Application.objects.filter(pk=globex.pk).update(closed_at=MONDAY + dt.timedelta(days=1))

    weeks = pipeline_weeks(user=user, now=MONDAY + dt.timedelta(days=5))

    assert len(weeks) == 12
    this_week = weeks[-1]
    assert this_week.monday == dt.date(2026, 11, 16)
    assert (this_week.replies, this_week.ended) == (1, 1)  # Acme's reply, not the OOO
    assert sum(w.replies for w in weeks[:-1]) == 0


def test_the_dashboard_shows_the_figures_and_chart(owner_client, user, search_history):
    page = owner_client.get(reverse("interviews:dashboard")).content.decode()

    assert "How your search is going" in page
    assert "33% <span" in page and "(1 of 3)" in page
    assert "within <strong>3 business days</strong>" in page
    assert reverse("interviews:pipeline_chart") in page
    assert "The chart as a table" in page


def test_the_chart_is_an_svg_without_script(owner_client, user, search_history):
    response = owner_client.get(reverse("interviews:pipeline_chart"))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert "script-src 'none'" in response["Content-Security-Policy"]
    root = ET.fromstring(response.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert b"<script" not in response.content
    assert b"Interviews" in response.content and b"Replies" in response.content
    # Counts are whole numbers: no 0.2, 0.4 ... on the axis.
    assert not re.search(rb">\d+\.\d+</text>", response.content)


def test_the_dashboard_costs_the_same_queries_with_a_long_history(owner_client, user):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert owner_client.get(reverse("interviews:dashboard")).status_code == 200
        return len(captured)

    first = make_application(user)
    sent(first, Message.Stage.THANK_YOU, timezone.now())
    reply(first, timezone.now())
    few = queries()
    for n in range(25):
        application = make_application(user, make_company(user, f"Company {n}"))
        sent(application, Message.Stage.THANK_YOU, timezone.now() - dt.timedelta(days=n))
        reply(application, timezone.now() - dt.timedelta(days=n) + dt.timedelta(hours=5))

    assert queries() == few


def test_search_finds_companies_roles_and_people(owner_client, user):
    application = make_application(user, make_company(user, "Acme Robotics"), role="Data Engineer")
    make_contact(application.company, "Priya Shah", title="Engineering Manager")
    make_application(make_user("sam@example.org"), role="Data Engineer")  # not theirs

    page = owner_client.get(reverse("interviews:search"), {"q": "engineer"}).content.decode()

    assert "Data Engineer</a> at Acme Robotics" in page
    assert page.count("Data Engineer</a>") == 1
    assert "Priya Shah" in page  # by title
    robotics = owner_client.get(reverse("interviews:search"), {"q": "robotics"}).content.decode()
    assert "Acme Robotics</a>" in robotics
    nothing = owner_client.get(reverse("interviews:search"), {"q": "zzz"}).content.decode()
    assert "Nothing matches" in nothing


def test_a_reply_after_the_second_check_in_answers_that_one_only(user):
    application = make_application(user)
    sent(application, Message.Stage.THANK_YOU, MONDAY - dt.timedelta(days=20))
    sent(application, Message.Stage.CHECK_IN, MONDAY - dt.timedelta(days=10))
    sent(application, Message.Stage.SECOND_CHECK_IN, MONDAY - dt.timedelta(days=3))
    reply(application, MONDAY)

    rates = {rate.label: (rate.replied, rate.asked) for rate in figures_for(user=user).by_message}

    assert rates == {"Thank-you": (0, 1), "First check-in": (0, 1), "Second check-in": (1, 1)}
