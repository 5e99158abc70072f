"""The checks on real drafts: the facts they read from the rows, and what those facts block."""

from __future__ import annotations

import pytest
import time_machine

from followup.rules import checks
from interviews.models import Contact
from messaging import queue_selectors
from messaging.drafting.planning import plan_interview
from messaging.models import Message
from messaging.services.approval import message_approve
from messaging.services.refusals import ApprovalBlocked
from messaging.services.replies import application_reply
from tests.builders.checks import codes
from tests.builders.queries import dana_thank_you
from tests.builders.scenario import LOGGED, make_panel, planned

pytestmark = pytest.mark.django_db

Stage = Message.Stage


@pytest.mark.django_db
def test_a_thank_you_replying_to_a_broken_scheduling_subject_cannot_be_approved(user):
    with time_machine.travel(LOGGED, tick=False):
        # Stored before the interview form refused line breaks there.
        _application, interview, _people = make_panel(
            user, scheduling_subject="Interview\nBcc: someone@else.example"
        )
        plan_interview(interview=interview)
        thank_you = Message.objects.filter(interview=interview, stage="thank_you").first()
        with pytest.raises(ApprovalBlocked) as blocked:
            message_approve(message=thank_you, user=user)

    assert "header_control_character" in codes(blocked.value.findings)
    thank_you.refresh_from_db()
    assert thank_you.approved_at is None


def test_the_queue_warns_of_two_emails_to_one_person_within_twelve_hours(user):
    application, people = planned(user)
    with time_machine.travel(LOGGED, tick=False):
        application_reply(
            application=application, user=user, kind="no_news", contact=people["dana"]
        )
        item = queue_selectors.queue_item(user=user, message=dana_thank_you(application))

    assert [f.severity for f in item.findings if f.code == "same_recipient_soon"] == [
        checks.WARNING
    ]


def test_a_relay_thank_you_is_not_called_generic_when_it_names_the_interviewers_talk(user):
    with time_machine.travel(LOGGED, tick=False):
        _, interview, people = make_panel(user)
        Contact.objects.filter(pk__in=[people["dana"].pk, people["richardson"].pk]).update(email="")
        plan_interview(interview=interview)
    relay = Message.objects.get(stage=Stage.THANK_YOU, contact=people["recruiter"])

    facts = queue_selectors.draft_facts_many(user=user, messages=[relay])[relay.pk]

    assert "the migration of the billing pipeline to streaming" in facts.details
