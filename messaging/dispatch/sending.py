"""Sending one claimed message: re-check it, send it once, record what the ESP answered."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import socket
import time
from dataclasses import dataclass

import requests
from anymail.exceptions import (
    AnymailAPIError,
    AnymailError,
    AnymailInvalidAddress,
    AnymailRecipientsRefused,
    AnymailSerializationError,
    AnymailUnsupportedFeature,
)
from django.core.mail import EmailMultiAlternatives
from django.db import InterfaceError, OperationalError, connection
from django.db.models import Q
from django.utils import timezone
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from followup.rules import stages
from followup.rules.cadence import after_no_news_reply_due
from followup.rules.calendar import send_window_start
from interviews.models import Application, TimelineEvent
from messaging import selectors
from messaging.dispatch.outgoing import build_email
from messaging.dispatch.records import message_update_with_timeline, message_wait_for_window
from messaging.models import BouncedAddress, Message, Reply
from messaging.side_tasks import message_sent_side_tasks
from messaging.status import close_out_unfit, message_label

logger = logging.getLogger(__name__)

Status = Message.Status

PERMANENT = "permanent"
TRANSIENT = "transient"
UNKNOWN = "unknown"

# Shown when the ESP may have received the message but we never heard its answer. With
# the default set-up the email goes out from our address, so it is not in the user's own
# sent folder: the ways to find out are the recipient and the Sent tab's delivery status.
INTERRUPTED_REASON = (
    "Interrupted while sending: it may or may not have reached them. Before you retry, "
    "check its delivery status on the Sent tab, or ask the recipient whether it arrived."
)

# HTTP statuses in the 4xx range that mean "try again later", not "never".
RETRYABLE_4XX = frozenset({408, 429})

# Recording "sent" after the ESP accepted: the mail has gone, so a deadlock victim or a
# dropped connection is retried this many times before the row is left to recovery.
SENT_RECORD_TRIES = 4

# The attempt of this claim has not started: the gate before the ESP is still open.
_NOT_STARTED = Q(status=Status.SENDING, send_started_at__isnull=True)


def is_interrupted(message: Message) -> bool:
    """A failed message that may have reached the recipient (we never heard the ESP's answer)."""
    return message.status == Status.FAILED and message.outcome_unknown


class TransientSendError(Exception):
    """The ESP did not take the message this time; the send task retries it later."""


@dataclass(frozen=True)
class Stop:
    """Why a claimed message must not go out now, and what it becomes instead."""

    status: str
    kind: str  # TimelineEvent.Kind
    reason: str
    # Set when it waits for a later time instead (approved, due then).
    due_at: dt.datetime | None = None


# --- Re-check right before sending (etiquette §7) ----------------------------------------


def recheck(*, message: Message, now: dt.datetime) -> Stop | None:
    """Why this message must not be sent now, or None when it may go."""
    application = message.application
    if message.approved_at is None:
        return Stop(
            Status.DRAFT,
            TimelineEvent.Kind.HELD,
            "Its approval was withdrawn before it went out; approve it again to send it.",
        )
    address = message.to_email.strip()
    if not address:
        return Stop(Status.CANCELLED, TimelineEvent.Kind.CANCELLED, "It has no recipient address.")
    stopped = _stopped_reason(message=message, application=application)
    if stopped:
        return Stop(Status.CANCELLED, TimelineEvent.Kind.CANCELLED, stopped)
    if BouncedAddress.objects.filter(user_id=message.user_id, email__iexact=address).exists():
        return Stop(
            Status.CANCELLED,
            TimelineEvent.Kind.CANCELLED,
            f"Mail to {address} bounced before, so nothing more is sent there.",
        )
    if application.paused:
        return Stop(
            Status.HELD,
            TimelineEvent.Kind.HELD,
            "The application is paused; it waits until you resume it.",
        )
    if waiting := _no_news_wait(message=message, application=application, now=now):
        return waiting
    # An out-of-office notice holds the check-ins only (ending the hold lets the rest go).
    if (
        message.stage in Message.CHECK_IN_STAGES
        and application.paused_until
        and application.paused_until > now
    ):
        return Stop(
            Status.HELD,
            TimelineEvent.Kind.HELD,
            f"They are out of the office until {_user_day(application.paused_until, message)}; "
            "it waits.",
        )
    return None


def _user_day(at: dt.datetime, message: Message) -> str:
    """The date of `at` as the message's user reads it, in their own time zone."""
    zone = selectors.cadence_inputs_for(user=message.user)[0].zone
    return f"{at.astimezone(zone):%d %b %Y}"


def _stopped_reason(*, message: Message, application: Application) -> str:
    """Why the application's state rules this message out ("" when it does not)."""
    if message.stage in Message.CLOSE_OUT_STAGES:
        # Approved while the application had ended, it may have been reopened since.
        return close_out_unfit(stage=message.stage, application=application)
    if application.has_ended:
        return f"The application has ended ({application.get_stage_display().lower()})."
    if message.stage not in Message.CHECK_IN_STAGES:
        return ""
    if application.stage == Application.Stage.OFFER:
        return "An offer arrived, so check-ins stop."
    # A reply we learned of after the user approved this check-in stops it even if it was
    # already claimed (services cancel only pending messages, not one being sent). Compared
    # by when it was logged, not when it was written: an answer written before the approval
    # but fetched or typed in after it was never seen by the user when they approved.
    # "No news yet" is not such an answer: it asks for patience (_no_news_wait), spec §7.
    answer = _latest_reply_since_approval(
        message=message, application=application, kind=stages.REPLY
    )
    if answer is not None:
        return f"They answered on {_user_day(answer.received_at, message)}, so this check-in stops."
    return ""


def _latest_reply_since_approval(
    *, message: Message, application: Application, kind: str
) -> Reply | None:
    """The latest Reply of `kind` logged after the message was approved."""
    return (
        Reply.objects.filter(application=application, kind=kind, created_at__gt=message.approved_at)
        .order_by("-created_at")
        .first()
    )


def _no_news_wait(*, message: Message, application: Application, now: dt.datetime) -> Stop | None:
    """A check-in claimed before the silence a "no news yet" asks for has passed: it waits.

    The reply service moves pending check-ins past that silence (spec §7); one the dispatcher
    had already claimed when the reply came in is moved here instead, still approved. A
    check-in already due after it goes as planned: "no news yet" never stops the cadence.
    """
    if message.stage not in Message.CHECK_IN_STAGES:
        return None
    no_news = _latest_reply_since_approval(
        message=message, application=application, kind=stages.NO_NEWS
    )
    if no_news is None:
        return None
    calendar, settings = selectors.cadence_inputs_for(user=message.user)
    floor = after_no_news_reply_due(
        reply_at=no_news.received_at, calendar=calendar, settings=settings
    )
    if message.due_at is not None and message.due_at >= floor:
        return None
    return Stop(
        Status.APPROVED,
        TimelineEvent.Kind.NOTE,
        f"They said there is no news yet, so it waits until {_user_day(floor, message)}.",
        due_at=max(floor, now),
    )


# --- What an ESP error means ---------------------------------------------------------------


def _never_connected(exc: BaseException) -> bool:
    """True when the request cannot have left: no connection was ever made."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if isinstance(exc, requests.ConnectionError):
        # requests wraps urllib3's MaxRetryError, whose reason tells a refused or
        # unresolvable connection (nothing sent) from one aborted mid-request. Anymail
        # raises its own copy "from" requests' error, so look there too.
        for error in (exc, exc.__cause__):
            wrapped = error.args[0] if error is not None and error.args else None
            if isinstance(
                getattr(wrapped, "reason", None), NewConnectionError | ConnectTimeoutError
            ):
                return True
    return False


def classify_send_error(exc: BaseException) -> str:
    """PERMANENT (never retry), TRANSIENT (retry later) or UNKNOWN (may have been sent).

    TRANSIENT only when nothing can have reached the ESP: it answered with a "try again"
    status, or no connection was made. A read timeout or a connection dropped after the
    request went out is UNKNOWN: the ESP may have accepted it, so it is never resent.
    """
    if isinstance(
        exc,
        AnymailRecipientsRefused
        | AnymailInvalidAddress
        | AnymailUnsupportedFeature
        | AnymailSerializationError,
    ):
        return PERMANENT
    if isinstance(exc, AnymailAPIError):
        status = exc.status_code
        if status is not None and 400 <= status < 500:
            return TRANSIENT if status in RETRYABLE_4XX else PERMANENT
        if status is not None and status >= 500:
            return TRANSIENT
        # Anymail re-raises requests' errors as subclasses of both (base_requests.py).
        return TRANSIENT if _never_connected(exc) else UNKNOWN
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return PERMANENT
    if isinstance(exc, smtplib.SMTPResponseException):
        return PERMANENT if 500 <= exc.smtp_code < 600 else TRANSIENT
    if _never_connected(exc):
        return TRANSIENT
    if isinstance(exc, ConnectionRefusedError | socket.gaierror):
        return TRANSIENT
    # Anything else (a dropped SMTP session, a read timeout, a bug) may come after the
    # server took the message.
    return UNKNOWN


def esp_reason(exc: BaseException) -> str:
    """The ESP's own words for a refusal, short enough to show the user."""
    response = getattr(exc, "response", None)
    status = getattr(exc, "status_code", None)
    text = ""
    if response is not None:
        try:
            data = response.json()
        except ValueError:
            data = None
        if isinstance(data, dict):
            for key in ("Message", "message", "error", "errors", "detail"):
                if data.get(key):
                    text = str(data[key])
                    break
        if not text:
            text = (getattr(response, "text", "") or "").strip()[:300]
    if not text:
        text = str(exc.args[0]) if exc.args else exc.__class__.__name__
    esp = getattr(exc, "esp_name", None) or "The mail service"
    prefix = f"{esp} refused it" + (f" ({status})" if status else "")
    return f"{prefix}: {text}"[:500]


def _esp_message_id(mail: EmailMultiAlternatives) -> str:
    """The id the ESP gave the sent email ("" when the backend tells none)."""
    found = getattr(getattr(mail, "anymail_status", None), "message_id", None)
    if isinstance(found, set):
        # Several recipients with different ids; we send to one, but be total.
        found = " ".join(sorted(str(item) for item in found if item))
    return str(found or "")


# --- Sending -------------------------------------------------------------------------------


def message_send(*, message_id: int, final_attempt: bool = False, retrying: bool = False) -> str:
    """Re-check one claimed message, send it once through Django's email API, record it.

    1. Nothing to do unless the row is still "sending" and no attempt of this claim is open.
    2. Re-check (§7); on a stop, cancel or hold it with the reason on the timeline.
       A retry (`retrying`) may run hours after the claim: outside the sender's window it
       goes back to approved, due when the window next opens.
    3. Build the email and validate its headers; a failure here fails it with the reason.
    4. Record the attempt (send_started_at) in its own committed UPDATE;
       only one task can pass this gate, so duplicate tasks never both reach the ESP.
    5. Send. Success: sent + the ESP's id (retried on a deadlock). Permanent error: failed
       with the ESP's words. Transient error (nothing reached the ESP): reopen the gate and
       raise TransientSendError (the task retries), or fail it on the last attempt.
       Unknown (it may have arrived): failed as interrupted, the gate stays closed.
    Returns the message's status afterwards.
    """
    message = (
        Message.objects.select_related("application", "interview", "user")
        .filter(pk=message_id)
        .first()
    )
    if message is None:
        return "missing"
    if message.status != Status.SENDING or message.send_started_at is not None:
        # Settled meanwhile, or an earlier attempt of this claim may have reached the
        # ESP before its worker died: recover_stale_claims decides, never a guess here.
        return message.status

    now = timezone.now()
    not_now = _stopped_or_waiting(message=message, now=now, retrying=retrying)
    if not_now is not None:
        return not_now
    mail = _built_email(message=message, now=now)
    if mail is None:
        return Status.FAILED

    started = Message.objects.filter(_NOT_STARTED, pk=message.pk).update(
        send_started_at=now, claimed_at=now, updated_at=now
    )
    if not started:
        return Message.objects.values_list("status", flat=True).get(pk=message.pk)

    try:
        mail.send()
    except Exception as exc:
        verdict = classify_send_error(exc)
        if verdict != UNKNOWN:
            return _record_refused(
                message=message, exc=exc, verdict=verdict, final_attempt=final_attempt
            )
        # The ESP may have taken it (a read timeout, a dropped connection, a time
        # limit): the gate stays closed and the user decides, never an automatic resend.
        _record_interrupted(message=message, exc=exc)
        if not isinstance(exc, AnymailError | OSError | smtplib.SMTPException):
            raise  # a bug, not the network: let it show in the worker's log
        return Status.FAILED

    sent_at = timezone.now()
    esp_id = _esp_message_id(mail) or message.message_id
    recorded = _record_sent(message=message, sent_at=sent_at, esp_id=esp_id)
    if recorded:
        message.status, message.sent_at = Status.SENT, sent_at
        message_sent_side_tasks(message=message)
    return Status.SENT


def _stopped_or_waiting(*, message: Message, now: dt.datetime, retrying: bool) -> str | None:
    """The status a claimed message takes instead of going now (§7, send window); None: go."""
    stop = recheck(message=message, now=now)
    if stop is not None:
        message_update_with_timeline(
            message=message,
            where=_NOT_STARTED,
            kind=stop.kind,
            summary=f"{'Waiting' if stop.due_at else 'Not sent'}: {message_label(message)}",
            detail=stop.reason,
            at=now,
            status=stop.status,
            status_reason=stop.reason[:500],
            claimed_at=None,
            **({"due_at": stop.due_at} if stop.due_at is not None else {}),
        )
        return stop.status

    if retrying:
        calendar = selectors.cadence_inputs_for(user=message.user)[0]
        opens = send_window_start(calendar=calendar, at=now)
        if opens > now:
            message_wait_for_window(
                message=message,
                where=_NOT_STARTED,
                opens=opens,
                calendar=calendar,
                at=now,
                status_reason="",
            )
            return Status.APPROVED
    return None


def _built_email(*, message: Message, now: dt.datetime) -> EmailMultiAlternatives | None:
    """The message's email with its headers validated; None (and the message failed) if not."""
    try:
        # Built and its headers validated before the gate: a message that cannot even be
        # put together never reached the ESP, so it fails plainly, never "interrupted".
        mail = build_email(message=message)
        mail.message()
    except (ValueError, TypeError, UnicodeError) as exc:
        # Only what bad content raises (a header that does not parse, text that does not
        # encode). A database error or the task's time limit escapes: the gate is not open
        # yet, so recover_stale_claims puts the message back to approved.
        reason = f"The email could not be built: {exc}"[:500]
        logger.warning("Message %s could not be built: %s", message.pk, exc)
        message_update_with_timeline(
            message=message,
            where=_NOT_STARTED,
            kind=TimelineEvent.Kind.FAILED,
            summary=f"Sending failed: {message_label(message)}",
            detail=reason,
            at=now,
            status=Status.FAILED,
            status_reason=reason,
        )
        return None
    return mail


def _record_interrupted(*, message: Message, exc: Exception) -> None:
    """Fail a message the ESP may have taken, as interrupted: never resent by itself."""
    logger.warning("Message %s interrupted: %r", message.pk, exc)
    message_update_with_timeline(
        message=message,
        where=Q(status=Status.SENDING),
        kind=TimelineEvent.Kind.FAILED,
        summary=f"Sending interrupted: {message_label(message)}",
        detail=f"{INTERRUPTED_REASON} (What happened: {exc.__class__.__name__}.)",
        at=timezone.now(),
        status=Status.FAILED,
        status_reason=INTERRUPTED_REASON,
        outcome_unknown=True,
    )


def _record_refused(*, message: Message, exc: Exception, verdict: str, final_attempt: bool) -> str:
    """Fail a message the ESP refused for good; else reopen the gate and raise to retry it."""
    reason = esp_reason(exc)
    if verdict == PERMANENT or final_attempt:
        if verdict == TRANSIENT:
            reason = f"Still failing after several tries: {reason}"
        logger.warning("Message %s failed: %s", message.pk, reason)
        message_update_with_timeline(
            message=message,
            where=Q(status=Status.SENDING),
            kind=TimelineEvent.Kind.FAILED,
            summary=f"Sending failed: {message_label(message)}",
            detail=reason,
            at=timezone.now(),
            status=Status.FAILED,
            status_reason=reason[:500],
        )
        return Status.FAILED
    # Nothing reached the ESP (it answered 5xx/408/429, or no connection was made):
    # reopen the gate for the retry and refresh the claim so the recovery sweep
    # leaves it to the retry.
    Message.objects.filter(pk=message.pk, status=Status.SENDING).update(
        send_started_at=None,
        claimed_at=timezone.now(),
        status_reason=f"Retrying: {reason}"[:500],
        updated_at=timezone.now(),
    )
    raise TransientSendError(reason) from exc


def _record_sent(*, message: Message, sent_at: dt.datetime, esp_id: str) -> bool:
    """Record an accepted send, retrying a deadlock or a dropped connection: the mail has gone."""
    for attempt in range(1, SENT_RECORD_TRIES + 1):
        try:
            return message_update_with_timeline(
                message=message,
                # Settled already if a delivery webhook confirmed it first (webhooks.processing).
                where=Q(status=Status.SENDING),
                kind=TimelineEvent.Kind.SENT,
                summary=f"Sent: {message_label(message)}",
                detail=f"Subject: {message.subject}",
                at=sent_at,
                status=Status.SENT,
                sent_at=sent_at,
                esp_message_id=esp_id[:300],
                status_reason="",
                outcome_unknown=False,
            )
        except (OperationalError, InterfaceError):
            if attempt == SENT_RECORD_TRIES:
                # Left "sending" with the attempt open: recover_stale_claims reports it
                # as interrupted and a delivery webhook can still mark it sent.
                logger.exception("Message %s was sent but could not be recorded", message.pk)
                raise
            logger.warning("Recording message %s as sent failed; trying again", message.pk)
            if not connection.in_atomic_block:
                # The next try needs a working connection: one that errored is checked
                # and closed if it no longer answers (a failover, a killed session), so
                # the next query opens a fresh one; a deadlock victim's is kept. (Inside
                # a caller's transaction nothing can be closed or retried usefully.)
                connection.close_if_unusable_or_obsolete()
            time.sleep(0.05 * attempt)
    return False
