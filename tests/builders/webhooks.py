"""The webhook URLs as they load with a secret, and the Postmark payloads posted to them."""

from __future__ import annotations

import base64
import contextlib
import importlib
import uuid
from collections.abc import Iterator

from django.test import override_settings
from django.urls import clear_url_caches, get_resolver
from django.utils import timezone

from followup.accounts.models import User
from messaging.inbound_mail import RAW_KEY
from messaging.models import EmailEvent, InboundEmail, Message

SECRET = "hooks:s3cret-words"


def basic_auth(secret: str = SECRET) -> dict[str, str]:
    """The Authorization header an ESP sends with the webhook secret."""
    return {"HTTP_AUTHORIZATION": f"Basic {base64.b64encode(secret.encode()).decode()}"}


def anymail_webhook_paths() -> dict[str, str]:
    """Every webhook URL Anymail knows, by its URL name, as mounted under /anymail/."""
    from anymail import urls

    resolver = get_resolver(urls)
    return {p.name: f"/anymail/{resolver.reverse(p.name)}" for p in urls.urlpatterns}


@contextlib.contextmanager
def webhook_urls(backend: str | None = None, **anymail: str) -> Iterator[None]:
    """The project's URLs as they load with these ANYMAIL settings (urls.py reads them once).

    With `backend`, as they load with that EMAIL_BACKEND (only while loading: the tests
    still send through the test settings' backend).
    """
    import followup.urls

    try:
        with override_settings(ANYMAIL=anymail):
            with override_settings(**({"EMAIL_BACKEND": backend} if backend else {})):
                importlib.reload(followup.urls)
            clear_url_caches()
            yield
    finally:
        importlib.reload(followup.urls)
        clear_url_caches()


def delivery(message: Message) -> dict:
    """Postmark's delivery report for a message it took."""
    return {
        "RecordType": "Delivery",
        "ServerID": 23,
        "MessageStream": "outbound",
        "MessageID": message.esp_message_id,
        "Recipient": message.to_email,
        "Tag": "thank_you",
        "DeliveredAt": "2025-03-12T15:00:01.907Z",
        "Details": "smtp;250 2.0.0 OK",
        "Metadata": {"message_id": str(message.pk)},
    }


def bounce(message: Message) -> dict:
    """Postmark's hard bounce of a message it took."""
    return {
        "RecordType": "Bounce",
        "ID": 4323372036854775807,
        "Type": "HardBounce",
        "TypeCode": 1,
        "Name": "Hard bounce",
        "MessageID": message.esp_message_id,
        "Metadata": {"message_id": str(message.pk)},
        "Description": "The mailbox does not exist.",
        "Details": "smtp;550 5.1.1 unknown user",
        "Email": message.to_email,
        "From": "send@followup.example",
        "BouncedAt": "2025-03-12T15:00:02Z",
        "Inactive": True,
        "CanActivate": True,
        "Subject": message.subject,
    }


def inbound(
    *,
    sender: str = "dana@acme.example",
    subject: str = "Re: Thank you - Data Engineer interview",
    text: str = "Thanks Alex, we will be in touch next week.",
    headers: list[dict] | None = None,
    message_id: str = "73e6d360-66eb-11e1-8e72-a8904824019b",
    to: str = "alex@example.com",
    sender_name: str = "Dana Richardson",
    raw: str | None = None,
) -> dict:
    """An email Postmark received for `to` (the user; several: comma-separated), from Dana.

    With `raw`, the payload carries the whole message as Postmark's RawEmail (what Anymail
    then reads instead of the parsed fields).
    """
    payload = {
        "FromName": sender_name,
        "From": sender,
        "FromFull": {"Email": sender, "Name": sender_name, "MailboxHash": ""},
        "To": to,
        "ToFull": [{"Email": a.strip(), "Name": "", "MailboxHash": ""} for a in to.split(",")],
        "CcFull": [],
        "BccFull": [],
        "OriginalRecipient": to.split(",")[0].strip(),
        "Subject": subject,
        "MessageID": message_id,
        "Date": "Wed, 12 Mar 2025 10:30:00 -0400",
        "TextBody": text,
        "HtmlBody": "",
        "StrippedTextReply": "",
        "Headers": headers or [],
        "Attachments": [],
    }
    if raw is not None:
        payload["RawEmail"] = raw
    return payload


def raw_email(*header_lines: str, body: str = "Thanks Alex, see you Friday.") -> str:
    """A whole message as received: these header lines, a Date, then the body (CRLF lines)."""
    head = [*header_lines, "Date: Wed, 12 Mar 2025 10:30:00 -0400"]
    return "\r\n".join(head) + "\r\n\r\n" + body.replace("\n", "\r\n") + "\r\n"


def in_reply_to(message_id: str) -> list[dict]:
    """The thread headers of a reply to `message_id`."""
    return [
        {"Name": "Message-ID", "Value": "<reply-1@acme.example>"},
        {"Name": "In-Reply-To", "Value": message_id},
        {"Name": "References", "Value": message_id},
    ]


def make_unmatched(
    user: User,
    *,
    sender: str = "someone@elsewhere.example",
    subject: str = "A question about your application",
    text: str = "Hello Alex, could you send me your portfolio?",
) -> InboundEmail:
    """An inbound email to the user that matched none of their applications (processed)."""
    raw = raw_email(
        f"From: Robin Stone <{sender}>",
        f"To: {user.email}",
        f"Subject: {subject}",
        f"Message-ID: <{uuid.uuid4()}@elsewhere.example>",
        body=text,
    )
    event = EmailEvent.objects.create(
        event_id=f"test:{uuid.uuid4()}",
        esp_name="postmark",
        event_type="inbound",
        recipient=sender,
        user=user,
        processed_at=timezone.now(),
        payload={RAW_KEY: base64.b64encode(raw.encode()).decode("ascii")},
    )
    return InboundEmail.objects.create(
        event=event,
        user=user,
        state=InboundEmail.State.UNMATCHED,
        sender=sender,
        sender_name="Robin Stone",
        subject=subject,
        snippet=text,
        received_at=timezone.now(),
    )
