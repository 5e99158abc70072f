"""Side tasks that are not emails (etiquette spec §3), suggested on the timeline."""

from __future__ import annotations

from interviews.models import TimelineEvent
from interviews.timeline import timeline_record
from messaging.models import Message

Kind = TimelineEvent.Kind
Stage = Message.Stage
Status = Message.Status


def message_sent_side_tasks(*, message: Message) -> None:
    """After a thank-you has gone: suggest connecting with that person on LinkedIn (spec §3)."""
    if message.stage != Stage.THANK_YOU or message.status != Status.SENT:
        return
    name = message.to_name or (message.contact.name if message.contact else message.to_email)
    timeline_record(
        application=message.application,
        kind=Kind.TASK,
        summary=f"Connect with {name} on LinkedIn",
        detail="Your thank-you has gone out, so a connection request now feels natural. "
        "LinkedIn only: not personal networks.",
        message=message,
        at=message.sent_at,
    )
