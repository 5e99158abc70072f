"""Status changes of messages (cancel, hold, release, rewrite), shared by services, drafting
and dispatch; the caller holds the application's lock (interviews.locks) already.

Every change is a conditional UPDATE on the status it expects, so a message the dispatcher
has just claimed (approved -> sending) is never cancelled, held or released under it. Each
change that matters to the user goes on the timeline with its reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from followup.rules import cadence
from followup.rules.calendar import SenderCalendar, local_time_label
from interviews.models import Application, TimelineEvent
from interviews.timeline import timeline_record
from messaging.models import BouncedAddress, Message

Kind = TimelineEvent.Kind
Stage = Message.Stage
Status = Message.Status

# What an approval covers: this text, to this address. A change to any of them needs a fresh
# approval; a new due time alone does not (re-planning moves times as the facts change).
APPROVAL_COVERS = frozenset({"to_email", "subject", "body_text", "body_html"})


def message_label(message: Message) -> str:
    """How the timeline names a message: "Check-in to Dana Richardson"."""
    who = message.to_name or message.to_email or "no recipient yet"
    return f"{Message.Stage(message.stage).label} to {who}"


def close_out_unfit(*, stage: str, application: Application) -> str:
    """Why a close-out no longer fits the application's stage; "" when it fits (or is none).

    The one rule approval (services.approval.message_approve) and the last check before sending
    (dispatch) share: a rejection reply goes only while the stage is rejected, a withdrawal
    only while withdrawn, a stay-in-touch note only while the application has ended (and not
    after accepting their offer). A reopened application must not thank them for a "no".
    """
    now = application.get_stage_display().lower()
    if stage == Stage.REJECTION_REPLY and application.stage != Application.Stage.REJECTED:
        return f"The application is {now}, not rejected: the rejection reply no longer fits."
    if stage == Stage.WITHDRAWAL and application.stage != Application.Stage.WITHDRAWN:
        return f"The application is {now}, not withdrawn: the withdrawal note no longer fits."
    if stage == Stage.STAY_IN_TOUCH:
        if application.stage == Application.Stage.ACCEPTED:
            return "You accepted their offer, so the stay-in-touch note is not needed."
        if not application.has_ended:
            return (
                f"The application is {now} again: a stay-in-touch note is only for after it "
                "has ended."
            )
    return ""


def set_status(
    message: Message, *, to: str, expect: Iterable[str], reason: str = "", **fields: object
) -> bool:
    """Move a message to `to` only if it is still in one of `expect`; True when it moved."""
    changed = Message.objects.filter(pk=message.pk, status__in=list(expect)).update(
        status=to, status_reason=reason[:500], updated_at=timezone.now(), **fields
    )
    if changed:
        message.status, message.status_reason = to, reason[:500]
        for name, value in fields.items():
            setattr(message, name, value)
    return bool(changed)


@dataclass(frozen=True)
class Rewrite:
    """What message_rewrite did."""

    saved: bool  # False: the message left the status it was read in (e.g. claimed): untouched
    unapproved: bool  # its approval was taken back: it waits for the user again


def message_rewrite(
    message: Message, *, changes: dict[str, object], covers: Iterable[str] = APPROVAL_COVERS
) -> Rewrite:
    """Write `changes` to a pending message; its approval goes if something it covers changed.

    The one place that takes an approval back when a message changes (drafting's re-render,
    the user's edit, a contact's new address). A conditional UPDATE on the status it was read
    in, so a message the dispatcher has just claimed is left alone. An approved message goes
    back to draft; a held one stays held but loses the approval it would have gone back to.
    """
    unapproved = message.approved_at is not None and any(
        getattr(message, name) != changes[name] for name in covers if name in changes
    )
    fields = dict(changes)
    if unapproved:
        fields.update(approved_at=None, pestering_override_at=None)
        if message.status == Status.APPROVED:
            fields["status"] = Status.DRAFT
    saved = Message.objects.filter(pk=message.pk, status=message.status).update(
        updated_at=timezone.now(), **fields
    )
    if saved:
        for name, value in fields.items():
            setattr(message, name, value)
    return Rewrite(saved=bool(saved), unapproved=unapproved and bool(saved))


def messages_cancel(
    messages: Iterable[Message], *, reason: str, at: dt.datetime | None = None
) -> list[Message]:
    """Cancel each message still pending, with the reason on its row and on the timeline."""
    cancelled = []
    for message in messages:
        if set_status(message, to=Status.CANCELLED, expect=Message.PENDING_STATUSES, reason=reason):
            timeline_record(
                application=message.application,
                kind=Kind.CANCELLED,
                summary=f"{message_label(message)} cancelled",
                detail=reason,
                interview=message.interview,
                message=message,
                at=at,
            )
            cancelled.append(message)
    return cancelled


def messages_hold(
    messages: Iterable[Message], *, reason: str, at: dt.datetime | None = None
) -> list[Message]:
    """Hold each draft or approved message (its approval is kept for when the hold ends).

    A message already held takes the new reason quietly (the hold itself is not news).
    Returns the messages that went on hold now.
    """
    held = []
    for message in messages:
        if message.status == Status.HELD:
            if message.status_reason != reason[:500]:
                set_status(message, to=Status.HELD, expect=(Status.HELD,), reason=reason)
            continue
        if set_status(
            message, to=Status.HELD, expect=(Status.DRAFT, Status.APPROVED), reason=reason
        ):
            timeline_record(
                application=message.application,
                kind=Kind.HELD,
                summary=f"{message_label(message)} on hold",
                detail=reason,
                interview=message.interview,
                message=message,
                at=at,
            )
            held.append(message)
    return held


def address_bounced(message: Message) -> bool:
    """Whether mail to this message's recipient has bounced for its user."""
    address = message.to_email.strip()
    return bool(address) and (
        BouncedAddress.objects.filter(user_id=message.user_id, email__iexact=address).exists()
    )


def bounced_messages_hold(
    *, user_id: int, address: str, reason: str, at: dt.datetime | None = None
) -> list[Message]:
    """Hold every pending message of the user to an address that bounced, at once.

    Not only when each one's time comes: the queue and the application pages show them held,
    with the reason, so the user can correct the address. They stay held while the address
    is on the bounce list (message_release refuses); a corrected address lets them go.
    The caller holds the locks of their applications (interviews.locks, in pk order).
    """
    messages = (
        Message.objects.filter(
            user_id=user_id, to_email__iexact=address.strip(), status__in=Message.PENDING_STATUSES
        )
        .select_for_update(of=("self",))
        .select_related("application", "interview")
        .order_by("pk")
    )
    why = (
        f"Mail to {address} bounced ({reason}). It waits here: change the recipient's address "
        "to send it, or skip it."
    )
    return messages_hold(list(messages), reason=why, at=at)


def message_release(
    message: Message, *, now: dt.datetime, calendar: SenderCalendar, reason: str
) -> bool:
    """End a hold: approved again if it was approved, else a draft; a missed time moves on.

    Spec §7: a stage that fell due during the hold goes at the next send-window start.
    A message to an address that bounced stays held (bounced_messages_hold): no pause or
    out-of-office ending lets it go until its address changes.
    """
    if address_bounced(message):
        return False
    fields: dict[str, object] = {}
    if message.due_at is not None and message.due_at < now:
        fields["due_at"] = cadence.resume_due(
            due_at=message.due_at, resumed_at=now, calendar=calendar
        )
    to = Status.APPROVED if message.approved_at else Status.DRAFT
    if not set_status(message, to=to, expect=(Status.HELD,), **fields):
        return False
    timeline_record(
        application=message.application,
        kind=Kind.RESUMED,
        summary=f"{message_label(message)} no longer on hold, due "
        f"{local_time_label(message.due_at, calendar)}",
        detail=reason,
        interview=message.interview,
        message=message,
    )
    return True
