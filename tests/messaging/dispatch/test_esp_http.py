"""The real Anymail HTTP path: Anymail's Postmark backend against a fake Postmark on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import socket

import pytest
import time_machine
from django.utils import timezone

from followup.accounts.models import Profile
from interviews.models import TimelineEvent
from messaging.dispatch.claims import message_claim
from messaging.dispatch.drain import send_due
from messaging.dispatch.sending import INTERRUPTED_REASON, message_send
from messaging.models import Message
from messaging.tasks import send_message
from tests.builders.messages import eager_celery, make_message, sending_setup
from tests.fakeesp import FakePostmark

Status = Message.Status
TIMEOUT = 1.0  # seconds Anymail waits for the fake's answer
# Tuesday 18 March 2025, 11:00 in New York (the user's zone).
IN_WINDOW_BUT_BEFORE_NOON = dt.datetime(2025, 3, 18, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def esp(settings):
    with FakePostmark() as fake:
        settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
        settings.DEFAULT_FROM_EMAIL = "Followup <send@followup.example>"
        settings.ANYMAIL = {
            "POSTMARK_SERVER_TOKEN": "test-token",
            "POSTMARK_API_URL": fake.url,
            "REQUESTS_TIMEOUT": TIMEOUT,
        }
        yield fake


@pytest.fixture
def claimed(user) -> Message:
    application, contact = sending_setup(user)
    # Real time runs here (the fake ESP's sockets): a send window all day long, so a
    # retry never waits for the window to open.
    Profile.objects.filter(user=user).update(
        send_window_start=dt.time(0, 0), send_window_end=dt.time(23, 59, 59, 999999)
    )
    message = make_message(
        application,
        contact=contact,
        stage=Message.Stage.CHECK_IN,
        subject="Re: Thank you - Data Engineer interview",
        message_id="<check-in-7@followup.example>",
        in_reply_to="<thank-you-7@followup.example>",
        references="<thank-you-7@followup.example>",
    )
    assert message_claim(message_id=message.pk, now=timezone.now())
    return message


def test_an_accepted_email_stores_postmarks_id_and_carries_our_headers(esp, claimed):
    assert message_send(message_id=claimed.pk) == Status.SENT

    [request] = esp.requests
    claimed.refresh_from_db()
    assert request.path == "/email"
    assert request.headers["X-Postmark-Server-Token"] == "test-token"
    assert claimed.esp_message_id == request.reply["MessageID"]
    assert request.header("Message-ID") == "<check-in-7@followup.example>"
    assert request.header("In-Reply-To") == "<thank-you-7@followup.example>"
    assert request.header("References") == "<thank-you-7@followup.example>"
    assert request.json["From"] == "Alex Morgan <send@followup.example>"
    assert request.json["ReplyTo"] == "Alex Morgan <alex@example.com>"
    assert request.json["To"] == "Dana Richardson <dana@acme.example>"
    assert request.json["Subject"] == "Re: Thank you - Data Engineer interview"
    assert request.json["Metadata"] == {"message_id": str(claimed.pk)}
    assert "Thank you for your time today." in request.json["TextBody"]
    assert request.json["HtmlBody"].startswith("<p>")
    assert claimed.status == Status.SENT


def _retry_waits(message: Message) -> None:
    """Check the message waits, approved, for its retry; then make that retry due now."""
    message.refresh_from_db()
    assert message.status == Status.APPROVED
    assert message.send_started_at is None  # nothing reached the ESP: the gate is open again
    assert message.claimed_at is None
    assert message.status_reason.startswith("Retrying:")
    assert message.due_at > timezone.now()
    Message.objects.filter(pk=message.pk).update(due_at=timezone.now())


def _dispatch_once() -> int:
    """What a sender task does: claim and send what is due, chunk after chunk."""
    return send_due(
        now=timezone.now, budget=dt.timedelta(seconds=30), claim_timeout=dt.timedelta(minutes=5)
    ).sent


def test_the_esps_own_503_is_retried_later_by_the_dispatcher_and_then_sent(esp, claimed):
    esp.answer(503, {"ErrorCode": 503, "Message": "Service unavailable"})

    assert message_send(message_id=claimed.pk) == Status.APPROVED
    _retry_waits(claimed)
    assert _dispatch_once() == 1

    claimed.refresh_from_db()
    assert len(esp.requests) == 2
    assert claimed.status == Status.SENT
    assert claimed.esp_message_id == esp.requests[1].reply["MessageID"]
    # Both attempts carried the same Message-ID: a copy would thread as one email.
    assert {r.header("Message-ID") for r in esp.requests} == {"<check-in-7@followup.example>"}


@pytest.mark.parametrize(
    "answer",
    [
        # A gateway's error after Postmark took the email: the 42-in-300 duplicates of issue 8.
        {"status": 504, "text": "<html>Gateway Time-out</html>", "accepted": True},
        {"status": 502, "text": "<html>Bad Gateway</html>", "accepted": True},
        # A 503 that is not Postmark's own (no JSON error body).
        {"status": 503, "text": "<html>Service Unavailable</html>", "accepted": True},
        {"status": 500, "body": {"ErrorCode": 500, "Message": "Internal server error"}},
        # The connection drops after the email went out.
        {"reset": True, "accepted": True},
    ],
)
def test_an_answer_that_may_follow_acceptance_leaves_it_unconfirmed_never_resent(
    esp, claimed, answer
):
    esp.answer(**answer)

    assert message_send(message_id=claimed.pk) == Status.UNCONFIRMED
    # Nothing sends it again by itself: not a redelivered task, not the dispatcher.
    assert message_send(message_id=claimed.pk) == Status.UNCONFIRMED
    assert _dispatch_once() == 0

    claimed.refresh_from_db()
    assert len(esp.requests) == 1
    assert claimed.status == Status.UNCONFIRMED
    assert claimed.status_reason == INTERRUPTED_REASON
    assert "Error" not in claimed.status_reason and "Exception" not in claimed.status_reason
    assert claimed.send_started_at is not None  # the gate stays closed
    event = TimelineEvent.objects.get(message=claimed)
    assert event.summary.startswith("Not confirmed:")
    assert "Error" not in event.detail


def test_rate_limiting_is_retried_later(esp, claimed):
    esp.answer(429, {"ErrorCode": 429, "Message": "Rate limit exceeded"})

    assert message_send(message_id=claimed.pk) == Status.APPROVED
    _retry_waits(claimed)
    assert _dispatch_once() == 1
    assert len(esp.requests) == 2


def test_a_retry_outside_the_send_window_waits_for_it_to_open(esp, claimed, user):
    esp.answer(429, {"ErrorCode": 429, "Message": "Rate limit exceeded"})
    assert message_send(message_id=claimed.pk) == Status.APPROVED
    # The retry comes at 11:00 in New York, before a window that opens at noon.
    Profile.objects.filter(user=user).update(
        send_window_start=dt.time(12, 0), send_window_end=dt.time(19, 0)
    )
    Message.objects.filter(pk=claimed.pk).update(due_at=IN_WINDOW_BUT_BEFORE_NOON)

    with time_machine.travel(IN_WINDOW_BUT_BEFORE_NOON, tick=True):
        assert _dispatch_once() == 0

    claimed.refresh_from_db()
    assert len(esp.requests) == 1  # the refused try only
    assert claimed.status == Status.APPROVED
    assert claimed.claimed_at is None
    assert claimed.send_started_at is None
    assert claimed.status_reason == ""
    assert claimed.due_at == dt.datetime(2025, 3, 18, 16, 0, tzinfo=dt.UTC)  # noon in New York
    note = TimelineEvent.objects.get(message=claimed)
    assert note.kind == TimelineEvent.Kind.NOTE
    assert "send window" in note.summary


def test_it_fails_with_the_esps_words_after_the_last_retry(esp, claimed, settings):
    tries = settings.FOLLOWUP_SEND_MAX_RETRIES + 1
    for _ in range(tries):
        esp.answer(503, {"ErrorCode": 503, "Message": "Service unavailable"})

    assert message_send(message_id=claimed.pk) == Status.APPROVED
    for _ in range(tries - 1):
        _retry_waits(claimed)
        _dispatch_once()

    claimed.refresh_from_db()
    assert len(esp.requests) == tries
    assert claimed.status == Status.FAILED
    assert "Service unavailable" in claimed.status_reason
    assert TimelineEvent.objects.get(message=claimed).kind == TimelineEvent.Kind.FAILED


def test_a_slow_answer_leaves_it_unconfirmed_and_it_is_never_sent_again(esp, claimed):
    esp.answer(delay=TIMEOUT * 4)

    assert message_send(message_id=claimed.pk) == Status.UNCONFIRMED

    claimed.refresh_from_db()
    # The request reached the ESP, which may have taken it: exactly one, no retry.
    assert len(esp.requests) == 1
    assert claimed.status == Status.UNCONFIRMED
    assert claimed.status_reason == INTERRUPTED_REASON
    assert "Not confirmed tab" in claimed.status_reason
    assert claimed.send_started_at is not None  # the gate stays closed
    event = TimelineEvent.objects.get(message=claimed)
    assert "did not answer in time" in event.detail
    # A redelivered task does not send it either.
    assert message_send(message_id=claimed.pk) == Status.UNCONFIRMED
    assert len(esp.requests) == 1


def test_a_refused_connection_is_retried_later_and_then_sent(esp, claimed, settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.ANYMAIL = settings.ANYMAIL | {"POSTMARK_API_URL": f"http://127.0.0.1:{closed_port}/"}

    assert message_send(message_id=claimed.pk) == Status.APPROVED
    _retry_waits(claimed)

    settings.ANYMAIL = settings.ANYMAIL | {"POSTMARK_API_URL": esp.url}
    assert _dispatch_once() == 1
    assert len(esp.requests) == 1


def test_an_invalid_request_fails_at_once_with_the_reason_shown(esp, claimed):
    esp.answer(422, {"ErrorCode": 300, "Message": "Invalid email request"})

    with eager_celery():
        assert send_message.apply(args=[claimed.pk]).get() == Status.FAILED

    claimed.refresh_from_db()
    assert len(esp.requests) == 1  # never retried
    assert claimed.status == Status.FAILED
    assert claimed.status_reason == "Postmark refused it (422): Invalid email request"
    event = TimelineEvent.objects.get(message=claimed)
    assert event.kind == TimelineEvent.Kind.FAILED
    assert "Invalid email request" in event.detail


def test_a_refused_recipient_fails_at_once(esp, claimed):
    esp.answer(422, {"ErrorCode": 300, "Message": "Invalid 'To' address: 'dana@acme.example'."})

    assert message_send(message_id=claimed.pk) == Status.FAILED

    claimed.refresh_from_db()
    assert len(esp.requests) == 1
    # The ESP's own words: with the user's BCC copy on, Anymail reports the refusal in its
    # status rather than raising, and either way the reason quotes Postmark.
    assert "refused it: Invalid 'To' address: 'dana@acme.example'." in claimed.status_reason


def test_an_answer_that_takes_no_recipient_is_a_failure_not_a_send(esp, claimed):
    # Postmark's "inactive recipient" in words Anymail cannot read the address out of: it
    # raises nothing, and its status lists no recipient taken.
    esp.answer(422, {"ErrorCode": 406, "Message": "Recipient inactive."})

    assert message_send(message_id=claimed.pk) == Status.FAILED

    claimed.refresh_from_db()
    assert claimed.status == Status.FAILED
    assert claimed.status_reason == "The mail service refused it: Recipient inactive."
    assert claimed.sent_at is None
