"""Outcomes: an offer, a rejection, a withdrawal, another offer: the stage and what is pending."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from interviews.models import Application, TimelineEvent
from messaging.drafting.rendering import HOOK_PLACEHOLDER
from messaging.models import Message
from messaging.services import outcomes
from messaging.services.approval import message_approve
from messaging.services.outcomes import application_outcome, application_reopen
from messaging.services.refusals import ActionRefused, ApprovalBlocked
from tests.builders.clock import local
from tests.builders.forms import post_outcome
from tests.builders.queries import check_ins, events, messages, one
from tests.builders.scenario import LOGGED, THANK_YOU_DUE, planned

pytestmark = pytest.mark.django_db

Stage = Message.Stage
Status = Message.Status
Kind = TimelineEvent.Kind


@pytest.fixture
def application(user):
    return planned(user)[0]


def test_an_offer_cancels_the_check_ins(application, user):
    with time_machine.travel(local(2025, 3, 10, 11), tick=False):
        drafted = application_outcome(application=application, outcome="offer", user=user)

    application.refresh_from_db()
    assert drafted == []
    assert application.stage == Application.Stage.OFFER
    assert check_ins(application) == []
    assert all("offer" in m.status_reason.lower() for m in check_ins(application, statuses=None))
    assert events(application, Kind.STAGE_CHANGED)


def test_a_rejection_drafts_a_close_out_for_the_next_business_morning(application, user):
    logged = local(2025, 3, 14, 16)  # Friday afternoon
    with time_machine.travel(logged, tick=False):
        application_outcome(application=application, outcome="rejected", user=user)

    application.refresh_from_db()
    assert application.stage == Application.Stage.REJECTED
    assert application.closed_at == logged
    assert check_ins(application) == []
    close_out = one(application, Stage.REJECTION_REPLY)
    assert close_out.status == Status.DRAFT
    assert close_out.due_at == local(2025, 3, 17, 8)  # Monday morning
    assert close_out.to_email == application.main_contact.email


def test_a_rejection_plans_a_stay_in_touch_whose_hook_slot_blocks_approval(application, user):
    logged = local(2025, 3, 14, 16)
    with time_machine.travel(logged, tick=False):
        application_outcome(application=application, outcome="rejected", user=user)

    note = one(application, Stage.STAY_IN_TOUCH)
    assert note.due_at == local(2025, 4, 25, 8)  # six weeks later, a business morning
    assert HOOK_PLACEHOLDER in note.body_text
    with time_machine.travel(logged, tick=False), pytest.raises(ApprovalBlocked) as error:
        message_approve(message=note, user=user)
    assert [f.code for f in error.value.findings] == ["placeholder"]
    note.refresh_from_db()
    assert note.status == Status.DRAFT
    assert note.approved_at is None


def test_the_stay_in_touch_subjects_read_well_before_the_hook_is_filled(user):
    application, _ = planned(user)
    with time_machine.travel(local(2025, 3, 5, 12), tick=False):
        application_outcome(application=application, outcome="rejected", user=user)
    stay = one(application, Stage.STAY_IN_TOUCH)
    assert "Congratulations" not in stay.subject


def test_accepting_elsewhere_cancels_every_pending_message_and_drafts_the_withdrawal(
    application, user
):
    with time_machine.travel(local(2025, 3, 4, 18), tick=False):
        application_outcome(application=application, outcome="accepted_elsewhere", user=user)

    application.refresh_from_db()
    assert application.stage == Application.Stage.WITHDRAWN
    pending = messages(application, statuses=Message.PENDING_STATUSES)
    assert [m.stage for m in pending] == [Stage.WITHDRAWAL]
    assert pending[0].due_at == THANK_YOU_DUE  # the next business morning
    cancelled = messages(application, statuses=[Status.CANCELLED])
    assert {m.stage for m in cancelled} == {Stage.THANK_YOU, Stage.CHECK_IN, Stage.SECOND_CHECK_IN}
    assert all("another offer" in m.status_reason for m in cancelled)


def test_a_withdrawal_can_go_at_once(application, user):
    with time_machine.travel(local(2025, 3, 6, 10, 30), tick=False):
        application_outcome(
            application=application, outcome="accepted_elsewhere", user=user, at_once=True
        )
    assert one(application, Stage.WITHDRAWAL).due_at == local(2025, 3, 6, 10, 30)


def test_another_offer_drafts_the_deadline_note_and_keeps_the_stage(application, user):
    with time_machine.travel(local(2025, 3, 6, 10), tick=False):
        (note,) = application_outcome(
            application=application,
            outcome="other_offer",
            user=user,
            deadline=dt.date(2025, 3, 14),
        )

    application.refresh_from_db()
    assert application.stage == Application.Stage.INTERVIEWING
    assert note.stage == Stage.OFFER_DEADLINE
    assert "March 14" in note.body_text
    # Before their own decision time: that is the point of it.
    assert note.due_at == local(2025, 3, 7, 8)
    assert len(check_ins(application)) == 2


def test_another_offer_needs_a_deadline(application, user):
    with pytest.raises(ActionRefused):
        application_outcome(application=application, outcome="other_offer", user=user)
    assert messages(application, Stage.OFFER_DEADLINE) == []


def test_accepting_their_offer_cancels_everything_pending(application, user):
    with time_machine.travel(local(2025, 3, 10, 11), tick=False):
        application_outcome(application=application, outcome="offer", user=user)
        application_outcome(application=application, outcome="accepted", user=user)

    application.refresh_from_db()
    assert application.stage == Application.Stage.ACCEPTED
    assert messages(application, statuses=Message.PENDING_STATUSES) == []


def test_a_settled_application_refuses_another_outcome(application, user):
    with time_machine.travel(local(2025, 3, 10, 11), tick=False):
        application_outcome(application=application, outcome="rejected", user=user)
        with pytest.raises(ActionRefused):
            application_outcome(application=application, outcome="offer", user=user)
    application.refresh_from_db()
    assert application.stage == Application.Stage.REJECTED


def test_a_forged_accepted_outcome_without_an_offer_is_refused(owner_client, user):
    application, _ = planned(user)
    with time_machine.travel(local(2025, 3, 5, 12), tick=False):
        response = post_outcome(owner_client, application, outcome="accepted")

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.stage == Application.Stage.INTERVIEWING
    assert check_ins(application)  # nothing was cancelled


def test_accepting_after_an_offer_still_works(owner_client, user):
    application, _ = planned(user)
    with time_machine.travel(local(2025, 3, 5, 12), tick=False):
        post_outcome(owner_client, application, outcome="offer")
        post_outcome(owner_client, application, outcome="accepted")
    application.refresh_from_db()
    assert application.stage == Application.Stage.ACCEPTED


def test_a_second_offer_or_deadline_note_is_refused_once_there_is_an_offer(user):
    application, _ = planned(user)
    Application.objects.filter(pk=application.pk).update(stage=Application.Stage.OFFER)
    with time_machine.travel(local(2025, 3, 5, 12), tick=False):
        for outcome in ("offer", "other_offer"):
            with pytest.raises(ActionRefused):
                application_outcome(
                    application=application,
                    outcome=outcome,
                    user=user,
                    deadline=dt.date(2025, 3, 14),
                )
    assert messages(application, Stage.OFFER_DEADLINE) == []


def test_reopening_without_a_re_plan_drafts_no_check_in(user):
    application, _ = planned(user)
    with time_machine.travel(LOGGED, tick=False):
        application_outcome(application=application, outcome="rejected", user=user)
        application_reopen(
            application=application, user=user, reason="A new round was logged.", replan=False
        )

    application.refresh_from_db()
    assert application.stage == Application.Stage.INTERVIEWING
    assert check_ins(application) == []


def test_each_action_is_one_transaction(application, user, monkeypatch):
    """A failure half-way (here: drafting the close-out) leaves nothing changed."""

    def broken(**kwargs):
        raise RuntimeError("template missing")

    monkeypatch.setattr(outcomes, "draft_message", broken)
    with time_machine.travel(local(2025, 3, 10, 11), tick=False), pytest.raises(RuntimeError):
        application_outcome(application=application, outcome="rejected", user=user)

    application.refresh_from_db()
    assert application.stage == Application.Stage.INTERVIEWING
    assert len(check_ins(application)) == 2
    assert events(application, Kind.STAGE_CHANGED) == []
