"""Reads for the application pages: what a delete would cancel, who check-ins go to next."""

from __future__ import annotations

import pytest
import time_machine

from messaging.application_selectors import check_in_fallback, pending_message_counts
from messaging.models import Message
from messaging.services.facts import interview_delete
from messaging.services.replies import application_reply
from tests.builders.clock import local
from tests.builders.scenario import planned

pytestmark = pytest.mark.django_db

Status = Message.Status


def test_an_interview_delete_counts_exactly_what_it_cancels(user):
    application, _ = planned(user)
    with time_machine.travel(local(2025, 3, 12, 15), tick=False):
        # A thanks for their update belongs to the application, not to the round.
        application_reply(application=application, user=user, kind="no_news")
    interview = application.interviews.get()
    counted = pending_message_counts(interview=interview)["pending"]
    before = set(
        Message.objects.filter(application=application, status__in=Message.PENDING_STATUSES)
    )

    with time_machine.travel(local(2025, 3, 12, 16), tick=False):
        interview_delete(interview=interview, user=user)

    cancelled = [m for m in before if Message.objects.get(pk=m.pk).status == Status.CANCELLED]
    assert counted == len(cancelled) == 4  # two thank-yous, two check-ins
    assert Message.objects.get(stage=Message.Stage.NO_NEWS_REPLY).status == Status.DRAFT


def test_check_ins_go_to_the_first_interviewer_with_an_address_once_the_main_contact_goes(user):
    application, people = planned(user)

    assert check_in_fallback(application=application, without=people["recruiter"]) == people["dana"]
    assert check_in_fallback(application=application, without=people["dana"]) == people["recruiter"]
