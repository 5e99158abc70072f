"""The follow-up cadence as pure timing rules: facts in, due times out (etiquette spec §2, §4-§7).

No database, no settings, no clock: `now` is always passed in. Wall-clock arithmetic happens on
local dates in the sender's time zone and is only then turned into an instant, so a due time
stays at the local window start across DST changes. Every returned datetime is aware and in UTC.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass

import holidays

UTC = dt.UTC

# Message.Stage values of the two automatic check-ins (the follow-ups the limit counts).
CHECK_IN_STAGES = frozenset({"check_in", "second_check_in"})
# At most this many check-ins after the thank-you (spec §5: thank-you + two follow-ups).
MAX_CHECK_INS = 2

REPLY_KINDS = frozenset({"reply", "no_news", "out_of_office"})

# Outcomes (Application.Stage values) that stop the automatic check-ins, with the reason shown.
STOP_REASONS = {
    "offer": "An offer came in: the automatic check-ins stop.",
    "accepted": "The offer was accepted: the automatic check-ins stop.",
    "rejected": "The application was turned down: the automatic check-ins stop.",
    "withdrawn": "You withdrew from this application: the automatic check-ins stop.",
    "closed": "The application is closed: the automatic check-ins stop.",
    "quiet": "The application has gone quiet: no more emails go out.",
}
# Stages that are not outcomes: the cadence runs on.
OPEN_OUTCOMES = frozenset({"", "applied", "interviewing"})


# -- facts --------------------------------------------------------------------------------------


@functools.cache
def _zone(name: str) -> zoneinfo.ZoneInfo:
    """An IANA time zone, or ValueError for a name we do not know."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"Unknown time zone: {name!r}") from error


@functools.cache
def _holiday_dates(country: str, region: str, year: int) -> frozenset[dt.date]:
    """Public holidays of one country (and region) in one year."""
    if not country:
        return frozenset()
    return frozenset(holidays.country_holidays(country, subdiv=region or None, years=year))


@dataclass(frozen=True)
class SenderCalendar:
    """Where and when the sender writes: time zone, public holidays, daily send window."""

    time_zone: str  # IANA name, e.g. "America/New_York"
    country: str = "US"  # holidays country code ("" = weekends only)
    region: str = ""  # holidays subdiv code, optional
    window_start: dt.time = dt.time(8, 0)
    window_end: dt.time = dt.time(19, 0)

    def __post_init__(self) -> None:
        # Fail here, on bad facts, rather than deep inside a plan.
        _zone(self.time_zone)
        if self.window_start >= self.window_end:
            raise ValueError("The send window must end after it starts.")
        supported = holidays.list_supported_countries()
        if self.country and self.country not in supported:
            raise ValueError(f"No public holidays known for country {self.country!r}.")
        if self.region and self.region not in supported.get(self.country, ()):
            raise ValueError(f"Unknown region {self.region!r} of {self.country or 'no country'}.")

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The sender's time zone."""
        return _zone(self.time_zone)

    def is_business_day(self, day: dt.date) -> bool:
        """Monday to Friday and not a public holiday of the sender's country/region."""
        return day.weekday() < 5 and day not in _holiday_dates(self.country, self.region, day.year)

    def local_date(self, at: dt.datetime) -> dt.date:
        """The sender's calendar date at an instant."""
        return _utc(at).astimezone(self.zone).date()

    def wall_time(self, day: dt.date, time: dt.time) -> dt.datetime:
        """A local wall-clock time as a UTC instant (DST gap -> the jump; overlap -> the first)."""
        return _wall_to_utc(dt.datetime.combine(_clamp_day(day), time), self.zone)

    def window_opens(self, day: dt.date) -> dt.datetime:
        """The send window's start on a local date, in UTC."""
        return self.wall_time(day, self.window_start)

    def window_closes(self, day: dt.date) -> dt.datetime:
        """The send window's end on a local date, in UTC."""
        return self.wall_time(day, self.window_end)


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
        if self.kind not in REPLY_KINDS:
            raise ValueError(f"Unknown reply kind: {self.kind!r}")


@dataclass(frozen=True)
class CadenceFacts:
    """Everything the cadence of one application's current round depends on."""

    last_interview_end: dt.datetime
    now: dt.datetime
    calendar: SenderCalendar
    settings: CadenceSettings = CadenceSettings()
    decision_date: dt.date | None = None
    sent: tuple[SentMessage, ...] = ()  # messages of the CURRENT round only
    replies: tuple[Reply, ...] = ()  # replies since the current round's interview
    paused: bool = False
    paused_since: dt.datetime | None = None  # informational
    resumed_at: dt.datetime | None = None  # last resume
    outcome: str = ""  # "" or an Application.Stage value
    # The application's latest live thank-you, whatever its round (an older round's may still
    # be waiting): when it went, or when it is planned if not sent yet. The
    # first check-in keeps the follow-up spacing from it (spec §8: the thank-you is "the
    # previous one" for the first follow-up).
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


# -- time helpers -------------------------------------------------------------------------------


# Dates past this are absurd (a typo, a year 9999) but must not overflow the date arithmetic
# below (datetime stops at 9999-12-31): every input is read as no later than this.
LATEST_DAY = dt.date(9000, 1, 1)
_LATEST = dt.datetime(9000, 1, 1, tzinfo=UTC)


def _clamp_day(day: dt.date) -> dt.date:
    """A date, no later than LATEST_DAY."""
    return min(day, LATEST_DAY)


def _aware(value: dt.datetime) -> dt.datetime:
    """The value itself, or ValueError for a naive datetime (it has no instant)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"Expected an aware datetime, got a naive one: {value.isoformat()}")
    return value


def _utc(value: dt.datetime) -> dt.datetime:
    """An aware datetime in any zone as UTC (no later than _LATEST: see LATEST_DAY)."""
    return min(_aware(value), _LATEST).astimezone(UTC)


def _wall_to_utc(wall: dt.datetime, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """A naive local wall-clock time in `zone` as a UTC instant.

    1. A time that exists once: that instant.
    2. A time that exists twice (clocks go back): the first one (fold=0).
    3. A time the clocks skip (spring forward): the first instant after it, i.e. the jump itself
       (02:30 on a 02:00->03:00 night is 03:00 local), found by bisecting whole seconds.
    """
    first = wall.replace(tzinfo=zone, fold=0)
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall:
        return first.astimezone(UTC)
    # In the gap, fold=0 reads the time with the offset from before the jump (an instant after
    # it) and fold=1 with the offset from after it (an instant before it).
    after = first.astimezone(UTC)
    before = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    offset_after = after.astimezone(zone).utcoffset()
    lo, hi = math.floor(before.timestamp()), math.ceil(after.timestamp())
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if dt.datetime.fromtimestamp(mid, zone).utcoffset() == offset_after:
            hi = mid
        else:
            lo = mid
    return dt.datetime.fromtimestamp(hi, UTC)


# -- building blocks ----------------------------------------------------------------------------


def add_business_days(*, start: dt.date, days: int, calendar: SenderCalendar) -> dt.date:
    """The date `days` business days after `start`, counting only days strictly after it."""
    if days < 0:
        raise ValueError("days must not be negative.")
    day = _clamp_day(start)
    while days:
        day += dt.timedelta(days=1)
        if calendar.is_business_day(day):
            days -= 1
    return day


def _business_day_on_or_after(day: dt.date, calendar: SenderCalendar) -> dt.date:
    """`day` itself when it is a business day, else the next one."""
    day = _clamp_day(day)
    while not calendar.is_business_day(day):
        day += dt.timedelta(days=1)
    return day


def business_morning(*, day: dt.date, calendar: SenderCalendar) -> dt.datetime:
    """The window start of `day`, or of the next business day when `day` is not one."""
    return calendar.window_opens(_business_day_on_or_after(day, calendar))


def _next_window_start(
    after: dt.datetime, calendar: SenderCalendar, *, business_day: bool
) -> dt.datetime:
    """The first window start strictly after `after` (on a business day when asked)."""
    after = _utc(after)
    day = calendar.local_date(after)
    while True:
        if not business_day or calendar.is_business_day(day):
            opens = calendar.window_opens(day)
            if opens > after:
                return opens
        day += dt.timedelta(days=1)


def next_business_morning(*, after: dt.datetime, calendar: SenderCalendar) -> dt.datetime:
    """The first window start strictly after `after` on a business day."""
    return _next_window_start(after, calendar, business_day=True)


def clamp_into_window(
    *, at: dt.datetime, calendar: SenderCalendar, business_day: bool
) -> dt.datetime:
    """`at` moved forward into the send window [start, end) (and onto a business day if asked)."""
    at = _utc(at)
    day = calendar.local_date(at)
    if business_day and not calendar.is_business_day(day):
        return business_morning(day=day, calendar=calendar)
    if at < calendar.window_opens(day):
        return calendar.window_opens(day)
    if at >= calendar.window_closes(day):
        return _next_window_start(at, calendar, business_day=business_day)
    return at


def thank_you_due(*, interview_end: dt.datetime, now: dt.datetime, calendar: SenderCalendar) -> Due:
    """When the thank-you is due (spec §2): the next morning, any day, or at once if late.

    1. Ended before that day's window opened (a 7 a.m. meeting): the later of end + 2 h and the
       window start, the same day.
    2. Otherwise: the window start of the next calendar day; weekends and holidays do not count.
    3. A moment out of the window (a custom short window) moves to the next window start.
    4. Already past at `now` (logged late): due at once, clamped into the window, marked late.
    """
    end, now = _utc(interview_end), _utc(now)
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


def _business_days_later(at: dt.datetime, days: int, calendar: SenderCalendar) -> dt.datetime:
    """The window start `days` business days after the local date of `at`."""
    day = add_business_days(start=calendar.local_date(at), days=days, calendar=calendar)
    return business_morning(day=day, calendar=calendar)


def second_check_in_due(
    *, first_check_in_at: dt.datetime, calendar: SenderCalendar, settings: CadenceSettings
) -> dt.datetime:
    """The second check-in (spec §5): N business days after the first one went (or is due)."""
    return _business_days_later(first_check_in_at, settings.second_check_in_business_days, calendar)


def after_no_news_reply_due(
    *, reply_at: dt.datetime, calendar: SenderCalendar, settings: CadenceSettings
) -> dt.datetime:
    """The next check-in after a "no news yet" reply (spec §7): N business days of silence."""
    return _business_days_later(reply_at, settings.no_news_business_days, calendar)


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
        return _business_days_later(reply_at, settings.out_of_office_business_days, calendar)
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
    today = calendar.local_date(_utc(logged_at))
    near = deadline <= add_business_days(
        start=today, days=OFFER_DEADLINE_NEAR_BUSINESS_DAYS, calendar=calendar
    )
    if at_once or near:
        due = clamp_into_window(at=logged_at, calendar=calendar, business_day=False)
    else:
        due = next_business_morning(after=logged_at, calendar=calendar)
    if calendar.local_date(due) > deadline:
        return _utc(logged_at)
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
    due_at, resumed_at = _utc(due_at), _utc(resumed_at)
    if due_at >= resumed_at:
        return due_at
    return _next_window_start(resumed_at, calendar, business_day=business_day)


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
        _utc(m.sent_at)
        for m in facts.sent
        if m.stage == "thank_you" and _utc(m.sent_at) >= round_start
    ]
    if facts.thank_you_at is not None:
        times.append(_utc(facts.thank_you_at))
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
       check-in also waits the second-check-in gap after the thank-you (sent, else planned).
    6. Move that due time: fell due during a pause -> next window start after the resume; in
       the past -> next window start after now; inside an out-of-office hold -> the hold's end.
    7. With no check-in sent yet, plan the second from the first one's moved due time and move
       it the same way; the application goes quiet N business days after the second.
    """
    calendar, settings = facts.calendar, facts.settings
    # 1.
    round_start, now = _utc(facts.last_interview_end), _utc(facts.now)
    resumed_at = None if facts.paused or facts.resumed_at is None else _utc(facts.resumed_at)
    if facts.paused_since is not None:
        _aware(facts.paused_since)
    check_ins = sorted(
        _utc(m.sent_at)
        for m in facts.sent
        if m.stage in CHECK_IN_STAGES and _utc(m.sent_at) >= round_start
    )
    replies = [r for r in facts.replies if _utc(r.at) >= round_start]

    # 2.
    if facts.outcome not in OPEN_OUTCOMES:
        if facts.outcome not in STOP_REASONS:
            raise ValueError(f"Unknown outcome: {facts.outcome!r}")
        return Plan(None, None, None, stopped_reason=STOP_REASONS[facts.outcome])
    real_reply = _latest(replies, "reply")
    if real_reply is not None:
        when = _day_month(real_reply.at, calendar)
        reason = f"They replied on {when}: the automatic check-ins stop."
        return Plan(None, None, None, stopped_reason=reason)

    # 3.
    hold_end = None
    latest_word = _latest(replies, "no_news", "out_of_office")
    if latest_word is not None and latest_word.kind == "out_of_office":
        hold_end = out_of_office_until(
            reply_at=latest_word.at,
            return_date=latest_word.return_date,
            calendar=calendar,
            settings=settings,
        )
    held_until = hold_end if hold_end is not None and now < hold_end else None
    if facts.paused:
        held_reason = "Paused: the check-ins wait until you resume."
    elif held_until is not None:
        when = _day_month(held_until, calendar)
        held_reason = f"Out of office until {when}: the check-ins wait until then."
    else:
        held_reason = ""
    hold = {"held": bool(held_reason), "held_until": held_until, "held_reason": held_reason}

    def move(due: dt.datetime) -> dt.datetime:
        """Step 6 for one unsent due time."""
        if resumed_at is not None:
            due = resume_due(due_at=due, resumed_at=resumed_at, calendar=calendar)
        # The hold first: released right at its end (now == hold_end), a check-in goes then,
        # not a day later (services.applications_end_holds re-plans as of the hold's end).
        if hold_end is not None and due < hold_end:
            due = hold_end
        if due < now:
            due = next_business_morning(after=now, calendar=calendar)
        return due

    def quiet_after(last: dt.datetime) -> dt.datetime:
        return _business_days_later(last, settings.quiet_after_business_days, calendar)

    no_news = _latest(replies, "no_news")
    # A "no news yet" reply not yet followed by a check-in restarts the silence count.
    awaiting_no_news = no_news is not None and not any(at > _utc(no_news.at) for at in check_ins)
    after_no_news = (
        after_no_news_reply_due(reply_at=no_news.at, calendar=calendar, settings=settings)
        if awaiting_no_news
        else None
    )

    # 4.
    if len(check_ins) >= MAX_CHECK_INS:
        return Plan(None, None, after_no_news or quiet_after(check_ins[-1]), **hold)

    # 5.
    if check_ins:
        next_due = second_check_in_due(
            first_check_in_at=check_ins[0], calendar=calendar, settings=settings
        )
        # After "no news yet": the later of the silence rule and the usual gap.
        next_due = max(next_due, after_no_news or next_due)
    else:
        next_due = check_in_due(
            last_interview_end=round_start,
            decision_date=facts.decision_date,
            calendar=calendar,
            settings=settings,
        )
        # "No news yet" asks for at least 7 more business days of silence; it never
        # brings the check-in forward past their own decision date (spec §4, §7).
        next_due = max(next_due, after_no_news or next_due)
        thank_you_at = _thank_you_at(facts, round_start)
        if thank_you_at is not None:
            # A late-logged interview: its thank-you goes now, so the first check-in must not
            # follow it the next morning (spec §8 pestering: 5 business days between them).
            next_due = max(
                next_due,
                _business_days_later(
                    thank_you_at, settings.second_check_in_business_days, calendar
                ),
            )
    # 6.
    next_due = move(next_due)
    if check_ins:
        return Plan(None, next_due, quiet_after(next_due), **hold)

    # 7.
    second = move(
        second_check_in_due(first_check_in_at=next_due, calendar=calendar, settings=settings)
    )
    return Plan(next_due, second, quiet_after(second), **hold)
