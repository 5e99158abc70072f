"""Dispatch: atomic claims, the §7 re-check, error classes, crash recovery, threading headers."""

from __future__ import annotations

import datetime as dt
import smtplib
import threading

import psycopg
import pytest
import requests
import time_machine
from anymail.exceptions import (
    AnymailAPIError,
    AnymailInvalidAddress,
    AnymailRecipientsRefused,
    AnymailRequestsAPIError,
)
from django.core import mail
from django.db import OperationalError, connection
from django.utils import timezone
from urllib3.exceptions import NewConnectionError, ProtocolError

from interviews.models import Application, TimelineEvent
from messaging.dispatch import outgoing, records
from messaging.dispatch.claims import (
    claim_due_messages,
    due_message_ids,
    message_claim,
    recover_stale_claims,
)
from messaging.dispatch.sending import (
    INTERRUPTED_REASON,
    PERMANENT,
    TRANSIENT,
    UNKNOWN,
    classify_send_error,
    is_interrupted,
    message_send,
)
from messaging.models import BouncedAddress, Message, OutboxEmail, Reply
from messaging.services.approval import message_approve, message_send_now
from messaging.tasks import dispatch_due_messages, send_message
from tests.messaging.sending import eager_celery, make_message, sending_setup
from tests.services import require_postgres

Status = Message.Status
# Tuesday 18 March 2025, 11:00 in New York (the user's zone): inside the 8-19 send window.
IN_WINDOW = dt.datetime(2025, 3, 18, 15, 0, tzinfo=dt.UTC)
# The same Tuesday, 23:00 in New York: outside it.
AT_NIGHT = dt.datetime(2025, 3, 19, 3, 0, tzinfo=dt.UTC)
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def locmem(settings):
    settings.EMAIL_BACKEND = LOCMEM
    settings.DEFAULT_FROM_EMAIL = "Followup <send@followup.example>"
    settings.FOLLOWUP_SEND_AS_USER = False
    mail.outbox = []
    return mail.outbox


@pytest.fixture
def setup(user):
    return sending_setup(user)


def claim_and_send(message: Message) -> str:
    assert message_claim(message_id=message.pk, now=timezone.now())
    return message_send(message_id=message.pk)


def kinds(message: Message) -> list[str]:
    return list(
        TimelineEvent.objects.filter(message=message).order_by("pk").values_list("kind", flat=True)
    )


# --- claims ------------------------------------------------------------------------------------


def test_two_claims_of_one_message_let_exactly_one_through(setup):
    application, contact = setup
    message = make_message(application, contact=contact)
    now = timezone.now()

    results = [message_claim(message_id=message.pk, now=now) for _ in range(2)]

    message.refresh_from_db()
    assert results == [True, False]
    assert message.status == Status.SENDING
    assert message.claimed_at == now
    assert message.attempts == 1


@time_machine.travel(IN_WINDOW, tick=False)
def test_it_claims_only_approved_messages_whose_time_has_come(setup):
    application, contact = setup
    now = timezone.now()
    due = make_message(application, contact=contact)
    later = make_message(application, contact=contact, due_at=now + dt.timedelta(hours=1))
    draft = make_message(application, contact=contact, status=Status.DRAFT)
    approval_cleared = make_message(application, contact=contact, approved_at=None)

    assert due_message_ids(now=now, limit=10) == [due.pk]
    assert claim_due_messages(now=now, limit=10) == [due.pk]
    assert claim_due_messages(now=now, limit=10) == []
    for untouched in (later, draft, approval_cleared):
        untouched.refresh_from_db()
        assert untouched.status in (Status.APPROVED, Status.DRAFT)


@time_machine.travel(IN_WINDOW, tick=False)
def test_a_batch_claim_takes_the_longest_waiting_first_up_to_the_limit(setup):
    application, contact = setup
    now = timezone.now()
    newer = make_message(application, contact=contact, due_at=now - dt.timedelta(minutes=1))
    older = make_message(application, contact=contact, due_at=now - dt.timedelta(hours=2))

    assert claim_due_messages(now=now, limit=1) == [older.pk]
    assert claim_due_messages(now=now, limit=1) == [newer.pk]


@pytest.mark.django_db(transaction=True)
@time_machine.travel(IN_WINDOW, tick=False)
def test_concurrent_batch_claims_never_share_a_message(user):
    require_postgres()
    application, contact = sending_setup(user)
    ids = {make_message(application, contact=contact).pk for _ in range(60)}
    now = timezone.now()
    results: list[list[int]] = []
    start = threading.Barrier(4)

    def claimer() -> None:
        start.wait()
        try:
            taken: list[int] = []
            for _ in range(10):
                taken += claim_due_messages(now=now, limit=7)
            results.append(taken)
        finally:
            connection.close()

    threads = [threading.Thread(target=claimer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    everything = [pk for taken in results for pk in taken]
    assert sorted(everything) == sorted(ids)  # each one claimed, none twice
    assert set(Message.objects.values_list("attempts", flat=True)) == {1}


# --- the re-check right before sending (§7) ---------------------------------------------------


def test_it_cancels_a_check_in_when_the_application_was_rejected(setup, locmem):
    application, contact = setup
    message = make_message(application, contact=contact, stage=Message.Stage.CHECK_IN)
    Application.objects.filter(pk=application.pk).update(stage=Application.Stage.REJECTED)

    assert claim_and_send(message) == Status.CANCELLED

    message.refresh_from_db()
    assert locmem == []
    assert "ended" in message.status_reason
    event = TimelineEvent.objects.get(message=message)
    assert event.kind == TimelineEvent.Kind.CANCELLED
    assert event.detail == message.status_reason


def test_it_still_sends_the_close_out_of_a_rejected_application(setup, locmem):
    application, contact = setup
    message = make_message(application, contact=contact, stage=Message.Stage.REJECTION_REPLY)
    Application.objects.filter(pk=application.pk).update(stage=Application.Stage.REJECTED)

    assert claim_and_send(message) == Status.SENT
    assert len(locmem) == 1


def test_it_cancels_check_ins_after_an_offer(setup, locmem):
    application, contact = setup
    message = make_message(application, contact=contact, stage=Message.Stage.SECOND_CHECK_IN)
    Application.objects.filter(pk=application.pk).update(stage=Application.Stage.OFFER)

    assert claim_and_send(message) == Status.CANCELLED
    assert locmem == []


def test_it_cancels_a_claimed_check_in_when_they_replied_after_approval(setup, locmem):
    application, contact = setup
    message = make_message(application, contact=contact, stage=Message.Stage.CHECK_IN)
    Reply.objects.create(
        user=application.user,
        application=application,
        kind=Reply.Kind.REPLY,
        received_at=timezone.now() - dt.timedelta(minutes=5),
    )

    assert claim_and_send(message) == Status.CANCELLED

    message.refresh_from_db()
    assert "answered" in message.status_reason
    assert locmem == []


def test_a_reply_written_before_approval_but_logged_after_it_still_stops_the_check_in(
    setup, locmem
):
    application, contact = setup
    message = make_message(application, contact=contact, stage=Message.Stage.CHECK_IN)
    # Written two hours ago (before the approval an hour ago), but we learned of it just now.
    Reply.objects.create(
        user=application.user,
        application=application,
        kind=Reply.Kind.REPLY,
        received_at=timezone.now() - dt.timedelta(hours=2),
    )

    assert claim_and_send(message) == Status.CANCELLED

    message.refresh_from_db()
    assert "answered" in message.status_reason
    assert locmem == []


def test_a_reply_logged_before_approval_does_not_stop_the_check_in_at_sending(setup, locmem):
    application, contact = setup
    message = make_message(application, contact=contact, stage=Message.Stage.CHECK_IN)
    reply = Reply.objects.create(
        user=application.user,
        application=application,
        kind=Reply.Kind.REPLY,
        received_at=timezone.now() - dt.timedelta(hours=3),
    )
    # The user saw it (logged two hours ago) and approved this check-in an hour ago anyway.
    Reply.objects.filter(pk=reply.pk).update(created_at=timezone.now() - dt.timedelta(hours=2))

    assert claim_and_send(message) == Status.SENT
    assert len(locmem) == 1


def test_it_holds_every_message_of_a_paused_application(setup, locmem):
    application, contact = setup
    message = make_message(application, contact=contact)
    Application.objects.filter(pk=application.pk).update(paused=True)

    assert claim_and_send(message) == Status.HELD

    message.refresh_from_db()
    assert "paused" in message.status_reason
    assert message.approved_at is not None  # resuming lets it go without a new approval
    assert kinds(message) == [TimelineEvent.Kind.HELD]
    assert locmem == []


def test_an_out_of_office_notice_holds_check_ins_but_not_a_thank_you(setup, locmem):
    application, contact = setup
    check_in = make_message(application, contact=contact, stage=Message.Stage.CHECK_IN)
    thank_you = make_message(application, contact=contact)
    Application.objects.filter(pk=application.pk).update(
        paused_until=timezone.now() + dt.timedelta(days=3)
    )

    assert claim_and_send(check_in) == Status.HELD
    assert claim_and_send(thank_you) == Status.SENT
    check_in.refresh_from_db()
    assert "out of the office" in check_in.status_reason
    assert len(locmem) == 1


def test_it_cancels_a_message_to_an_address_that_bounced(setup, locmem, outsider):
    application, contact = setup
    message = make_message(application, contact=contact, to_email="Dana@Acme.example")
    BouncedAddress.objects.create(
        user=application.user, email="dana@acme.example", bounced_at=timezone.now()
    )

    assert claim_and_send(message) == Status.CANCELLED

    message.refresh_from_db()
    assert "bounced" in message.status_reason
    assert kinds(message) == [TimelineEvent.Kind.CANCELLED]
    assert locmem == []


def test_another_users_bounce_does_not_stop_the_message(setup, locmem, outsider):
    application, contact = setup
    message = make_message(application, contact=contact)
    BouncedAddress.objects.create(user=outsider, email=contact.email, bounced_at=timezone.now())

    assert claim_and_send(message) == Status.SENT


def test_a_message_whose_approval_was_withdrawn_goes_back_to_awaiting_approval(setup, locmem):
    application, contact = setup
    message = make_message(application, contact=contact)
    assert message_claim(message_id=message.pk, now=timezone.now())
    Message.objects.filter(pk=message.pk).update(approved_at=None)

    assert message_send(message_id=message.pk) == Status.DRAFT

    message.refresh_from_db()
    assert "approve it again" in message.status_reason
    assert locmem == []


def test_a_message_without_a_recipient_is_cancelled(setup, locmem):
    application, _ = setup
    message = make_message(application, to_email="  ")

    assert claim_and_send(message) == Status.CANCELLED
    message.refresh_from_db()
    assert "recipient" in message.status_reason


# --- sending --------------------------------------------------------------------------------------


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
    assert kinds(message) == [TimelineEvent.Kind.SENT]


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


def test_the_beat_task_sends_every_due_message_once(
    setup, locmem, django_capture_on_commit_callbacks
):
    application, contact = setup
    with eager_celery(), time_machine.travel(IN_WINDOW):
        messages = [make_message(application, contact=contact) for _ in range(3)]
        future = make_message(application, contact=contact, due_at=timezone.now() + dt.timedelta(1))
        for _ in range(2):
            with django_capture_on_commit_callbacks(execute=True):
                dispatch_due_messages.apply().get()

    assert len(locmem) == 3
    assert {m.status for m in Message.objects.filter(pk__in=[m.pk for m in messages])} == {
        Status.SENT
    }
    future.refresh_from_db()
    assert future.status == Status.APPROVED


# --- error classes ------------------------------------------------------------------------------


def _api_error(status: int) -> AnymailAPIError:
    return AnymailAPIError("refused", status_code=status, esp_name="Postmark")


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
        (_api_error(408), TRANSIENT),
        (_api_error(429), TRANSIENT),
        (_api_error(500), TRANSIENT),
        (_api_error(503), TRANSIENT),
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


# --- crash recovery ------------------------------------------------------------------------------


TIMEOUT = dt.timedelta(minutes=10)


def stale_claim(message: Message, **fields: object) -> None:
    """Leave the message as a worker that died would: claimed 20 minutes ago."""
    claimed_at = timezone.now() - dt.timedelta(minutes=20)
    Message.objects.filter(pk=message.pk).update(
        status=Status.SENDING, claimed_at=claimed_at, attempts=1, **fields
    )


def test_recovery_fails_an_interrupted_send_instead_of_guessing(setup, locmem):
    application, contact = setup
    message = make_message(application, contact=contact)
    stale_claim(message, send_started_at=timezone.now() - dt.timedelta(minutes=19))

    assert recover_stale_claims(now=timezone.now(), older_than=TIMEOUT) == 1
    # A task redelivered after the crash must not send it either.
    assert message_send(message_id=message.pk) == Status.FAILED

    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.status_reason == INTERRUPTED_REASON
    assert message.outcome_unknown
    assert locmem == []
    assert kinds(message) == [TimelineEvent.Kind.FAILED]


def test_a_redelivered_task_leaves_an_open_attempt_alone(setup, locmem):
    application, contact = setup
    message = make_message(application, contact=contact)
    assert message_claim(message_id=message.pk, now=timezone.now())
    Message.objects.filter(pk=message.pk).update(send_started_at=timezone.now())

    assert message_send(message_id=message.pk) == Status.SENDING
    assert locmem == []


def test_recovery_puts_a_claim_that_never_started_back_in_the_queue(setup, locmem):
    application, contact = setup
    message = make_message(application, contact=contact)
    stale_claim(message)

    assert recover_stale_claims(now=timezone.now(), older_than=TIMEOUT) == 1
    message.refresh_from_db()
    assert message.status == Status.APPROVED
    assert message.claimed_at is None

    assert claim_and_send(message) == Status.SENT
    assert len(locmem) == 1


def test_recovery_leaves_a_fresh_claim_to_its_task(setup, locmem):
    application, contact = setup
    message = make_message(application, contact=contact)
    claimed_at = timezone.now()
    assert message_claim(message_id=message.pk, now=claimed_at)

    later = claimed_at + dt.timedelta(minutes=5)
    assert recover_stale_claims(now=later, older_than=TIMEOUT) == 0
    message.refresh_from_db()
    assert message.status == Status.SENDING


def test_every_beat_entry_names_a_registered_task(settings):
    from followup.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks
    dispatch_entry = settings.CELERY_BEAT_SCHEDULE["dispatch-due-messages"]
    assert dispatch_entry["schedule"] == settings.FOLLOWUP_DISPATCH_INTERVAL_SECONDS


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


# --- review r2: build first, record "sent" come what may, the send window, local dates ----------


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
    assert kinds(message) == [TimelineEvent.Kind.FAILED]


def test_a_read_timeout_fails_as_interrupted_and_keeps_the_gate_closed(setup, settings):
    application, contact = setup
    message = make_message(application, contact=contact)
    settings.EMAIL_BACKEND = "tests.messaging.test_dispatch.ReadTimeoutBackend"

    assert claim_and_send(message) == Status.FAILED

    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.status_reason == INTERRUPTED_REASON
    assert message.outcome_unknown
    assert message.send_started_at is not None
    assert is_interrupted(message)


def test_interrupted_is_the_flag_not_the_wording(setup):
    application, contact = setup
    worded = make_message(
        application,
        contact=contact,
        status=Status.FAILED,
        status_reason=INTERRUPTED_REASON,
    )
    flagged = make_message(
        application, contact=contact, status=Status.FAILED, status_reason="", outcome_unknown=True
    )

    assert not is_interrupted(worded)
    assert is_interrupted(flagged)


def test_a_database_error_while_building_escapes_and_leaves_the_claim_to_recovery(
    setup, locmem, monkeypatch
):
    application, contact = setup
    message = make_message(application, contact=contact)

    def database_down(**kwargs):
        # Fault injection at one point: the profile cannot be read.
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(outgoing, "profile_for", database_down)

    with pytest.raises(OperationalError):
        claim_and_send(message)

    message.refresh_from_db()
    assert message.status == Status.SENDING  # not failed for good
    assert message.send_started_at is None  # the ESP was never called
    later = timezone.now() + TIMEOUT + dt.timedelta(minutes=1)
    assert recover_stale_claims(now=later, older_than=TIMEOUT) == 1
    message.refresh_from_db()
    assert message.status == Status.APPROVED
    assert locmem == []


@pytest.mark.django_db(transaction=True)
def test_a_dropped_connection_after_the_esp_took_it_reconnects_and_records_it(user, settings):
    require_postgres()
    application, contact = sending_setup(user)
    message = make_message(application, contact=contact, stage=Message.Stage.CHECK_IN)
    settings.EMAIL_BACKEND = "tests.messaging.test_dispatch.DroppingBackend"
    DroppingBackend.sent = []

    assert claim_and_send(message) == Status.SENT

    message.refresh_from_db()
    assert message.status == Status.SENT
    assert len(DroppingBackend.sent) == 1
    assert kinds(message) == [TimelineEvent.Kind.SENT]


class DroppingBackend:
    """Takes the email, and meanwhile the server ends our database session (a failover)."""

    sent: list = []

    def __init__(self, **kwargs: object) -> None:
        pass

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


class ReadTimeoutBackend:
    """An email backend whose ESP call times out after the request went out."""

    def __init__(self, **kwargs: object) -> None:
        pass

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
    assert kinds(message) == [TimelineEvent.Kind.SENT]


def test_the_beat_puts_a_message_due_at_night_back_until_the_window_opens(setup, locmem):
    application, contact = setup
    with time_machine.travel(AT_NIGHT, tick=False):
        message = make_message(application, contact=contact, stage=Message.Stage.CHECK_IN)
        with eager_celery():
            assert dispatch_due_messages.apply().get() == 0

    message.refresh_from_db()
    assert message.status == Status.APPROVED
    assert message.claimed_at is None
    assert message.attempts == 0
    # Wednesday 19 March, 8:00 in New York.
    assert message.due_at == dt.datetime(2025, 3, 19, 12, 0, tzinfo=dt.UTC)
    assert locmem == []
    event = TimelineEvent.objects.get(message=message)
    assert event.kind == TimelineEvent.Kind.NOTE
    assert "Wed 19 Mar 08:00" in event.detail


def test_the_beat_sends_a_check_in_due_on_a_saturday_inside_the_window(
    setup, locmem, django_capture_on_commit_callbacks
):
    # Business days are the cadence's rule when it plans; a Saturday the user approved stands.
    application, contact = setup
    saturday_noon = dt.datetime(2025, 3, 22, 16, 0, tzinfo=dt.UTC)
    with time_machine.travel(saturday_noon, tick=False):
        check_in = make_message(application, contact=contact, stage=Message.Stage.CHECK_IN)
        with eager_celery(), django_capture_on_commit_callbacks(execute=True):
            assert dispatch_due_messages.apply().get() == 1

    check_in.refresh_from_db()
    assert check_in.status == Status.SENT
    assert len(locmem) == 1


def test_the_beat_holds_a_saturday_message_at_night_only_until_the_window_opens_that_day(
    setup, locmem
):
    application, contact = setup
    saturday_night = dt.datetime(2025, 3, 22, 5, 0, tzinfo=dt.UTC)  # 1:00 in New York
    with time_machine.travel(saturday_night, tick=False):
        check_in = make_message(application, contact=contact, stage=Message.Stage.CHECK_IN)
        with eager_celery():
            assert dispatch_due_messages.apply().get() == 0

    check_in.refresh_from_db()
    assert check_in.status == Status.APPROVED
    assert check_in.due_at == dt.datetime(2025, 3, 22, 12, 0, tzinfo=dt.UTC)  # Sat 8:00


def test_approving_a_past_check_in_on_a_saturday_keeps_it_that_day(setup, user):
    application, contact = setup
    saturday_noon = dt.datetime(2025, 3, 22, 16, 0, tzinfo=dt.UTC)
    with time_machine.travel(saturday_noon, tick=False):
        message = make_message(
            application,
            contact=contact,
            stage=Message.Stage.CHECK_IN,
            status=Status.DRAFT,
            due_at=saturday_noon - dt.timedelta(hours=2),
        )
        message_approve(message=message, user=user)

    message.refresh_from_db()
    assert message.status == Status.APPROVED
    assert message.due_at == saturday_noon


def test_the_beat_never_claims_a_message_outside_the_window(setup):
    application, contact = setup
    with time_machine.travel(AT_NIGHT, tick=False):
        message = make_message(application, contact=contact)
        assert claim_due_messages(now=timezone.now(), limit=10) == []

    message.refresh_from_db()
    assert message.status == Status.APPROVED
    assert message.attempts == 0
    assert message.claimed_at is None


def test_send_now_at_night_still_goes_at_once(
    setup, locmem, user, django_capture_on_commit_callbacks
):
    application, contact = setup
    with time_machine.travel(AT_NIGHT, tick=False):
        message = make_message(application, contact=contact, stage=Message.Stage.CHECK_IN)
        with eager_celery(), django_capture_on_commit_callbacks(execute=True):
            message_send_now(message=message, user=user, enqueue=send_message.delay_on_commit)

    message.refresh_from_db()
    assert message.status == Status.SENT
    assert len(locmem) == 1


def test_approving_a_message_whose_time_has_passed_moves_it_into_the_window(setup, user):
    application, contact = setup
    with time_machine.travel(AT_NIGHT, tick=False):
        message = make_message(
            application,
            contact=contact,
            stage=Message.Stage.THANK_YOU,
            status=Status.DRAFT,
            due_at=AT_NIGHT - dt.timedelta(hours=6),
        )
        message_approve(message=message, user=user)

    message.refresh_from_db()
    assert message.status == Status.APPROVED
    assert message.due_at == dt.datetime(2025, 3, 19, 12, 0, tzinfo=dt.UTC)


def test_it_gives_the_out_of_office_date_in_the_users_own_zone(setup, locmem):
    application, contact = setup
    # 2:00 UTC on 20 March is still the 19th in New York.
    Application.objects.filter(pk=application.pk).update(
        paused_until=dt.datetime(2025, 3, 20, 2, 0, tzinfo=dt.UTC)
    )
    with time_machine.travel(IN_WINDOW, tick=False):
        message = make_message(application, contact=contact, stage=Message.Stage.CHECK_IN)
        assert claim_and_send(message) == Status.HELD

    message.refresh_from_db()
    assert "until 19 Mar 2025" in message.status_reason
