"""The models take their stages and statuses from the one definition in rules.stages."""

from __future__ import annotations

from followup.rules import stages
from interviews.models import Application
from messaging.models import Message


def test_the_models_take_their_stages_from_the_one_definition_in_the_rules():
    """The model choices, the cadence and the checks all read rules.stages."""
    assert Message.Stage.values == [value for _, value, _ in stages.MESSAGE_STAGES]
    assert Message.Status.values == [value for _, value, _ in stages.MESSAGE_STATUSES]
    assert Application.Stage.values == [value for _, value, _ in stages.APPLICATION_STAGES]
    assert Message.Stage.CHECK_IN.label == "Check-in"
    assert Message.CHECK_IN_STAGES is stages.CHECK_IN_STAGES
    assert Message.PENDING_STATUSES.isdisjoint(Message.DEAD_STATUSES)
    assert Message.CLOSE_OUT_STAGES.isdisjoint(Message.CHECK_IN_STAGES)
