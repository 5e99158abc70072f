"""Blocks and warnings about sending (etiquette §5, §8): the follow-up limit and spacing
(pestering), and two emails to one person too close together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from followup.rules import limits, stages
from followup.rules.cadence import DEFAULT_SETTINGS, CadenceSettings
from followup.rules.calendar import WEEKDAYS_ONLY, SenderCalendar
from followup.rules.checks.findings import BLOCK, WARNING, Finding


def check_pestering(
    *,
    stage: str,
    previous_sends: Iterable[dt.datetime] = (),
    planned_at: dt.datetime | None = None,
    thank_you_at: dt.datetime | None = None,
    calendar: SenderCalendar = WEEKDAYS_ONLY,
    settings: CadenceSettings = DEFAULT_SETTINGS,
) -> list[Finding]:
    """Block a follow-up past the limit, or too close to another follow-up or the thank-you.

    1. Only follow-ups count (stages.FOLLOW_UP_STAGES: check-ins and the user's own emails);
       thank-yous never do.
    2. More than limits.MAX_FOLLOW_UPS, this one included, is too many.
    3. Each other follow-up, before or after `planned_at`, must be at least the user's
       second-check-in gap away (settings.second_check_in_business_days, default 5): the gap
       the cadence itself plans with.
    4. The thank-you must be at least limits.MIN_BUSINESS_DAYS_AFTER_THANK_YOU away: it is
       not a follow-up, so the longer gap does not apply to it (spec §4, §8).
    Days are counted in the sender's calendar, holidays included.
    """
    if stage not in stages.FOLLOW_UP_STAGES:
        return []
    others = sorted(previous_sends)
    findings = []
    if len(others) + 1 > limits.MAX_FOLLOW_UPS:
        findings.append(
            Finding(
                code="pestering",
                severity=BLOCK,
                message=(
                    f"This would be follow-up number {len(others) + 1} after the thank-you, "
                    "counting those sent and those already planned; "
                    f"after {limits.MAX_FOLLOW_UPS} unanswered ones, more emails rarely help. "
                    "A friendly LinkedIn connection is the better next step."
                ),
            )
        )
    if planned_at is None:
        return findings
    follow_up_gap = settings.second_check_in_business_days
    neighbours = [(at, "another follow-up", follow_up_gap) for at in others]
    if thank_you_at is not None:
        neighbours.append((thank_you_at, "the thank-you", limits.MIN_BUSINESS_DAYS_AFTER_THANK_YOU))
    day = calendar.local_date(planned_at)
    too_close = []
    for other, what, needed in neighbours:
        other_day = calendar.local_date(other)
        if other <= planned_at:
            gap = calendar.business_days_between(other_day, day)
        else:
            gap = calendar.business_days_between(day, other_day)
        if gap < needed:
            too_close.append((gap, what, needed))
    if too_close:
        closest, what, needed = min(too_close)
        findings.append(
            Finding(
                code="pestering",
                severity=BLOCK,
                message=(
                    f"Only {closest} business day{'s' if closest != 1 else ''} from {what}; "
                    f"leave at least {needed} between them so it does not feel like pressure."
                ),
            )
        )
    return findings


def check_same_recipient(
    *, planned_at: dt.datetime | None, others_due: Iterable[dt.datetime] = ()
) -> list[Finding]:
    """Warn when another of our emails to the same person is due within SAME_RECIPIENT_HOURS."""
    if planned_at is None:
        return []
    window = dt.timedelta(hours=limits.SAME_RECIPIENT_HOURS)
    near = [other for other in others_due if abs(other - planned_at) < window]
    if not near:
        return []
    count = len(near)
    return [
        Finding(
            code="same_recipient_soon",
            severity=WARNING,
            message=(
                f"{'Another email' if count == 1 else f'{count} other emails'} to the same "
                f"person {'is' if count == 1 else 'are'} due within {limits.SAME_RECIPIENT_HOURS} "
                "hours of this one: consider spacing them out or merging them."
            ),
        )
    ]
