"""The user's own changes to a message: edit, skip, snooze, and fix-and-retry after a failure."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.html import linebreaks, urlize

from followup.accounts.models import User
from followup.rules.calendar import (
    SenderCalendar,
    local_time_label,
)
from interviews.models import Application, Contact, TimelineEvent
from interviews.timeline import timeline_record
from messaging import selectors
from messaging.dispatch.sending import is_interrupted
from messaging.drafting.planning import replan_application
from messaging.models import Message
from messaging.services.approval import message_approve
from messaging.services.holds import application_holds_release
from messaging.services.locking import locked_message, require_owner
from messaging.services.refusals import ActionRefused
from messaging.status import (
    APPROVAL_COVERS,
    address_bounced,
    message_label,
    message_rewrite,
    set_status,
)

Kind = TimelineEvent.Kind
Stage = Message.Stage
Status = Message.Status


def text_to_html(text: str) -> str:
    """The HTML part of a hand-written text: escaped, links clickable, paragraphs kept."""
    # urlize escapes everything but the links it makes; linebreaks must not escape again.
    return linebreaks(urlize(text, nofollow=True, autoescape=True), autoescape=False)


def message_edit(
    *,
    message: Message,
    user: User,
    to_email: str,
    subject: str,
    body_text: str,
    due_at: dt.datetime,
) -> Message:
    """Save the user's own version; re-planning leaves it alone from now on.

    A new subject, body or recipient makes it a hand edit (edited_by_user: never re-rendered);
    a new send time alone only marks the time as theirs (time_set_by_user: re-planning keeps
    the time but still re-renders the text).

    An approved message that changes goes back to needing approval: the user approved
    the old text and time, not the new ones.
    """
    require_owner(message, user)
    with transaction.atomic():
        message = locked_message(message)
        if message.status not in Message.PENDING_STATUSES:
            raise ActionRefused(
                f"This message is {message.get_status_display().lower()}: "
                "it can no longer be edited."
            )
        fields = _edited_fields(
            message, to_email=to_email, subject=subject, body_text=body_text, due_at=due_at
        )
        if not fields:
            return message
        old_due_at = message.due_at
        # The user approved the old text, recipient AND time: a new time needs approval too.
        rewrite = message_rewrite(message, changes=fields, covers=(*APPROVAL_COVERS, "due_at"))
        if not rewrite.saved:
            raise ActionRefused("This message changed meanwhile; reload and try again.")
        if rewrite.unapproved:
            summary = f"{message_label(message)} edited after approval: needs approval again"
        else:
            summary = f"{message_label(message)} edited"
        calendar, _ = selectors.cadence_inputs_for(user=user)
        timeline_record(
            application=message.application,
            kind=Kind.EDITED,
            summary=summary,
            detail=f"Due {local_time_label(due_at, calendar)}.",
            message=message,
        )
        retimed_thank_you = message.stage == Stage.THANK_YOU and old_due_at != due_at
        # Held because the old address bounced: a new one lets it go, unless another hold
        # (a pause, an out-of-office) still applies.
        readdressed_hold = (
            message.status == Status.HELD and "to_email" in fields and not address_bounced(message)
        )
    if readdressed_hold:
        application_holds_release(
            Application.objects.get(pk=message.application_id),
            now=timezone.now(),
            why="You changed the address of a message held after a bounce.",
        )
        message.refresh_from_db()
    elif retimed_thank_you:
        _replan_after_thank_you_moved(message)
    return message


def _edited_fields(
    message: Message, *, to_email: str, subject: str, body_text: str, due_at: dt.datetime
) -> dict[str, object]:
    """What an edit writes ({} when nothing changed): a hand edit, a chosen time, or both."""
    text_changed = (
        message.to_email != to_email or message.subject != subject or message.body_text != body_text
    )
    if not text_changed and message.due_at == due_at:
        return {}
    fields: dict[str, object] = {"due_at": due_at}
    if text_changed:
        # Only the words and the recipient make it the user's own version.
        fields.update(
            to_email=to_email,
            subject=subject,
            body_text=body_text,
            body_html=text_to_html(body_text),
            edited_by_user=True,
        )
        contact = message.contact
        if contact is not None and not _same_person(contact, to_email):
            # An address for someone else: the contact's name would mislabel it.
            fields["to_name"] = "" if message.to_name == contact.name else message.to_name
    if message.due_at != due_at:
        # A chosen time alone: re-planning keeps it, yet may still re-render the text.
        fields["time_set_by_user"] = True
    return fields


def _replan_after_thank_you_moved(message: Message) -> None:
    """The check-ins keep their distance from a thank-you the user moved (spec §8).

    Its own transaction, after the message's: re-planning locks the application before its
    messages, so it must not run while this message's row is still locked.
    """
    application = Application.objects.get(pk=message.application_id)
    if application.has_ended:
        return
    replan_application(
        application=application, reason="The thank-you was moved: the check-ins follow it."
    )


def _same_person(contact: Contact, to_email: str) -> bool:
    """Whether an address is (likely) the contact's own: theirs, or one with their name in it."""
    address = to_email.strip().lower()
    if address == contact.email.strip().lower():
        return True
    local_part = address.partition("@")[0]
    names = {contact.first_name.lower(), contact.last_name.lower()} - {""}
    return any(name in local_part for name in names if len(name) > 1)


def message_skip(*, message: Message, user: User, reason: str) -> Message:
    """Decide not to send a message; the reason stays on the timeline."""
    require_owner(message, user)
    reason = reason.strip() or "Skipped by you."
    with transaction.atomic():
        message = locked_message(message)
        if not set_status(
            message, to=Status.SKIPPED, expect=Message.PENDING_STATUSES, reason=reason
        ):
            raise ActionRefused(
                f"This message is {message.get_status_display().lower()}: "
                "it can no longer be skipped."
            )
        timeline_record(
            application=message.application,
            kind=Kind.SKIPPED,
            summary=f"{message_label(message)} skipped",
            detail=reason,
            message=message,
        )
    return message


TOMORROW_MORNING = "tomorrow"
NEXT_MONDAY = "next_monday"
SNOOZE_PRESETS = {TOMORROW_MORNING: "Tomorrow morning", NEXT_MONDAY: "Next Monday morning"}


def snooze_preset_time(*, preset: str, now: dt.datetime, calendar: SenderCalendar) -> dt.datetime:
    """When a snooze preset ends: the send window's start tomorrow, or on the coming Monday."""
    today = calendar.local_date(now)
    if preset == TOMORROW_MORNING:
        day = today + dt.timedelta(days=1)
    elif preset == NEXT_MONDAY:
        # Strictly after today: on a Monday, "next Monday" is a week away.
        day = today + dt.timedelta(days=(7 - today.weekday()) or 7)
    else:
        raise ValueError(f"Unknown snooze preset: {preset!r}")
    return calendar.window_opens(day)


def message_snooze(*, message: Message, user: User, until: dt.datetime) -> Message:
    """Move a draft to a later time (never earlier); it stays a draft in the queue.

    Marked time_set_by_user so that re-planning (which re-times untouched drafts) does not
    pull it back to the cadence's time the user just chose to leave; its text still follows
    later changes (a company renamed), as it was not edited.
    """
    require_owner(message, user)
    with transaction.atomic():
        message = locked_message(message)
        if message.status != Status.DRAFT:
            raise ActionRefused(
                f"This message is {message.get_status_display().lower()}: "
                "only a draft waiting for approval can be snoozed."
            )
        old = message.due_at
        calendar, _ = selectors.cadence_inputs_for(user=user)
        if old is not None and until <= old:
            # Snoozing puts off; bringing a message forward is an edit (or "send now").
            raise ActionRefused(
                "Snooze only moves a message later: it is already due "
                f"{local_time_label(old, calendar)}. "
                "Pick a later time, or edit the message to send it sooner."
            )
        set_status(
            message, to=Status.DRAFT, expect=(Status.DRAFT,), due_at=until, time_set_by_user=True
        )
        timeline_record(
            application=message.application,
            kind=Kind.NOTE,
            summary=f"{message_label(message)} snoozed to {local_time_label(until, calendar)}",
            detail=f"It was due {local_time_label(old, calendar)}." if old else "",
            message=message,
        )
    if message.stage == Stage.THANK_YOU:
        _replan_after_thank_you_moved(message)
    return message


def message_retry(
    *,
    message: Message,
    user: User,
    to_email: str,
    subject: str,
    body_text: str,
    override_pestering: bool = False,
    confirmed_not_delivered: bool = False,
    now: dt.datetime | None = None,
) -> Message:
    """Fix a message the ESP refused and send it again: the user's version, approved, due now.

    An interrupted send may have arrived, so it is retried only once the user confirms
    it did not. All or nothing: if the checks refuse the new version, it stays failed.
    A retried thank-you moves the check-ins after it, as an edit to its time would.
    """
    require_owner(message, user)
    now = now or timezone.now()
    with transaction.atomic():
        message = locked_message(message)
        if message.status != Status.FAILED:
            raise ActionRefused("Only a message that failed to send can be retried.")
        if is_interrupted(message) and not confirmed_not_delivered:
            raise ActionRefused(
                "This one may have arrived. Check with the recipient or its delivery status "
                "on the Not confirmed tab, then confirm it did not arrive before retrying."
            )
        reason = message.status_reason
        set_status(
            message,
            to=Status.DRAFT,
            expect=(Status.FAILED,),
            due_at=now,
            approved_at=None,
            claimed_at=None,
            send_started_at=None,
            outcome_unknown=False,
        )
        timeline_record(
            application=message.application,
            kind=Kind.NOTE,
            summary=f"Retrying {message_label(message)} after it failed",
            detail=f"It failed with: {reason}" if reason else "",
            message=message,
            at=now,
        )
        message = message_edit(
            message=message,
            user=user,
            to_email=to_email,
            subject=subject,
            body_text=body_text,
            due_at=now,
        )
        message = message_approve(message=message, user=user, override_pestering=override_pestering)
    if message.stage == Stage.THANK_YOU:
        # It now goes out later than planned: the check-ins keep their distance from it.
        # message_edit cannot see the move (due_at was set above), so re-plan here, after the
        # commit (re-planning locks the application before its messages).
        _replan_after_thank_you_moved(message)
    return message
