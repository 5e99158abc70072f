"""They replied: a reply stops the check-ins, "no news yet" moves them; odd replies are refused."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from interviews.models import TimelineEvent
from messaging.models import Message, Reply
from messaging.services.editing import message_edit
from messaging.services.replies import application_reply
from tests.builders.clock import CALENDAR, business_days_after, local
from tests.builders.queries import check_ins, dana_thank_you, events, messages, one
from tests.builders.scenario import LOGGED, planned

pytestmark = pytest.mark.django_db

Stage = Message.Stage
Status = Message.Status
Kind = TimelineEvent.Kind


@pytest.fixture
def application(user):
    return planned(user)[0]


def test_it_cancels_check_ins_on_reply_with_a_timeline_entry(application):
    with time_machine.travel(local(2025, 3, 10, 11), tick=False):
        application_reply(
            user=application.user, application=application, kind="reply", detail="We'll be in touch"
        )

    assert check_ins(application) == []
    cancelled = check_ins(application, statuses=[Status.CANCELLED])
    assert len(cancelled) == 2
    assert all("replied" in m.status_reason for m in cancelled)
    (reply_event,) = events(application, Kind.REPLY)
    assert "check-ins stop" in reply_event.detail
    cancel_events = events(application, Kind.CANCELLED)
    assert {e.message_id for e in cancel_events} >= {m.pk for m in cancelled}
    assert Reply.objects.get(application=application).kind == "reply"
    # The thank-yous are not check-ins: they still wait for approval.
    assert len(messages(application, Stage.THANK_YOU, statuses=[Status.DRAFT])) == 2


def test_no_news_drafts_a_thanks_for_the_update_and_moves_the_check_in(application):
    reply_at = local(2025, 3, 12, 15)  # Wednesday afternoon
    with time_machine.travel(reply_at, tick=False):
        application_reply(application=application, user=application.user, kind="no_news")

    reply = one(application, Stage.NO_NEWS_REPLY)
    assert reply.status == Status.DRAFT
    assert reply.due_at == local(2025, 3, 13, 8)  # the next business morning
    first, second = check_ins(application)
    assert business_days_after(reply_at.date(), first.due_at) >= 7
    assert first.due_at == local(2025, 3, 21, 8)
    assert business_days_after(CALENDAR.local_date(first.due_at), second.due_at) >= 5
    assert any("no news" in e.summary.lower() for e in events(application, Kind.REPLY))


def test_a_second_no_news_replaces_the_unsent_thanks(application):
    with time_machine.travel(local(2025, 3, 12, 15), tick=False):
        application_reply(application=application, user=application.user, kind="no_news")
    with time_machine.travel(local(2025, 3, 12, 16), tick=False):
        application_reply(application=application, user=application.user, kind="no_news")

    replies = messages(application, Stage.NO_NEWS_REPLY)
    assert [m.status for m in replies] == [Status.CANCELLED, Status.DRAFT]


def test_no_news_also_moves_a_check_in_the_user_edited_by_hand(application, user):
    first = check_ins(application)[0]
    with time_machine.travel(local(2025, 3, 10, 9), tick=False):
        message_edit(
            message=first,
            user=user,
            to_email=first.to_email,
            subject=first.subject,
            body_text=first.body_text + "\nOne more line of my own.",
            due_at=local(2025, 3, 14, 9),
        )
    with time_machine.travel(local(2025, 3, 12, 15), tick=False):
        application_reply(application=application, user=application.user, kind="no_news")

    first.refresh_from_db()
    assert first.edited_by_user
    assert first.body_text.endswith("One more line of my own.")
    assert first.due_at == local(2025, 3, 21, 8)


def test_thanks_for_an_update_goes_after_a_pending_thank_you_in_a_fresh_thread(user):
    application, people = planned(user)
    thank_you = dana_thank_you(application)

    with time_machine.travel(LOGGED, tick=False):
        application_reply(
            application=application, user=user, kind="no_news", contact=people["dana"]
        )

    (note,) = messages(application, Stage.NO_NEWS_REPLY)
    assert note.due_at >= thank_you.due_at + dt.timedelta(hours=1)
    assert note.in_reply_to == ""
    assert not note.subject.startswith("Re:")


def test_replies_to_an_unknown_kind_are_refused(application):
    with pytest.raises(ValueError):
        application_reply(application=application, user=application.user, kind="maybe")
    assert not Reply.objects.exists()


def test_a_reply_on_another_users_application_is_refused(application, outsider):
    with pytest.raises(PermissionDenied):
        application_reply(application=application, user=outsider, kind="reply")
    assert not Reply.objects.exists()
    assert len(check_ins(application)) == 2
