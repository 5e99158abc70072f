"""Approval: what the checks say, and the gate the dispatcher reads (nothing unapproved is sent).

Status changes are conditional UPDATEs on the status they expect, so a message the dispatcher
has just claimed (approved -> sending) is never approved, edited or cancelled under it. Each
operation says on the timeline what it did and why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from followup.accounts.models import User
from followup.accounts.verification import NOT_VERIFIED, needs_verification
from followup.rules import checks, limits
from followup.rules.calendar import (
    SenderCalendar,
    local_time_label,
    send_window_start,
)
from interviews.models import TimelineEvent
from interviews.timeline import timeline_record
from messaging import selectors
from messaging.check_facts import draft_facts_many, facts_with_changes
from messaging.dispatch.claims import daily_cap_refusal, message_claim
from messaging.models import Message
from messaging.services.locking import locked_message, require_owner
from messaging.services.refusals import ActionRefused, ApprovalBlocked
from messaging.status import (
    close_out_unfit,
    message_label,
    set_status,
)

Kind = TimelineEvent.Kind
Stage = Message.Stage
Status = Message.Status


def message_findings(
    *,
    message: Message,
    to_email: str | None = None,
    subject: str | None = None,
    body_text: str | None = None,
    due_at: dt.datetime | None = None,
) -> list[checks.Finding]:
    """What the quality checks say about a message: as it stands, or as the user is typing it.

    The one entry point of the checks on a real row: approval judges the message as saved;
    the queue's live re-check passes the version being typed, judged by the same facts.
    """
    facts = draft_facts_many(user=message.user, messages=[message])[message.pk]
    if (to_email, subject, body_text, due_at) != (None, None, None, None):
        facts = facts_with_changes(
            facts,
            to_email=message.to_email if to_email is None else to_email,
            subject=message.subject if subject is None else subject,
            body=message.body_text if body_text is None else body_text,
            due_at=due_at or message.due_at,
        )
    return checks.check_draft(facts)


def message_approve(*, message: Message, user: User, override_pestering: bool = False) -> Message:
    """Approve a message for sending at its due time, if the checks allow it.

    1. Only a draft (or a held message not yet approved) can be approved; approving twice is
       a no-op.
    2. An ended application approves only its close-out notes (rejection reply, withdrawal,
       stay in touch), and a close-out only while it fits the stage (status.close_out_unfit):
       anything else is stale.
    3. Errors block; a pestering block passes only with override_pestering, which is recorded.
    4. approved_at is the gate the dispatcher reads: nothing without it is ever sent.
    5. Nothing is approved before the user has verified their login email
       (FOLLOWUP_REQUIRE_EMAIL_VERIFICATION), nor beyond their daily cap for the day it goes
       out (FOLLOWUP_DAILY_SEND_CAP, counted over the user's local day).
    """
    require_owner(message, user)
    _require_verified(user)
    with transaction.atomic():
        message = locked_message(message)
        if message.status == Status.APPROVED or (
            message.status == Status.HELD and message.approved_at
        ):
            return message
        if message.status not in (Status.DRAFT, Status.HELD):
            raise ActionRefused(
                f"This message is {message.get_status_display().lower()}: "
                "only a message that has not gone out can be approved."
            )
        application = message.application
        if application.has_ended and message.stage not in Message.CLOSE_OUT_STAGES:
            # A stale draft of an ended application would only be cancelled by the dispatcher.
            raise ActionRefused(
                f"This application is {application.get_stage_display().lower()}: only its "
                "close-out notes can still go out. Skip this message, or reopen the "
                "application first if that was a mistake."
            )
        unfit = close_out_unfit(stage=message.stage, application=application)
        if unfit:
            # The dispatcher would cancel it anyway (the same rule): say so now instead.
            raise ActionRefused(
                f"{unfit} Skip this message, or change the application's stage first if "
                "that was a mistake."
            )
        if message.due_at is None:
            raise ActionRefused("Set a send time before approving.")
        findings = message_findings(message=message)
        if checks.has_blocking(findings, pestering_overridden=override_pestering):
            raise ApprovalBlocked(findings)
        now = timezone.now()
        pestering = [f for f in findings if f.code == "pestering"]
        fields: dict[str, object] = {"approved_at": now}
        if pestering:
            fields["pestering_override_at"] = now
        calendar, _ = selectors.cadence_inputs_for(user=user)
        fields["due_at"] = _approved_due_at(message.due_at, calendar=calendar, now=now)
        _require_room_in_cap(message, due_at=fields["due_at"], calendar=calendar)
        to = Status.HELD if message.status == Status.HELD else Status.APPROVED
        set_status(
            message,
            to=to,
            expect=(message.status,),
            reason=message.status_reason if to == Status.HELD else "",
            **fields,
        )
        if pestering:
            timeline_record(
                application=message.application,
                kind=Kind.NOTE,
                summary=f"You approved {message_label(message)} despite the pestering check",
                detail=" ".join(f.message for f in pestering),
                message=message,
                at=now,
            )
        timeline_record(
            application=message.application,
            kind=Kind.APPROVED,
            summary=f"{message_label(message)} approved",
            detail=f"Goes out {local_time_label(message.due_at, calendar)}."
            + (" It waits while the application is on hold." if to == Status.HELD else ""),
            message=message,
            at=now,
        )
    return message


def _require_verified(user: User) -> None:
    """Refuse while the user's login email is unverified (and verification is required)."""
    if needs_verification(user):
        raise ActionRefused(NOT_VERIFIED.format(email=user.email))


def _require_room_in_cap(
    message: Message, *, due_at: dt.datetime, calendar: SenderCalendar
) -> None:
    """Refuse one email more than the daily cap allows on the day it would go out."""
    refusal = daily_cap_refusal(
        user_id=message.user_id, message_id=message.pk, due_at=due_at, calendar=calendar
    )
    if refusal:
        raise ActionRefused(refusal)


def _approved_due_at(
    due_at: dt.datetime, *, calendar: SenderCalendar, now: dt.datetime
) -> dt.datetime:
    """When an approved message will really go out, inside the sender's send window.

    A time already past goes at the next moment inside the window, not at once at night
    (dispatch re-checks the window before sending too); the grace leaves "due now" alone
    (message_send_now claims right after approving). A later time outside the window would
    only wait for it at the dispatcher: it is approved for the moment it will really go.
    """
    if due_at < now - limits.PAST_DUE_GRACE:
        return send_window_start(calendar=calendar, at=now)
    if due_at > now:
        return send_window_start(calendar=calendar, at=due_at)
    return due_at


def message_unapprove(*, message: Message, user: User) -> Message:
    """Take back an approval: the message waits as a draft (or stays held, unapproved)."""
    require_owner(message, user)
    with transaction.atomic():
        message = locked_message(message)
        if message.approved_at is None or message.status not in (Status.APPROVED, Status.HELD):
            raise ActionRefused("Only an approved message that has not gone out can be unapproved.")
        to = Status.HELD if message.status == Status.HELD else Status.DRAFT
        set_status(
            message,
            to=to,
            expect=(message.status,),
            reason=message.status_reason if to == Status.HELD else "",
            approved_at=None,
            pestering_override_at=None,
        )
        timeline_record(
            application=message.application,
            kind=Kind.UNAPPROVED,
            summary=f"Approval of {message_label(message)} withdrawn",
            detail="It will not go out until you approve it again.",
            message=message,
        )
    return message


def message_send_now(
    *,
    message: Message,
    user: User,
    enqueue: Callable[[int], object],
    override_pestering: bool = False,
    now: dt.datetime | None = None,
) -> Message:
    """Approve (if the checks allow) and send at once: due now, claimed, handed to `enqueue`.

    1. A draft is moved to now first, so the checks judge the time it really goes out;
       message_approve then refuses it on errors (the whole step rolls back).
    2. An approved message is moved to now and checked again for that time.
    3. The claim (approved -> sending) is the dispatcher's own, so the beat cannot send it
       twice; `enqueue` (the send task's delay_on_commit) hands it over once the transaction
       has committed. "Now" skips the
       send window; the send task still re-checks the rest (§7), so a paused application
       holds it there.
    """
    require_owner(message, user)
    now = now or timezone.now()
    with transaction.atomic():
        message = locked_message(message)
        if message.status not in (Status.DRAFT, Status.APPROVED):
            raise ActionRefused(
                f"This message is {message.get_status_display().lower()}: it cannot be sent now."
            )
        was_approved = message.status == Status.APPROVED
        set_status(message, to=message.status, expect=(message.status,), due_at=now)
        if was_approved:
            # It was approved for a later time: judge it again at the time it now goes
            # out (a check-in the day after the thank-you is pestering). An override
            # already recorded at approval still counts. Today's cap too.
            _require_verified(user)
            calendar, _ = selectors.cadence_inputs_for(user=user)
            _require_room_in_cap(message, due_at=now, calendar=calendar)
            findings = message_findings(message=message)
            overridden = override_pestering or message.pestering_override_at is not None
            if checks.has_blocking(findings, pestering_overridden=overridden):
                raise ApprovalBlocked(findings)
            timeline_record(
                application=message.application,
                kind=Kind.NOTE,
                summary=f"{message_label(message)}: sending now at your request",
                message=message,
                at=now,
            )
        else:
            message = message_approve(
                message=message, user=user, override_pestering=override_pestering
            )
        if message_claim(message_id=message.pk, now=now):
            # The caller's send task (tasks sit above services), after the commit.
            enqueue(message.pk)
    message.refresh_from_db()
    return message


@dataclass(frozen=True)
class ApproveManyResult:
    approved: list[Message]
    # Shown drafts left waiting: blocked by the checks (pestering is never overridden in bulk).
    left: int


def messages_approve_many(*, user: User, ids: Iterable[int]) -> ApproveManyResult:
    """Approve the user's own drafts among `ids` that nothing blocks; ignore every other id.

    Ids of other users' messages, or of messages no longer drafts, simply match nothing.
    Each approval is its own transaction, so one refusal does not undo the others.
    """
    drafts = Message.objects.filter(user=user, pk__in=list(ids), status=Status.DRAFT).order_by(
        "due_at", "pk"
    )
    approved, left = [], 0
    for message in drafts:
        try:
            approved.append(message_approve(message=message, user=user))
        except ActionRefused:
            left += 1
    return ApproveManyResult(approved=approved, left=left)
