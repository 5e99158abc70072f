"""Presentation of the interviews app: icons and colours of timeline kinds and stages."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django import template
from django.utils import dateformat, timezone
from django.utils.timesince import timesince

from followup.rules import stages
from interviews.models import Application, Interview, TimelineEvent

register = template.Library()

Kind = TimelineEvent.Kind

# The one place each timeline kind gets its look: (Bootstrap icon, Bootstrap colour).
TIMELINE_STYLES: dict[str, tuple[str, str]] = {
    Kind.APPLICATION_CREATED: ("bi-folder-plus", "primary"),
    Kind.INTERVIEW_LOGGED: ("bi-people", "success"),
    Kind.INTERVIEW_UPDATED: ("bi-pencil-square", "info"),
    Kind.INTERVIEW_DELETED: ("bi-trash3", "secondary"),
    Kind.STAGE_CHANGED: ("bi-signpost-split", "warning"),
    Kind.PAUSED: ("bi-pause-circle", "secondary"),
    Kind.RESUMED: ("bi-play-circle", "success"),
    Kind.DRAFTED: ("bi-file-earmark-text", "info"),
    Kind.EDITED: ("bi-pencil", "info"),
    Kind.APPROVED: ("bi-check2-circle", "success"),
    Kind.UNAPPROVED: ("bi-arrow-counterclockwise", "warning"),
    Kind.SKIPPED: ("bi-skip-forward", "secondary"),
    Kind.CANCELLED: ("bi-x-circle", "secondary"),
    Kind.HELD: ("bi-hourglass-split", "warning"),
    Kind.SENT: ("bi-send", "primary"),
    Kind.DELIVERED: ("bi-envelope-check", "success"),
    Kind.OPENED: ("bi-envelope-open", "success"),
    Kind.BOUNCED: ("bi-envelope-exclamation", "danger"),
    Kind.FAILED: ("bi-exclamation-octagon", "danger"),
    Kind.REPLY: ("bi-reply", "primary"),
    Kind.OUT_OF_OFFICE: ("bi-airplane", "warning"),
    Kind.TASK: ("bi-list-check", "dark"),
    Kind.NOTE: ("bi-sticky", "secondary"),
}
_UNKNOWN_STYLE = ("bi-dot", "secondary")

STAGE_COLOURS: dict[str, str] = {
    Application.Stage.APPLIED: "secondary",
    Application.Stage.INTERVIEWING: "primary",
    Application.Stage.OFFER: "success",
    Application.Stage.ACCEPTED: "success",
    Application.Stage.REJECTED: "danger",
    Application.Stage.WITHDRAWN: "dark",
    Application.Stage.QUIET: "warning",
    Application.Stage.CLOSED: "secondary",
}

FORMAT_ICONS: dict[str, str] = {
    Interview.Format.IN_PERSON: "bi-geo-alt",
    Interview.Format.VIDEO: "bi-camera-video",
    Interview.Format.PHONE: "bi-telephone",
}


@register.filter
def timeline_icon(kind: str) -> str:
    return TIMELINE_STYLES.get(kind, _UNKNOWN_STYLE)[0]


@register.filter
def timeline_colour(kind: str) -> str:
    return TIMELINE_STYLES.get(kind, _UNKNOWN_STYLE)[1]


@register.filter
def stage_colour(stage: str) -> str:
    return STAGE_COLOURS.get(stage, "secondary")


@register.filter
def format_icon(value: str) -> str:
    return FORMAT_ICONS.get(value, "bi-calendar-event")


@register.filter
def message_stage_label(stage: str | None) -> str:
    """A message stage value as people read it ("Thank-you")."""
    return stages.label(stages.MESSAGE_STAGES, stage or "")


@register.filter
def in_zone(value: dt.datetime | None, zone_name: str) -> dt.datetime | None:
    """The moment in an explicit zone (an interview's own), not the page's."""
    if value is None:
        return None
    try:
        return value.astimezone(zoneinfo.ZoneInfo(zone_name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return value


@register.filter
def ago(value: dt.datetime | None) -> str:
    """How long ago something happened: "just now", "3 hours ago"."""
    if value is None:
        return ""
    if timezone.now() - value < dt.timedelta(minutes=1):
        return "just now"
    return f"{timesince(value)} ago"


@register.simple_tag
def interview_when(interview: Interview) -> str:
    """When it took place, e.g. "Tue 4 Mar 2025, 10:00 to 11:00", in its own time zone."""
    starts = in_zone(interview.starts_at, interview.time_zone)
    ends = in_zone(interview.ends_at, interview.time_zone)
    return f"{dateformat.format(starts, 'D j M Y, H:i')}\u2013{dateformat.format(ends, 'H:i')}"
