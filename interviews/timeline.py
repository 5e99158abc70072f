"""Write to an application's timeline: the one helper every app records through."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from interviews.models import Application, Interview, TimelineEvent


def timeline_record(
    *,
    application: Application,
    kind: str,
    summary: str,
    detail: str = "",
    interview: Interview | None = None,
    message: object | None = None,
    at: dt.datetime | None = None,
) -> TimelineEvent:
    """Add one event and mark the application as active at that moment."""
    happened_at = at or timezone.now()
    event = TimelineEvent.objects.create(
        user_id=application.user_id,
        application=application,
        kind=kind,
        summary=summary[:300],
        detail=detail,
        interview=interview,
        message=message,
        happened_at=happened_at,
    )
    Application.objects.filter(pk=application.pk, last_activity_at__lt=happened_at).update(
        last_activity_at=happened_at
    )
    return event
