"""The calendar feed: a secret address serving interviews, follow-ups and decision dates."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from interviews.models import Task
from messaging import calendar_feed
from messaging.models import Message
from tests.builders.accounts import make_user
from tests.builders.interviews import make_application, make_contact, make_interview
from tests.builders.messages import make_message

pytestmark = pytest.mark.django_db

SOON = timezone.now().replace(microsecond=0) + dt.timedelta(days=3)


def _feed_url(user) -> str:
    return reverse("messaging:calendar_feed", args=[calendar_feed.feed_token(user=user)])


def _events(response) -> dict[str, icalendar.Event]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}


@pytest.fixture
def schedule(user):
    application = make_application(user)
    dana = make_contact(application.company, email="dana@acme.example")
    interview = make_interview(
        application,
        dana,
        starts_at=SOON,
        location="https://meet.example/abc",
        decision_date=(SOON + dt.timedelta(days=7)).date(),
    )
    draft = make_message(
        application,
        contact=dana,
        interview=interview,
        status=Message.Status.DRAFT,
        due_at=SOON + dt.timedelta(days=1),
        body_text="Secret words of the email",
    )
    approved = make_message(
        application,
        contact=dana,
        stage=Message.Stage.CHECK_IN,
        status=Message.Status.APPROVED,
        due_at=SOON + dt.timedelta(days=9),
    )
    Task.objects.create(user=user, title="Write and post a handwritten card", due_on=SOON.date())
    Task.objects.create(user=user, title="Done already", due_on=SOON.date(), done_at=SOON)
    return interview, draft, approved


def test_the_feed_holds_interviews_follow_ups_and_decision_dates(client, user, schedule):
    interview, draft, approved = schedule

    events = _events(client.get(_feed_url(user)))

    meeting = events["Interview: Data Engineer at Acme Corp"]
    assert meeting.decoded("DTSTART") == interview.starts_at
    assert meeting.decoded("DTEND") == interview.ends_at
    assert str(meeting["LOCATION"]) == "https://meet.example/abc"
    decision = events["Decision expected: Data Engineer at Acme Corp"]
    assert decision.decoded("DTSTART") == interview.decision_date
    approve = events["Approve: Thank-you to Dana Richardson (Acme Corp)"]
    assert approve.decoded("DTSTART") == draft.due_at
    assert str(approve["URL"]).endswith(reverse("messaging:queue"))
    assert (
        events["Goes out: Check-in to Dana Richardson (Acme Corp)"].decoded("DTSTART")
        == approved.due_at
    )
    task = events["Task: Write and post a handwritten card"]
    assert task.decoded("DTSTART") == SOON.date()
    # A glance at a calendar, not the mail: no email text in the feed.
    assert b"Secret words" not in client.get(_feed_url(user)).content
    assert "Task: Done already" not in events


def test_the_feed_shows_nothing_of_another_user(client, user, schedule):
    other = make_user(email="other@example.com")

    events = _events(client.get(_feed_url(other)))

    assert events == {}


def test_sent_and_cancelled_messages_are_not_in_the_feed(client, user, schedule):
    _, draft, approved = schedule
    Message.objects.filter(pk=draft.pk).update(status=Message.Status.SENT)
    Message.objects.filter(pk=approved.pk).update(status=Message.Status.CANCELLED)

    events = _events(client.get(_feed_url(user)))

    assert not any(name.startswith(("Approve", "Goes out")) for name in events)


def test_a_wrong_token_is_a_404(client, user, schedule):
    calendar_feed.feed_token(user=user)

    response = client.get(reverse("messaging:calendar_feed", args=["x" * 43]))

    assert response.status_code == 404


def test_a_new_address_retires_the_old_one(user, schedule):
    owner = Client()
    owner.force_login(user)
    old = _feed_url(user)

    response = owner.post(reverse("messaging:calendar_regenerate"))

    assert response.status_code == 302
    new = _feed_url(user)
    assert new != old
    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200


def test_the_page_shows_the_address_to_subscribe_to(user):
    owner = Client()
    owner.force_login(user)

    response = owner.get(reverse("messaging:calendar"))

    token = calendar_feed.feed_token(user=user)
    assert f"http://testserver/messages/calendar/{token}.ics".encode() in response.content
    assert f"webcal://testserver/messages/calendar/{token}.ics".encode() in response.content


def test_a_deactivated_account_has_no_feed(client, user, schedule):
    url = _feed_url(user)
    user.is_active = False
    user.save()

    assert client.get(url).status_code == 404


def test_the_feed_costs_the_same_queries_with_a_long_history(client, user):
    def queries() -> int:
        url = _feed_url(user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    application = make_application(user)
    contact = make_contact(application.company, email="dana@acme.example")
    make_interview(application, contact, starts_at=SOON)
    make_message(application, contact=contact, status=Message.Status.DRAFT, due_at=SOON)
    few = queries()
    for n in range(30):
        at = SOON + dt.timedelta(days=n)
        make_interview(application, starts_at=at, decision_date=at.date())
        make_message(application, contact=contact, status=Message.Status.DRAFT, due_at=at)

    assert queries() == few
