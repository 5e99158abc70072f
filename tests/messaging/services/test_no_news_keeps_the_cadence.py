"""A "no news yet" asks for patience; it does not stop the cadence (spec §7).

An approved check-in moved by it stays approved and goes out on its new date; one the
dispatcher had already claimed waits for the silence instead of going, or being cancelled.
"""

from __future__ import annotations

import pytest
import time_machine
from django.core import mail

from interviews.models import TimelineEvent
from messaging.dispatch.claims import message_claim
from messaging.dispatch.sending import message_send
from messaging.drafting.planning import plan_interview
from messaging.models import Message
from messaging.services.approval import message_approve
from messaging.services.replies import application_reply
from tests.builders.clock import local
from tests.builders.scenario import CHECK_IN_DUE, LOGGED, make_panel

pytestmark = pytest.mark.django_db

Status = Message.Status
NO_NEWS_AT = local(2025, 3, 12, 15)  # Wed: "no news yet, we will be in touch"
AFTER_SILENCE = local(2025, 3, 21, 8)  # Fri: 7 business days after their message


@pytest.fixture
def approved_check_in(user) -> Message:
    with time_machine.travel(LOGGED, tick=False):
        application, interview, _ = make_panel(user)
        plan_interview(interview=interview)
        check_in = Message.objects.get(application=application, stage=Message.Stage.CHECK_IN)
        return message_approve(message=check_in, user=user)


def test_a_check_in_approved_before_no_news_goes_out_on_its_new_date(user, approved_check_in):
    with time_machine.travel(NO_NEWS_AT, tick=False):
        application_reply(application=approved_check_in.application, user=user, kind="no_news")
    approved_check_in.refresh_from_db()
    assert (approved_check_in.status, approved_check_in.due_at) == (
        Status.APPROVED,
        AFTER_SILENCE,
    )

    with time_machine.travel(AFTER_SILENCE, tick=False):
        assert message_claim(message_id=approved_check_in.pk, now=AFTER_SILENCE)
        assert message_send(message_id=approved_check_in.pk) == Status.SENT

    approved_check_in.refresh_from_db()
    assert approved_check_in.status == Status.SENT
    assert len(mail.outbox) == 1
    assert approved_check_in.to_email in mail.outbox[0].to[0]


def test_a_check_in_claimed_as_no_news_arrives_waits_for_the_silence(user, approved_check_in):
    with time_machine.travel(CHECK_IN_DUE, tick=False):
        assert message_claim(message_id=approved_check_in.pk, now=CHECK_IN_DUE)
        # Their "no news yet" is logged between the claim and the send.
        application_reply(application=approved_check_in.application, user=user, kind="no_news")
        assert message_send(message_id=approved_check_in.pk) == Status.APPROVED

    approved_check_in.refresh_from_db()
    assert approved_check_in.status == Status.APPROVED
    assert approved_check_in.approved_at is not None
    assert approved_check_in.due_at == local(2025, 3, 27, 8)  # 7 business days after the 18th
    assert mail.outbox == []
    waiting = TimelineEvent.objects.filter(message=approved_check_in, summary__startswith="Waiting")
    assert waiting.exists()
