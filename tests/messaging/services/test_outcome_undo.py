"""Taking an outcome back: the stage, and the cadence restored as the rules plan it."""

from __future__ import annotations

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.urls import reverse

from interviews.models import Application
from messaging.models import Message
from messaging.services.outcomes import application_outcome, application_reopen, outcome_undo
from messaging.services.own_emails import own_email_draft
from messaging.services.refusals import ActionRefused
from tests.builders.accounts import make_user
from tests.builders.clock import local
from tests.builders.queries import check_ins, messages, one
from tests.builders.scenario import planned

pytestmark = pytest.mark.django_db

Stage = Message.Stage
Status = Message.Status
PENDING = Message.PENDING_STATUSES
# The evening of the interview: the thank-yous are still drafts for the next morning.
EVENING = local(2025, 3, 4, 19)
LATER = local(2025, 3, 4, 20)


@pytest.fixture
def application(user):
    return planned(user)[0]


def test_a_rejection_taken_back_restores_the_thank_yous_and_check_ins(application, user):
    pending_before = {(m.stage, m.contact_id) for m in messages(application, statuses=PENDING)}
    with time_machine.travel(EVENING, tick=False):
        application_outcome(application=application, outcome="rejected", user=user)
    assert not messages(application, Stage.THANK_YOU, statuses=PENDING)

    with time_machine.travel(LATER, tick=False):
        application = outcome_undo(application=application, user=user)

    assert application.stage == Application.Stage.INTERVIEWING
    assert application.closed_at is None
    pending = messages(application, statuses=PENDING)
    # Exactly what was planned before the rejection: thank-yous and check-ins, no close-out.
    assert {(m.stage, m.contact_id) for m in pending} == pending_before
    assert one(application, Stage.REJECTION_REPLY, statuses=None).status == Status.CANCELLED
    assert application.timeline.filter(
        Q(summary__contains="took back") | Q(detail__contains="took back")
    ).exists()


def test_an_offer_taken_back_brings_the_check_ins_back(application, user):
    with time_machine.travel(EVENING, tick=False):
        application_outcome(application=application, outcome="offer", user=user)
    assert check_ins(application) == []

    with time_machine.travel(LATER, tick=False):
        application = outcome_undo(application=application, user=user)

    assert application.stage == Application.Stage.INTERVIEWING
    assert len(check_ins(application)) == 2


def test_a_rejection_changed_to_accepted_elsewhere(application, user):
    with time_machine.travel(EVENING, tick=False):
        application_outcome(application=application, outcome="rejected", user=user)

    with time_machine.travel(LATER, tick=False):
        application = outcome_undo(application=application, user=user, then="accepted_elsewhere")

    assert application.stage == Application.Stage.WITHDRAWN
    assert one(application, Stage.WITHDRAWAL).status == Status.DRAFT
    assert one(application, Stage.REJECTION_REPLY, statuses=None).status == Status.CANCELLED
    # Accepting elsewhere cancels every other pending message, thank-yous included.
    assert {m.stage for m in messages(application, statuses=PENDING)} == {Stage.WITHDRAWAL}


def test_an_open_application_has_nothing_to_take_back(application, user):
    with pytest.raises(ActionRefused, match="no outcome"):
        outcome_undo(application=application, user=user)


def test_only_an_open_stage_can_be_returned_to(application, user):
    application_outcome(application=application, outcome="rejected", user=user)

    with pytest.raises(ActionRefused):
        outcome_undo(application=application, user=user, stage=Application.Stage.ACCEPTED)


def test_another_users_application_is_refused(application, user):
    application_outcome(application=application, outcome="rejected", user=user)

    with pytest.raises(PermissionDenied):
        outcome_undo(application=application, user=make_user("sam@example.org"))
    application.refresh_from_db()
    assert application.stage == Application.Stage.REJECTED


def test_the_application_page_offers_to_take_a_rejection_back(application, user, owner_client):
    application_outcome(application=application, outcome="rejected", user=user)
    url = application.get_absolute_url()

    page = owner_client.get(url).content.decode()
    assert "Take it back" in page
    assert "Accepted another offer" in page

    response = owner_client.post(
        reverse("messaging:application_undo", args=[application.pk]),
        {"stage": "interviewing", "next": url},
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.stage == Application.Stage.INTERVIEWING
    assert "Take it back" not in owner_client.get(url).content.decode()


def test_a_forged_change_is_refused_with_a_message(application, user, owner_client):
    response = owner_client.post(
        reverse("messaging:application_undo", args=[application.pk]),
        {"then": "offer"},
        follow=True,
    )

    assert b"no outcome to take back" in response.content
    application.refresh_from_db()
    assert application.stage == Application.Stage.INTERVIEWING


def test_the_users_own_email_cancelled_by_the_outcome_comes_back(application, user):
    recruiter = application.main_contact
    with time_machine.travel(EVENING, tick=False):
        own = own_email_draft(
            application=application, user=user, contact=recruiter, subject="Hi", body="Hello"
        )
        application_outcome(application=application, outcome="rejected", user=user)
    own.refresh_from_db()
    assert own.status == Status.CANCELLED

    with time_machine.travel(LATER, tick=False):
        outcome_undo(application=application, user=user)

    own.refresh_from_db()
    assert (own.status, own.approved_at) == (Status.DRAFT, None)


def test_weeks_later_the_thank_yous_stay_cancelled_but_the_check_ins_come_back(application, user):
    with time_machine.travel(EVENING, tick=False):
        application_outcome(application=application, outcome="rejected", user=user)

    with time_machine.travel(local(2025, 3, 20, 9), tick=False):  # 16 days after the interview
        application = outcome_undo(application=application, user=user)

    assert not messages(application, Stage.THANK_YOU, statuses=PENDING)
    assert check_ins(application)


def test_reopening_from_the_edit_form_does_not_revive_old_thank_yous(application, user):
    with time_machine.travel(EVENING, tick=False):
        application_outcome(application=application, outcome="rejected", user=user)

    with time_machine.travel(LATER, tick=False):
        application_reopen(application=application, user=user, reason="Back on.")

    assert not messages(application, Stage.THANK_YOU, statuses=PENDING)
