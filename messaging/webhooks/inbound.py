"""Acting on an inbound email: a reply or an out-of-office notice on its application, forwarded.

Reading the email is messaging.inbound_mail, matching it messaging.webhooks.matching, telling
a machine's email messaging.webhooks.autoreplies; the names other modules import from here
stay importable from here.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from anymail.inbound import AnymailInboundMessage
from django.utils import timezone

from followup.accounts.models import User
from followup.rules import autoreply
from interviews.locks import lock_applications
from interviews.models import TimelineEvent
from interviews.timeline import timeline_record
from messaging import selectors
from messaging.forwarding import forward_inbound_email
from messaging.inbound_mail import (
    MAX_DETAIL,
    RAW_KEY,
    clean_text,
    inbound_message_of,
    message_ids_in,
    our_address,
    received_at,
    recipients_of,
    reply_text,
    sender_name_of,
    sender_of,
    subject_of,
)
from messaging.models import EmailEvent, InboundEmail
from messaging.reply_addresses import applications_of_tokens, tokens_in
from messaging.services.replies import application_reply
from messaging.webhooks.authentication import authserv_id, sender_authenticated
from messaging.webhooks.autoreplies import (
    absence_in,
    is_automatic,
    is_out_of_office,
    return_date_in,
)
from messaging.webhooks.invitations import forwarded_invitation_keep
from messaging.webhooks.matching import (
    AmbiguousInbound,
    InboundMatch,
    inbound_match,
    inbound_scope,
)

__all__ = [
    "IN_MAILBOX_KEY",
    "MAX_DETAIL",
    "RAW_KEY",
    "AmbiguousInbound",
    "InboundMatch",
    "authserv_id",
    "clean_text",
    "inbound_event_apply",
    "inbound_match",
    "inbound_message_of",
    "inbound_reply_apply",
    "is_automatic",
    "is_out_of_office",
    "message_ids_in",
    "reply_text",
    "return_date_in",
    "sender_authenticated",
    "sender_of",
]

logger = logging.getLogger(__name__)

Forward = InboundEmail.Forward
Route = InboundEmail.Route
# The EmailEvent.payload key that says the email was read from the user's own mailbox
# (own-mailbox mode): it is there already, so it is never forwarded to them.
IN_MAILBOX_KEY = "in_user_mailbox"
# How long a notice that gives no return date counts as one absence (not forwarded again).
ABSENCE_WITHOUT_DATE_DAYS = 14
OUT_OF_OFFICE = "out_of_office"
AUTOMATIC = "automatic"


@dataclass(frozen=True)
class Received:
    """What an inbound email says and when, as stored and shown."""

    sender: str
    sender_name: str
    subject: str
    text: str
    at: dt.datetime
    automatic: bool
    recipients: frozenset[str]


def received_of(*, inbound_message: AnymailInboundMessage, event: EmailEvent) -> Received:
    """The facts of a stored inbound email (its From must be readable)."""
    return Received(
        sender=sender_of(inbound_message)[0],
        sender_name=sender_name_of(inbound_message),
        # One line: it becomes the forward's Subject header.
        subject=" ".join(subject_of(inbound_message).split())[:500],
        text=reply_text(inbound_message, stripped=str(event.payload.get("stripped_text") or "")),
        at=received_at(inbound_message, event.received_at),
        automatic=is_automatic(inbound_message),
        recipients=frozenset(
            recipients_of(inbound_message, str(event.payload.get("envelope_recipient") or ""))
        ),
    )


def _leave_for_admin(event: EmailEvent, reason: str) -> None:
    """Mark the email failed with a plain reason: the admin lists it and can process it again."""
    event.processed_at = None
    event.failed_at = timezone.now()
    event.failure = reason[:500]
    event.save(update_fields=["processed_at", "failed_at", "failure"])
    logger.warning("Inbound email %s left for the admin: %s", event.event_id, reason)


def inbound_event_apply(*, event: EmailEvent) -> InboundMatch | None:
    """Act on a stored inbound email: a reply or an out-of-office notice on its application.

    Parsed from the bytes as received and matched once; the match's user becomes the event's
    owner (even when the email then changes nothing), and is returned. An email that matches
    nothing but was addressed to one user waits on their Unmatched replies page. An email
    without a usable From, or one that fits several users' applications, is marked failed
    for the admin instead (nobody's timeline shows it).
    """
    inbound_message = inbound_message_of(event.payload)
    _sender, problem = sender_of(inbound_message)
    if problem:
        _leave_for_admin(event, problem)
        return None
    if forwarded_invitation_keep(
        event=event,
        inbound_message=inbound_message,
        received_at=received_at(inbound_message, event.received_at),
    ):
        return None
    envelope = str(event.payload.get("envelope_recipient", "") or "")
    try:
        match = inbound_match(
            inbound_message=inbound_message, envelope_recipient=envelope, user_id=event.user_id
        )
        scope = (
            set()
            if match
            else inbound_scope(
                inbound_message=inbound_message, envelope_recipient=envelope, user_id=event.user_id
            )
        )
    except AmbiguousInbound as ambiguous:
        _leave_for_admin(event, str(ambiguous))
        return None
    received = received_of(inbound_message=inbound_message, event=event)
    if match is None:
        _unmatched(event=event, received=received, scope=scope)
        return None
    event.user_id = match.application.user_id
    event.message = match.message or event.message
    event.save(update_fields=["user", "message"])
    inbound_reply_apply(event=event, match=match, received=received)
    return match


def _unmatched(*, event: EmailEvent, received: Received, scope: set[int]) -> None:
    """An email no application matched: kept for the one user it was addressed to, if any.

    Mail read from the user's own inbox (own-mailbox mode) is not kept: the inbox holds
    their newsletters and personal mail too, and they read it there already.
    """
    if event.payload.get(IN_MAILBOX_KEY):
        logger.info("Inbound email %s from the user's inbox matched nothing", event.event_id)
        return
    if len(scope) != 1:
        logger.info("Inbound email %s matched no application and no one user", event.event_id)
        return
    [user_id] = scope
    own = [
        a
        for a in applications_of_tokens(tokens_in(set(received.recipients)))
        if a.user.email.lower() == received.sender
    ]
    if own:
        # The user answered their own copy of our email: it went to us, not to them.
        timeline_record(
            application=own[0],
            kind=TimelineEvent.Kind.NOTE,
            summary="Your own email to this application's reply address was not passed on",
            detail="Followup never sends anything on to the company: write to them from your "
            f"mailbox.\n\nSubject: {received.subject}",
            at=received.at,
        )
        return
    ours = {our_address(), *User.objects.filter(pk=user_id).values_list("email", flat=True)}
    if received.automatic or received.sender in {a.lower() for a in ours}:
        # A machine's email, our own, or the user's own: no reply for them to assign.
        logger.info("Inbound email %s matched nothing and is no reply", event.event_id)
        return
    event.user_id = user_id
    event.save(update_fields=["user"])
    _record(event=event, received=received, state=InboundEmail.State.UNMATCHED)


def inbound_reply_apply(*, event: EmailEvent, match: InboundMatch, received: Received) -> str:
    """Act on an email matched to an application; the kind it was taken as ("" for nothing).

    1. An out-of-office notice holds the cadence; another automatic email changes nothing;
       anything else is a reply and stops the check-ins (also while paused).
    2. Matched only by its From address, it acts only when SPF or DKIM vouches for it;
       otherwise a note asks the user to confirm.
    3. The company route answers every application waiting on people there, and says so.
    4. Recorded as matched; forwarded to the user when it is not in their mailbox already
       (an automatic one once per absence).
    """
    application = match.application
    zone = selectors.cadence_inputs_for(user=application.user)[0].zone
    absence = absence_in(
        subject=received.subject,
        text=received.text,
        automatic=received.automatic,
        received=received.at,
        zone=zone,
    )
    kind = OUT_OF_OFFICE if absence else (AUTOMATIC if received.automatic else "reply")
    return_date = absence.return_date if absence else None
    acted = kind
    if kind == AUTOMATIC:
        # An automatic receipt or notice is not an answer from a person.
        logger.info("Inbound email %s is automatic, not a reply", event.event_id)
    elif match.by_sender and not _vouched_for(event, received.sender):
        # Anyone can put a recruiter's address in From: without SPF or DKIM vouching for
        # it, an email outside our threads must not stop the check-ins by itself.
        timeline_record(
            application=application,
            kind=TimelineEvent.Kind.NOTE,
            summary=f"A message from {received.sender} looks like a reply",
            detail="We could not confirm it came from them, so nothing changed. If it is "
            "their answer, confirm it with the 'They replied' button.\n\n"
            f"Subject: {received.subject}".strip()[:MAX_DETAIL],
            at=received.at,
        )
        acted = ""
    else:
        detail = f"Subject: {received.subject}\n\n{received.text}".strip()
        if match.route == Route.COMPANY:
            detail = f"{_company_note(match, received.sender)}\n\n{detail}"
        answered = sorted((application, *match.also), key=lambda a: a.pk)
        # Several applications: all locked first, by pk (the lock order everywhere).
        lock_applications([a.pk for a in answered])
        for each in answered:
            application_reply(
                application=each,
                user=each.user,
                kind=kind,
                at=received.at,
                detail=detail[:MAX_DETAIL],
                return_date=return_date,
                contact=match.contact,
            )
    _record(
        event=event,
        received=received,
        state=InboundEmail.State.MATCHED,
        match=match,
        kind=acted,
        return_date=return_date,
    )
    return acted


def _vouched_for(event: EmailEvent, sender: str) -> bool:
    """SPF or DKIM passed for the sender, per our own receiving server (authentication.py)."""
    return sender_authenticated(inbound_message_of(event.payload), sender)


def _company_note(match: InboundMatch, sender: str) -> str:
    """Why an email from someone new at the company counts, and for which applications."""
    domain = sender.rpartition("@")[2]
    names = ", ".join(sorted({a.company.name for a in (match.application, *match.also)}))
    note = (
        f"{sender} is not one of your contacts, but writes from {domain}, where your contacts "
        f"at {names} work: a reply from anyone at the company counts as their answer"
    )
    if match.also:
        count = len(match.also) + 1
        return f"{note}, for each of the {count} applications waiting on people there."
    return f"{note}."


def _record(
    *,
    event: EmailEvent,
    received: Received,
    state: str,
    match: InboundMatch | None = None,
    kind: str = "",
    return_date: dt.date | None = None,
) -> InboundEmail:
    """Store what was made of the email; enqueue its forward when one is due (once)."""
    fields = {
        "user_id": event.user_id,
        "application": match.application if match else None,
        "state": state,
        "route": match.route if match else "",
        "kind": kind,
        "sender": received.sender[:300],
        "sender_name": received.sender_name[:200],
        "subject": received.subject[:500],
        "snippet": received.text[:500],
        "received_at": received.at,
        "return_date": return_date,
    }
    record, created = InboundEmail.objects.get_or_create(event=event, defaults=fields)
    if not created:
        for name, value in fields.items():
            setattr(record, name, value)
    if match is not None and (created or record.forward_status == Forward.NONE):
        record.forward_status = _forward_status(event=event, received=received, record=record)
    record.save()
    if record.forward_status == Forward.PENDING:
        forward_inbound_email.delay_on_commit(record.pk)
    return record


def _forward_status(*, event: EmailEvent, received: Received, record: InboundEmail) -> str:
    """Pending, unless the user has the email already or it repeats a forwarded absence."""
    user = record.application.user if record.application else None
    if user is None or event.payload.get(IN_MAILBOX_KEY):
        return Forward.NONE
    if user.email.lower() in received.recipients:
        return Forward.NONE  # delivered to their own address: it is in their mailbox
    if record.kind in (OUT_OF_OFFICE, AUTOMATIC) and _absence_forwarded(record):
        return Forward.SKIPPED
    return Forward.PENDING


def _absence_forwarded(record: InboundEmail) -> bool:
    """Whether an automatic email of this sender's current absence went to the user already."""
    earlier = (
        InboundEmail.objects.filter(
            application_id=record.application_id,
            sender=record.sender,
            kind__in=[OUT_OF_OFFICE, AUTOMATIC],
            forward_status__in=[Forward.PENDING, Forward.SENDING, Forward.SENT],
            received_at__lte=record.received_at,
        )
        .exclude(pk=record.pk)
        .order_by("-received_at", "-pk")
        .first()
    )
    return earlier is not None and autoreply.same_absence(
        earlier_at=earlier.received_at,
        earlier_return=earlier.return_date,
        now=record.received_at,
        default_days=ABSENCE_WITHOUT_DATE_DAYS,
    )
