"""The dispatcher's two loops: the beat's tick, and the senders that drain what is due."""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from messaging.dispatch import claims
from messaging.dispatch.chunks import chunk_size, claim_chunk, send_claimed
from messaging.models import Message

logger = logging.getLogger(__name__)

Status = Message.Status


def senders() -> int:
    """FOLLOWUP_DISPATCH_SENDERS: how many sender tasks a tick starts (the workers' slots)."""
    return int(getattr(settings, "FOLLOWUP_DISPATCH_SENDERS", 8))


def dispatch_tick(
    *, now: dt.datetime, start_senders: Callable[[int], None], claim_timeout: dt.timedelta
) -> int:
    """Settle claims nobody works on, then start enough senders for what is due now.

    Cheap at any size: a few indexed statements and one LIMITed read, however many messages
    are scheduled for later (messaging_msg_approved_due, messaging_msg_sending_claim).
    """
    claims.recover_stale_claims(now=now, older_than=claim_timeout)
    due = claims.due_message_ids(now=now, limit=senders() * chunk_size())
    # Those due outside their sender's window wait for it, noted on the timeline, before a
    # sender is started for them (a sender checks the window again after its claim).
    due = claims.messages_in_window(message_ids=due, now=now)
    count = min(senders(), math.ceil(len(due) / chunk_size()))
    if count:
        start_senders(count)
    return count


@dataclass(frozen=True)
class Drained:
    sent: int
    more: bool  # stopped for its time budget with work possibly left


def send_due(
    *,
    now: Callable[[], dt.datetime],
    budget: dt.timedelta,
    claim_timeout: dt.timedelta,
    size: int | None = None,
) -> Drained:
    """Claim and send chunks until nothing is due or `budget` has passed.

    Each sender claims its own next chunk as soon as the last one is recorded, so a claim
    never waits in a queue: claims that are not started within a minute belong to nobody
    (recover_stale_claims gives them back). It sweeps first too, so a long backlog never
    keeps the sweep from running.
    """
    size = size or chunk_size()
    claims.recover_stale_claims(now=now(), older_than=claim_timeout)
    deadline = time.monotonic() + budget.total_seconds()
    sent = 0
    while True:
        token = now()
        ids = claim_chunk(now=token, size=size)
        if not ids:
            return Drained(sent, more=False)
        result = send_claimed(ids=ids, token=token)
        sent += result.count(Status.SENT)
        if len(ids) < size:
            return Drained(sent, more=False)
        if time.monotonic() > deadline:
            return Drained(sent, more=True)
