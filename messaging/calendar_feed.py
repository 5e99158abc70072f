"""The user's calendar feed: interviews, follow-ups to approve or send, decision dates, tasks.

A calendar program (Google, Apple, Outlook) subscribes to a secret address and polls it;
whoever knows the address can read the feed, so the token is long and random, can be
replaced (the old address then answers 404), and the feed says no more than a glance at
the calendar needs: no email text, no notes.
"""

from __future__ import annotations

import datetime as dt
import secrets

import icalendar
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from followup.accounts.models import User
from interviews.models import Interview, Task
from messaging.models import CalendarFeed, Message

# What the feed looks back on (recent interviews stay visible for a while) and ahead to.
LOOK_BACK = dt.timedelta(days=90)
LOOK_AHEAD = dt.timedelta(days=366)
# A follow-up shows as a short slot at its send time.
MESSAGE_SLOT = dt.timedelta(minutes=15)
# Bounds a feed's size whatever the history: the nearest ones are kept.
MAX_EVENTS = 500
# Calendar programs re-read the feed about this often (a hint; Google decides for itself).
REFRESH = dt.timedelta(hours=1)
PRODID = "-//Followup//Interview follow-ups//EN"

Status = Message.Status


def feed_token(*, user: User) -> str:
    """The user's feed token, made on first use (two first visits at once make one)."""
    try:
        with transaction.atomic():
            feed, _ = CalendarFeed.objects.get_or_create(
                user=user, defaults={"token": secrets.token_urlsafe(32)}
            )
    except IntegrityError:
        feed = CalendarFeed.objects.get(user=user)
    return feed.token


@transaction.atomic
def feed_token_replace(*, user: User) -> str:
    """A new token: the old address stops working at once."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(user=user, defaults={"token": token})
    return token


def feed_user(*, token: str) -> User | None:
    """Whose feed this token opens, or None (a wrong or replaced token)."""
    if not token or len(token) > 64:
        return None
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        return None
    return feed.user


def feed_ics(*, user: User, base_url: str, now: dt.datetime | None = None) -> bytes:
    """The feed as an iCalendar document, in four queries whatever the history."""
    now = now or timezone.now()
    start, end = now - LOOK_BACK, now + LOOK_AHEAD
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Followup")
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH)
    host = base_url.split("://", 1)[-1].rstrip("/")

    interviews = (
        Interview.objects.filter(application__user=user, starts_at__range=(start, end))
        .select_related("application__company")
        .order_by("starts_at")[:MAX_EVENTS]
    )
    for interview in interviews:
        application = interview.application
        event = _event(
            uid=f"interview-{interview.pk}@{host}",
            summary=f"Interview: {application.role} at {application.company.name}",
            starts=interview.starts_at,
            ends=interview.ends_at,
            url=base_url + application.get_absolute_url(),
            now=now,
        )
        if interview.location:
            event.add("location", interview.location)
        calendar.add_component(event)
        if interview.decision_date and start.date() <= interview.decision_date <= end.date():
            decision = icalendar.Event()
            decision.add("uid", f"decision-{interview.pk}@{host}")
            decision.add("dtstamp", now)
            decision.add(
                "summary",
                f"Decision expected: {application.role} at {application.company.name}",
            )
            decision.add("dtstart", interview.decision_date)
            decision.add("dtend", interview.decision_date + dt.timedelta(days=1))
            decision.add("transp", "TRANSPARENT")
            decision.add("url", base_url + application.get_absolute_url())
            calendar.add_component(decision)

    messages = (
        Message.objects.filter(
            user=user,
            status__in=Message.PENDING_STATUSES,
            due_at__range=(start, end),
        )
        .select_related("application__company")
        .order_by("due_at")[:MAX_EVENTS]
    )
    queue_url = base_url + reverse("messaging:queue")
    for message in messages:
        verb = "Approve" if message.status == Status.DRAFT else "Goes out"
        if message.status == Status.HELD:
            verb = "Held"
        who = message.to_name or message.to_email or "someone"
        application = message.application
        event = _event(
            uid=f"message-{message.pk}@{host}",
            summary=f"{verb}: {message.get_stage_display()} to {who} ({application.company.name})",
            starts=message.due_at,
            ends=message.due_at + MESSAGE_SLOT,
            url=queue_url
            if message.status == Status.DRAFT
            else base_url + application.get_absolute_url(),
            now=now,
        )
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    tasks = (
        Task.objects.filter(
            user=user,
            done_at__isnull=True,
            skipped_at__isnull=True,
            due_on__range=(start.date(), end.date()),
        )
        .select_related("application__company")
        .order_by("due_on", "pk")[:MAX_EVENTS]
    )
    tasks_url = base_url + reverse("interviews:tasks")
    for task in tasks:
        event = icalendar.Event()
        event.add("uid", f"task-{task.pk}@{host}")
        event.add("dtstamp", now)
        event.add("summary", f"Task: {task.title}")
        event.add("dtstart", task.due_on)
        event.add("dtend", task.due_on + dt.timedelta(days=1))
        event.add("transp", "TRANSPARENT")
        event.add("url", tasks_url)
        calendar.add_component(event)
    return calendar.to_ical()


def _event(
    *, uid: str, summary: str, starts: dt.datetime, ends: dt.datetime, url: str, now: dt.datetime
) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", now)
    event.add("summary", summary)
    event.add("dtstart", starts.astimezone(dt.UTC))
    event.add("dtend", ends.astimezone(dt.UTC))
    event.add("url", url)
    return event
