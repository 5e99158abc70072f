"""Finding and claiming due messages, the daily cap, and settling claims nobody works on."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q

from followup.rules.calendar import (
    SenderCalendar,
    local_time_label,
    send_window_start,
    wall_to_utc,
)
from interviews.models import TimelineEvent
from messaging import selectors
from messaging.dispatch.records import (
    UNCONFIRMED_REASON,
    message_update_with_timeline,
    message_wait_for_window,
)
from messaging.models import Message
from messaging.status import message_label

logger = logging.getLogger(__name__)

Status = Message.Status

# Recording an accepted send: the mail has gone, so a deadlock victim or a dropped
# connection is retried this many times before the rows are left to the sweep.
RECORD_TRIES = 4


def _due() -> Q:
    """Approved messages, the ones a claim may take once their time has come."""
    # Served by the partial index messaging_msg_approved_due (status = approved).
    return Q(status=Status.APPROVED, approved_at__isnull=False)


def due_q() -> Q:
    """Approved messages, the ones a claim may take once their time has come."""
    return _due()


def due_message_ids(*, now: dt.datetime, limit: int) -> list[int]:
    """Approved messages whose time has come, the longest waiting first."""
    return list(
        Message.objects.filter(_due(), due_at__lte=now)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def message_claim(*, message_id: int, now: dt.datetime) -> bool:
    """Take one approved, due message for sending; True for exactly one of racing callers."""
    # One conditional UPDATE is atomic on SQLite and PostgreSQL alike: a second caller's
    # WHERE no longer matches (the row is "sending") and it updates 0 rows.
    claimed = Message.objects.filter(_due(), pk=message_id, due_at__lte=now).update(
        status=Status.SENDING,
        claimed_at=now,
        send_started_at=None,
        attempts=F("attempts") + 1,
        updated_at=now,
    )
    return claimed == 1


def daily_send_cap() -> int:
    """FOLLOWUP_DAILY_SEND_CAP: the most emails one user sends in one of their local days."""
    return int(getattr(settings, "FOLLOWUP_DAILY_SEND_CAP", 50))


def local_day(calendar: SenderCalendar, at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The sender's calendar day around `at`: from local midnight to the next one (in UTC)."""
    day = calendar.local_date(at)
    start = wall_to_utc(dt.datetime.combine(day, dt.time.min), calendar.zone)
    end = wall_to_utc(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min), calendar.zone)
    return start, end


def sends_between(start: dt.datetime, end: dt.datetime) -> Q:
    """Emails that went (or may have gone) to the ESP between `start` and `end`.

    Sent ones by when they went; those being sent, or unconfirmed, by when their attempt
    started: an unconfirmed email may have arrived, so it counts against the cap.
    """
    return Q(sent_at__gte=start, sent_at__lt=end) | Q(
        status__in=[Status.SENDING, Status.UNCONFIRMED],
        send_started_at__gte=start,
        send_started_at__lt=end,
    )


def record_with_retries(write: Callable[[], list[Message]]) -> list[Message]:
    """Run a record of accepted sends, retrying a deadlock or a dropped connection."""
    for attempt in range(1, RECORD_TRIES + 1):
        try:
            return write()
        except (OperationalError, InterfaceError):
            if attempt == RECORD_TRIES:
                # Left "sending" with the attempt started: the sweep makes them unconfirmed
                # and a delivery webhook or the ESP's search still proves them sent.
                logger.exception("Sent messages could not be recorded")
                raise
            logger.warning("Recording sent messages failed; trying again")
            if not connection.in_atomic_block:
                # The next try needs a working connection: one that errored is checked
                # and closed if it no longer answers (a failover, a killed session), so
                # the next query opens a fresh one; a deadlock victim's is kept.
                connection.close_if_unusable_or_obsolete()
            time.sleep(0.05 * attempt)
    return []


def sends_on_day(
    *,
    user_id: int,
    start: dt.datetime,
    end: dt.datetime,
    approved: bool,
    exclude: int | None = None,
) -> int:
    """The user's emails of one local day: sent (or being sent) then, and with `approved`,
    the approved ones due then too (what approving one more would add to)."""
    counted = sends_between(start, end) | Q(
        status=Status.SENDING, claimed_at__gte=start, claimed_at__lt=end
    )
    if approved:
        counted |= Q(status=Status.APPROVED, due_at__gte=start, due_at__lt=end)
    rows = Message.objects.filter(counted, user_id=user_id)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return rows.count()


def daily_cap_refusal(
    *, user_id: int, message_id: int, due_at: dt.datetime, calendar: SenderCalendar
) -> str:
    """Why one more email going out at `due_at` would pass the cap; "" when it would not."""
    cap = daily_send_cap()
    start, end = local_day(calendar, due_at)
    if sends_on_day(user_id=user_id, start=start, end=end, approved=True, exclude=message_id) < cap:
        return ""
    return (
        f"You have reached the limit of {cap} emails a day for "
        f"{local_time_label(start, calendar).rsplit(' ', 1)[0]} (sent, or approved to go "
        f"that day). It resets at midnight your time ({local_time_label(end, calendar)}): "
        "approve this one for a later day, or approve it again then."
    )


def messages_within_cap(*, message_ids: list[int], now: dt.datetime) -> list[int]:
    """Of due messages, those their sender's daily cap still allows today; the rest wait.

    A message that would pass the cap stays approved, moved to when the sender's window
    opens on their next day, with a note on the timeline saying so: it is never dropped.
    """
    cap = daily_send_cap()
    rows = {
        m.pk: m
        for m in Message.objects.filter(pk__in=message_ids).select_related(
            "application", "interview", "user"
        )
    }
    room: dict[int, int] = {}
    calendars: dict[int, SenderCalendar] = {}
    allowed: list[int] = []
    for pk in message_ids:
        message = rows.get(pk)
        if message is None:
            continue
        if message.user_id not in room:
            calendar = selectors.cadence_inputs_for(user=message.user)[0]
            calendars[message.user_id] = calendar
            start, end = local_day(calendar, now)
            room[message.user_id] = cap - sends_on_day(
                user_id=message.user_id, start=start, end=end, approved=False
            )
        if room[message.user_id] > 0:
            room[message.user_id] -= 1
            allowed.append(pk)
            continue
        calendar = calendars[message.user_id]
        opens = send_window_start(calendar=calendar, at=local_day(calendar, now)[1])
        message_update_with_timeline(
            message=message,
            where=_due() & Q(due_at=message.due_at),
            kind=TimelineEvent.Kind.NOTE,
            summary=f"Waiting for tomorrow: {message_label(message)}",
            detail=f"You reached the daily limit of {cap} emails, so it goes out "
            f"{local_time_label(opens, calendar)}.",
            at=now,
            due_at=opens,
        )
    return allowed


def claim_due_messages(*, now: dt.datetime, limit: int) -> list[int]:
    """Claim up to `limit` due messages inside their sender's send window and daily cap.

    The one-shot form, for callers that want the ids: the dispatcher itself claims chunk by
    chunk (chunks.claim_chunk) and counts the cap inside its gate instead.
    """
    ids = messages_in_window(message_ids=due_message_ids(now=now, limit=limit), now=now)
    ids = messages_within_cap(message_ids=ids, now=now)
    if connection.vendor != "postgresql":
        return [pk for pk in ids if message_claim(message_id=pk, now=now)]
    # PostgreSQL: one short transaction; rows another dispatcher has locked are skipped
    # instead of waited for, so concurrent beats split the batch rather than queue.
    with transaction.atomic():
        locked = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(_due(), pk__in=ids, due_at__lte=now)
            .order_by("due_at", "pk")
            .values_list("pk", flat=True)
        )
        # The rows are locked by us, so the status filter is a belt to the braces.
        Message.objects.filter(_due(), pk__in=locked).update(
            status=Status.SENDING,
            claimed_at=now,
            send_started_at=None,
            attempts=F("attempts") + 1,
            updated_at=now,
        )
    return locked


def messages_in_window(*, message_ids: list[int], now: dt.datetime) -> list[int]:
    """Of due approved messages, those inside their sender's send window; the rest wait for it.

    A message can fall due outside the window (a window changed after approval, a beat
    that was down): before anything claims it, it is moved to when the window next opens.
    Only the beat passes here; "send now" (services.approval.message_send_now) claims directly.
    """
    calendars: dict[int, SenderCalendar] = {}
    waiting: set[int] = set()
    for message in Message.objects.filter(pk__in=message_ids).select_related(
        "application", "interview", "user"
    ):
        if message.user_id not in calendars:
            calendars[message.user_id] = selectors.cadence_inputs_for(user=message.user)[0]
        calendar = calendars[message.user_id]
        opens = send_window_start(calendar=calendar, at=now)
        if opens <= now:
            continue
        waiting.add(message.pk)
        # Repeats what was read: an approval withdrawn or a time changed meanwhile wins.
        message_wait_for_window(
            message=message,
            where=_due() & Q(due_at=message.due_at),
            opens=opens,
            calendar=calendar,
            at=now,
        )
    # Keep the order (the longest waiting first).
    return [pk for pk in message_ids if pk not in waiting]


def claim_release_seconds() -> int:
    """FOLLOWUP_CLAIM_RELEASE_SECONDS: how long an unstarted claim may wait for its sender."""
    return int(getattr(settings, "FOLLOWUP_CLAIM_RELEASE_SECONDS", 30))


def recover_stale_claims(
    *, now: dt.datetime, older_than: dt.timedelta, release_after: dt.timedelta | None = None
) -> int:
    """Settle messages left in "sending" with nobody working on them; returns how many.

    1. No attempt started (send_started_at empty) for `release_after`: the ESP never saw
       it; whatever held the claim (a task lost with the broker, a worker killed between
       claim and gate) is gone or will find its claim taken. Back to approved at once, so
       a lost task delays sending by seconds. One UPDATE; a live chunk that reaches its
       gate later finds its token (claimed_at) gone and sends none of them.
    2. An attempt started longer ago than `older_than` (beyond any task's time limit): the
       worker died between calling the ESP and recording its answer, so the ESP may have
       sent it. Never resent by itself: unconfirmed, for the ESP's delivery report or its
       search (dispatch.reconcile) to settle, or the user.
    Each UPDATE repeats the conditions it read, so a task that woke up meanwhile wins.
    """
    release_after = release_after or dt.timedelta(seconds=claim_release_seconds())
    released = Message.objects.filter(
        status=Status.SENDING,
        send_started_at__isnull=True,
        claimed_at__lt=now - release_after,
    ).update(status=Status.APPROVED, claimed_at=None, attempts=F("attempts") - 1, updated_at=now)
    if released:
        logger.warning("Gave back %d claims that were never started", released)
    stale = Message.objects.filter(
        status=Status.SENDING,
        send_started_at__isnull=False,
        claimed_at__lt=now - older_than,
        send_started_at__lt=now - older_than,
    ).select_related("application", "interview")
    settled = released
    for message in stale:
        done = message_update_with_timeline(
            message=message,
            where=Q(status=Status.SENDING, send_started_at=message.send_started_at),
            kind=TimelineEvent.Kind.NOTE,
            summary=f"Not confirmed: {message_label(message)}",
            detail=f"Sending was interrupted after it started. {UNCONFIRMED_REASON}",
            at=now,
            status=Status.UNCONFIRMED,
            status_reason=UNCONFIRMED_REASON,
            outcome_unknown=True,
        )
        if done:
            logger.warning("Message %s left unconfirmed by a worker that died", message.pk)
            settled += 1
    return settled
