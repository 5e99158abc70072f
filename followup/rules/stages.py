"""The stages and statuses every app shares, and the sets the rules read (etiquette spec §2-§8).

The one definition: the models build their choices from these tuples, and the cadence, the
checks and the services read the sets below. Values are what the database stores.
"""

from __future__ import annotations

# (Python name, stored value, label) of each Application stage.
APPLICATION_STAGES = (
    ("APPLIED", "applied", "Applied"),
    ("INTERVIEWING", "interviewing", "Interviewing"),
    ("OFFER", "offer", "Offer"),
    ("ACCEPTED", "accepted", "Accepted"),
    ("REJECTED", "rejected", "Rejected"),
    ("WITHDRAWN", "withdrawn", "Withdrawn"),
    ("QUIET", "quiet", "Gone quiet"),
    ("CLOSED", "closed", "Closed"),
)
APPLIED, INTERVIEWING, OFFER, ACCEPTED, REJECTED, WITHDRAWN, QUIET, CLOSED = (
    value for _, value, _ in APPLICATION_STAGES
)
# Stages after which no automatic follow-up is planned.
ENDED_STAGES = frozenset({ACCEPTED, REJECTED, WITHDRAWN, QUIET, CLOSED})
# Stages the cadence treats as outcomes: an offer stops the check-ins too (spec §7).
OUTCOME_STAGES = ENDED_STAGES | {OFFER}
# Stages that are not outcomes: the cadence runs on.
OPEN_STAGES = frozenset({APPLIED, INTERVIEWING})

# (Python name, stored value, label) of each Message stage.
MESSAGE_STAGES = (
    ("THANK_YOU", "thank_you", "Thank-you"),
    ("CHECK_IN", "check_in", "Check-in"),
    ("SECOND_CHECK_IN", "second_check_in", "Second check-in"),
    ("REJECTION_REPLY", "rejection_reply", "Close-out after a rejection"),
    ("WITHDRAWAL", "withdrawal", "Withdrawal"),
    ("NO_NEWS_REPLY", "no_news_reply", "Thanks for the update"),
    ("OFFER_DEADLINE", "offer_deadline", "Another offer: timeline"),
    ("STAY_IN_TOUCH", "stay_in_touch", "Stay in touch"),
    # Written by the user on the application page, checked and approved like the others.
    ("OWN_EMAIL", "own_email", "Your own email"),
)
(
    THANK_YOU,
    CHECK_IN,
    SECOND_CHECK_IN,
    REJECTION_REPLY,
    WITHDRAWAL,
    NO_NEWS_REPLY,
    OFFER_DEADLINE,
    STAY_IN_TOUCH,
    OWN_EMAIL,
) = (value for _, value, _ in MESSAGE_STAGES)
# The automatic follow-ups of a round: the ones the limit counts and spaces (spec §4-§5, §8).
# Thank-yous are one per interviewer and never count; replies to their news, close-outs and
# deadline notes answer an event, so they are never pestering.
CHECK_IN_STAGES = frozenset({CHECK_IN, SECOND_CHECK_IN})
# What the pestering limit counts and spaces: the check-ins, and the emails the user writes
# themselves on an application (one more nudge is one more nudge, whoever drafted it).
FOLLOW_UP_STAGES = CHECK_IN_STAGES | {OWN_EMAIL}
# Stages Followup writes from templates (templates/emails/<stage>/): all but the user's own.
TEMPLATE_STAGES = frozenset(value for _, value, _ in MESSAGE_STAGES) - {OWN_EMAIL}
# The messages of one interview round: deleting the interview cancels them (the others,
# answers to events, stay with the application).
ROUND_STAGES = frozenset({THANK_YOU}) | CHECK_IN_STAGES
# Written for an application that has ended: an end does not cancel them.
CLOSE_OUT_STAGES = frozenset({REJECTION_REPLY, WITHDRAWAL, STAY_IN_TOUCH})
# Stages whose messages should stay short (spec §2, §4, §5, §7).
LENGTH_LIMITED_STAGES = frozenset({THANK_YOU, CHECK_IN, SECOND_CHECK_IN, NO_NEWS_REPLY})
# Stages whose templates carry a detail from the interview: only they can be "too generic".
DETAIL_STAGES = frozenset({THANK_YOU, CHECK_IN})
# Event-driven stages that go on a business morning (spec §6-§7); the rest go any day.
BUSINESS_DAY_STAGES = frozenset({REJECTION_REPLY, WITHDRAWAL, NO_NEWS_REPLY, STAY_IN_TOUCH})

# (Python name, stored value, label) of each Message status.
MESSAGE_STATUSES = (
    ("DRAFT", "draft", "Awaiting approval"),
    ("APPROVED", "approved", "Approved"),
    ("SENDING", "sending", "Sending"),
    ("SENT", "sent", "Sent"),
    ("FAILED", "failed", "Failed"),
    ("HELD", "held", "On hold"),
    ("CANCELLED", "cancelled", "Cancelled"),
    ("SKIPPED", "skipped", "Skipped"),
    # The mail service may have taken it, but never said so (a timeout, a gateway error
    # after the request went out): not failed, not known sent. Delivery evidence settles it.
    ("UNCONFIRMED", "unconfirmed", "Not confirmed"),
)
DRAFT, APPROVED, SENDING, SENT, FAILED, HELD, CANCELLED, SKIPPED, UNCONFIRMED = (
    value for _, value, _ in MESSAGE_STATUSES
)
# Statuses of a message that may still go out: the user may still hold, cancel or change it.
PENDING_STATUSES = frozenset({DRAFT, APPROVED, HELD})
# Never sent and never will be: no thread can hang from them.
DEAD_STATUSES = frozenset({CANCELLED, SKIPPED, FAILED})

# (Python name, stored value, label) of each kind of answer from the company (spec §7).
REPLY_KINDS = (
    ("REPLY", "reply", "Reply"),
    ("NO_NEWS", "no_news", "No news yet"),
    ("OUT_OF_OFFICE", "out_of_office", "Out of office"),
)
REPLY, NO_NEWS, OUT_OF_OFFICE = (value for _, value, _ in REPLY_KINDS)
REPLY_KIND_VALUES = frozenset({REPLY, NO_NEWS, OUT_OF_OFFICE})


def choices(table: tuple[tuple[str, str, str], ...]) -> list[tuple[str, tuple[str, str]]]:
    """A table above as the members of a Django TextChoices (name, (value, label))."""
    return [(name, (value, label)) for name, value, label in table]


def label(table: tuple[tuple[str, str, str], ...], value: str) -> str:
    """The label of a stored value in a table above (the value itself when unknown)."""
    return next((text for _, stored, text in table if stored == value), value)
