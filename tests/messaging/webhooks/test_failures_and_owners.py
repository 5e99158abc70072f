"""Stored events that cannot be processed are shown, not retried for ever; each has its owner."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from followup.accounts.models import User
from interviews.models import Application, TimelineEvent
from messaging.models import BouncedAddress, EmailEvent, Reply
from messaging.tasks import process_email_event
from messaging.webhooks import processing
from messaging.webhooks.processing import email_events_requeue
from tests.builders.webhooks import bounce, delivery, in_reply_to, inbound

NOW = dt.datetime(2025, 3, 12, 15, 0, tzinfo=dt.UTC)  # a Wednesday


def _boom(*args, **kwargs):
    raise RuntimeError("boom: the hold could not be written")


@pytest.fixture
def staff_client(db) -> Client:
    admin = User.objects.create_superuser(email="ops@followup.example", password="x")
    client = Client()
    client.force_login(admin)
    return client


def test_a_processing_failure_is_recorded_and_shown_to_the_owner(post, sent, monkeypatch):
    monkeypatch.setattr(processing, "bounced_messages_hold", _boom)

    assert post("tracking", bounce(sent)).status_code == 200

    event = EmailEvent.objects.get()
    assert event.processed_at is None
    assert event.failed_at is not None
    assert event.failure == "RuntimeError: boom: the hold could not be written"
    assert event.user == sent.user
    assert event.message == sent
    # The work rolled back as a whole...
    assert not BouncedAddress.objects.exists()
    # ...and the owner sees that a report came that changed nothing.
    note = TimelineEvent.objects.get(application=sent.application, kind=TimelineEvent.Kind.NOTE)
    assert note.summary == "A 'bounced' report on this email could not be processed"
    assert note.message == sent


def test_a_failed_event_is_not_requeued_nor_processed_again_by_itself(post, sent, monkeypatch):
    monkeypatch.setattr(processing, "bounced_messages_hold", _boom)
    post("tracking", bounce(sent))
    event = EmailEvent.objects.get()
    monkeypatch.undo()
    enqueued: list[int] = []

    later = timezone.now() + dt.timedelta(minutes=30)
    assert email_events_requeue(now=later, enqueue=enqueued.append) == 0
    process_email_event.apply(args=[event.pk]).get()

    assert enqueued == []
    event.refresh_from_db()
    assert event.processed_at is None
    assert event.failed_at is not None


def test_a_database_error_is_retried_then_recorded_on_the_last_try(sent, monkeypatch):
    attempts = []

    def deadlock(event):
        attempts.append(event.pk)
        raise OperationalError("deadlock detected")

    monkeypatch.setattr(processing, "_tracking_event_apply", deadlock)
    event = EmailEvent.objects.create(
        event_id="postmark:x", event_type="delivered", payload=delivery(sent)
    )

    process_email_event.apply(args=[event.pk]).get()

    event.refresh_from_db()
    assert len(attempts) == process_email_event.max_retries + 1
    assert event.failed_at is not None
    assert event.failure == "OperationalError: deadlock detected"


def test_an_event_never_processed_within_three_days_is_marked_failed(sent):
    event = EmailEvent.objects.create(event_id="postmark:lost", event_type="delivered")
    EmailEvent.objects.filter(pk=event.pk).update(received_at=NOW - dt.timedelta(days=4))

    assert email_events_requeue(now=NOW, enqueue=lambda pk: None) == 0

    event.refresh_from_db()
    assert event.failed_at == NOW
    assert "Not processed within 3 days" in event.failure


@time_machine.travel(NOW)
def test_an_inbound_email_that_fails_is_noted_on_its_application(post, sent, monkeypatch):
    def broken(*, event):
        raise ValueError("unreadable date")

    monkeypatch.setattr(processing, "inbound_event_apply", broken)

    post("inbound", inbound(headers=in_reply_to(sent.message_id)))

    event = EmailEvent.objects.get()
    assert event.failure == "ValueError: unreadable date"
    assert event.user == sent.user
    assert not Reply.objects.exists()
    note = TimelineEvent.objects.get(application=sent.application, kind=TimelineEvent.Kind.NOTE)
    assert note.summary == "An email from dana@acme.example could not be read"


def test_failed_events_are_listed_in_the_admin_and_can_be_processed_again(
    post, sent, monkeypatch, staff_client, django_capture_on_commit_callbacks
):
    post("tracking", delivery(sent))
    monkeypatch.setattr(processing, "bounced_messages_hold", _boom)
    post("tracking", bounce(sent))
    monkeypatch.undo()
    failed = EmailEvent.objects.get(failed_at__isnull=False)
    url = reverse("admin:messaging_emailevent_changelist")

    listed = staff_client.get(url, {"failed": "yes"}).context["cl"].result_list
    assert [e.pk for e in listed] == [failed.pk]
    assert len(staff_client.get(url, {"failed": "no"}).context["cl"].result_list) == 1

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            url, {"action": "process_again", "_selected_action": [failed.pk]}, follow=True
        )

    failed.refresh_from_db()
    assert failed.failed_at is None
    assert failed.processed_at is not None
    assert BouncedAddress.objects.filter(user=sent.user).exists()


def test_a_delivery_report_belongs_to_the_messages_user(post, sent):
    post("tracking", delivery(sent))

    assert EmailEvent.objects.get().user == sent.user


@time_machine.travel(NOW)
def test_a_reply_belongs_to_the_user_whose_application_it_answers(post, sent):
    post("inbound", inbound(headers=in_reply_to(sent.message_id)))

    event = EmailEvent.objects.get()
    assert event.processed_at is not None
    assert event.user == sent.user


def test_an_email_from_a_stranger_to_no_user_belongs_to_nobody(post, sent):
    post("inbound", inbound(sender="someone@elsewhere.example", to="jobs@elsewhere.example"))

    event = EmailEvent.objects.get()
    assert event.processed_at is not None
    assert event.user is None


@time_machine.travel(NOW)
def test_deleting_a_user_deletes_their_webhook_events(post, sent, user):
    post("tracking", delivery(sent))
    post("inbound", inbound(headers=in_reply_to(sent.message_id)))
    post(
        "inbound",
        inbound(sender="someone@elsewhere.example", to="jobs@elsewhere.example", message_id="o"),
    )
    assert EmailEvent.objects.count() == 3

    # (Application.company is PROTECT: a user's applications go first.)
    Application.objects.filter(user=user).delete()
    user.delete()

    assert list(EmailEvent.objects.values_list("recipient", flat=True)) == [
        "someone@elsewhere.example"
    ]
