"""Delivery and bounce reports: a bounce holds what waits for the address; a delivery settles."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from interviews.models import Application, TimelineEvent
from messaging.dispatch.claims import message_claim
from messaging.dispatch.sending import INTERRUPTED_REASON, message_send
from messaging.models import BouncedAddress, EmailEvent, Message
from messaging.services.editing import message_edit
from messaging.services.holds import application_pause, application_resume
from tests.builders.messages import make_message
from tests.builders.webhooks import bounce, delivery

Status = Message.Status


def test_a_hard_bounce_blocks_the_address_for_that_user(post, sent):
    assert post("tracking", bounce(sent)).status_code == 200
    assert post("tracking", bounce(sent)).status_code == 200

    blocked = BouncedAddress.objects.get()
    sent.refresh_from_db()
    assert EmailEvent.objects.count() == 1
    assert (blocked.user, blocked.email) == (sent.user, "dana@acme.example")
    assert "mailbox does not exist" in blocked.reason
    assert sent.delivery_status == "bounced"
    bounced = TimelineEvent.objects.get(message=sent, kind=TimelineEvent.Kind.BOUNCED)
    assert "Nothing more will be sent" in bounced.detail


def test_after_a_bounce_the_next_message_to_that_address_is_cancelled(post, sent, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    post("tracking", bounce(sent))
    check_in = make_message(sent.application, contact=sent.contact, stage="check_in")

    assert message_claim(message_id=check_in.pk, now=timezone.now())
    assert message_send(message_id=check_in.pk) == Status.CANCELLED


def test_a_hard_bounce_holds_every_pending_message_to_that_address_at_once(post, sent, user):
    later = timezone.now() + dt.timedelta(days=5)
    approved = make_message(sent.application, contact=sent.contact, stage="check_in", due_at=later)
    draft = make_message(
        sent.application,
        contact=sent.contact,
        stage="second_check_in",
        status=Status.DRAFT,
        due_at=later + dt.timedelta(days=7),
    )
    # The same person's address on another application of the user's.
    other_application = Application.objects.create(
        user=user, company=sent.application.company, role="Staff Engineer"
    )
    elsewhere = make_message(other_application, status=Status.DRAFT, due_at=later)
    someone_else = make_message(
        sent.application, status=Status.DRAFT, to_email="lee@acme.example", due_at=later
    )

    post("tracking", bounce(sent))

    for message in (approved, draft, elsewhere, someone_else):
        message.refresh_from_db()
    assert {m.status for m in (approved, draft, elsewhere)} == {Status.HELD}
    assert all("bounced" in m.status_reason for m in (approved, draft, elsewhere))
    assert approved.approved_at is not None  # its approval waits with it
    assert someone_else.status == Status.DRAFT
    held = TimelineEvent.objects.filter(kind=TimelineEvent.Kind.HELD)
    assert {e.message_id for e in held} == {approved.pk, draft.pk, elsewhere.pk}


def test_a_message_held_by_a_bounce_shows_why_on_the_scheduled_tab(post, sent, owner_client):
    approved = make_message(
        sent.application,
        contact=sent.contact,
        stage="check_in",
        due_at=timezone.now() + dt.timedelta(days=5),
    )
    post("tracking", bounce(sent))

    page = owner_client.get(reverse("messaging:queue_scheduled"))

    approved.refresh_from_db()
    assert escape(approved.status_reason) in page.content.decode()
    assert "bounced" in approved.status_reason


def test_a_bounce_hold_outlasts_a_pause_until_the_address_changes(post, sent, user):
    # A thanks for their update: re-planning on resume leaves such an event message alone.
    draft = make_message(
        sent.application,
        contact=sent.contact,
        stage="no_news_reply",
        status=Status.DRAFT,
        due_at=timezone.now() + dt.timedelta(days=5),
    )
    post("tracking", bounce(sent))
    application_pause(application=sent.application, user=user)
    application_resume(application=sent.application, user=user)
    draft.refresh_from_db()
    assert draft.status == Status.HELD

    message_edit(
        message=draft,
        user=user,
        to_email="dana.richardson@acme.example",
        subject=draft.subject,
        body_text=draft.body_text,
        due_at=draft.due_at,
    )

    draft.refresh_from_db()
    assert (draft.status, draft.to_email) == (Status.DRAFT, "dana.richardson@acme.example")


def test_a_late_delivery_report_does_not_undo_a_bounce(post, sent):
    post("tracking", bounce(sent))
    post("tracking", delivery(sent))

    sent.refresh_from_db()
    assert sent.delivery_status == "bounced"


def test_a_delivery_report_proves_an_interrupted_send_went_out(post, sent):
    Message.objects.filter(pk=sent.pk).update(
        status=Status.FAILED,
        status_reason=INTERRUPTED_REASON,
        outcome_unknown=True,
        send_started_at=timezone.now() - dt.timedelta(minutes=30),
        esp_message_id="",
        sent_at=None,
    )

    post("tracking", delivery(sent))

    sent.refresh_from_db()
    assert sent.status == Status.SENT
    assert sent.esp_message_id == "883953f4-6105-42a2-a16a-77a8eac79483"
    assert sent.status_reason == ""
    assert not sent.outcome_unknown


@pytest.mark.parametrize(
    "stuck",
    [
        {"status": Status.SENDING},  # the report beat the worker's own record of the send
        {"status": Status.FAILED, "outcome_unknown": True},  # the worker died after the ESP
    ],
)
def test_a_thank_you_the_delivery_report_settles_gets_its_linkedin_task_once(post, sent, stuck):
    started = timezone.now() - dt.timedelta(minutes=2)
    Message.objects.filter(pk=sent.pk).update(
        send_started_at=started, sent_at=None, esp_message_id="", **stuck
    )

    post("tracking", delivery(sent))
    post("tracking", delivery(sent) | {"DeliveredAt": "2025-03-12T15:00:09.000Z"})

    sent.refresh_from_db()
    assert (sent.status, sent.sent_at) == (Status.SENT, started)
    (task,) = TimelineEvent.objects.filter(message=sent, kind=TimelineEvent.Kind.TASK)
    assert task.summary == f"Connect with {sent.to_name} on LinkedIn"
    assert task.happened_at == started


def test_a_delivery_report_does_not_turn_a_plain_failure_into_a_send(post, sent):
    # The flag decides, not the wording of the reason.
    Message.objects.filter(pk=sent.pk).update(
        status=Status.FAILED,
        status_reason=INTERRUPTED_REASON,
        outcome_unknown=False,
        send_started_at=timezone.now() - dt.timedelta(minutes=30),
        sent_at=None,
    )

    post("tracking", delivery(sent))

    sent.refresh_from_db()
    assert sent.status == Status.FAILED
