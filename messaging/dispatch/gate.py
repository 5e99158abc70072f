"""The gate of a chunk: the attempts start in one commit, the daily cap counted under a lock."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.db.models import Count, F, Q

from followup.rules.calendar import local_time_label, send_window_start
from interviews.models import TimelineEvent
from messaging.dispatch import claims
from messaging.dispatch.recheck import Facts
from messaging.dispatch.records import message_update_with_timeline
from messaging.models import Message
from messaging.status import message_label

Status = Message.Status
# Namespace of the per-user advisory lock the gate takes to count the daily cap.
_CAP_LOCK = 7201


def gate_open(
    *,
    messages: list[Message],
    token: dt.datetime | None,
    now: dt.datetime,
    facts: Facts,
    statuses: dict[int, str],
) -> set[int]:
    """Start the attempt of every ready message the daily cap allows, in one commit.

    Under a per-user lock, so two dispatchers never both fit a message in the last place of
    a user's day. Only rows still claimed by this chunk (and unstarted) pass: whoever took
    a claim since (the sweep gave it back and another claimed it) keeps it.
    """
    if not messages:
        return set()
    with transaction.atomic():
        users = sorted({m.user_id for m in messages})
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s, u) FROM unnest(%s::int[]) AS u ORDER BY u",
                    [_CAP_LOCK, users],
                )
        allowed = _within_cap(messages=messages, now=now, facts=facts, statuses=statuses)
        if not allowed:
            return set()
        where = Q(pk__in=[m.pk for m in allowed], status=Status.SENDING)
        where &= Q(send_started_at__isnull=True)
        if token is not None:
            where &= Q(claimed_at=token)
        if connection.vendor == "postgresql":
            return _start_returning(where=where, now=now)
        started = set(Message.objects.filter(where).values_list("pk", flat=True))
        Message.objects.filter(pk__in=started).update(send_started_at=now, updated_at=now)
        return started


def _start_returning(*, where: Q, now: dt.datetime) -> set[int]:
    """UPDATE … SET send_started_at … RETURNING id: the gate in one statement."""
    query = Message.objects.filter(where).values("pk").query
    sql, params = query.sql_with_params()
    table = Message._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET send_started_at = %s, updated_at = %s "
            f"WHERE id IN ({sql}) RETURNING id",
            [now, now, *params],
        )
        return {row[0] for row in cursor.fetchall()}


def _within_cap(
    *, messages: list[Message], now: dt.datetime, facts: Facts, statuses: dict[int, str]
) -> list[Message]:
    """Those the sender's daily cap still allows today; the rest wait for their next day."""
    cap = claims.daily_send_cap()
    days = {}
    counted = Q(pk__in=[])
    for user_id in {m.user_id for m in messages}:
        sample = next(m for m in messages if m.user_id == user_id)
        start, end = claims.local_day(facts.calendar(sample), now)
        days[user_id] = (start, end)
        counted |= Q(user_id=user_id) & claims.sends_between(start, end)
    used = dict(
        Message.objects.filter(counted)
        .values("user_id")
        .annotate(n=Count("pk"))
        .values_list("user_id", "n")
    )
    room = {user_id: cap - used.get(user_id, 0) for user_id in days}
    allowed = []
    for message in messages:
        if room[message.user_id] > 0:
            room[message.user_id] -= 1
            allowed.append(message)
            continue
        calendar = facts.calendar(message)
        opens = send_window_start(calendar=calendar, at=days[message.user_id][1])
        message_update_with_timeline(
            message=message,
            where=Q(status=Status.SENDING, send_started_at__isnull=True),
            kind=TimelineEvent.Kind.NOTE,
            summary=f"Waiting for tomorrow: {message_label(message)}",
            detail=f"You reached the daily limit of {cap} emails, so it goes out "
            f"{local_time_label(opens, calendar)}.",
            at=now,
            status=Status.APPROVED,
            due_at=opens,
            claimed_at=None,
            attempts=F("attempts") - 1,
        )
        statuses[message.pk] = Status.APPROVED
    return allowed
