"""Inbound emails no application matched: listed for their user, assigned or discarded by hand."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet

from followup.accounts.models import User
from interviews.models import Application
from messaging.inbound_mail import inbound_message_of, sender_of
from messaging.models import InboundEmail
from messaging.services.refusals import ActionRefused
from messaging.webhooks.inbound import Received, inbound_reply_apply, received_of
from messaging.webhooks.matching import InboundMatch

State = InboundEmail.State
ALREADY_HANDLED = "That email was already assigned or discarded."


def unmatched_for(*, user: User) -> QuerySet[InboundEmail]:
    """The user's unmatched inbound emails, newest first."""
    return InboundEmail.objects.filter(user=user, state=State.UNMATCHED).order_by(
        "-received_at", "-pk"
    )


def unmatched_count(*, user: User) -> int:
    """How many inbound emails wait for the user to assign or discard them."""
    return unmatched_for(user=user).count()


def _claim(*, inbound_id: int, user: User) -> InboundEmail:
    """The user's unmatched email, locked; ActionRefused when it was handled meanwhile."""
    inbound = (
        InboundEmail.objects.select_for_update()
        .select_related("event")
        .filter(pk=inbound_id, user=user)
        .first()
    )
    if inbound is None or inbound.state != State.UNMATCHED:
        raise ActionRefused(ALREADY_HANDLED)
    return inbound


def unmatched_assign(*, inbound_id: int, application: Application, user: User) -> str:
    """Take an unmatched email as a reply on one of the user's applications: the same effects
    as a matched one (the check-ins stop, or wait for an out-of-office); the kind taken as.

    The user vouches for it, so no SPF or DKIM check applies.
    """
    if application.user_id != user.pk:
        raise ActionRefused("That application is not yours.")
    with transaction.atomic():
        inbound = _claim(inbound_id=inbound_id, user=user)
        event = inbound.event
        message = inbound_message_of(event.payload)
        received = (
            received_of(inbound_message=message, event=event)
            if not sender_of(message)[1]
            # Its raw mail was pruned (FOLLOWUP_RAW_MAIL_RETENTION_DAYS): what was kept.
            else Received(
                sender=inbound.sender,
                sender_name=inbound.sender_name,
                subject=inbound.subject,
                text=inbound.snippet,
                at=inbound.received_at,
                automatic=False,
                recipients=frozenset({user.email.lower()}),
            )
        )
        contact = application.company.contacts.filter(email__iexact=received.sender).first()
        match = InboundMatch(
            application=application,
            contact=contact,
            message=None,
            route=InboundEmail.Route.BY_HAND,
        )
        return inbound_reply_apply(event=event, match=match, received=received)


def unmatched_discard(*, inbound_id: int, user: User) -> None:
    """Drop an unmatched email from the list: it changes nothing."""
    with transaction.atomic():
        inbound = _claim(inbound_id=inbound_id, user=user)
        inbound.state = State.DISCARDED
        inbound.save(update_fields=["state"])
