"""Sending due messages a chunk at a time: claim, re-check, gate, send, record.

Per chunk, whatever its size: one claiming UPDATE … RETURNING, a few queries for the
re-checks, one committed gate (with the daily cap counted under a per-user lock), one HTTP
session for the sends, and one transaction for the records of every accepted email. What
stays per message is only what must: the ESP call itself, and the rare outcomes (a stop,
a refusal, an unconfirmed send), each with its own timeline entry.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from followup.accounts.models import Mailbox, Profile
from followup.rules.calendar import send_window_start
from messaging.dispatch import claims
from messaging.dispatch.errors import (
    PERMANENT,
    TRANSIENT,
    UNKNOWN,
    accepted,
    classify_send_error,
    esp_message_id,
    esp_reason,
    refusal_reason,
    what_happened,
)
from messaging.dispatch.gate import gate_open
from messaging.dispatch.outgoing import build_email
from messaging.dispatch.recheck import Facts, facts_for, recheck
from messaging.dispatch.records import (
    message_record_failed,
    message_record_unconfirmed,
    message_update_with_timeline,
    message_wait_for_window,
    messages_record_sent,
    messages_reopen,
    messages_retry_later,
)
from messaging.mailbox import MailboxUnavailable, active_mailboxes, smtp_backend
from messaging.models import Message
from messaging.reply_addresses import reply_to_many
from messaging.status import message_label

logger = logging.getLogger(__name__)

Status = Message.Status


@dataclass
class ChunkResult:
    """What became of a chunk's messages, by status afterwards."""

    statuses: dict[int, str] = field(default_factory=dict)

    def count(self, status: str) -> int:
        return sum(1 for value in self.statuses.values() if value == status)


def chunk_size() -> int:
    return int(getattr(settings, "FOLLOWUP_DISPATCH_CHUNK_SIZE", 50))


def claim_chunk(*, now: dt.datetime, size: int) -> list[int]:
    """Claim up to `size` due approved messages, the longest waiting first, in one statement.

    PostgreSQL: rows another dispatcher holds are skipped, not waited for, so concurrent
    dispatchers split the work. The claim is the row's token for the gate: claimed_at.
    """
    fields = {"status": Status.SENDING, "claimed_at": now, "updated_at": now}
    if connection.vendor != "postgresql":
        # SQLite (the embedded default) runs one writer at a time: select, then update.
        with transaction.atomic():
            ids = claims.due_message_ids(now=now, limit=size)
            Message.objects.filter(claims.due_q(), pk__in=ids).update(
                send_started_at=None, attempts=F("attempts") + 1, **fields
            )
            return list(
                Message.objects.filter(pk__in=ids, status=Status.SENDING, claimed_at=now)
                .order_by("due_at", "pk")
                .values_list("pk", flat=True)
            )
    table = Message._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table} SET status = %s, claimed_at = %s, updated_at = %s,
                   send_started_at = NULL, attempts = attempts + 1
            WHERE id IN (
                SELECT id FROM {table}
                WHERE status = %s AND approved_at IS NOT NULL AND due_at <= %s
                ORDER BY due_at, id LIMIT %s FOR UPDATE SKIP LOCKED
            )
            RETURNING id
            """,
            [Status.SENDING, now, now, Status.APPROVED, now, size],
        )
        return [row[0] for row in cursor.fetchall()]


def send_claimed(
    *,
    ids: Sequence[int],
    token: dt.datetime | None,
    now: dt.datetime | None = None,
    in_window_only: bool = True,
) -> ChunkResult:
    """Re-check, gate, send and record the claimed messages `ids` (claimed at `token`).

    token None: any claim still unstarted (a "send now" task whose claim time it never knew).
    in_window_only False: "send now" skips the send window; everything else is re-checked.
    """
    now = now or timezone.now()
    result = ChunkResult()
    claimed = Q(status=Status.SENDING, send_started_at__isnull=True)
    if token is not None:
        claimed &= Q(claimed_at=token)
    messages = list(
        Message.objects.filter(claimed, pk__in=list(ids))
        .select_related("application", "interview", "user", "contact")
        .order_by("due_at", "pk")
    )
    facts = facts_for(messages)
    going: list[Message] = []
    for message in messages:
        status = _stopped_or_waiting(message=message, now=now, facts=facts, window=in_window_only)
        if status is not None:
            result.statuses[message.pk] = status
            continue
        going.append(message)
    senders = _senders(going)
    replies = reply_to_many(going, names={pk: s.name for pk, s in senders.items()})
    ready: list[tuple[Message, EmailMultiAlternatives]] = []
    for message in going:
        mail = _built_email(
            message=message, now=now, sender=senders[message.user_id], reply=replies
        )
        if mail is None:
            result.statuses[message.pk] = Status.FAILED
            continue
        ready.append((message, mail))
    started = gate_open(
        messages=[m for m, _ in ready], token=token, now=now, facts=facts, statuses=result.statuses
    )
    _send_and_record(
        [(m, mail) for m, mail in ready if m.pk in started], result=result, senders=senders
    )
    return result


@dataclass(frozen=True)
class _Sender:
    """What a chunk needs of each user it sends for, read once: their name, their BCC switch,
    and their own mailbox when they send through it (messaging.mailbox)."""

    name: str
    copy: bool
    mailbox: Mailbox | None


def _senders(messages: Sequence[Message]) -> dict[int, _Sender]:
    """Each user's sending facts, in two queries for the whole chunk."""
    user_ids = {m.user_id for m in messages}
    if not user_ids:
        return {}
    profiles = {
        user_id: (name, copy)
        for user_id, name, copy in Profile.objects.filter(user_id__in=user_ids).values_list(
            "user_id", "full_name", "bcc_copy"
        )
    }
    mailboxes = active_mailboxes(user_ids=user_ids)
    return {
        user_id: _Sender(
            name=profiles.get(user_id, ("", True))[0],
            copy=profiles.get(user_id, ("", True))[1],
            mailbox=mailboxes.get(user_id),
        )
        for user_id in user_ids
    }


def _stopped_or_waiting(
    *, message: Message, now: dt.datetime, facts: Facts, window: bool
) -> str | None:
    """The status a claimed message takes instead of going now (§7, send window); None: go."""
    unstarted = Q(status=Status.SENDING, send_started_at__isnull=True)
    if window:
        calendar = facts.calendar(message)
        opens = send_window_start(calendar=calendar, at=now)
        if opens > now:
            message_wait_for_window(
                message=message,
                where=unstarted,
                opens=opens,
                calendar=calendar,
                at=now,
                status_reason="",
                attempts=F("attempts") - 1,
            )
            return Status.APPROVED
    stop = recheck(message=message, now=now, facts=facts)
    if stop is None:
        return None
    message_update_with_timeline(
        message=message,
        where=unstarted,
        kind=stop.kind,
        summary=f"{'Waiting' if stop.due_at else 'Not sent'}: {message_label(message)}",
        detail=stop.reason,
        at=now,
        status=stop.status,
        status_reason=stop.reason[:500],
        claimed_at=None,
        **({"due_at": stop.due_at} if stop.due_at is not None else {}),
        # Back to a draft means back to needing approval.
        **({"approved_at": None} if stop.status == Status.DRAFT else {}),
    )
    return stop.status


def _built_email(
    *, message: Message, now: dt.datetime, sender: _Sender, reply: dict[int, str]
) -> EmailMultiAlternatives | None:
    """The message's email with its headers validated; None (and the message failed) if not."""
    try:
        # Built and its headers validated before the gate: a message that cannot even be
        # put together never reached the ESP, so it fails plainly, never "unconfirmed".
        mail = build_email(
            message=message,
            sender_name=sender.name,
            own_mailbox=sender.mailbox is not None,
            copy_to_user=sender.copy,
            reply_address=reply.get(message.pk, ""),
        )
        mail.message()
    except (ValueError, TypeError, UnicodeError) as exc:
        # Only what bad content raises (a header that does not parse, text that does not
        # encode). A database error escapes: the gate is not open yet, so the sweep gives
        # the claim back within a minute (claims.recover_stale_claims).
        reason = f"The email could not be built: {exc}"[:500]
        logger.warning("Message %s could not be built: %s", message.pk, exc)
        message_record_failed(
            message=message,
            reason=reason,
            at=now,
            where=Q(status=Status.SENDING, send_started_at__isnull=True),
        )
        return None
    return mail


# --- Sending and recording ------------------------------------------------------------------


def _retry_at(message: Message, now: dt.datetime) -> dt.datetime | None:
    """When a message the ESP did not take goes again; None after the last allowed try."""
    tries = int(settings.FOLLOWUP_SEND_MAX_RETRIES)
    if message.attempts > tries:
        return None
    base = float(settings.FOLLOWUP_SEND_RETRY_BACKOFF_SECONDS)
    ceiling = float(settings.FOLLOWUP_SEND_RETRY_BACKOFF_MAX)
    delay = min(ceiling, base * 2 ** max(0, message.attempts - 1))
    # Jitter, so the messages of one refused burst do not all come back in the same second.
    return now + dt.timedelta(seconds=random.uniform(delay / 2, delay))


def _send_and_record(
    ready: list[tuple[Message, EmailMultiAlternatives]],
    *,
    result: ChunkResult,
    senders: dict[int, _Sender],
) -> None:
    """Send the started messages, then record them all: one connection to the site's mail
    service for everyone, and one to each user's own SMTP server for those who send
    through their own mailbox."""
    if not ready:
        return
    budget = float(getattr(settings, "FOLLOWUP_DISPATCH_CHUNK_SECONDS", 60))
    deadline = time.monotonic() + budget
    outcome = _Outcome()
    groups: dict[int | None, list[tuple[Message, EmailMultiAlternatives]]] = {}
    for message, mail in ready:
        own = senders[message.user_id].mailbox is not None
        groups.setdefault(message.user_id if own else None, []).append((message, mail))
    for user_id, group in groups.items():
        if user_id is None:
            backend = get_connection()
        else:
            try:
                backend = smtp_backend(senders[user_id].mailbox)
            except MailboxUnavailable as exc:
                # Never sent as someone else behind the user's back: they set up their own
                # mailbox, so the email waits failed, saying why, until they fix it.
                reason = f"Your own mailbox could not be used: {exc}"[:500]
                outcome.refused.extend((message, reason) for message, _ in group)
                continue
        _send_group(group, backend=backend, deadline=deadline, outcome=outcome)
    _record(
        outcome.sent,
        outcome.retries,
        outcome.refused,
        outcome.unknown,
        outcome.untried,
        result=result,
    )


@dataclass
class _Outcome:
    sent: list[tuple[Message, dt.datetime, str]] = field(default_factory=list)
    retries: list[tuple[Message, dt.datetime, str]] = field(default_factory=list)
    refused: list[tuple[Message, str]] = field(default_factory=list)
    unknown: list[tuple[Message, str]] = field(default_factory=list)
    untried: list[int] = field(default_factory=list)


def _send_group(
    ready: list[tuple[Message, EmailMultiAlternatives]],
    *,
    backend,
    deadline: float,
    outcome: _Outcome,
) -> None:
    """Send one connection's messages in turn, sorting each result into `outcome`."""
    sent, retries, refused = outcome.sent, outcome.retries, outcome.refused
    unknown, untried = outcome.unknown, outcome.untried
    stop: BaseException | None = None
    try:
        backend.open()
        for index, (message, mail) in enumerate(ready):
            if stop is not None or time.monotonic() > deadline:
                # Never handed to the ESP: the claim goes back for the next chunk.
                untried.extend(m.pk for m, _ in ready[index:])
                break
            mail.connection = backend
            try:
                backend.send_messages([mail])
            except SoftTimeLimitExceeded as exc:
                unknown.append((message, what_happened(exc)))
                stop = exc
                continue
            except Exception as exc:
                _sort_error(message, exc, retries=retries, refused=refused, unknown=unknown)
                continue
            if not accepted(mail):
                # Answered, but taking none of its recipients (Anymail says why in its
                # status): nothing went out, so it fails plainly with the ESP's words.
                refused.append((message, refusal_reason(mail)))
                continue
            sent.append((message, timezone.now(), esp_message_id(mail) or message.message_id))
    finally:
        try:
            backend.close()
        except Exception:
            logger.warning("Closing the mail connection failed", exc_info=True)


def _sort_error(
    message: Message,
    exc: Exception,
    *,
    retries: list[tuple[Message, dt.datetime, str]],
    refused: list[tuple[Message, str]],
    unknown: list[tuple[Message, str]],
) -> None:
    verdict = classify_send_error(exc)
    now = timezone.now()
    if verdict == TRANSIENT:
        reason = esp_reason(exc)
        when = _retry_at(message, now)
        if when is not None:
            retries.append((message, when, reason))
        else:
            refused.append((message, f"Still failing after several tries: {reason}"))
    elif verdict == PERMANENT:
        refused.append((message, esp_reason(exc)))
    else:
        assert verdict == UNKNOWN
        logger.warning("Message %s unconfirmed: %r", message.pk, exc)
        unknown.append((message, what_happened(exc)))


def _record(
    sent: list[tuple[Message, dt.datetime, str]],
    retries: list[tuple[Message, dt.datetime, str]],
    refused: list[tuple[Message, str]],
    unknown: list[tuple[Message, str]],
    untried: list[int],
    *,
    result: ChunkResult,
) -> None:
    """Write the chunk's outcomes; the accepted sends first (the mail has gone)."""
    now = timezone.now()
    for message in claims.record_with_retries(lambda: messages_record_sent(sent=sent, at=now)):
        result.statuses[message.pk] = Status.SENT
    for message, _, _ in sent:
        result.statuses.setdefault(message.pk, Status.SENT)
    if untried:
        messages_reopen(ids=untried, at=now)
        result.statuses.update(dict.fromkeys(untried, Status.APPROVED))
    if retries:
        messages_retry_later(retries=retries, at=now)
        result.statuses.update({m.pk: Status.APPROVED for m, _, _ in retries})
    for message, reason in refused:
        logger.warning("Message %s failed: %s", message.pk, reason)
        message_record_failed(message=message, reason=reason, at=now)
        result.statuses[message.pk] = Status.FAILED
    for message, what in unknown:
        message_record_unconfirmed(message=message, what=what, at=now)
        result.statuses[message.pk] = Status.UNCONFIRMED
