"""Reading the user's own inbox: a reply there stops the check-ins like a webhook's would.

A real dovecot holds the inbox; the beat task polls it over IMAP; the stored events go
through the shared processing (eager Celery, after commit).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging

import pytest
from django.urls import reverse
from django.utils import timezone

from followup.accounts.models import Mailbox
from followup.celery import app
from messaging import mailbox_polling
from messaging.mailbox_tasks import poll_mailbox, poll_mailboxes
from messaging.models import EmailEvent, InboundEmail, Message, OutboxEmail, Reply
from tests.builders.mailboxes import dovecot, make_mailbox, reply_to
from tests.builders.messages import make_message, sending_setup

pytestmark = pytest.mark.django_db

Status = Message.Status


@pytest.fixture
def sent(user) -> Message:
    """A thank-you Alex sent to Dana, and the check-in waiting after it."""
    application, contact = sending_setup(user)
    message = make_message(
        application,
        contact=contact,
        status=Status.SENT,
        sent_at=timezone.now() - dt.timedelta(days=1),
        message_id="<thank-you-1@followup.example>",
    )
    make_message(application, contact=contact, stage="check_in", status=Status.DRAFT)
    return message


@pytest.fixture
def inbox(user):
    with dovecot(user.email, "sam@example.org") as server:
        yield server


@pytest.fixture
def poll(django_capture_on_commit_callbacks):
    """Run the beat task as the worker would: its polls, then the processing they enqueue."""

    def run() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            poll_mailboxes.delay()

    return run


def pending_check_ins(message: Message) -> int:
    return Message.objects.filter(
        application=message.application, stage="check_in", status__in=Message.PENDING_STATUSES
    ).count()


def test_a_reply_in_the_inbox_stops_the_check_ins(user, sent, inbox, poll):
    make_mailbox(user, imap_port=inbox.port)
    # Addressed to another of the user's addresses, that their mailbox also receives.
    inbox.deliver(user.email, reply_to(sent.message_id, to="alex.morgan@mail.example"))

    poll()

    event = EmailEvent.objects.get()
    reply = Reply.objects.get()
    assert event.esp_name == "imap"
    assert event.user == user
    assert event.message == sent
    assert event.processed_at is not None and not event.failure
    assert reply.application == sent.application
    assert reply.kind == "reply"
    assert "we will be in touch next week" in reply.detail
    assert pending_check_ins(sent) == 0
    # It is in the user's inbox already: nothing is forwarded to them.
    assert OutboxEmail.objects.count() == 0


def test_polling_twice_stores_nothing_twice(user, sent, inbox, poll):
    make_mailbox(user, imap_port=inbox.port)
    inbox.deliver(user.email, reply_to(sent.message_id))

    poll()
    poll()
    inbox.deliver(user.email, b"From: news@shop.example\r\nSubject: Sale\r\n\r\nBuy now\r\n")
    poll()
    poll()

    assert EmailEvent.objects.count() == 2
    assert Reply.objects.count() == 1
    # The newsletter in their inbox is no unmatched reply for them to sort out.
    assert not InboundEmail.objects.filter(state=InboundEmail.State.UNMATCHED).exists()
    mailbox = Mailbox.objects.get(user=user)
    assert mailbox.last_seen_uid == 2
    assert mailbox.last_error == ""


def test_reading_changes_no_flag_the_user_sees(user, sent, inbox, poll):
    make_mailbox(user, imap_port=inbox.port)
    inbox.deliver(user.email, reply_to(sent.message_id))
    inbox.deliver(user.email, reply_to(sent.message_id), flags=(b"\\Seen", b"\\Flagged"))
    before = inbox.flags(user.email)

    poll()

    assert EmailEvent.objects.count() == 2
    assert inbox.flags(user.email) == before
    assert b"\\Seen" not in before[1]


def test_a_renumbered_inbox_reads_on_from_its_newest_email(user, sent, inbox, poll):
    mailbox = make_mailbox(user, imap_port=inbox.port)
    poll()
    real = Mailbox.objects.get(pk=mailbox.pk).uidvalidity
    for _ in range(3):
        inbox.deliver(user.email, reply_to(sent.message_id))
    # The server renumbers the inbox before the next poll: UIDs 1-3 may be other emails now.
    inbox.renumber(user.email, real + 1000)

    poll()

    assert EmailEvent.objects.count() == 0  # the inbox is not read all over again
    mailbox.refresh_from_db()
    assert (mailbox.uidvalidity, mailbox.last_seen_uid) == (real + 1000, 3)

    inbox.deliver(user.email, reply_to(sent.message_id))
    poll()

    assert list(EmailEvent.objects.values_list("event_id", flat=True)) == [
        mailbox_polling.event_key(mailbox, uidvalidity=real + 1000, uid=4)
    ]
    assert Reply.objects.count() == 1


def test_another_users_inbox_is_never_matched_to_this_user(user, outsider, sent, inbox, poll):
    # Sam's inbox holds a reply to Alex's thread (a forward, a CC): it is Sam's mail only.
    sending_setup(outsider)  # Sam knows Dana too
    make_mailbox(outsider, imap_port=inbox.port)
    inbox.deliver(outsider.email, reply_to(sent.message_id, to=user.email))

    poll()

    event = EmailEvent.objects.get()
    assert event.user == outsider
    assert event.message is None
    assert Reply.objects.count() == 0
    assert pending_check_ins(sent) == 1


def test_the_first_poll_reads_back_to_the_first_application_only(user, sent, inbox, poll):
    make_mailbox(user, imap_port=inbox.port)
    long_ago = timezone.now() - dt.timedelta(days=45)
    inbox.deliver(user.email, reply_to(sent.message_id), at=long_ago)
    inbox.deliver(user.email, reply_to(sent.message_id))

    poll()

    assert EmailEvent.objects.count() == 1
    assert EmailEvent.objects.get().event_id.endswith(":2")


def test_a_poll_stores_a_bounded_number_and_the_next_one_goes_on(user, sent, inbox):
    mailbox = make_mailbox(user, imap_port=inbox.port)
    for n in range(5):
        inbox.deliver(user.email, f"From: n{n}@shop.example\r\nSubject: {n}\r\n\r\nHi\r\n")

    counts = [
        mailbox_polling.mailbox_poll(
            mailbox_id=mailbox.pk, now=timezone.now(), enqueue=lambda pk: None, limit=2
        )
        for _ in range(4)
    ]

    assert counts == [2, 2, 1, 0]
    assert EmailEvent.objects.count() == 5


def test_a_failed_poll_is_shown_on_the_profile_without_the_password(
    user, owner_client, inbox, poll, caplog
):
    make_mailbox(user, imap_port=inbox.port, password="not-the-app-password")

    with caplog.at_level(logging.DEBUG):
        poll()

    mailbox = Mailbox.objects.get(user=user)
    assert mailbox.last_error.startswith("Reading replies failed: The server refused")
    assert "not-the-app-password" not in caplog.text
    page = owner_client.get(reverse("accounts:profile")).content.decode()
    assert "Reading replies failed: The server refused the username" in page
    assert EmailEvent.objects.count() == 0


def test_a_mailbox_switched_off_or_without_password_is_not_read(user, outsider, sent, inbox, poll):
    make_mailbox(user, imap_port=inbox.port, enabled=False)
    make_mailbox(outsider, imap_port=inbox.port)
    Mailbox.objects.filter(user=outsider).update(password_token="")
    inbox.deliver(user.email, reply_to(sent.message_id))

    poll()

    assert EmailEvent.objects.count() == 0
    assert not Mailbox.objects.filter(last_polled_at__isnull=False).exists()


def test_the_task_takes_a_mailbox_id(user, sent, inbox, django_capture_on_commit_callbacks):
    mailbox = make_mailbox(user, imap_port=inbox.port)
    inbox.deliver(user.email, reply_to(sent.message_id))
    message_id = email.utils.make_msgid()  # a second, unrelated email
    inbox.deliver(user.email, f"From: a@b.example\r\nMessage-ID: {message_id}\r\n\r\nHi\r\n")

    with django_capture_on_commit_callbacks(execute=True):
        stored = poll_mailbox.delay(mailbox.pk).get()

    assert stored == 2
    assert Reply.objects.count() == 1


def test_nothing_is_stored_before_the_first_application(user, inbox, poll):
    mailbox = make_mailbox(user, imap_port=inbox.port)
    inbox.deliver(user.email, reply_to("<thank-you-1@followup.example>"))

    poll()

    mailbox.refresh_from_db()
    assert EmailEvent.objects.count() == 0
    assert mailbox.last_seen_uid == 1  # read on from there once there is an application


def test_the_worker_knows_the_polling_tasks():
    assert {
        "messaging.mailbox_tasks.poll_mailboxes",
        "messaging.mailbox_tasks.poll_mailbox",
    } <= set(app.tasks)


def test_an_email_too_large_to_receive_is_skipped(user, sent, inbox, poll, settings):
    settings.FOLLOWUP_WEBHOOK_MAX_BYTES = 4000
    make_mailbox(user, imap_port=inbox.port)
    inbox.deliver(user.email, reply_to(sent.message_id) + b"x" * 5000 + b"\r\n")
    inbox.deliver(user.email, reply_to(sent.message_id))

    poll()

    assert EmailEvent.objects.get().event_id.endswith(":2")
    assert Mailbox.objects.get(user=user).last_seen_uid == 2


def test_a_poll_holds_a_bounded_number_of_bytes(user, sent, inbox, monkeypatch):
    monkeypatch.setattr(mailbox_polling, "MAX_BYTES_PER_POLL", 1500)
    mailbox = make_mailbox(user, imap_port=inbox.port)
    for _ in range(3):
        inbox.deliver(user.email, reply_to(sent.message_id) + b"y" * 600 + b"\r\n")

    counts = [
        mailbox_polling.mailbox_poll(
            mailbox_id=mailbox.pk, now=timezone.now(), enqueue=lambda pk: None
        )
        for _ in range(4)
    ]

    assert counts == [1, 1, 1, 0]
