"""Sending: the email as built and threaded, errors told apart, a record that follows the mail."""

from __future__ import annotations

import json
import smtplib

import psycopg
import pytest
import requests
from anymail.exceptions import (
    AnymailAPIError,
    AnymailInvalidAddress,
    AnymailRecipientsRefused,
    AnymailRequestsAPIError,
)
from django.core.mail.backends.base import BaseEmailBackend
from django.db import OperationalError, connection
from urllib3.exceptions import NewConnectionError, ProtocolError

from interviews.models import TimelineEvent
from messaging.dispatch import records
from messaging.dispatch.sending import (
    INTERRUPTED_REASON,
    PERMANENT,
    TRANSIENT,
    UNKNOWN,
    classify_send_error,
    is_interrupted,
    message_send,
)
from messaging.models import Message, OutboxEmail
from tests.builders.messages import claim_and_send, make_message, sending_setup
from tests.builders.queries import timeline_kinds
from tests.services import require_postgres

Status = Message.Status


def test_the_sent_email_threads_under_the_thank_you_and_comes_from_the_user(setup, locmem):
    application, contact = setup
    message = make_message(
        application,
        contact=contact,
        stage=Message.Stage.CHECK_IN,
        subject="Re: Thank you - Data Engineer interview",
        message_id="<check-in-1@followup.example>",
        in_reply_to="<thank-you-1@followup.example>",
        references="<scheduling@acme.example>\n <thank-you-1@followup.example>",
    )

    assert claim_and_send(message) == Status.SENT

    [sent] = locmem
    assert sent.extra_headers["Message-ID"] == "<check-in-1@followup.example>"
    assert sent.extra_headers["In-Reply-To"] == "<thank-you-1@followup.example>"
    assert (
        sent.extra_headers["References"]
        == "<scheduling@acme.example> <thank-you-1@followup.example>"
    )
    assert sent.subject == "Re: Thank you - Data Engineer interview"
    assert sent.from_email == "Alex Morgan <send@followup.example>"
    assert sent.reply_to == ["Alex Morgan <alex@example.com>"]
    assert sent.to == ["Dana Richardson <dana@acme.example>"]
    assert sent.alternatives[0].mimetype == "text/html"
    assert "Thank you for your time today." in sent.body
    assert sent.metadata == {"message_id": str(message.pk)}
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.sent_at is not None
    assert message.esp_message_id == "<check-in-1@followup.example>"
    assert timeline_kinds(message) == [TimelineEvent.Kind.SENT]


def test_it_sends_under_the_message_id_drafting_gave_it(setup, locmem):
    application, contact = setup
    message = make_message(application, contact=contact, message_id="<m7@followup.example>")

    claim_and_send(message)

    message.refresh_from_db()
    assert message.message_id == "<m7@followup.example>"
    assert locmem[0].extra_headers["Message-ID"] == "<m7@followup.example>"


def test_a_message_without_a_message_id_fails_plainly_and_is_never_sent(setup, locmem):
    application, contact = setup
    message = make_message(application, contact=contact, message_id="")

    assert claim_and_send(message) == Status.FAILED

    message.refresh_from_db()
    assert message.send_started_at is None
    assert "no Message-ID" in message.status_reason
    assert locmem == []


def test_it_can_send_as_the_user_when_the_deployment_allows_it(setup, locmem, settings):
    settings.FOLLOWUP_SEND_AS_USER = True
    application, contact = setup
    message = make_message(application, contact=contact)

    claim_and_send(message)

    assert locmem[0].from_email == "Alex Morgan <alex@example.com>"


def test_the_local_outbox_keeps_the_email_under_our_message_id(setup, settings):
    settings.EMAIL_BACKEND = "messaging.outbox.OutboxEmailBackend"
    application, contact = setup
    message = make_message(application, contact=contact, message_id="<m1@followup.example>")

    claim_and_send(message)

    row = OutboxEmail.objects.get()
    message.refresh_from_db()
    assert row.message_id == message.esp_message_id == "<m1@followup.example>"
    assert row.user == application.user
    assert row.body_html.startswith("<p>Dear Ms. Richardson")


def test_a_second_task_for_the_same_claim_sends_nothing(setup, locmem):
    application, contact = setup
    message = make_message(application, contact=contact)

    assert claim_and_send(message) == Status.SENT
    assert message_send(message_id=message.pk) == Status.SENT
    assert len(locmem) == 1


def test_a_sent_thank_you_suggests_connecting_on_linkedin(setup, locmem):
    application, contact = setup
    thank_you = make_message(application, contact=contact)
    check_in = make_message(application, contact=contact, stage=Message.Stage.CHECK_IN)

    assert claim_and_send(thank_you) == Status.SENT
    assert claim_and_send(check_in) == Status.SENT

    tasks = TimelineEvent.objects.filter(application=application, kind=TimelineEvent.Kind.TASK)
    assert [(t.summary, t.message_id) for t in tasks] == [
        ("Connect with Dana Richardson on LinkedIn", thank_you.pk)
    ]


def test_an_email_that_cannot_be_built_fails_with_the_reason_before_the_gate(setup, locmem):
    application, contact = setup
    message = make_message(application, contact=contact, subject="Hello\nBcc: spy@evil.example")

    assert claim_and_send(message) == Status.FAILED

    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.send_started_at is None  # the ESP was never called
    assert message.status_reason.startswith("The email could not be built:")
    assert not message.outcome_unknown
    assert locmem == []
    assert timeline_kinds(message) == [TimelineEvent.Kind.FAILED]


def _api_error(status: int, body: object = None) -> AnymailAPIError:
    response = None
    if body is not None:
        response = requests.Response()
        response.status_code = status
        response._content = (json.dumps(body) if isinstance(body, dict) else body).encode()
    return AnymailAPIError("refused", status_code=status, esp_name="Postmark", response=response)


def _requests_error(base: type[Exception], *args: object) -> AnymailRequestsAPIError:
    """What Anymail raises for a requests error: a subclass of both (base_requests.py)."""
    kind = type("AnymailRequestsAPIError", (AnymailRequestsAPIError, base), {})
    return kind(*args)


class _Pool:
    """What urllib3 names as the pool in its errors."""


def _refused() -> AnymailRequestsAPIError:
    reason = NewConnectionError(_Pool(), "Failed to establish a new connection: refused")
    return _requests_error(requests.ConnectionError, type("Max", (), {"reason": reason})())


def _aborted() -> AnymailRequestsAPIError:
    reason = ProtocolError("Connection aborted.", ConnectionResetError())
    return _requests_error(requests.ConnectionError, reason)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (AnymailRecipientsRefused(), PERMANENT),
        (AnymailInvalidAddress("bad address"), PERMANENT),
        (_api_error(400), PERMANENT),
        (_api_error(401), PERMANENT),
        (_api_error(422), PERMANENT),
        (_api_error(408), UNKNOWN),
        (_api_error(429), TRANSIENT),
        # A 5xx may come from a gateway after the ESP took the email: never resent by itself.
        (_api_error(500), UNKNOWN),
        (_api_error(502), UNKNOWN),
        (_api_error(504), UNKNOWN),
        (_api_error(503), UNKNOWN),
        (_api_error(503, body={"ErrorCode": 503, "Message": "Down for maintenance"}), TRANSIENT),
        (_api_error(503, body="<html>Service Unavailable</html>"), UNKNOWN),
        (_requests_error(requests.ConnectTimeout, "connect"), TRANSIENT),
        (_refused(), TRANSIENT),
        # The request went out; the ESP may have taken it: never resent automatically.
        (_requests_error(requests.ReadTimeout, "read"), UNKNOWN),
        (_requests_error(requests.Timeout, "read"), UNKNOWN),
        (_aborted(), UNKNOWN),
        (AnymailAPIError("bad answer"), UNKNOWN),
        (ConnectionRefusedError(), TRANSIENT),
        (smtplib.SMTPRecipientsRefused({}), PERMANENT),
        (smtplib.SMTPResponseException(550, b"no such user"), PERMANENT),
        (smtplib.SMTPResponseException(451, b"try later"), TRANSIENT),
        (smtplib.SMTPServerDisconnected(), UNKNOWN),
        (TimeoutError(), UNKNOWN),
        (ValueError("a bug"), UNKNOWN),
    ],
)
def test_it_tells_permanent_from_transient_errors(error, expected):
    assert classify_send_error(error) == expected


def test_a_read_timeout_leaves_it_unconfirmed_and_keeps_the_gate_closed(setup, settings):
    application, contact = setup
    message = make_message(application, contact=contact)
    settings.EMAIL_BACKEND = "tests.messaging.dispatch.test_sending.ReadTimeoutBackend"

    assert claim_and_send(message) == Status.UNCONFIRMED

    message.refresh_from_db()
    assert message.status == Status.UNCONFIRMED
    assert message.status_reason == INTERRUPTED_REASON
    assert message.send_started_at is not None
    assert is_interrupted(message)


def test_interrupted_is_the_status_not_the_wording(setup):
    application, contact = setup
    worded = make_message(
        application,
        contact=contact,
        status=Status.FAILED,
        status_reason=INTERRUPTED_REASON,
    )
    unconfirmed = make_message(
        application, contact=contact, status=Status.UNCONFIRMED, status_reason=""
    )

    assert not is_interrupted(worded)
    assert is_interrupted(unconfirmed)


@pytest.mark.django_db(transaction=True)
def test_a_dropped_connection_after_the_esp_took_it_reconnects_and_records_it(user, settings):
    require_postgres()
    application, contact = sending_setup(user)
    message = make_message(application, contact=contact, stage=Message.Stage.CHECK_IN)
    settings.EMAIL_BACKEND = "tests.messaging.dispatch.test_sending.DroppingBackend"
    DroppingBackend.sent = []

    assert claim_and_send(message) == Status.SENT

    message.refresh_from_db()
    assert message.status == Status.SENT
    assert len(DroppingBackend.sent) == 1
    assert timeline_kinds(message) == [TimelineEvent.Kind.SENT]


class DroppingBackend(BaseEmailBackend):
    """Takes the email, and meanwhile the server ends our database session (a failover)."""

    sent: list = []

    def send_messages(self, messages: list) -> int:
        with psycopg.connect(_plain_dsn(), autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(%s)", [connection.connection.info.backend_pid]
            )
        self.sent.extend(messages)
        return len(messages)


def _plain_dsn() -> str:
    """A libpq connection string for the test database (its own session, not Django's)."""
    db = connection.settings_dict
    return psycopg.conninfo.make_conninfo(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=str(db["PORT"]) if db["PORT"] else None,
    )


class ReadTimeoutBackend(BaseEmailBackend):
    """An email backend whose ESP call times out after the request went out."""

    def send_messages(self, messages: list) -> int:
        raise _requests_error(requests.ReadTimeout, "Read timed out.")


def test_a_deadlock_while_recording_sent_is_retried_so_the_record_follows_the_mail(
    setup, locmem, monkeypatch
):
    application, contact = setup
    message = make_message(application, contact=contact, stage=Message.Stage.CHECK_IN)
    real = records.timeline_record
    calls = []

    def deadlocked_once(**kwargs):
        # Fault injection at one point: the database picks this transaction as the victim.
        calls.append(kwargs["kind"])
        if len(calls) == 1:
            raise OperationalError("deadlock detected")
        return real(**kwargs)

    monkeypatch.setattr(records, "timeline_record", deadlocked_once)

    assert claim_and_send(message) == Status.SENT

    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.esp_message_id
    assert len(locmem) == 1
    assert timeline_kinds(message) == [TimelineEvent.Kind.SENT]
