"""Planning the panel: the plan tests start from, new rounds, due times that cannot overflow."""

from __future__ import annotations

import pytest
import time_machine

from interviews.models import Contact
from messaging import queue_selectors
from messaging.drafting.planning import plan_interview, replan_application, replan_for
from messaging.models import Message
from messaging.selectors import cadence_facts_for
from messaging.services.editing import message_skip
from tests.builders.clock import ABSURD, local
from tests.builders.interviews import add_participant, make_interview
from tests.builders.queries import check_ins, dana_thank_you, messages
from tests.builders.scenario import (
    CHECK_IN_DUE,
    LOGGED,
    SECOND_CHECK_IN_DUE,
    THANK_YOU_DUE,
    planned,
)

pytestmark = pytest.mark.django_db

Stage = Message.Stage
Status = Message.Status


@pytest.fixture
def application(user):
    return planned(user)[0]


def test_the_plan_these_rules_start_from(application):
    assert [m.due_at for m in check_ins(application)] == [CHECK_IN_DUE, SECOND_CHECK_IN_DUE]
    assert {m.due_at for m in messages(application, Stage.THANK_YOU)} == {THANK_YOU_DUE}


def test_the_check_in_is_planned_as_before_when_nothing_moved(user):
    application, _ = planned(user)
    assert check_ins(application)[0].due_at == CHECK_IN_DUE
    assert dana_thank_you(application).due_at == THANK_YOU_DUE


def test_an_absurd_stored_due_time_cannot_crash_re_planning(user):
    application, _ = planned(user)
    Message.objects.filter(pk=dana_thank_you(application).pk).update(due_at=ABSURD)

    with time_machine.travel(LOGGED, tick=False):
        replan_application(application=application, reason="A profile change.")

    # The check-ins still exist, pushed as far as the calendar goes rather than crashing.
    assert [m.stage for m in check_ins(application)] == [Stage.CHECK_IN, Stage.SECOND_CHECK_IN]


def test_a_new_round_plans_its_check_in_around_an_older_rounds_unsent_thank_you(user):
    application, _ = planned(user)
    old = dana_thank_you(application)
    # The first round's thank-you was put off and is still waiting: a valid, late thank-you.
    Message.objects.filter(pk=old.pk).update(due_at=local(2025, 3, 19, 8), edited_by_user=True)
    with time_machine.travel(local(2025, 3, 6, 12), tick=False):
        second = make_interview(application, starts_at=local(2025, 3, 6, 10), round_number=2)
        add_participant(second, Contact.objects.get(name="Dana Whitfield"))
        plan_interview(interview=second)
        facts = cadence_facts_for(application=application, now=local(2025, 3, 6, 12))
        first = next(m for m in check_ins(application) if m.interview_id == second.pk)
        item = queue_selectors.queue_item(user=user, message=first)

    old.refresh_from_db()
    assert old.status == Status.DRAFT  # kept
    assert facts.thank_you_at == local(2025, 3, 19, 8)
    # Round 2's own check-in would be Thu 20 March: 2 business days after the old thank-you.
    assert first.due_at == local(2025, 3, 21, 8)
    assert not [f for f in item.findings if f.code == "pestering"]


def test_re_planning_an_older_round_never_redrafts_a_cancelled_thank_you(user):
    application, _ = planned(user)
    first_round = application.interviews.get()
    message_skip(message=dana_thank_you(application), user=user, reason="Not needed.")
    with time_machine.travel(local(2025, 3, 6, 12), tick=False):
        second = make_interview(application, starts_at=local(2025, 3, 6, 10), round_number=2)
        add_participant(second, Contact.objects.get(name="Jordan Lee"))
        replan_for(interviews=[first_round], reason="A contact was edited.")

    thank_yous = Message.objects.filter(interview=first_round, stage=Stage.THANK_YOU)
    assert (
        thank_yous.filter(to_name__contains="Dana", status__in=Message.PENDING_STATUSES).count()
        == 0
    )
    assert thank_yous.filter(to_name__contains="Richardson").count() == 1
