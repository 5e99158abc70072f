"""The embedded default's email backend: a local outbox instead of the internet."""

from __future__ import annotations

import email.utils
from collections.abc import Sequence

from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.db.models import Q

from messaging.models import OutboxEmail


class OutboxStatus:
    """The part of Anymail's `anymail_status` the dispatcher reads."""

    def __init__(self, message_id: str) -> None:
        self.message_id = message_id
        self.status = {"queued"}


class OutboxEmailBackend(BaseEmailBackend):
    """Store each email in OutboxEmail, owned by the user who sent or receives it."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = 0
        for message in email_messages:
            if not message.recipients():
                continue
            headers = {str(k): str(v) for k, v in (message.extra_headers or {}).items()}
            message_id = headers.get("Message-ID") or email.utils.make_msgid(
                domain="followup.local"
            )
            headers["Message-ID"] = message_id
            if message.reply_to:
                # Not an extra header in Django's EmailMessage, but where replies go: kept too.
                headers.setdefault("Reply-To", ", ".join(map(str, message.reply_to)))
            html = ""
            if isinstance(message, EmailMultiAlternatives):
                for content, mimetype in message.alternatives:
                    if mimetype == "text/html":
                        html = str(content)
            OutboxEmail.objects.create(
                user=self._owner(message),
                from_email=str(message.from_email),
                to="\n".join(message.recipients()),
                subject=str(message.subject),
                body_text=str(message.body),
                body_html=html,
                headers=headers,
                message_id=message_id,
            )
            message.anymail_status = OutboxStatus(message_id)  # type: ignore[attr-defined]
            sent += 1
        return sent

    @staticmethod
    def _owner(message: EmailMessage):
        """The sender's account, else the recipient's (password reset mails)."""
        addresses = [email.utils.parseaddr(str(message.from_email))[1]]
        addresses += [email.utils.parseaddr(a)[1] for a in message.reply_to]
        addresses += [email.utils.parseaddr(a)[1] for a in message.recipients()]
        query = Q()
        for address in addresses:
            if address:
                query |= Q(email__iexact=address)
        if not query:
            return None
        by_email = {u.email.lower(): u for u in get_user_model().objects.filter(query)}
        for address in addresses:
            if address and address.lower() in by_email:
                return by_email[address.lower()]
        return None
