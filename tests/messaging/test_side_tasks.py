"""A sent thank-you suggests connecting on LinkedIn; no other message does."""

from __future__ import annotations

import pytest

from interviews.models import TimelineEvent
from messaging.models import Message
from messaging.side_tasks import message_sent_side_tasks
from tests.builders.queries import check_ins, events, mark_sent, messages
from tests.builders.scenario import CHECK_IN_DUE, THANK_YOU_DUE, planned

pytestmark = pytest.mark.django_db

Stage = Message.Stage
Kind = TimelineEvent.Kind


@pytest.fixture
def application(user):
    return planned(user)[0]


def test_a_sent_thank_you_suggests_a_linkedin_connection(application):
    thank_you = messages(application, Stage.THANK_YOU)[0]
    mark_sent(thank_you, THANK_YOU_DUE)
    thank_you.refresh_from_db()

    message_sent_side_tasks(message=thank_you)

    (task,) = events(application, Kind.TASK)
    assert thank_you.to_name in task.summary
    assert "LinkedIn" in task.summary
    assert task.message_id == thank_you.pk


def test_only_thank_yous_suggest_a_linkedin_connection(application):
    first = check_ins(application)[0]
    mark_sent(first, CHECK_IN_DUE)
    first.refresh_from_db()
    message_sent_side_tasks(message=first)
    assert events(application, Kind.TASK) == []
