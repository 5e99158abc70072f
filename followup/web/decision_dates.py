"""The line beside "What they said" on the log form: the date Followup will use (spec §4).

Live as the user types (htmx GET, decision_date_preview) and on every render of the form.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from followup.accounts.models import User
from followup.accounts.services import profile_for
from interviews.decision_words import read_decision_words
from messaging.drafting.rendering import long_date

# Interview dates outside these years are typos; the words are read from today instead.
_PLAUSIBLE_YEARS = range(2000, 2200)
_MAX_WORDS = 300  # as the form's field


def _as_date(value: object) -> dt.date | None:
    """A date from a form value (a date, or the ISO text a date box sends); None otherwise."""
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value or "").strip())
        except ValueError:
            return None
    return day if day.year in _PLAUSIBLE_YEARS else None


def _today(zone_name: str) -> dt.date:
    try:
        zone = zoneinfo.ZoneInfo(zone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return timezone.localdate(timezone=zone)


def decision_preview(
    *,
    user: User,
    words: object,
    interview_day: object,
    decision_date: object,
    checked: object = "",
) -> dict[str, Any]:
    """What the preview line shows: the date read from the words and the one the user typed.

    The typed date wins when both are there (it is what the user chose); the line says so.
    `checked`: words the user was already offered a date for and kept none (declined).
    """
    profile = profile_for(user=user)
    words = str(words or "")[:_MAX_WORDS]
    day = _as_date(interview_day) or _today(profile.time_zone or "UTC")
    typed = _as_date(decision_date)
    reading = read_decision_words(profile=profile, words=words, interview_day=day)

    def shown(value: dt.date | None) -> str:
        return long_date(value, country=profile.country) if value else ""

    return {
        "reading": reading,
        "read_shown": shown(reading.day),
        "read_iso": reading.day.isoformat() if reading.day else "",
        "typed_shown": shown(typed),
        "agrees": typed is not None and typed == reading.day,
        "typed": typed,
        "declined": typed is None
        and bool(words.strip())
        and words.strip() == str(checked or "").strip(),
        "default_days": profile.check_in_business_days,
    }


def decision_preview_for_form(form: forms.Form, *, user: User) -> dict[str, Any]:
    """The preview for the form as it stands: what was posted, else its initial values."""
    return decision_preview(
        user=user,
        words=form["decision_words"].value(),
        interview_day=form["date"].value(),
        decision_date=form["decision_date"].value(),
        checked=form["decision_words_checked"].value(),
    )


@login_required
@require_GET
def decision_date_preview(request: HttpRequest) -> HttpResponse:
    """The preview line alone, for htmx: ?decision_words=…&date=…&decision_date=…"""
    context = decision_preview(
        user=request.user,
        words=request.GET.get("decision_words", ""),
        interview_day=request.GET.get("date", ""),
        decision_date=request.GET.get("decision_date", ""),
        checked=request.GET.get("decision_words_checked", ""),
    )
    return render(request, "interviews/_decision_preview.html", {"preview": context})
