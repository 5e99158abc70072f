"""The follow-up cadence as pure timing rules: facts in, due times out (etiquette spec §2, §4-§7).

No database, no settings, no clock: `now` is always passed in. Dates and business days come
from the sender's calendar (rules.calendar). Every returned datetime is aware and in UTC.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass

from followup.rules import limits, stages
from followup.rules.calendar import (
    SenderCalendar,
    add_business_days,
    as_utc,
    aware,
    business_days_later,
    business_morning,
    clamp_into_window,
    next_business_morning,
    next_window_start,
)

# Outcomes (Application stages) that stop the automatic check-ins, with the reason shown.
STOP_REASONS = {
    stages.OFFER: "An offer came in: the automatic check-ins stop.",
    stages.ACCEPTED: "The offer was accepted: the automatic check-ins stop.",
    stages.REJECTED: "The application was turned down: the automatic check-ins stop.",
    stages.WITHDRAWN: "You withdrew from this application: the automatic check-ins stop.",
    stages.CLOSED: "The application is closed: the automatic check-ins stop.",
    stages.QUIET: "The application has gone quiet: no more emails go out.",
}


# -- facts --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CadenceSettings:
    """Per-user cadence settings; the defaults are the spec's."""

    check_in_business_days: int = 10
    after_decision_business_days: int = 2
    second_check_in_business_days: int = 5
    no_news_business_days: int = 7
    out_of_office_business_days: int = 5
    stay_in_touch_weeks: int = 6
    quiet_after_business_days: int = 5  # spec §6: ghosted = 5 business days after the last

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if value < 1:
                raise ValueError(f"{name} must be at least 1, not {value}.")


# The spec's defaults, for facts that come without a user's settings.
DEFAULT_SETTINGS = CadenceSettings()


@dataclass(frozen=True)
class Due:
    """When a message is due, and whether that is later than its ideal moment."""

    at: dt.datetime  # aware, UTC
    late: bool = False


@dataclass(frozen=True)
class SentMessage:
    """A message of the current round that has gone out."""

    stage: str  # a Message.Stage value
    sent_at: dt.datetime


@dataclass(frozen=True)
class Reply:
    """Something the company sent back: a real reply, a "no news yet", or an out-of-office."""

    at: dt.datetime
    kind: str  # "reply" | "no_news" | "out_of_office"
    return_date: dt.date | None = None  # out-of-office only

    def __post_init__(self) -> None:
        if self.kind not in stages.REPLY_KIND_VALUES:
            raise ValueError(f"Unknown reply kind: {self.kind!r}")


@dataclass(frozen=True)
class CadenceFacts:
    """Everything the cadence of one application's current round depends on."""

    last_interview_end: dt.datetime
    now: dt.datetime
    calendar: SenderCalendar
    settings: CadenceSettings = DEFAULT_SETTINGS
    decision_date: dt.date | None = None
    sent: tuple[SentMessage, ...] = ()  # messages of the CURRENT round only
    replies: tuple[Reply, ...] = ()  # replies since the current round's interview
    paused: bool = False
    paused_since: dt.datetime | None = None  # informational
    resumed_at: dt.datetime | None = None  # last resume
    outcome: str = ""  # "" or an Application.Stage value
    # The application's latest live thank-you, whatever its round (an older round's may still
    # be waiting): when it went, or when it is planned if not sent yet. The
    # first check-in keeps limits.MIN_BUSINESS_DAYS_AFTER_THANK_YOU from it (spec §4, §8).
    thank_you_at: dt.datetime | None = None


@dataclass(frozen=True)
class Plan:
    """Each automatic stage's due time (None = not to be sent) and why the cadence stopped/waits."""

    check_in: dt.datetime | None
    second_check_in: dt.datetime | None
    goes_quiet_at: dt.datetime | None  # after thank-you + 2 unanswered follow-ups (LinkedIn task)
    held: bool = False  # paused or out of office: pending check-ins wait, not cancelled
    stopped_reason: str = ""  # set when a reply or an outcome stopped the check-ins
    held_until: dt.datetime | None = None  # end of an out-of-office hold (None = no such hold)
    held_reason: str = ""  # why the check-ins wait, for the timeline


def thank_you_due(*, interview_end: dt.datetime, now: dt.datetime, calendar: SenderCalendar) -> Due:
    """When the thank-you is due (spec §2): the next morning, any day, or at once if late.

    1. Ended before that day's window opened (a 7 a.m. meeting): the later of end + 2 h and the
       window start, the same day.
    2. Otherwise: the window start of the next calendar day; weekends and holidays do not count.
    3. A moment out of the window (a custom short window) moves to the next window start.
    4. Already past at `now` (logged late): due at once, clamped into the window, marked late.
    """
    end, now = as_utc(interview_end), as_utc(now)
    day = calendar.local_date(end)
    if end < calendar.window_opens(day):
        ideal = max(end + dt.timedelta(hours=2), calendar.window_opens(day))
    else:
        ideal = calendar.window_opens(day + dt.timedelta(days=1))
    ideal = clamp_into_window(at=ideal, calendar=calendar, business_day=False)
    if ideal >= now:
        return Due(at=ideal)
    return Due(at=clamp_into_window(at=now, calendar=calendar, business_day=False), late=True)


def check_in_due(
    *,
    last_interview_end: dt.datetime,
    decision_date: dt.date | None,
    calendar: SenderCalendar,
    settings: CadenceSettings,
) -> dt.datetime:
    """The first check-in (spec §4): N business days after a stated decision date, else after
    the last interview, at the window start.

    A decision date before the interview's own date is stale (from an earlier round): ignored.
    """
    interview_day = calendar.local_date(last_interview_end)
    if decision_date is not None and decision_date >= interview_day:
        start, days = decision_date, settings.after_decision_business_days
    else:
        start, days = interview_day, settings.check_in_business_days
    day = add_business_days(start=start, days=days, calendar=calendar)
    return business_morning(day=day, calendar=calendar)


def second_check_in_due(
    *, first_check_in_at: dt.datetime, calendar: SenderCalendar, settings: CadenceSettings
) -> dt.datetime:
    """The second check-in (spec §5): N business days after the first one went (or is due)."""
    return business_days_later(first_check_in_at, settings.second_check_in_business_days, calendar)


def after_no_news_reply_due(
    *, reply_at: dt.datetime, calendar: SenderCalendar, settings: CadenceSettings
) -> dt.datetime:
    """The next check-in after a "no news yet" reply (spec §7): N business days of silence."""
    return business_days_later(reply_at, settings.no_news_business_days, calendar)


def out_of_office_until(
    *,
    reply_at: dt.datetime,
    return_date: dt.date | None,
    calendar: SenderCalendar,
    settings: CadenceSettings,
) -> dt.datetime:
    """End of an out-of-office hold (spec §7): the business morning on/after the return date,
    else N business days after the auto-reply; never before the next business morning.
    """
    if return_date is None:
        return business_days_later(reply_at, settings.out_of_office_business_days, calendar)
    # A return date already past when the auto-reply came is treated as "back now".
    return max(
        business_morning(day=return_date, calendar=calendar),
        next_business_morning(after=reply_at, calendar=calendar),
    )


def close_out_due(
    *, logged_at: dt.datetime, calendar: SenderCalendar, at_once: bool = False
) -> dt.datetime:
    """A rejection reply or withdrawal (spec §6): the next business morning, or at once.

    "At once" is the user's explicit wish, so only the send window applies, not business days.
    """
    if at_once:
        return clamp_into_window(at=logged_at, calendar=calendar, business_day=False)
    return next_business_morning(after=logged_at, calendar=calendar)


# A deadline this close (in business days from today) leaves no time for a next-morning note.
OFFER_DEADLINE_NEAR_BUSINESS_DAYS = 2


def offer_deadline_due(
    *, logged_at: dt.datetime, deadline: dt.date, calendar: SenderCalendar, at_once: bool = False
) -> dt.datetime:
    """The other-offer note (spec §7): the next business morning, or at once when time is short.

    1. At the user's wish, or with the deadline within OFFER_DEADLINE_NEAR_BUSINESS_DAYS
       business days (today included): at once, clamped into the send window, any day.
    2. Never after the deadline: when the window has closed for good before it (a deadline of
       today, logged in the evening), due at once; the user sends it with "Send now".
    """
    today = calendar.local_date(as_utc(logged_at))
    near = deadline <= add_business_days(
        start=today, days=OFFER_DEADLINE_NEAR_BUSINESS_DAYS, calendar=calendar
    )
    if at_once or near:
        due = clamp_into_window(at=logged_at, calendar=calendar, business_day=False)
    else:
        due = next_business_morning(after=logged_at, calendar=calendar)
    if calendar.local_date(due) > deadline:
        return as_utc(logged_at)
    return due


def stay_in_touch_due(
    *, closed_at: dt.datetime, calendar: SenderCalendar, settings: CadenceSettings
) -> dt.datetime:
    """The stay-in-touch note (spec §6): N weeks after closing, on a business morning."""
    day = calendar.local_date(closed_at) + dt.timedelta(weeks=settings.stay_in_touch_weeks)
    return business_morning(day=day, calendar=calendar)


def resume_due(
    *,
    due_at: dt.datetime,
    resumed_at: dt.datetime,
    calendar: SenderCalendar,
    business_day: bool = True,
) -> dt.datetime:
    """A stage that fell due during a pause: the next window start after resuming (spec §7)."""
    due_at, resumed_at = as_utc(due_at), as_utc(resumed_at)
    if due_at >= resumed_at:
        return due_at
    return next_window_start(resumed_at, calendar, business_day=business_day)


# -- the composite ------------------------------------------------------------------------------


def _day_month(at: dt.datetime, calendar: SenderCalendar) -> str:
    """A date like "3 March", in the sender's time zone."""
    day = calendar.local_date(at)
    return f"{day.day} {day:%B}"


def _latest(replies: Iterable[Reply], *kinds: str) -> Reply | None:
    """The most recent reply of the given kinds."""
    return max((r for r in replies if r.kind in kinds), key=lambda r: r.at, default=None)


def _thank_you_at(facts: CadenceFacts, round_start: dt.datetime) -> dt.datetime | None:
    """The latest thank-you of the round: the given time or a sent one, whichever is later."""
    times = [
        as_utc(m.sent_at)
        for m in facts.sent
        if m.stage == stages.THANK_YOU and as_utc(m.sent_at) >= round_start
    ]
    if facts.thank_you_at is not None:
        times.append(as_utc(facts.thank_you_at))
    return max(times, default=None)


def plan(facts: CadenceFacts) -> Plan:
    """Each automatic stage's due time for one application's current round.

    1. Check every datetime is aware; drop sent messages and replies from before the current
       round's interview (they belong to an earlier round).
    2. An outcome or a real reply stops the check-ins: nothing planned, with the reason.
    3. Work out holds: a user pause, or an out-of-office auto-reply that is still the company's
       latest word (until its return date).
    4. Two check-ins already sent: none more; the application goes quiet N business days after
       the last one (or after the silence that follows a later "no news yet" reply).
    5. The next check-in: after a "no news yet" reply with no check-in since, N business days
       after that reply (it replaces the pending ones); else by the decision-date / interview
       rule (first check-in) or N business days after the first one went (second). The first
       check-in also waits MIN_BUSINESS_DAYS_AFTER_THANK_YOU after the thank-you (sent, else
       planned).
    6. Move that due time: fell due during a pause -> next window start after the resume; in
       the past -> next window start after now; inside an out-of-office hold -> the hold's end.
    7. With no check-in sent yet, plan the second from the first one's moved due time and move
       it the same way; the application goes quiet N business days after the second.
    """
    round_ = _Round.of(facts)
    stopped = _stopped_reason(facts, round_)
    if stopped:
        return Plan(None, None, None, stopped_reason=stopped)
    hold = _Hold.of(facts, round_)
    after_no_news = _after_no_news(facts, round_)
    quiet_after = functools.partial(
        business_days_later, days=facts.settings.quiet_after_business_days, calendar=facts.calendar
    )
    # 4.
    if len(round_.check_ins) >= limits.MAX_FOLLOW_UPS:
        return Plan(None, None, after_no_news or quiet_after(round_.check_ins[-1]), **hold.fields)
    # 5. and 6.
    next_due = hold.move(_next_check_in_due(facts, round_, after_no_news=after_no_news))
    if round_.check_ins:
        return Plan(None, next_due, quiet_after(next_due), **hold.fields)
    # 7.
    second = hold.move(
        second_check_in_due(
            first_check_in_at=next_due, calendar=facts.calendar, settings=facts.settings
        )
    )
    return Plan(next_due, second, quiet_after(second), **hold.fields)


@dataclass(frozen=True)
class _Round:
    """Step 1: the current round's facts, every datetime checked aware and in UTC."""

    start: dt.datetime
    now: dt.datetime
    resumed_at: dt.datetime | None
    check_ins: tuple[dt.datetime, ...]  # sent, oldest first
    replies: tuple[Reply, ...]

    @classmethod
    def of(cls, facts: CadenceFacts) -> _Round:
        start = as_utc(facts.last_interview_end)
        if facts.paused_since is not None:
            aware(facts.paused_since)
        return cls(
            start=start,
            now=as_utc(facts.now),
            resumed_at=(
                None if facts.paused or facts.resumed_at is None else as_utc(facts.resumed_at)
            ),
            # Sent messages and replies from before this round's interview belong to an
            # earlier round.
            check_ins=tuple(
                sorted(
                    as_utc(m.sent_at)
                    for m in facts.sent
                    if m.stage in stages.CHECK_IN_STAGES and as_utc(m.sent_at) >= start
                )
            ),
            replies=tuple(r for r in facts.replies if as_utc(r.at) >= start),
        )


def _stopped_reason(facts: CadenceFacts, round_: _Round) -> str:
    """Step 2: why an outcome or a real reply stops the check-ins ("" when nothing does)."""
    if facts.outcome and facts.outcome not in stages.OPEN_STAGES:
        if facts.outcome not in STOP_REASONS:
            raise ValueError(f"Unknown outcome: {facts.outcome!r}")
        return STOP_REASONS[facts.outcome]
    real_reply = _latest(round_.replies, stages.REPLY)
    if real_reply is not None:
        when = _day_month(real_reply.at, facts.calendar)
        return f"They replied on {when}: the automatic check-ins stop."
    return ""


@dataclass(frozen=True)
class _Hold:
    """Step 3 (what holds the check-ins) and step 6 (moving an unsent due time past it)."""

    calendar: SenderCalendar
    now: dt.datetime
    resumed_at: dt.datetime | None
    end: dt.datetime | None  # an out-of-office hold's end, past or not
    fields: dict  # held, held_until, held_reason for the Plan

    @classmethod
    def of(cls, facts: CadenceFacts, round_: _Round) -> _Hold:
        """A user pause, or an out-of-office auto-reply still the company's latest word."""
        end = None
        latest_word = _latest(round_.replies, stages.NO_NEWS, stages.OUT_OF_OFFICE)
        if latest_word is not None and latest_word.kind == stages.OUT_OF_OFFICE:
            end = out_of_office_until(
                reply_at=latest_word.at,
                return_date=latest_word.return_date,
                calendar=facts.calendar,
                settings=facts.settings,
            )
        held_until = end if end is not None and round_.now < end else None
        if facts.paused:
            reason = "Paused: the check-ins wait until you resume."
        elif held_until is not None:
            when = _day_month(held_until, facts.calendar)
            reason = f"Out of office until {when}: the check-ins wait until then."
        else:
            reason = ""
        return cls(
            calendar=facts.calendar,
            now=round_.now,
            resumed_at=round_.resumed_at,
            end=end,
            fields={"held": bool(reason), "held_until": held_until, "held_reason": reason},
        )

    def move(self, due: dt.datetime) -> dt.datetime:
        """Fell due during a pause: the next window start after the resume; inside an
        out-of-office hold: the hold's end; in the past: the next window start after now."""
        if self.resumed_at is not None:
            due = resume_due(due_at=due, resumed_at=self.resumed_at, calendar=self.calendar)
        # The hold first: released right at its end (now == end), a check-in goes then, not a
        # day later (services.holds.applications_end_holds re-plans as of the hold's end).
        if self.end is not None and due < self.end:
            due = self.end
        if due < self.now:
            due = next_business_morning(after=self.now, calendar=self.calendar)
        return due


def _after_no_news(facts: CadenceFacts, round_: _Round) -> dt.datetime | None:
    """The end of the silence a "no news yet" asks for, while no check-in has followed it."""
    no_news = _latest(round_.replies, stages.NO_NEWS)
    if no_news is None or any(at > as_utc(no_news.at) for at in round_.check_ins):
        return None
    return after_no_news_reply_due(
        reply_at=no_news.at, calendar=facts.calendar, settings=facts.settings
    )


def _next_check_in_due(
    facts: CadenceFacts, round_: _Round, *, after_no_news: dt.datetime | None
) -> dt.datetime:
    """Step 5: the next check-in's due time, before moving it past holds."""
    calendar, settings = facts.calendar, facts.settings
    if round_.check_ins:
        next_due = second_check_in_due(
            first_check_in_at=round_.check_ins[0], calendar=calendar, settings=settings
        )
        # After "no news yet": the later of the silence rule and the usual gap.
        return max(next_due, after_no_news or next_due)
    next_due = check_in_due(
        last_interview_end=round_.start,
        decision_date=facts.decision_date,
        calendar=calendar,
        settings=settings,
    )
    # "No news yet" asks for at least 7 more business days of silence; it never brings the
    # check-in forward past their own decision date (spec §4, §7).
    next_due = max(next_due, after_no_news or next_due)
    thank_you_at = _thank_you_at(facts, round_.start)
    if thank_you_at is not None:
        # A thank-you that went (or goes) late: the first check-in keeps at least
        # MIN_BUSINESS_DAYS_AFTER_THANK_YOU from it (spec §4, §8). The thank-you is not a
        # follow-up, so the longer gap between follow-ups does not apply to it.
        next_due = max(
            next_due,
            business_days_later(thank_you_at, limits.MIN_BUSINESS_DAYS_AFTER_THANK_YOU, calendar),
        )
    return next_due
