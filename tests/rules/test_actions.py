"""What the user may do at each stage: one rule for the page and the services (rules.actions)."""

from __future__ import annotations

import pytest

from followup.rules import actions, stages

# (stage, paused) -> the actions the application page offers.
OFFERED = [
    (stages.APPLIED, False, {*actions.REPLIES, *actions.OUTCOMES, actions.PAUSE} - {"accepted"}),
    (stages.INTERVIEWING, False, set(actions.ACTIONS) - {"accepted", "resume"}),
    (stages.INTERVIEWING, True, set(actions.ACTIONS) - {"accepted", "pause"}),
    (
        stages.OFFER,
        False,
        {"reply", "out_of_office", "rejected", "accepted", "accepted_elsewhere", "pause"},
    ),
    # A quiet application can still hear back and still be decided; it has ended, so no pause.
    (stages.QUIET, False, set(actions.ACTIONS) - {"accepted", "pause", "resume"}),
    (stages.REJECTED, False, set()),
    (stages.ACCEPTED, False, set()),
    (stages.WITHDRAWN, False, set()),
    (stages.CLOSED, False, set()),
]


@pytest.mark.parametrize(("stage", "paused", "expected"), OFFERED)
def test_the_page_offers_what_the_stage_admits(stage, paused, expected):
    assert actions.offered_actions(stage=stage, paused=paused) == expected


@pytest.mark.parametrize(("stage", "paused", "offered"), OFFERED)
def test_nothing_offered_is_refused(stage, paused, offered):
    for action in offered:
        assert actions.action_refused(action=action, stage=stage) == ""


def test_no_news_is_refused_once_there_is_an_offer_or_a_decision():
    assert "offer" in actions.action_refused(action="no_news", stage=stages.OFFER)
    for stage in (stages.REJECTED, stages.ACCEPTED, stages.WITHDRAWN, stages.CLOSED):
        assert actions.action_refused(action="no_news", stage=stage)


def test_a_real_reply_or_an_out_of_office_is_always_recorded():
    for stage, _, _ in OFFERED:
        assert actions.action_refused(action="reply", stage=stage) == ""
        assert actions.action_refused(action="out_of_office", stage=stage) == ""


def test_outcomes_follow_the_offer():
    assert actions.action_refused(action="accepted", stage=stages.INTERVIEWING)
    assert actions.action_refused(action="offer", stage=stages.OFFER)
    assert actions.action_refused(action="other_offer", stage=stages.OFFER)
    assert actions.action_refused(action="rejected", stage=stages.REJECTED)


def test_an_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError):
        actions.action_refused(action="maybe", stage=stages.INTERVIEWING)


@pytest.mark.parametrize(
    ("stage", "undo", "changes"),
    [
        ("applied", False, ()),
        ("interviewing", False, ()),
        ("offer", True, ("rejected", "accepted_elsewhere")),
        ("rejected", True, ("offer", "accepted_elsewhere")),
        ("withdrawn", True, ("offer", "rejected")),
        ("accepted", True, ("offer", "rejected", "accepted_elsewhere")),
        ("quiet", True, ("offer", "rejected", "accepted_elsewhere")),
    ],
)
def test_which_outcomes_can_be_undone_or_changed(stage, undo, changes):
    assert actions.undo_offered(stage) is undo
    assert actions.changes_offered(stage) == changes
