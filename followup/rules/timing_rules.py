"""The rules that read timing words (followup.rules.timing_words): one pattern and one reader
for each way of saying when, most specific first.

Each reader returns the date a match names and how it was read, or None when the match is not
a date after all (30 February). The choices are listed in timing_words' docstring.
"""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from followup.rules.calendar import SenderCalendar, add_business_days

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
NUMBERS = {"a couple of": 2, "a couple": 2, "couple of": 2, "a few": 3, "few": 3, "an": 1, "a": 1}
NUMBERS |= {
    word: number
    for number, word in enumerate(
        ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"), start=1
    )
}
# Where in a week or a month "early", "mid" and "late" fall (weekday index; day of month,
# None = the last business day).
_WEEK_PART = {"early": 1, "mid": 2, "late": 4}
_MONTH_PART = {"early": 10, "mid": 15, "late": None}

MONTH_PATTERN = "|".join(sorted(MONTHS, key=len, reverse=True))
_NUM = "|".join([r"\d{1,3}", *(re.escape(w) for w in sorted(NUMBERS, key=len, reverse=True))])
_PART = r"(?P<part>early|beginning\s+of|start\s+of|mid|middle\s+of|late|later|end\s+of|close\s+of)"
_ORD = r"(?:st|nd|rd|th)"


@dataclass(frozen=True)
class Context:
    """The facts words are read against."""

    interview_day: dt.date
    month_first: bool
    calendar: SenderCalendar


# A rule: a pattern, and what a match of it names (None: the match is not a date after all).
Reader = Callable[[re.Match[str], Context], "tuple[dt.date, str] | None"]


# -- date arithmetic ----------------------------------------------------------------------------


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _last_business_day(year: int, month: int, calendar: SenderCalendar) -> dt.date:
    day = dt.date(year, month, month_calendar.monthrange(year, month)[1])
    while not calendar.is_business_day(day):
        day -= dt.timedelta(days=1)
    return day


def _add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return dt.date(year, month, min(day.day, month_calendar.monthrange(year, month)[1]))


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _next_on_or_after(month: int, day: int, after: dt.date) -> dt.date | None:
    """The date `month`/`day` in the interview's year, else the next (29 Feb: within 4 years)."""
    for year in range(after.year, after.year + 5):
        candidate = _safe_date(year, month, day)
        if candidate is not None and candidate >= after:
            return candidate
    return None


def _part_of(match: re.Match[str]) -> str:
    part = re.sub(r"\s+of$", "", match["part"] or "")
    return {"beginning": "early", "start": "early", "middle": "mid"}.get(
        part, "late" if part in ("end", "close", "later") else part
    )


def _number(text: str) -> int:
    text = re.sub(r"\s+", " ", text)
    return int(text) if text.isdigit() else NUMBERS[text]


def _plural(count: int, unit: str) -> str:
    return f"a {unit}" if count == 1 else f"{count} {unit}s"


# -- the rules ----------------------------------------------------------------------------------


def _holidays(match: re.Match[str], context: Context) -> tuple[dt.date, str] | None:
    day = context.interview_day
    if day.month not in (11, 12):
        return None
    start = dt.date(day.year + 1, 1, 2)
    while not context.calendar.is_business_day(start):
        start += dt.timedelta(days=1)
    return start, "the first business day of January, after the holidays"


def _relative_day(match: re.Match[str], context: Context) -> tuple[dt.date, str] | None:
    offset = {"day after tomorrow": 2, "tomorrow": 1}.get(re.sub(r"\s+", " ", match[0].strip()), 0)
    explanation = ("the day of", "the day after", "two days after")[offset]
    return context.interview_day + dt.timedelta(days=offset), f"{explanation} your interview"


def _week(match: re.Match[str], context: Context) -> tuple[dt.date, str] | None:
    """This/next/the week after next, and early/mid/late in it."""
    which = match.groupdict().get("which") or "this"
    weeks = 2 if "after next" in match[0] else 0 if which == "this" else 1
    weekday = _WEEK_PART.get(_part_of(match), 4)
    day = _monday(context.interview_day) + dt.timedelta(weeks=weeks, days=weekday)
    if day < context.interview_day:
        # "This week" said on a Saturday: they mean the coming week.
        if context.interview_day.weekday() >= 5:
            day += dt.timedelta(weeks=1)
            weeks = 1
        else:
            day = context.interview_day
    week_name = (
        "your interview's week",
        "the week after your interview",
        "the second week after your interview",
    )[weeks]
    return day, f"the {WEEKDAYS[day.weekday()].title()} of {week_name}"


def _month_part(part: str, year: int, month: int, context: Context) -> tuple[dt.date, str]:
    name = dt.date(year, month, 1).strftime("%B")
    if (day_number := _MONTH_PART.get(part)) is not None:
        said = f"mid-{name}" if part == "mid" else f"{part} {name}"
        return dt.date(year, month, day_number), f"the {day_number}th of {name} ({said})"
    return _last_business_day(year, month, context.calendar), f"the last business day of {name}"


def _relative_month(match: re.Match[str], context: Context) -> tuple[dt.date, str] | None:
    which = match.groupdict().get("which") or "this"
    first = _add_months(context.interview_day.replace(day=1), 0 if which == "this" else 1)
    return _month_part(_part_of(match) or "late", first.year, first.month, context)


def _named_month(match: re.Match[str], context: Context) -> tuple[dt.date, str] | None:
    month = MONTHS[match["month"]]
    if match["by"]:
        day = _next_on_or_after(month, 1, context.interview_day)
        return (day, f"the 1st of {day:%B}") if day else None
    year = context.interview_day.year
    reading = _month_part(_part_of(match) or "late", year, month, context)
    if reading[0] < context.interview_day:
        reading = _month_part(_part_of(match) or "late", year + 1, month, context)
    return reading


def _iso_date(match: re.Match[str], context: Context) -> tuple[dt.date, str] | None:
    day = _safe_date(int(match["y"]), int(match["m"]), int(match["d"]))
    return (day, "the date they named") if day else None


def _full_year(text: str | None, context: Context) -> int | None:
    if not text:
        return None
    year = int(text)
    return year + 2000 if year < 100 else year


def _numeric_date(match: re.Match[str], context: Context) -> tuple[dt.date, str] | None:
    """12/18 or 18/12: the country's order, or the only order that makes a date."""
    first, second = int(match["a"]), int(match["b"])
    orders = [(first, second, "month first"), (second, first, "day first")]
    if not context.month_first:
        orders.reverse()
    year = _full_year(match["y"], context)
    for month, day_number, order in orders:
        if not (1 <= month <= 12):
            continue
        if year is not None:
            day = _safe_date(year, month, day_number)
        else:
            day = _next_on_or_after(month, day_number, context.interview_day)
        if day is not None:
            return day, f"the date they named (read {order})"
    return None


def _day_month(match: re.Match[str], context: Context) -> tuple[dt.date, str] | None:
    month, day_number = MONTHS[match["month"]], int(match["d"])
    year = _full_year(match["y"], context)
    if year is not None:
        day = _safe_date(year, month, day_number)
    else:
        day = _next_on_or_after(month, day_number, context.interview_day)
    return (day, "the date they named") if day else None


def _day_only(match: re.Match[str], context: Context) -> tuple[dt.date, str] | None:
    """ "By the 15th": the next 15th after the interview day."""
    day_number = int(match["a"] or match["b"])
    first = context.interview_day.replace(day=1)
    for months in range(0, 3):
        month = _add_months(first, months)
        day = _safe_date(month.year, month.month, day_number)
        if day is not None and day > context.interview_day:
            return day, f"the next {day_number}{_suffix(day_number)} after your interview"
    return None


def _suffix(number: int) -> str:
    if 10 <= number % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")


def _weekday(match: re.Match[str], context: Context) -> tuple[dt.date, str] | None:
    target = WEEKDAYS.index(match["day"])
    interview = context.interview_day
    name = match["day"].title()
    # "Next Friday" and the British "Friday week": the Friday of the following week.
    if (match["next"] or "").strip() == "next" or match["week"]:
        day = _monday(interview) + dt.timedelta(weeks=1, days=target)
        return day, f"the {name} of the week after your interview"
    day = interview + dt.timedelta(days=(target - interview.weekday() - 1) % 7 + 1)
    return day, f"the first {name} after your interview"


def _span(match: re.Match[str], context: Context) -> tuple[dt.date, str] | None:
    """ "In two weeks", "10 business days", "1-2 weeks", "a week or two": the later end."""
    count = _number(match["alt"] or match["n"])
    unit, business = match["unit"], bool(match["biz"])
    start = context.interview_day
    if unit == "fortnight":
        unit, count = "week", count * 2
    elif unit == "hour":
        # "Within 48 hours": the days those hours reach into.
        unit, count, business = "day", -(-count // 24), False
    if unit == "month":
        day = _add_months(start, count)
    elif unit == "week":
        day = start + dt.timedelta(weeks=count)
    elif business:
        day = add_business_days(start=start, days=count, calendar=context.calendar)
    else:
        day = start + dt.timedelta(days=count)
    label = f"business {unit}" if business else unit
    return day, f"{_plural(count, label)} after your interview"


_WEEKDAY = "|".join(WEEKDAYS)
RULES: list[tuple[re.Pattern[str], Reader]] = [
    (
        re.compile(
            r"\bafter (?:the )?(?:holidays|holiday season|christmas|new year)"
            r"|\b(?:in|early in|beginning of|start of) the new year\b"
        ),
        _holidays,
    ),
    (re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b"), _iso_date),
    (
        re.compile(
            rf"(?:\b(?:{_WEEKDAY}),? )?(?:the )?\b(?P<d>\d{{1,2}}){_ORD}? (?:of )?"
            rf"(?P<month>{MONTH_PATTERN})\b\.?(?:,? (?P<y>\d{{4}}))?"
        ),
        _day_month,
    ),
    (
        re.compile(
            rf"(?:\b(?:{_WEEKDAY}),? )?\b(?P<month>{MONTH_PATTERN})\.? "
            rf"(?:the )?(?P<d>\d{{1,2}}){_ORD}?"
            rf"\b(?!:)(?:,? (?P<y>\d{{4}}))?"
        ),
        _day_month,
    ),
    (
        re.compile(r"(?<![\d/.])(?P<a>\d{1,2})/(?P<b>\d{1,2})(?:/(?P<y>\d{4}|\d{2}))?(?![\d/])"),
        _numeric_date,
    ),
    # 18.12. or 18.12.2026, never 5.30 (a time).
    (
        re.compile(r"(?<![\d.])(?P<a>\d{1,2})\.(?P<b>\d{1,2})\.(?:(?P<y>\d{4}|\d{2})(?![\d.]))?"),
        _numeric_date,
    ),
    (re.compile(r"\bday after tomorrow\b|\btomorrow\b"), _relative_day),
    (
        re.compile(
            r"\b(?:today|tonight|eod|cob|end of (?:the )?(?:business )?day"
            r"|close of (?:business|play))\b"
        ),
        _relative_day,
    ),
    (
        re.compile(
            rf"(?:{_PART}[ -]?)?(?:the )?"
            r"(?:(?P<which>this|next|following|coming) week|week after next)\b"
        ),
        _week,
    ),
    (re.compile(rf"{_PART} (?:the )?week\b(?! after)"), _week),
    (
        re.compile(rf"(?:{_PART}[ -]?)?(?:the )?(?P<which>this|next|following|coming) month\b"),
        _relative_month,
    ),
    (re.compile(rf"{_PART} (?:the )?month\b"), _relative_month),
    (
        re.compile(
            rf"(?:(?P<by>\bby|\bbefore) |(?:{_PART}[ -]?|\b(?:in|during|sometime in) ))"
            rf"(?:the )?(?P<month>{MONTH_PATTERN})\b(?! \d)"
        ),
        _named_month,
    ),
    (
        re.compile(
            rf"\b(?:by|on|before|until|till|around|for) (?:the (?P<a>\d{{1,2}}){_ORD}?"
            rf"|(?P<b>\d{{1,2}}){_ORD})\b(?! ?(?:business|working|days?|weeks?|months?|hours?"
            r"|am|pm|:)\b)"
        ),
        _day_only,
    ),
    (
        re.compile(
            rf"(?:(?P<low>{_NUM}) ?(?:-|\u2013|to|or) ?)?\b(?P<n>{_NUM}) "
            r"(?:(?P<biz>business|working) )?(?P<unit>hour|day|week|month|fortnight)s?\b"
            rf"(?: or (?P<alt>{_NUM})\b(?! (?:business|working|day|week|month)))?"
        ),
        _span,
    ),
    (
        re.compile(
            rf"(?P<next>\bnext |\bthis (?:coming )?|\bcoming )?\b(?P<day>{_WEEKDAY})\b"
            r"(?P<week> week\b)?"
        ),
        _weekday,
    ),
]
