"""The dashboard's figures from plain facts: reply rates, time to a reply, going quiet.

Pure: the selectors read the rows, these functions count. A rate keeps its two numbers so a
page can say "3 of 8" rather than a bare percentage that hides a tiny sample.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from followup.rules.calendar import SenderCalendar


@dataclass(frozen=True)
class Rate:
    label: str
    replied: int
    asked: int

    @property
    def percent(self) -> int | None:
        """Rounded share, None when nothing was asked (no rate, not 0%)."""
        return round(100 * self.replied / self.asked) if self.asked else None


def rates(label_of: dict[str, str], facts: Iterable[tuple[str, bool]]) -> list[Rate]:
    """One Rate per key of `label_of` (in its order) from (key, replied?) facts."""
    asked: dict[str, int] = dict.fromkeys(label_of, 0)
    replied: dict[str, int] = dict.fromkeys(label_of, 0)
    for key, answered in facts:
        if key in asked:
            asked[key] += 1
            replied[key] += answered
    return [Rate(label_of[key], replied[key], asked[key]) for key in label_of]


def answered(sent: Iterable[tuple[int, dt.datetime]], replies: Iterable[dt.datetime]) -> set[int]:
    """Which messages of one application a reply answered: each reply answers the latest
    message sent before it, not every earlier one (a reply after the second check-in does
    not make the thank-you "answered")."""
    ordered = sorted(sent, key=lambda item: item[1])
    hit: set[int] = set()
    for at in replies:
        before = [key for key, sent_at in ordered if sent_at <= at]
        if before:
            hit.add(before[-1])
    return hit


def median_business_days(
    pairs: Iterable[tuple[dt.datetime, dt.datetime]], *, calendar: SenderCalendar
) -> float | None:
    """Median business days from each first message to its first reply; None with no pair."""
    days = [
        calendar.business_days_between(calendar.local_date(sent), calendar.local_date(reply))
        for sent, reply in pairs
        if reply >= sent
    ]
    return statistics.median(days) if days else None


def week_starts(*, today: dt.date, weeks: int) -> list[dt.date]:
    """The Mondays of the last `weeks` weeks, oldest first, this week last."""
    monday = today - dt.timedelta(days=today.weekday())
    return [monday - dt.timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
