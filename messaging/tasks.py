"""Celery tasks of the messaging engine: thin wrappers that take ids and call one function."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from messaging.dispatch import claims, sending
from messaging.services import holds
from messaging.webhooks import processing, retention


@shared_task(ignore_result=True)
def dispatch_due_messages() -> int:
    """Beat, every FOLLOWUP_DISPATCH_INTERVAL_SECONDS: claim due messages, one send task each."""
    return claims.dispatch_due(
        now=timezone.now(),
        # Enqueued after the claims commit (immediately when no transaction is open).
        enqueue=send_message.delay_on_commit,
        claim_timeout=dt.timedelta(seconds=settings.FOLLOWUP_CLAIM_TIMEOUT_SECONDS),
        limit=settings.FOLLOWUP_DISPATCH_BATCH_SIZE,
    )


@shared_task(
    bind=True,
    ignore_result=True,
    autoretry_for=(sending.TransientSendError,),
    max_retries=settings.FOLLOWUP_SEND_MAX_RETRIES,
    retry_backoff=settings.FOLLOWUP_SEND_RETRY_BACKOFF_SECONDS,
    retry_backoff_max=settings.FOLLOWUP_SEND_RETRY_BACKOFF_MAX,
    retry_jitter=True,
)
def send_message(self, message_id: int) -> str:
    """Send one claimed message; transient ESP errors retry with exponential backoff."""
    # On the last allowed try a transient error marks the message failed instead.
    final_attempt = self.max_retries is not None and self.request.retries >= self.max_retries
    # A retry runs after a backoff of up to FOLLOWUP_SEND_RETRY_BACKOFF_MAX: the send window
    # it was claimed in may have closed since, so the retry checks it again.
    return sending.message_send(
        message_id=message_id, final_attempt=final_attempt, retrying=self.request.retries > 0
    )


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
