"""Celery tasks of own-mailbox mode: reading the users' inboxes for replies.

Registered with the worker by MessagingConfig.ready (Celery discovers only `tasks` modules,
and messaging.tasks must not import this one back: it imports process_email_event).
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from messaging import mailbox_polling
from messaging.tasks import process_email_event


@shared_task(ignore_result=True)
def poll_mailboxes() -> int:
    """Beat, every FOLLOWUP_IMAP_POLL_SECONDS: one poll task per mailbox; how many."""
    mailbox_ids = mailbox_polling.mailboxes_to_poll()
    for mailbox_id in mailbox_ids:
        # A poll still queued when the next round starts is dropped, not piled up.
        poll_mailbox.apply_async((mailbox_id,), expires=settings.FOLLOWUP_IMAP_POLL_SECONDS)
    return len(mailbox_ids)


@shared_task(ignore_result=True)
def poll_mailbox(mailbox_id: int) -> int:
    """Store one inbox's new emails as inbound events, processed like the webhook's."""
    return mailbox_polling.mailbox_poll(
        mailbox_id=mailbox_id, now=timezone.now(), enqueue=process_email_event.delay_on_commit
    )
