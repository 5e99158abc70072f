"""Celery tasks of the messaging engine: thin wrappers that take ids and call one function."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from messaging.dispatch import drain, reconcile, sending
from messaging.services import holds
from messaging.webhooks import processing, retention


@shared_task(ignore_result=True)
def dispatch_due_messages() -> int:
    """Beat, every FOLLOWUP_DISPATCH_INTERVAL_SECONDS: settle lost claims, start the senders.

    On the "dispatch" queue, apart from the sends, so a backlog of them never delays it.
    Returns how many sender tasks it started (none when nothing is due).
    """
    return drain.dispatch_tick(
        now=timezone.now(),
        start_senders=_start_senders,
        claim_timeout=dt.timedelta(seconds=settings.FOLLOWUP_CLAIM_TIMEOUT_SECONDS),
    )


def _start_senders(count: int) -> None:
    for _ in range(count):
        # Expires with the tick: one still queued when the next tick comes is dropped, not
        # piled up (that tick starts its own).
        send_due_messages.apply_async(expires=settings.FOLLOWUP_DISPATCH_INTERVAL_SECONDS)


@shared_task(ignore_result=True)
def send_due_messages() -> int:
    """Claim and send due messages a chunk at a time until none is left; how many went.

    A full chunk is followed at once by the next. After FOLLOWUP_DISPATCH_DRAIN_SECONDS it
    hands over to a fresh task, so the worker slot is free for a moment for anything queued.
    """
    outcome = drain.send_due(
        now=timezone.now,
        budget=dt.timedelta(seconds=settings.FOLLOWUP_DISPATCH_DRAIN_SECONDS),
        claim_timeout=dt.timedelta(seconds=settings.FOLLOWUP_CLAIM_TIMEOUT_SECONDS),
    )
    if outcome.more:
        send_due_messages.apply_async(expires=settings.FOLLOWUP_DISPATCH_INTERVAL_SECONDS)
    return outcome.sent


@shared_task(ignore_result=True)
def send_message(message_id: int) -> str:
    """Send one message the user asked to go now (claimed by services.approval); no retry here.

    A refusal the ESP certainly did not act on puts it back to approved with a later due
    time: the dispatcher sends it then, like any other.
    """
    return sending.message_send(message_id=message_id)


@shared_task(ignore_result=True)
def reconcile_unconfirmed() -> int:
    """Beat: ask the ESP about unconfirmed sends where it can tell (Postmark's search)."""
    return reconcile.unconfirmed_reconcile(now=timezone.now())


@shared_task(
    bind=True,
    ignore_result=True,
    # A deadlock, a dropped connection or a failover: the work rolled back with its claim
    # (processed_at), so trying again later is safe. Any other error, or this one on the
    # last try, is recorded on the event as its failure and not retried.
    autoretry_for=(DatabaseError,),
    max_retries=5,
    retry_backoff=10,
    retry_backoff_max=300,
    retry_jitter=True,
)
def process_email_event(self, event_pk: int) -> None:
    """Act on one stored ESP webhook event (delivery, bounce, inbound reply)."""
    final_attempt = self.max_retries is not None and self.request.retries >= self.max_retries
    processing.email_event_process(event_pk=event_pk, final_attempt=final_attempt)


@shared_task(ignore_result=True)
def requeue_email_events() -> int:
    """Beat, every 10 minutes: webhook events still unprocessed after a while go again.

    Failed events (recorded on the event, shown in the admin) are not among them.
    """
    return processing.email_events_requeue(
        now=timezone.now(), enqueue=process_email_event.delay_on_commit
    )


@shared_task(ignore_result=True)
def mark_quiet_applications() -> int:
    """Beat: applications whose thank-you and two follow-ups went unanswered go quiet."""
    return holds.applications_go_quiet(now=timezone.now())


@shared_task(ignore_result=True)
def end_out_of_office_holds() -> int:
    """Beat: release check-ins held by an out-of-office reply once its time has come."""
    return holds.applications_end_holds(now=timezone.now())


@shared_task(ignore_result=True)
def prune_raw_mail() -> int:
    """Beat, daily: webhook payloads older than FOLLOWUP_RAW_MAIL_RETENTION_DAYS are emptied."""
    return retention.raw_mail_prune(
        now=timezone.now(), keep_days=settings.FOLLOWUP_RAW_MAIL_RETENTION_DAYS
    )
