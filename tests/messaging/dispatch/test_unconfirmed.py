"""Unconfirmed sends: their own status, settled by delivery evidence, sent again only knowingly."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from anymail.signals import EventType
from django.apps import apps
from django.utils import timezone

from interviews.models import TimelineEvent
from messaging.dispatch.reconcile import unconfirmed_reconcile
from messaging.dispatch.sending import INTERRUPTED_REASON, message_send
from messaging.models import EmailEvent, Message
from messaging.queue_selectors import failed_page, queue_counts, unconfirmed_page
from messaging.services.refusals import ActionRefused
from messaging.services.send_again import message_send_again
from messaging.webhooks.processing import email_event_process
from tests.builders.messages import make_message
from tests.fakeesp import FakePostmark

Status = Message.Status
LONG_AGO = dt.timedelta(minutes=30)


@pytest.fixture
def unconfirmed(setup) -> Message:
    application, contact = setup
    return make_message(
        application,
        contact=contact,
        status=Status.UNCONFIRMED,
        status_reason=INTERRUPTED_REASON,
        outcome_unknown=True,
        send_started_at=timezone.now() - LONG_AGO,
        claimed_at=timezone.now() - LONG_AGO,
        attempts=1,
    )


@pytest.fixture
def postmark(settings):
    with FakePostmark() as fake:
        settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
        settings.DEFAULT_FROM_EMAIL = "Followup <send@followup.example>"
        settings.ANYMAIL = {
            "POSTMARK_SERVER_TOKEN": "test-token",
            "POSTMARK_API_URL": fake.url,
            "REQUESTS_TIMEOUT": 1,
        }
        settings.FOLLOWUP_RECONCILE_AFTER_SECONDS = 60
        yield fake


def _event(message: Message, kind: str, **payload: object) -> None:
    event = EmailEvent.objects.create(
        event_id=f"{kind}-{message.pk}",
        esp_name="Postmark",
        event_type=kind,
        esp_message_id="pm-123",
        recipient=message.to_email,
        payload={"metadata": {"message_id": str(message.pk)}, **payload},
    )
    email_event_process(event_pk=event.pk)


def test_a_delivery_report_settles_an_unconfirmed_send_as_sent(unconfirmed):
    _event(unconfirmed, EventType.DELIVERED)

    unconfirmed.refresh_from_db()
    assert unconfirmed.status == Status.SENT
    assert unconfirmed.esp_message_id == "pm-123"
    assert unconfirmed.status_reason == ""
    assert unconfirmed.sent_at == unconfirmed.send_started_at


def test_a_bounce_settles_an_unconfirmed_send_as_failed_with_the_reason(unconfirmed):
    _event(unconfirmed, EventType.BOUNCED, description="The mailbox does not exist.")

    unconfirmed.refresh_from_db()
    assert unconfirmed.status == Status.FAILED
    assert unconfirmed.status_reason == "It bounced: The mailbox does not exist."


def test_the_not_confirmed_tab_lists_unconfirmed_messages_apart_from_failures(unconfirmed, user):
    assert [m.pk for m in unconfirmed_page(user=user)] == [unconfirmed.pk]
    assert list(failed_page(user=user)) == []
    assert queue_counts(user=user)["unconfirmed"] == 1
    assert queue_counts(user=user)["failed"] == 0


def test_postmarks_search_proves_it_was_sent(unconfirmed, postmark, setup):
    # Postmark took it (a gateway's 504 hid that), and so its search finds it.
    postmark.answer(504, text="<html>Gateway Time-out</html>", accepted=True)
    Message.objects.filter(pk=unconfirmed.pk).update(status=Status.SENDING, send_started_at=None)
    assert message_send(message_id=unconfirmed.pk) == Status.UNCONFIRMED
    Message.objects.filter(pk=unconfirmed.pk).update(send_started_at=timezone.now() - LONG_AGO)

    assert unconfirmed_reconcile(now=timezone.now()) == 1

    unconfirmed.refresh_from_db()
    [request] = postmark.requests
    assert unconfirmed.status == Status.SENT
    assert unconfirmed.esp_message_id == request.reply["MessageID"]
    assert postmark.searches == [
        {"count": "50", "offset": "0", "metadata_message_id": str(unconfirmed.pk)}
    ]
    sent = TimelineEvent.objects.filter(message=unconfirmed, kind=TimelineEvent.Kind.SENT).get()
    assert "mail service's records" in sent.detail


def test_a_send_postmark_never_took_goes_again_once(unconfirmed, postmark, settings):
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"

    assert unconfirmed_reconcile(now=timezone.now()) == 1
    unconfirmed.refresh_from_db()
    assert unconfirmed.status == Status.APPROVED
    assert unconfirmed.send_started_at is None
    # A second run finds nothing to ask about.
    assert unconfirmed_reconcile(now=timezone.now()) == 0
    assert len(postmark.searches) == 1


def test_it_waits_before_taking_absence_for_never_taken(unconfirmed, postmark):
    Message.objects.filter(pk=unconfirmed.pk).update(send_started_at=timezone.now())

    assert unconfirmed_reconcile(now=timezone.now()) == 0
    assert postmark.searches == []
    unconfirmed.refresh_from_db()
    assert unconfirmed.status == Status.UNCONFIRMED


def test_a_search_that_does_not_answer_leaves_it_unconfirmed(unconfirmed, postmark, settings):
    settings.ANYMAIL = settings.ANYMAIL | {"POSTMARK_API_URL": "http://127.0.0.1:9/"}

    assert unconfirmed_reconcile(now=timezone.now()) == 0
    unconfirmed.refresh_from_db()
    assert unconfirmed.status == Status.UNCONFIRMED


def test_without_an_esp_that_can_tell_it_stays_for_the_user(unconfirmed, locmem):
    assert unconfirmed_reconcile(now=timezone.now()) == 0
    unconfirmed.refresh_from_db()
    assert unconfirmed.status == Status.UNCONFIRMED


def test_send_again_says_it_may_produce_a_second_copy_and_needs_that_accepted(unconfirmed, user):
    with pytest.raises(ActionRefused, match="second copy"):
        message_send_again(message=unconfirmed, user=user, accept_second_copy=False)
    unconfirmed.refresh_from_db()
    assert unconfirmed.status == Status.UNCONFIRMED

    again = message_send_again(message=unconfirmed, user=user, accept_second_copy=True)

    assert again.status == Status.APPROVED
    assert again.send_started_at is None
    assert again.approved_at is not None
    note = TimelineEvent.objects.get(message=again)
    assert "second copy" in note.detail


def test_send_again_refuses_a_message_that_is_not_unconfirmed(setup, user):
    application, contact = setup
    failed = make_message(application, contact=contact, status=Status.FAILED)

    with pytest.raises(ActionRefused):
        message_send_again(message=failed, user=user, accept_second_copy=True)


def test_the_migration_moves_flagged_failures_to_unconfirmed(setup):
    application, contact = setup
    flagged = make_message(application, contact=contact, status=Status.FAILED, outcome_unknown=True)
    plain = make_message(application, contact=contact, status=Status.FAILED)
    migration = importlib.import_module("messaging.migrations.0003_unconfirmed_status")

    migration.failed_unknown_to_unconfirmed(apps, None)

    assert Message.objects.get(pk=flagged.pk).status == Status.UNCONFIRMED
    assert Message.objects.get(pk=plain.pk).status == Status.FAILED
