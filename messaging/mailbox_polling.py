"""Reading the users' own inboxes for replies: each new email becomes an inbound EmailEvent.

The same pipeline as the ESP's inbound webhook (messaging.receivers): the email is stored
once, as received, owned by the mailbox's user (so it is matched against their applications
only), and messaging.webhooks.processing does the matching, the out-of-office reading and
the timeline. Here only the reading:
1. The inbox is opened read-only (EXAMINE) and fetched with BODY.PEEK[]: nothing the user
   sees changes, not even the \\Seen flag.
2. Only UIDs above the last one read are fetched, at most MAX_PER_POLL a time; the first
   poll reaches back to the user's first application, at most FIRST_POLL_DAYS. Before the
   user's first application nothing is stored: no email can answer one.
3. Each email's event_id names the user, the inbox, its UIDVALIDITY and its UID, and the
   events are stored in the same transaction as the new last UID: a poll repeated, or two
   polls at once, store nothing twice.
4. A new UIDVALIDITY (the server renumbered the inbox) starts again from its newest email
   instead of reading the whole inbox again.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from anymail.inbound import AnymailInboundMessage
from anymail.signals import EventType
from django.conf import settings
from django.db import transaction
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from followup.accounts.models import Mailbox
from interviews.models import Application
from messaging.mailbox import MailboxUnavailable, failure_words, imap_connect
from messaging.models import EmailEvent
from messaging.webhooks.inbound import IN_MAILBOX_KEY, RAW_KEY, clean_text, sender_of

logger = logging.getLogger(__name__)

ESP_NAME = "imap"
# At most this many emails stored per mailbox and poll; the rest wait for the next poll.
MAX_PER_POLL = 100
# How far back the first poll of an inbox reaches (never before the first application).
FIRST_POLL_DAYS = 30
# At most this many bytes of mail held by one poll; the rest waits for the next poll.
MAX_BYTES_PER_POLL = 50 * 1024 * 1024
# Seconds each IMAP command may take before the poll gives up (and tries next time).
POLL_TIMEOUT = 30


@dataclass
class Fetched:
    """What one reading of an inbox found: where it stands now and the new emails."""

    uidvalidity: int
    last_uid: int
    emails: list[tuple[int, bytes]] = field(default_factory=list)


def mailboxes_to_poll() -> list[int]:
    """The mailboxes whose inbox is read (enabled, with a password), longest unread first."""
    return list(
        Mailbox.objects.filter(enabled=True)
        .exclude(password_token="")
        .order_by("last_polled_at", "pk")
        .values_list("pk", flat=True)
    )


def mailbox_poll(
    *,
    mailbox_id: int,
    now: dt.datetime,
    enqueue: Callable[[int], object],
    limit: int = MAX_PER_POLL,
) -> int:
    """Read one inbox's new emails and store them as inbound events; how many were stored.

    `enqueue` hands a stored event's pk to processing (after commit). A failure is
    recorded on the mailbox in plain words (shown on the profile) and logged without
    any credential; the next poll tries again.
    """
    mailbox = (
        Mailbox.objects.select_related("user")
        .filter(pk=mailbox_id, enabled=True)
        .exclude(password_token="")
        .first()
    )
    if mailbox is None:
        return 0
    try:
        client = imap_connect(mailbox, timeout=POLL_TIMEOUT)
    except Exception as error:
        return _failed(mailbox, error, now=now)
    try:
        fetched = _fetch_new(client, mailbox, now=now, limit=limit)
    except Exception as error:
        return _failed(mailbox, error, now=now)
    finally:
        # A connection that already broke has nothing more to tell.
        with contextlib.suppress(Exception):
            client.logout()
    return _store(mailbox, fetched, now=now, enqueue=enqueue)


def _first_application_at(mailbox: Mailbox) -> dt.datetime | None:
    """When the user logged their first application; None before any."""
    return (
        Application.objects.filter(user_id=mailbox.user_id)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )


def _fetch_new(client: IMAPClient, mailbox: Mailbox, *, now: dt.datetime, limit: int) -> Fetched:
    """The inbox's emails after the last one read (see the module's steps)."""
    folder = client.select_folder("INBOX", readonly=True)
    uidvalidity = int(folder[b"UIDVALIDITY"])
    newest = int(folder.get(b"UIDNEXT", 0) or 0) - 1
    if newest < 0:
        newest = max(client.search(["ALL"]) or [0])
    if mailbox.uidvalidity is not None and mailbox.uidvalidity != uidvalidity:
        logger.warning("Mailbox %s: the inbox was renumbered; reading on from now", mailbox.pk)
        return Fetched(uidvalidity=uidvalidity, last_uid=newest)
    first_application = _first_application_at(mailbox)
    if first_application is None:
        # Nothing of theirs to answer yet: their mail is none of our business.
        return Fetched(uidvalidity=uidvalidity, last_uid=newest)
    if mailbox.uidvalidity is None:
        earliest = now - dt.timedelta(days=FIRST_POLL_DAYS)
        uids = client.search(["SINCE", max(earliest, first_application).date()])
    else:
        after = mailbox.last_seen_uid
        # "n:*" always includes the newest email, even when its UID is below n.
        uids = [uid for uid in client.search(["UID", f"{after + 1}:*"]) if uid > after]
    uids = sorted(uids)[:limit]
    if not uids:
        last = newest if mailbox.uidvalidity is None else max(mailbox.last_seen_uid, 0)
        return Fetched(uidvalidity=uidvalidity, last_uid=last)
    emails, last_read = _download(client, uids)
    return Fetched(uidvalidity=uidvalidity, last_uid=last_read, emails=emails)


def _download(client: IMAPClient, uids: list[int]) -> tuple[list[tuple[int, bytes]], int]:
    """The emails' bytes, without marking them read, and the last UID read (or skipped).

    One larger than the webhook's limit is skipped (as the ESP would refuse it). Once the
    poll holds MAX_BYTES_PER_POLL the rest waits for the next poll: a server that sends
    huge mail cannot make one poll hold the worker's memory.
    """
    largest = settings.FOLLOWUP_WEBHOOK_MAX_BYTES
    sizes = client.fetch(uids, ["RFC822.SIZE"])
    emails: list[tuple[int, bytes]] = []
    held, last_read = 0, uids[0] - 1
    for uid in uids:
        size = int(sizes.get(uid, {}).get(b"RFC822.SIZE", 0))
        if size > largest:
            logger.warning("Skipped an email of %d bytes (more than %d)", size, largest)
        elif emails and held + size > MAX_BYTES_PER_POLL:
            break
        else:
            # BODY.PEEK[] leaves \Seen alone even on a folder opened read-write.
            body = client.fetch([uid], ["BODY.PEEK[]"]).get(uid, {}).get(b"BODY[]")
            if body is not None:
                emails.append((uid, body))
                held += len(body)
        last_read = uid
    return emails, last_read


def event_key(mailbox: Mailbox, *, uidvalidity: int, uid: int) -> str:
    """The EmailEvent.event_id of one email of one user's inbox: the same on every poll."""
    inbox = f"{mailbox.user_id}|{mailbox.imap_host.lower()}|{mailbox.username.lower()}"
    digest = hashlib.sha256(inbox.encode()).hexdigest()[:24]
    return f"{ESP_NAME}:{digest}:{uidvalidity}:{uid}"


def _store(
    mailbox: Mailbox, fetched: Fetched, *, now: dt.datetime, enqueue: Callable[[int], object]
) -> int:
    """Store the emails and the new last UID together; enqueue each new event after commit."""
    stored = 0
    with transaction.atomic():
        locked = Mailbox.objects.select_for_update().filter(pk=mailbox.pk).first()
        if locked is None or (locked.imap_host, locked.username, locked.uidvalidity) != (
            mailbox.imap_host,
            mailbox.username,
            mailbox.uidvalidity,
        ):
            # The settings changed, or another poll began this inbox afresh, while this one
            # read: the next poll stores these emails, from where the inbox stands then.
            return 0
        for uid, raw in fetched.emails:
            stored += _store_one(locked, uid=uid, raw=raw, fetched=fetched, enqueue=enqueue)
        locked.uidvalidity = fetched.uidvalidity
        locked.last_seen_uid = max(locked.last_seen_uid, fetched.last_uid)
        if mailbox.uidvalidity != fetched.uidvalidity:
            locked.last_seen_uid = fetched.last_uid
        locked.last_polled_at = now
        locked.last_error, locked.last_error_at = "", None
        locked.save(
            update_fields=[
                "uidvalidity",
                "last_seen_uid",
                "last_polled_at",
                "last_error",
                "last_error_at",
            ]
        )
    return stored


def _store_one(
    mailbox: Mailbox, *, uid: int, raw: bytes, fetched: Fetched, enqueue: Callable[[int], object]
) -> int:
    """Store one email as an inbound event owned by the mailbox's user; 1 if it is new."""
    try:
        sender = sender_of(AnymailInboundMessage.parse_raw_mime_bytes(raw))[0]
    except Exception:  # a message the parser chokes on: processing reports it
        sender = ""
    event, created = EmailEvent.objects.get_or_create(
        event_id=event_key(mailbox, uidvalidity=fetched.uidvalidity, uid=uid),
        defaults={
            "esp_name": ESP_NAME,
            "event_type": EventType.INBOUND,
            "recipient": clean_text(sender)[:300],
            # Its owner from the start: matched against this user's applications only.
            "user_id": mailbox.user_id,
            "payload": {
                # Exactly as fetched: processing parses these bytes, nothing re-folded.
                RAW_KEY: base64.b64encode(raw).decode("ascii"),
                "envelope_recipient": mailbox.user.email,
                "stripped_text": "",
                # It is in the user's inbox already: processing never forwards it to them.
                IN_MAILBOX_KEY: True,
            },
        },
    )
    if created or (event.processed_at is None and event.failed_at is None):
        enqueue(event.pk)
    return int(created)


def _failed(mailbox: Mailbox, error: BaseException, *, now: dt.datetime) -> int:
    """Record a failed poll on the mailbox in plain words; log it without credentials."""
    words = failure_words(error, host=mailbox.imap_host, port=mailbox.imap_port)
    # A network or server error is the mailbox's business; anything else may be a bug here.
    expected = isinstance(error, OSError | IMAPClientError | MailboxUnavailable)
    logger.warning("Mailbox %s could not be read: %s", mailbox.pk, words, exc_info=not expected)
    Mailbox.objects.filter(pk=mailbox.pk).update(
        last_error=f"Reading replies failed: {words}"[:500], last_error_at=now, last_polled_at=now
    )
    return 0
