"""The services refuse what the application page does not offer, and an offer ends stale notes."""

from __future__ import annotations

import pytest
import time_machine

from interviews.models import Application, TimelineEvent
from messaging.models import Message, Reply
from messaging.services.outcomes import application_outcome
from messaging.services.refusals import ActionRefused
from messaging.services.replies import application_reply
from tests.builders.clock import local
from tests.builders.queries import events, messages
from tests.builders.scenario import planned

pytestmark = pytest.mark.django_db

Stage = Message.Stage
Status = Message.Status


def test_no_news_on_an_application_with_an_offer_is_refused_and_drafts_nothing(user):
    application, _ = planned(user)
    with time_machine.travel(local(2025, 3, 10, 9), tick=False):
        application_outcome(application=application, outcome="offer", user=user)
        with pytest.raises(ActionRefused, match="offer"):
            application_reply(application=application, user=user, kind="no_news")

    assert not Reply.objects.filter(application=application, kind="no_news").exists()
    assert messages(application, Stage.NO_NEWS_REPLY) == []


def test_a_forged_no_news_post_after_an_offer_is_refused_with_a_message(owner_client, user):
    application, _ = planned(user)
    Application.objects.filter(pk=application.pk).update(stage=Application.Stage.OFFER)

    response = owner_client.post(
        f"/messages/applications/{application.pk}/reply/", {"kind": "no_news"}, follow=True
    )

    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert any("no news to wait for" in text for text in shown)
    assert messages(application, Stage.NO_NEWS_REPLY) == []


def test_an_offer_cancels_a_pending_thanks_for_their_update(user):
    application, _ = planned(user)
    with time_machine.travel(local(2025, 3, 12, 15), tick=False):
        application_reply(application=application, user=user, kind="no_news")
    [thanks] = messages(application, Stage.NO_NEWS_REPLY)

    with time_machine.travel(local(2025, 3, 13, 7), tick=False):
        application_outcome(application=application, outcome="offer", user=user)

    thanks.refresh_from_db()
    assert thanks.status == Status.CANCELLED
    assert "no longer fits" in thanks.status_reason


def test_no_news_after_a_real_reply_promises_no_check_in(user):
    application, _ = planned(user)
    with time_machine.travel(local(2025, 3, 10, 9), tick=False):
        application_reply(application=application, user=user, kind="reply")
    with time_machine.travel(local(2025, 3, 12, 15), tick=False):
        application_reply(application=application, user=user, kind="no_news")

    [no_news] = [e for e in events(application, TimelineEvent.Kind.REPLY) if "No news" in e.summary]
    assert "check-in" not in no_news.detail
    assert messages(application, Stage.CHECK_IN, statuses=Message.PENDING_STATUSES) == []


def test_no_news_while_the_cadence_runs_says_when_the_next_check_in_may_go(user):
    application, _ = planned(user)
    with time_machine.travel(local(2025, 3, 12, 15), tick=False):
        application_reply(application=application, user=user, kind="no_news")

    [no_news] = [e for e in events(application, TimelineEvent.Kind.REPLY) if "No news" in e.summary]
    assert "the next check-in waits until Fri 21 Mar 08:00" in no_news.detail


def test_a_real_reply_on_the_timeline_does_not_repeat_its_heading(user):
    application, people = planned(user)
    with time_machine.travel(local(2025, 3, 10, 9), tick=False):
        application_reply(
            application=application, user=user, kind="reply", contact=people["recruiter"]
        )

    [reply] = events(application, TimelineEvent.Kind.REPLY)
    assert reply.summary == "They replied from Jordan Lee"
    assert reply.get_kind_display() != reply.summary
