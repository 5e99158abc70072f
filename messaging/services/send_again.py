"""Sending an unconfirmed message again, at the user's word that a second copy is acceptable."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from followup.accounts.models import User
from interviews.models import TimelineEvent
from interviews.timeline import timeline_record
from messaging.models import Message
from messaging.services.locking import locked_message, require_owner
from messaging.services.refusals import ActionRefused
from messaging.status import message_label, set_status

Status = Message.Status

# What the user is asked to accept before an unconfirmed message goes again.
SEND_AGAIN_WARNING = (
    "The mail service never confirmed the first one, so it may already have reached them: "
    "sending it again may give them a second copy."
)


def message_send_again(
    *,
    message: Message,
    user: User,
    accept_second_copy: bool,
    now: dt.datetime | None = None,
) -> Message:
    """Put an unconfirmed message back to approved, due now, for the dispatcher to send.

    Only with `accept_second_copy`: the first attempt may have arrived, and this one
    would then be a second copy (SEND_AGAIN_WARNING). Same text, same Message-ID, so a
    second copy at least threads with the first in the recipient's mailbox. The approval
    stands: nothing about the email changed.
    """
    require_owner(message, user)
    if not accept_second_copy:
        raise ActionRefused(SEND_AGAIN_WARNING + " Confirm that this is all right to send it.")
    now = now or timezone.now()
    with transaction.atomic():
        message = locked_message(message)
        if message.status != Status.UNCONFIRMED:
            raise ActionRefused("Only a message whose sending was not confirmed can be sent again.")
        set_status(
            message,
            to=Status.APPROVED,
            expect=(Status.UNCONFIRMED,),
            due_at=now,
            claimed_at=None,
            send_started_at=None,
            outcome_unknown=False,
        )
        timeline_record(
            application=message.application,
            kind=TimelineEvent.Kind.NOTE,
            summary=f"Sending again at your request: {message_label(message)}",
            detail=SEND_AGAIN_WARNING,
            message=message,
            at=now,
        )
    message.refresh_from_db()
    return message
