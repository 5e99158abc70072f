"""The rows a service works on, locked in the one order: the Application, then its Messages.

Every operation runs in one transaction and takes row locks in that order, as re-planning and
the dispatcher do, so a double click, a webhook and the dispatcher queue instead of
deadlocking.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from followup.accounts.models import User
from interviews.locks import lock_application
from interviews.models import Application, TimelineEvent
from messaging.models import Message

Kind = TimelineEvent.Kind
Stage = Message.Stage
Status = Message.Status


def require_owner(obj: Message | Application, user: User) -> None:
    """Services trust their callers less than views do: another user's row is refused."""
    if obj.user_id != user.pk:
        raise PermissionDenied("Not yours.")


def message_for_update(pk: int) -> QuerySet[Message]:
    """One message row to lock by itself: of=("self",), so no join ever locks another table."""
    return Message.objects.select_for_update(of=("self",)).filter(pk=pk)


def locked_message(message: Message) -> Message:
    """The message re-read under its row lock, its application locked first (copies go stale)."""
    # Application before Message, as re-planning takes them: the other order deadlocks.
    application = lock_application(message.application_id)
    locked = message_for_update(message.pk).get()
    locked.application = application
    return locked


def pending_messages(application: Application, *stages: str) -> list[Message]:
    """The application's messages that may still go out, optionally of some stages only."""
    # of=("self",): only these rows; the caller holds the application's lock already.
    messages = Message.objects.select_for_update(of=("self",)).filter(
        application=application, status__in=Message.PENDING_STATUSES
    )
    if stages:
        messages = messages.filter(stage__in=stages)
    return list(messages.select_related("application").order_by("due_at", "pk"))
