"""The outgoing email of a message: sender identity, threading headers, both bodies."""

from __future__ import annotations

import email.utils
from email.headerregistry import Address

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from followup.accounts.services import profile_for
from messaging.models import Message
from messaging.reply_addresses import bcc_for, reply_to_for


def _address(name: str, addr_spec: str) -> str:
    """'Name <addr>' quoted where needed; the bare address when it does not parse."""
    try:
        return str(Address(display_name=name.strip(), addr_spec=addr_spec.strip()))
    except (ValueError, IndexError, TypeError):
        return addr_spec.strip()


def _our_address() -> str:
    """The address part of DEFAULT_FROM_EMAIL, the one our ESP has verified."""
    return email.utils.parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def build_email(
    *,
    message: Message,
    sender_name: str | None = None,
    own_mailbox: bool = False,
    copy_to_user: bool | None = None,
    reply_address: str | None = None,
) -> EmailMultiAlternatives:
    """The outgoing email for a message: sender identity, threading headers, both bodies.

    What the caller has read already it passes (a chunk reads each user's profile once):
    sender_name, the user's full name; copy_to_user, their profile's BCC switch;
    reply_address, the application's reply address ("" when replies are not set up).
    Left out, each is read here.
    own_mailbox: sent through the user's own SMTP server (messaging.mailbox): from their
    address, answered to it, no copy (their provider keeps it in their Sent folder).
    """
    name = sender_name if sender_name is not None else profile_for(user=message.user).full_name
    user_address = message.user.email
    bcc: list[str] = []
    if own_mailbox or settings.FOLLOWUP_SEND_AS_USER:
        # Their own server, or a deployment whose ESP has verified the users' own domains.
        from_email, reply_to = _address(name, user_address), []
    else:
        # ESPs send only from domains the account has verified, and receiving servers
        # check SPF/DKIM/DMARC against the From domain: the user's gmail.com address
        # would fail both. So the email comes from our verified address under the
        # user's name. Reply-To brings the answer to Followup's reply address for the
        # application when replies are set up (FOLLOWUP_REPLY_DOMAIN: the reply stops the
        # check-ins and is forwarded to the user), else to the user's own mailbox.
        from_email = _address(name, _our_address())
        if reply_address is None:
            reply_address = reply_to_for(message=message) or ""
        reply_to = [reply_address] if reply_address else [_address(name, user_address)]
        if copy_to_user is None:
            bcc = bcc_for(message=message)
        elif copy_to_user and user_address:
            bcc = [user_address]
    if not message.message_id.strip():
        # Drafting gives every message its Message-ID (replies are matched by it).
        raise ValueError("it has no Message-ID")
    headers = {"Message-ID": message.message_id}
    if message.in_reply_to:
        headers["In-Reply-To"] = message.in_reply_to
    references = " ".join(message.references.split()) or message.in_reply_to
    if references:
        headers["References"] = references
    mail = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=from_email,
        to=[_address(message.to_name, message.to_email)],
        bcc=bcc,
        reply_to=reply_to,
        headers=headers,
    )
    if message.body_html:
        mail.attach_alternative(message.body_html, "text/html")
    # Anymail passes these to the ESP, whose webhooks send them back: that is how a
    # delivery or bounce event finds its Message (webhooks.processing). Other backends
    # ignore them.
    mail.metadata = {"message_id": str(message.pk)}  # type: ignore[attr-defined]
    mail.tags = [str(message.stage)]  # type: ignore[attr-defined]
    return mail
