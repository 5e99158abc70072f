"""The note about another offer's deadline goes before it: at once when it is near, never after."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from messaging.models import Message
from messaging.services.outcomes import application_outcome
from messaging.services.refusals import ActionRefused
from tests.builders.clock import local, local_date
from tests.builders.forms import post_outcome
from tests.builders.queries import messages, one
from tests.builders.scenario import planned

pytestmark = pytest.mark.django_db

Stage = Message.Stage


def test_a_deadline_of_today_makes_the_note_due_at_once(owner_client, user):
    application, _ = planned(user)
    now = local(2025, 3, 4, 17)
    with time_machine.travel(now, tick=False):
        post_outcome(owner_client, application, outcome="other_offer", deadline="2025-03-04")

    note = one(application, Stage.OFFER_DEADLINE)
    assert note.due_at == now


def test_a_monday_deadline_logged_on_friday_goes_on_friday(owner_client, user):
    application, _ = planned(user)
    friday = local(2025, 3, 7, 10)
    with time_machine.travel(friday, tick=False):
        post_outcome(owner_client, application, outcome="other_offer", deadline="2025-03-10")

    assert one(application, Stage.OFFER_DEADLINE).due_at == friday


def test_a_far_deadline_still_goes_the_next_business_morning(owner_client, user):
    application, _ = planned(user)
    with time_machine.travel(local(2025, 3, 4, 17), tick=False):
        post_outcome(owner_client, application, outcome="other_offer", deadline="2025-03-14")

    note = one(application, Stage.OFFER_DEADLINE)
    assert local_date(note.due_at) == dt.date(2025, 3, 5)


def test_a_past_deadline_is_refused_by_the_form_and_the_service(owner_client, user):
    application, _ = planned(user)
    with time_machine.travel(local(2025, 3, 4, 17), tick=False):
        response = post_outcome(
            owner_client, application, outcome="other_offer", deadline="2025-03-03"
        )
        assert response.status_code == 302
        assert messages(application, Stage.OFFER_DEADLINE) == []
        with pytest.raises(ActionRefused):
            application_outcome(
                application=application,
                outcome="other_offer",
                user=user,
                deadline=dt.date(2025, 3, 3),
            )
    assert messages(application, Stage.OFFER_DEADLINE) == []
