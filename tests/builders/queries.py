"""Reading an application's messages and timeline, and marking messages as if they went."""

from __future__ import annotations

import datetime as dt

from interviews.models import Application, Contact, Interview, TimelineEvent
from messaging.models import Message


def messages(application: Application, *stages: str, statuses=None) -> list[Message]:
    """The application's messages (of these stages and statuses), soonest due first."""
    found = Message.objects.filter(application=application)
    if stages:
        found = found.filter(stage__in=stages)
    if statuses is not None:
        found = found.filter(status__in=statuses)
    return list(found.order_by("due_at", "pk"))


def one(application: Application, stage: str, *, statuses=None) -> Message:
    """The application's only message of that stage."""
    (message,) = messages(application, stage, statuses=statuses)
    return message


def check_ins(application: Application, *, statuses=Message.PENDING_STATUSES) -> list[Message]:
    """The application's check-ins and second check-ins (pending ones unless told)."""
    return messages(
        application, Message.Stage.CHECK_IN, Message.Stage.SECOND_CHECK_IN, statuses=statuses
    )


def thank_yous(interview: Interview) -> dict[str, Message]:
    """The interview's thank-yous by the name of the contact each goes to."""
    return {
        m.contact.name: m for m in Message.objects.filter(interview=interview, stage="thank_you")
    }


def dana_thank_you(application: Application) -> Message:
    """The thank-you to Dana Whitfield of the panel interview (scenario.make_panel)."""
    return Message.objects.get(
        application=application, stage=Message.Stage.THANK_YOU, to_name__contains="Dana"
    )


def pending_to(contact: Contact, stage: str = Message.Stage.THANK_YOU) -> Message:
    """The one pending message of that stage to the contact."""
    return Message.objects.get(contact=contact, stage=stage, status__in=Message.PENDING_STATUSES)


def events(application: Application, kind: str) -> list[TimelineEvent]:
    """The application's timeline entries of one kind."""
    return list(TimelineEvent.objects.filter(application=application, kind=kind))


def timeline_kinds(message: Message) -> list[str]:
    """The kinds of the message's timeline entries, oldest first."""
    return list(
        TimelineEvent.objects.filter(message=message).order_by("pk").values_list("kind", flat=True)
    )


def mark_sent(message: Message, at: dt.datetime) -> None:
    """The message went at `at` (approved the day before), without the dispatcher."""
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.SENT, sent_at=at, approved_at=at - dt.timedelta(days=1)
    )


def mark_approved(message: Message, at: dt.datetime) -> None:
    """Approved as the user would have, without running the checks."""
    Message.objects.filter(pk=message.pk).update(status=Message.Status.APPROVED, approved_at=at)
