"""Inbound email is stored exactly as received and read from those bytes, however odd it is."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
import time_machine
from anymail.inbound import AnymailInboundMessage
from anymail.signals import AnymailInboundEvent, EventType

from messaging.models import EmailEvent, Reply
from messaging.receivers import email_event_store
from tests.builders.webhooks import in_reply_to, inbound, raw_email

NOW = dt.datetime(2025, 3, 12, 15, 0, tzinfo=dt.UTC)  # a Wednesday
THREAD = "<thank-you-1@followup.example>"  # the `sent` fixture's Message-ID
THREAD_HEADERS = (
    "To: Alex Morgan <alex@example.com>",
    f"In-Reply-To: {THREAD}",
    f"References: {THREAD}",
    "Message-ID: <reply-9@acme.example>",
)


def _stored_bytes(event: EmailEvent) -> bytes:
    return base64.b64decode(event.payload["raw_base64"])


@time_machine.travel(NOW)
@pytest.mark.parametrize(
    "from_header",
    [
        "From: Dana <Boss> Richardson <dana@acme.example>",
        'From: "Dana \\"The Boss\\" <Richardson>" <dana@acme.example>',
        "From: " + 'Dana "Boss" <Richardson> ' * 4 + "<dana@acme.example>",
        'From: "Dana <dana@evil.example>" <dana@acme.example>',
    ],
)
def test_a_hostile_display_name_is_stored_as_received_and_read(post, sent, from_header):
    raw = raw_email(from_header, *THREAD_HEADERS, "Subject: Re: Thank you")

    assert post("inbound", inbound(raw=raw)).status_code == 200

    event = EmailEvent.objects.get()
    assert _stored_bytes(event) == raw.encode()
    assert event.failed_at is None
    assert event.processed_at is not None
    assert event.recipient == "dana@acme.example"
    assert Reply.objects.get().application == sent.application


@time_machine.travel(NOW)
def test_encoded_words_are_decoded(post, sent):
    raw = raw_email(
        "From: =?utf-8?q?R=C3=BCdiger=2C_Dana?= <dana@acme.example>",
        *THREAD_HEADERS,
        "Subject: =?utf-8?b?UmU6IERhbmtlIHNjaMO2bg==?=",
    )

    post("inbound", inbound(raw=raw))

    assert Reply.objects.get().detail.startswith("Subject: Re: Danke schön\n\n")


@time_machine.travel(NOW)
@pytest.mark.parametrize(
    ("charset", "body", "expected"),
    [
        ("iso-8859-1", "Grüße, Dana — à bientôt".encode("cp1252"), "Grüße, Dana — à bientôt"),
        ("windows-1252", "Thanks — “great” talk".encode("cp1252"), "Thanks — “great” talk"),
        ("utf-8", b"Bad bytes \xff\xfe here, \x00 and done", "Bad bytes"),
    ],
)
def test_8bit_bodies_in_any_charset_are_stored_byte_for_byte_and_read(
    sent, django_capture_on_commit_callbacks, charset, body, expected
):
    raw = (
        "\r\n".join(
            [
                "From: Dana Richardson <dana@acme.example>",
                *THREAD_HEADERS,
                "Subject: Re: Thank you",
                "MIME-Version: 1.0",
                f"Content-Type: text/plain; charset={charset}",
                "Content-Transfer-Encoding: 8bit",
                "",
                "",
            ]
        ).encode()
        + body
        + b"\r\n"
    )
    message = AnymailInboundMessage.parse_raw_mime_bytes(raw)
    event = AnymailInboundEvent(event_type=EventType.INBOUND, event_id="raw-1", message=message)

    with django_capture_on_commit_callbacks(execute=True):
        email_event_store(event=event, esp_name="Postmark")

    stored = EmailEvent.objects.get()
    assert _stored_bytes(stored) == raw
    assert stored.failed_at is None
    assert expected in Reply.objects.get().detail


@time_machine.travel(NOW)
def test_a_giant_references_header_is_stored_whole_and_still_matched(post, sent):
    references = " ".join(f"<old-{i}@acme.example>" for i in range(20_000))
    raw = raw_email(
        "From: Dana Richardson <dana@acme.example>",
        "To: alex@example.com",
        f"In-Reply-To: {THREAD}",
        f"References: {references} {THREAD}",
        "Subject: Re: Thank you",
    )

    post("inbound", inbound(raw=raw))

    assert _stored_bytes(EmailEvent.objects.get()) == raw.encode()
    assert Reply.objects.get().application == sent.application


@time_machine.travel(NOW)
@pytest.mark.parametrize(
    "from_header",
    [None, "From: undisclosed-recipients:;", "From: a@b.example, c@d.example", "From: Dana"],
)
def test_a_mail_without_a_usable_from_is_stored_and_marked_failed(post, sent, from_header):
    headers = [from_header] if from_header else []
    raw = raw_email(*headers, *THREAD_HEADERS, "Subject: Re: Thank you")

    assert post("inbound", inbound(raw=raw)).status_code == 200

    event = EmailEvent.objects.get()
    assert _stored_bytes(event) == raw.encode()
    assert event.processed_at is None
    assert event.failed_at is not None
    assert "From" in event.failure
    assert not Reply.objects.exists()


@time_machine.travel(NOW)
def test_a_mail_without_raw_mime_is_stored_as_anymail_built_it(post, sent):
    post(
        "inbound", inbound(sender_name='Dana "The Boss" <Richardson>', headers=in_reply_to(THREAD))
    )

    event = EmailEvent.objects.get()
    assert b"dana@acme.example" in _stored_bytes(event)
    assert Reply.objects.get().application == sent.application
