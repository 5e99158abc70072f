"""Calendar invitations the user forwards to Followup: kept for "Log from an invitation".

Issue 12: besides uploading or pasting it, the user may forward the invitation email to the
inbound address. Such a mail is not a reply: it comes from the user themselves (their own
address, vouched for by SPF or DKIM, since anyone can write any From) and carries a calendar
part. It is kept, owned by them, until they open it on the import page.
"""

from __future__ import annotations

from anymail.inbound import AnymailInboundMessage

from followup.accounts.models import User
from messaging.inbound_mail import inbound_message_of, sender_of, subject_of
from messaging.models import EmailEvent, InboundEmail
from messaging.webhooks.authentication import sender_authenticated

CALENDAR_TYPES = frozenset({"text/calendar", "application/ics", "application/x-ics"})


def calendar_parts(inbound_message: AnymailInboundMessage) -> list[bytes]:
    """Every calendar part of an email (an invitation's text/calendar, an .ics attachment)."""
    parts = []
    for part in inbound_message.walk():
        if part.is_multipart():
            continue
        name = (part.get_filename() or "").lower()
        if part.get_content_type() in CALENDAR_TYPES or name.endswith(".ics"):
            data = part.get_payload(decode=True)
            if data:
                parts.append(data)
    return parts


def forwarded_invitation_keep(
    *, event: EmailEvent, inbound_message: AnymailInboundMessage, received_at
) -> bool:
    """Keep the email for its user when it is an invitation they forwarded; whether it was."""
    sender, problem = sender_of(inbound_message)
    if problem or not calendar_parts(inbound_message):
        return False
    user = User.objects.filter(email__iexact=sender, is_active=True).first()
    if user is None or not sender_authenticated(inbound_message, sender):
        return False
    event.user = user
    event.save(update_fields=["user"])
    InboundEmail.objects.get_or_create(
        event=event,
        defaults={
            "user": user,
            "state": InboundEmail.State.INVITATION,
            "sender": sender[:300],
            "subject": " ".join(subject_of(inbound_message).split())[:500],
            "received_at": received_at,
        },
    )
    return True


def forwarded_invitations(*, user: User, limit: int = 10) -> list[InboundEmail]:
    """The invitations the user forwarded and has not used yet, newest first."""
    return list(
        InboundEmail.objects.filter(user=user, state=InboundEmail.State.INVITATION)
        .select_related("event")
        .defer("event__payload")  # the raw mail: read only for the one the user opens
        .order_by("-received_at", "-pk")[:limit]
    )


def forwarded_invitation_data(inbound: InboundEmail) -> bytes:
    """The first calendar part of a forwarded invitation (empty once the raw mail is pruned)."""
    parts = calendar_parts(inbound_message_of(inbound.event.payload))
    return parts[0] if parts else b""


def forwarded_invitation_used(inbound: InboundEmail) -> None:
    """Off the list once opened in the log form (the raw mail stays until it is pruned)."""
    InboundEmail.objects.filter(pk=inbound.pk).update(state=InboundEmail.State.DISCARDED)
