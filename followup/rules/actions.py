"""What the user may do to an application at each stage: one rule for the page and the services.

The application page offers exactly `offered_actions(stage)`; every service that acts refuses
with `action_refused(...)`, so a forged POST gets no further than a click would.
"""

from __future__ import annotations

from followup.rules import stages

# What they told us (spec §7): the Reply kinds.
REPLY = stages.REPLY
NO_NEWS = stages.NO_NEWS
OUT_OF_OFFICE = stages.OUT_OF_OFFICE
# What was decided (spec §6-§7).
OFFER = "offer"
ACCEPTED = "accepted"
REJECTED = "rejected"
ACCEPTED_ELSEWHERE = "accepted_elsewhere"
OTHER_OFFER = "other_offer"
OUTCOMES = (OFFER, REJECTED, ACCEPTED_ELSEWHERE, OTHER_OFFER, ACCEPTED)
# Holding everything for a while (spec §7).
PAUSE = "pause"
RESUME = "resume"

REPLIES = (REPLY, NO_NEWS, OUT_OF_OFFICE)
ACTIONS = (*REPLIES, *OUTCOMES, PAUSE, RESUME)


def is_settled(stage: str) -> bool:
    """Ended for good: a quiet application can still hear back, the other ended ones cannot."""
    return stage in stages.ENDED_STAGES and stage != stages.QUIET


def action_refused(*, action: str, stage: str) -> str:
    """Why `action` does not fit an application at `stage` ("" when it does); text for the user.

    1. A real reply or an out-of-office is a fact: always recorded (on a settled application
       for the record only, nothing is planned).
    2. "No news yet" is thanked with a draft: not once there is an offer or a decision.
    3. Outcomes: none on a settled application; "accepted" only after an offer; "offer" and
       "other offer" not again once there is one.
    4. Pause only an application that has not ended (pausing twice, or resuming an
       application that is not paused, changes nothing: a double click is harmless).
    """
    if action not in ACTIONS:
        raise ValueError(f"Unknown action: {action!r}")
    label = stages.label(stages.APPLICATION_STAGES, stage).lower()
    if action == NO_NEWS:
        if stage == stages.OFFER:
            return (
                "They have made you an offer, so there is no news to wait for: accept it, "
                "or log what happened instead."
            )
        if is_settled(stage):
            return f"This application is {label}: there is no decision left to wait for."
    if action in OUTCOMES:
        if is_settled(stage):
            return f"This application is already {label}."
        if action == ACCEPTED and stage != stages.OFFER:
            return "Only an offer can be accepted: log the offer first."
        if action in (OFFER, OTHER_OFFER) and stage == stages.OFFER:
            return "They have already made you an offer: accept it, or log what happened instead."
    if action == PAUSE and stage in stages.ENDED_STAGES:
        return "This application has ended: there is nothing to pause."
    return ""


def offered_actions(*, stage: str, paused: bool = False) -> frozenset[str]:
    """The actions the application page shows: those not refused, pause or resume as fits,
    and on a settled application none at all (a reply that still comes in by mail is
    recorded on its own).
    """
    if is_settled(stage):
        return frozenset()
    offered = {a for a in ACTIONS if not action_refused(action=a, stage=stage)}
    offered.discard(PAUSE if paused else RESUME)
    return frozenset(offered)


# The outcome that put an application at each outcome stage (what "undo" takes back).
_OUTCOME_OF_STAGE = {
    stages.OFFER: OFFER,
    stages.ACCEPTED: ACCEPTED,
    stages.REJECTED: REJECTED,
    stages.WITHDRAWN: ACCEPTED_ELSEWHERE,
}
# Outcomes a settled application may be changed to (an offer, a no, you went elsewhere).
CHANGEABLE_TO = (OFFER, REJECTED, ACCEPTED_ELSEWHERE)
# The open stages an undone outcome may return to.
REOPEN_STAGES = (stages.INTERVIEWING, stages.APPLIED)


def undo_offered(stage: str) -> bool:
    """An outcome (offer, rejection, accepted another, quiet, closed) can be taken back."""
    return stage in stages.OUTCOME_STAGES


def changes_offered(stage: str) -> tuple[str, ...]:
    """The outcomes an application at `stage` may be changed to in one step (none if open)."""
    if not undo_offered(stage):
        return ()
    current = _OUTCOME_OF_STAGE.get(stage)
    return tuple(o for o in CHANGEABLE_TO if o != current)
