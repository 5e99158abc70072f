"""Sending approved messages: claim, re-check, send through Django's email API, record.

A message's way through this module (Message.status):

    approved --due outside the send window--> approved, due when the window next opens
    approved --claim--> sending --ESP accepted--> sent
                                --permanent ESP error, or transient after the last retry--> failed
                                --the email cannot be built--> failed
                                --re-check fails (§7)--> cancelled / held / draft
                                --a retry outside the send window--> approved, due when it opens
                                --worker died: before the ESP call--> approved
                                               after it--> failed (interrupted)

Four rules keep it safe with any number of workers and beat instances:
1. a claim is one conditional UPDATE (approved -> sending); only one caller gets the row;
2. the attempt is recorded (send_started_at, committed) before the ESP is called, and
   only one task per claim can pass that gate;
3. a worker that dies leaves "sending", which recover_stale_claims() settles without
   ever calling the ESP again for a message it may already have accepted;
4. a change that also writes the timeline (_record) locks the Application row before the
   Message row, the order re-planning and the user's actions take them: none deadlock.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import smtplib
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.headerregistry import Address

import requests
from anymail.exceptions import (
    AnymailAPIError,
    AnymailError,
    AnymailInvalidAddress,
    AnymailRecipientsRefused,
    AnymailSerializationError,
    AnymailUnsupportedFeature,
)
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from followup.accounts.services import profile_for
from interviews.models import Application, TimelineEvent
from interviews.timeline import timeline_record
from messaging import cadence, selectors, services
from messaging.models import BouncedAddress, Message, Reply
from messaging.status import close_out_unfit, local_time, lock_application, message_label

logger = logging.getLogger(__name__)

Status = Message.Status
Stage = Message.Stage

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

# message_approve moves a due time further in the past than this into the send window;
# a due time of "now" (send now, retry) is left alone.
PAST_DUE_GRACE = dt.timedelta(minutes=5)

# HTTP statuses in the 4xx range that mean "try again later", not "never".
RETRYABLE_4XX = frozenset({408, 429})


# Recording "sent" after the ESP accepted: the mail has gone, so a deadlock victim or a
# dropped connection is retried this many times before the row is left to recovery.
SENT_RECORD_TRIES = 4


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


def _due() -> Q:
    # Served by the partial index messaging_msg_approved_due (status = approved).
    return Q(status=Status.APPROVED, approved_at__isnull=False)


def due_message_ids(*, now: dt.datetime, limit: int) -> list[int]:
    """Approved messages whose time has come, the longest waiting first."""
    return list(
        Message.objects.filter(_due(), due_at__lte=now)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def message_claim(*, message_id: int, now: dt.datetime) -> bool:
    """Take one approved, due message for sending; True for exactly one of racing callers."""
    # One conditional UPDATE is atomic on SQLite and PostgreSQL alike: a second caller's
    # WHERE no longer matches (the row is "sending") and it updates 0 rows.
    claimed = Message.objects.filter(_due(), pk=message_id, due_at__lte=now).update(
        status=Status.SENDING,
        claimed_at=now,
        send_started_at=None,
        attempts=F("attempts") + 1,
        updated_at=now,
    )
    return claimed == 1


def claim_due_messages(*, now: dt.datetime, limit: int) -> list[int]:
    """Claim up to `limit` due messages inside their sender's send window; return their ids."""
    ids = messages_in_window(message_ids=due_message_ids(now=now, limit=limit), now=now)
    if connection.vendor != "postgresql":
        return [pk for pk in ids if message_claim(message_id=pk, now=now)]
    # PostgreSQL: one short transaction; rows another dispatcher has locked are skipped
    # instead of waited for, so concurrent beats split the batch rather than queue.
    with transaction.atomic():
        locked = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(_due(), pk__in=ids, due_at__lte=now)
            .order_by("due_at", "pk")
            .values_list("pk", flat=True)
        )
        # The rows are locked by us, so the status filter is a belt to the braces.
        Message.objects.filter(_due(), pk__in=locked).update(
            status=Status.SENDING,
            claimed_at=now,
            send_started_at=None,
            attempts=F("attempts") + 1,
            updated_at=now,
        )
    return locked


def dispatch_due(
    *, now: dt.datetime, enqueue: Callable[[int], object], claim_timeout: dt.timedelta, limit: int
) -> int:
    """The beat's work: settle stale claims, claim what is due, hand each to `enqueue`."""
    recover_stale_claims(now=now, older_than=claim_timeout)
    claimed = claim_due_messages(now=now, limit=limit)
    for pk in claimed:
        enqueue(pk)
    return len(claimed)


def send_window_start(*, calendar: cadence.SenderCalendar, at: dt.datetime) -> dt.datetime:
    """The first moment from `at` inside the sender's daily send window.

    Time of day only, for every stage: business days are the cadence's rule when it plans
    a due time (cadence.py); a time the user chose (a weekend, "at once") is theirs.
    """
    return cadence.clamp_into_window(at=at, calendar=calendar, business_day=False)


def _wait_for_window(
    *,
    message: Message,
    where: Q,
    opens: dt.datetime,
    calendar: cadence.SenderCalendar,
    at: dt.datetime,
    **fields: object,
) -> bool:
    """Put a message back to approved, due when the send window next opens; note it."""
    return _record(
        message=message,
        where=where,
        kind=TimelineEvent.Kind.NOTE,
        summary=f"Waiting for your send window: {message_label(message)}",
        detail=f"It fell due outside your send window, so it goes out "
        f"{local_time(opens, calendar)}.",
        at=at,
        status=Status.APPROVED,
        due_at=opens,
        claimed_at=None,
        **fields,
    )


def messages_in_window(*, message_ids: list[int], now: dt.datetime) -> list[int]:
    """Of due approved messages, those inside their sender's send window; the rest wait for it.

    A message can fall due outside the window (a window changed after approval, a beat
    that was down): before anything claims it, it is moved to when the window next opens.
    Only the beat passes here; "send now" (services.message_send_now) claims directly.
    """
    calendars: dict[int, cadence.SenderCalendar] = {}
    waiting: set[int] = set()
    for message in Message.objects.filter(pk__in=message_ids).select_related(
        "application", "interview", "user"
    ):
        if message.user_id not in calendars:
            calendars[message.user_id] = selectors.cadence_inputs_for(user=message.user)[0]
        calendar = calendars[message.user_id]
        opens = send_window_start(calendar=calendar, at=now)
        if opens <= now:
            continue
        waiting.add(message.pk)
        # Repeats what was read: an approval withdrawn or a time changed meanwhile wins.
        _wait_for_window(
            message=message,
            where=_due() & Q(due_at=message.due_at),
            opens=opens,
            calendar=calendar,
            at=now,
        )
    # Keep the order (the longest waiting first).
    return [pk for pk in message_ids if pk not in waiting]


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
    # An out-of-office notice holds the check-ins only (services._release lets the rest go).
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
    answer = (
        Reply.objects.filter(
            application=application,
            kind__in=[Reply.Kind.REPLY, Reply.Kind.NO_NEWS],
            created_at__gt=message.approved_at,
        )
        .order_by("-created_at")
        .first()
    )
    if answer is not None:
        return f"They answered on {_user_day(answer.received_at, message)}, so this check-in stops."
    return ""


# --- Sending -------------------------------------------------------------------------------


def _address(name: str, addr_spec: str) -> str:
    """'Name <addr>' quoted where needed; the bare address when it does not parse."""
    try:
        return str(Address(display_name=name.strip(), addr_spec=addr_spec.strip()))
    except (ValueError, IndexError, TypeError):
        return addr_spec.strip()


def _our_address() -> str:
    return email.utils.parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def build_email(*, message: Message) -> EmailMultiAlternatives:
    """The outgoing email for a message: sender identity, threading headers, both bodies."""
    name = profile_for(user=message.user).full_name
    user_address = message.user.email
    if settings.FOLLOWUP_SEND_AS_USER:
        # Only for a deployment whose ESP has verified the users' own domains.
        from_email, reply_to = _address(name, user_address), []
    else:
        # ESPs send only from domains the account has verified, and receiving servers
        # check SPF/DKIM/DMARC against the From domain: the user's gmail.com address
        # would fail both. So the email comes from our verified address under the
        # user's name, and Reply-To brings the answer to the user's own mailbox.
        from_email, reply_to = _address(name, _our_address()), [_address(name, user_address)]
    if not message.message_id.strip():
        # drafting.create gives every message its Message-ID (replies are matched by it).
        raise ValueError("it has no Message-ID")
    headers = {"Message-ID": message.message_id}
    if message.in_reply_to:
        headers["In-Reply-To"] = message.in_reply_to
    references = " ".join(message.references.split()) or message.in_reply_to
    if references:
        headers["References"] = references
    mail = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=from_email,
        to=[_address(message.to_name, message.to_email)],
        reply_to=reply_to,
        headers=headers,
    )
    if message.body_html:
        mail.attach_alternative(message.body_html, "text/html")
    # Anymail passes these to the ESP, whose webhooks send them back: that is how a
    # delivery or bounce event finds its Message (webhooks.py). Other backends ignore them.
    mail.metadata = {"message_id": str(message.pk)}  # type: ignore[attr-defined]
    mail.tags = [str(message.stage)]  # type: ignore[attr-defined]
    return mail


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
    found = getattr(getattr(mail, "anymail_status", None), "message_id", None)
    if isinstance(found, set):
        # Several recipients with different ids; we send to one, but be total.
        found = " ".join(sorted(str(item) for item in found if item))
    return str(found or "")


def _record(
    *,
    message: Message,
    where: Q,
    kind: str,
    summary: str,
    detail: str = "",
    at: dt.datetime,
    **fields: object,
) -> bool:
    """Conditionally update the row and, only if that happened, add the timeline entry."""
    with transaction.atomic():
        # Application before Message, as every writer takes them (status.lock_application):
        # the timeline entry updates the application row, and taking it after the message's
        # would deadlock with a re-plan that holds it and waits for this message. The claim
        # (approved -> sending) stays a lone UPDATE without this lock.
        lock_application(message.application_id)
        changed = Message.objects.filter(where, pk=message.pk).update(updated_at=at, **fields)
        if changed:
            timeline_record(
                application=message.application,
                kind=kind,
                summary=summary,
                detail=detail,
                message=message,
                interview=message.interview,
                at=at,
            )
    return bool(changed)


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
    stop = recheck(message=message, now=now)
    if stop is not None:
        _record(
            message=message,
            where=Q(status=Status.SENDING, send_started_at__isnull=True),
            kind=stop.kind,
            summary=f"Not sent: {message_label(message)}",
            detail=stop.reason,
            at=now,
            status=stop.status,
            status_reason=stop.reason[:500],
            claimed_at=None,
        )
        return stop.status

    if retrying:
        calendar = selectors.cadence_inputs_for(user=message.user)[0]
        opens = send_window_start(calendar=calendar, at=now)
        if opens > now:
            _wait_for_window(
                message=message,
                where=Q(status=Status.SENDING, send_started_at__isnull=True),
                opens=opens,
                calendar=calendar,
                at=now,
                status_reason="",
            )
            return Status.APPROVED

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
        _record(
            message=message,
            where=Q(status=Status.SENDING, send_started_at__isnull=True),
            kind=TimelineEvent.Kind.FAILED,
            summary=f"Sending failed: {message_label(message)}",
            detail=reason,
            at=now,
            status=Status.FAILED,
            status_reason=reason,
        )
        return Status.FAILED

    started = Message.objects.filter(
        pk=message.pk, status=Status.SENDING, send_started_at__isnull=True
    ).update(send_started_at=now, claimed_at=now, updated_at=now)
    if not started:
        return Message.objects.values_list("status", flat=True).get(pk=message.pk)

    try:
        mail.send()
    except Exception as exc:
        verdict = classify_send_error(exc)
        if verdict == UNKNOWN:
            # The ESP may have taken it (a read timeout, a dropped connection, a time
            # limit): the gate stays closed and the user decides, never an automatic resend.
            logger.warning("Message %s interrupted: %r", message.pk, exc)
            _record(
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
            if not isinstance(exc, AnymailError | OSError | smtplib.SMTPException):
                raise  # a bug, not the network: let it show in the worker's log
            return Status.FAILED
        reason = esp_reason(exc)
        if verdict == PERMANENT or final_attempt:
            if verdict == TRANSIENT:
                reason = f"Still failing after several tries: {reason}"
            logger.warning("Message %s failed: %s", message.pk, reason)
            _record(
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

    sent_at = timezone.now()
    esp_id = _esp_message_id(mail) or message.message_id
    recorded = _record_sent(message=message, sent_at=sent_at, esp_id=esp_id)
    if recorded:
        message.status, message.sent_at = Status.SENT, sent_at
        services.message_sent_side_tasks(message=message)
    return Status.SENT


def _record_sent(*, message: Message, sent_at: dt.datetime, esp_id: str) -> bool:
    """Record an accepted send, retrying a deadlock or a dropped connection: the mail has gone."""
    for attempt in range(1, SENT_RECORD_TRIES + 1):
        try:
            return _record(
                message=message,
                # A delivery webhook may have confirmed it first (webhooks.py): then settled.
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


# --- Crash recovery ---------------------------------------------------------------------------


def recover_stale_claims(*, now: dt.datetime, older_than: dt.timedelta) -> int:
    """Settle messages left in "sending" by a worker that died; returns how many.

    Every send task refreshes claimed_at, so a claim older than `older_than` has no
    live task behind it (FOLLOWUP_CLAIM_TIMEOUT_SECONDS exceeds a task's time limit).
    A "sending" row never carries the ESP's id: it is written only together with "sent"
    (here in _record_sent, and in webhooks._confirm_sent), so there are two cases:
    1. An attempt was started (send_started_at): the worker died between calling the ESP
       and recording its answer, so the ESP may have sent it. Resending could mail the
       recruiter twice; we mark it failed as interrupted and the user decides
       (services.message_retry asks them to confirm). A later delivery webhook can still
       prove it was sent: webhooks.py then marks it sent.
    2. No attempt started: the ESP never saw it -> back to approved for the next beat.
    Each UPDATE repeats the conditions it read, so a task that woke up meanwhile wins.
    """
    cutoff = now - older_than
    stale = Message.objects.filter(status=Status.SENDING, claimed_at__lt=cutoff).select_related(
        "application", "interview"
    )
    settled = 0
    for message in stale:
        same_claim = Q(status=Status.SENDING, claimed_at=message.claimed_at)
        if message.send_started_at is not None:
            done = _record(
                message=message,
                where=same_claim & Q(send_started_at__isnull=False),
                kind=TimelineEvent.Kind.FAILED,
                summary=f"Sending interrupted: {message_label(message)}",
                detail=INTERRUPTED_REASON,
                at=now,
                status=Status.FAILED,
                status_reason=INTERRUPTED_REASON,
                outcome_unknown=True,
            )
        else:
            done = bool(
                Message.objects.filter(
                    same_claim, pk=message.pk, send_started_at__isnull=True
                ).update(status=Status.APPROVED, claimed_at=None, updated_at=now)
            )
        if done:
            logger.warning("Recovered stale claim of message %s", message.pk)
            settled += 1
    return settled
