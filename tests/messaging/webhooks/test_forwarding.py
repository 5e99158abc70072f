"""Each matched answer goes on to the user's own mailbox, once; a failed forward loses nothing."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage

import pytest
from django.core import mail
from django.utils import timezone

from interviews.models import TimelineEvent
from messaging.forwarding import forward_inbound_email, forwards_recover, inbound_forward
from messaging.models import InboundEmail, Message, Reply
from messaging.reply_addresses import reply_address_for
from tests.builders.messages import make_message
from tests.builders.webhooks import SECRET, inbound
from tests.fakeesp import Answer, FakePostmark

Forward = InboundEmail.Forward
Status = Message.Status
DOMAIN = "replies.followup.example"
PDF = b"%PDF-1.4 the offer letter"
PNG = b"\x89PNG\r\n\x1a\n the logo"


@pytest.fixture(autouse=True)
def _reply_domain(settings):
    settings.FOLLOWUP_REPLY_DOMAIN = DOMAIN
    settings.DEFAULT_FROM_EMAIL = "Followup <send@followup.example>"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def esp(settings):
    """Anymail's real Postmark backend, talking to a fake Postmark on 127.0.0.1."""
    with FakePostmark() as fake:
        settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
        settings.ANYMAIL = {
            "POSTMARK_SERVER_TOKEN": "test-token",
            "POSTMARK_API_URL": fake.url,
            "REQUESTS_TIMEOUT": 2,
            "WEBHOOK_SECRET": SECRET,
        }
        yield fake


@pytest.fixture
def check_in(sent) -> Message:
    return make_message(
        sent.application, contact=sent.contact, stage="check_in", status=Status.DRAFT
    )


def to_reply_address(sent: Message) -> str:
    return f"reply-{reply_address_for(application=sent.application).token}@{DOMAIN}"


def answer_with_attachment(sent: Message) -> str:
    """Dana's answer to the reply address, as received: text, HTML and a PDF."""
    message = EmailMessage()
    message["From"] = "Dana Richardson <dana@acme.example>"
    message["To"] = to_reply_address(sent)
    message["Subject"] = "Re: Thank you - Data Engineer interview"
    message["Message-ID"] = "<answer-1@acme.example>"
    message["In-Reply-To"] = sent.message_id
    message["References"] = sent.message_id
    message["Date"] = "Wed, 12 Mar 2025 10:30:00 -0400"
    # Apple Mail marks its text part inline: it is the body, not an attachment.
    message.set_content("Thanks Alex, the offer letter is attached.", disposition="inline")
    message.add_alternative("<p>Thanks Alex, the offer letter is attached.</p>", subtype="html")
    message.get_payload()[1].add_related(
        PNG, maintype="image", subtype="png", cid="<logo@acme.example>", filename="logo.png"
    )
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="offer.pdf")
    return message.as_string()


def test_a_reply_is_forwarded_to_the_user_as_it_came(post, sent, check_in):
    payload = inbound(
        to=to_reply_address(sent),
        raw=answer_with_attachment(sent),
    )

    post("inbound", payload)

    [forward] = mail.outbox
    assert forward.from_email == "Dana Richardson via Followup <send@followup.example>"
    assert forward.to == ["alex@example.com"]
    assert forward.reply_to == ["Dana Richardson <dana@acme.example>"]
    assert forward.subject == "Re: Thank you - Data Engineer interview"
    assert forward.body.strip() == "Thanks Alex, the offer letter is attached."
    assert forward.alternatives[0][0].strip() == "<p>Thanks Alex, the offer letter is attached.</p>"
    assert forward.extra_headers["In-Reply-To"] == sent.message_id
    assert forward.extra_headers["References"] == sent.message_id
    assert forward.extra_headers["Auto-Submitted"] == "auto-generated"
    attached = {a.get_filename(): a for a in forward.attachments}
    assert sorted(attached) == ["logo.png", "offer.pdf"]
    assert attached["offer.pdf"].get_payload(decode=True) == PDF
    assert attached["logo.png"].get_payload(decode=True) == PNG
    assert attached["logo.png"]["Content-ID"] == "<logo@acme.example>"
    record = InboundEmail.objects.get()
    assert record.forward_status == Forward.SENT
    assert record.forwarded_at is not None
    assert Message.objects.get(pk=check_in.pk).status == Status.CANCELLED


def test_a_forward_goes_out_once_however_often_its_task_runs(post, sent):
    post("inbound", inbound(to=to_reply_address(sent)))
    record = InboundEmail.objects.get()

    forward_inbound_email.delay(record.pk)
    assert inbound_forward(inbound_id=record.pk, from_address="send@followup.example") == "sent"

    assert len(mail.outbox) == 1
    record.refresh_from_db()
    assert record.forward_attempts == 1


def test_a_forward_the_esp_turned_away_for_now_is_retried(post, sent, esp):
    esp.answer(429, {"ErrorCode": 429, "Message": "Rate limit exceeded"})

    post("inbound", inbound(to=to_reply_address(sent)))

    record = InboundEmail.objects.get()
    assert [r.json["To"] for r in esp.requests] == ["alex@example.com"] * 2
    assert record.forward_status == Forward.SENT
    assert record.forward_attempts == 2
    assert esp.requests[-1].json["ReplyTo"] == "Dana Richardson <dana@acme.example>"


def test_a_failed_forward_is_on_the_timeline_and_the_reply_still_counts(post, sent, check_in, esp):
    esp.answer(422, {"ErrorCode": 300, "Message": "Invalid email request"})

    post("inbound", inbound(to=to_reply_address(sent)))

    record = InboundEmail.objects.get()
    assert len(esp.requests) == 1  # refused for good: not tried again
    assert record.forward_status == Forward.FAILED
    assert "Invalid email request" in record.forward_error
    assert Reply.objects.get().kind == "reply"
    assert Message.objects.get(pk=check_in.pk).status == Status.CANCELLED
    note = TimelineEvent.objects.get(
        application=sent.application, summary__contains="could not be forwarded"
    )
    assert "It still counts" in note.detail
    assert "Thanks Alex, we will be in touch next week." in note.detail


def test_a_forward_that_keeps_failing_gives_up_and_says_so(post, sent, esp):
    esp.respond = lambda body: Answer(status=429, body={"ErrorCode": 429, "Message": "Slow down"})

    post("inbound", inbound(to=to_reply_address(sent)))

    record = InboundEmail.objects.get()
    assert record.forward_status == Forward.FAILED
    assert len(esp.requests) == forward_inbound_email.max_retries + 1
    assert TimelineEvent.objects.filter(summary__contains="could not be forwarded").count() == 1


def test_lost_and_interrupted_forwards_are_recovered(post, sent, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    post("inbound", inbound(to=to_reply_address(sent)))
    post(
        "inbound",
        inbound(
            to=to_reply_address(sent),
            message_id="second",
        ),
    )
    lost, interrupted = InboundEmail.objects.order_by("pk")
    long_ago = timezone.now() - dt.timedelta(hours=1)
    InboundEmail.objects.filter(pk=lost.pk).update(
        forward_status=Forward.PENDING, created_at=long_ago
    )
    InboundEmail.objects.filter(pk=interrupted.pk).update(
        forward_status=Forward.SENDING, forward_started_at=long_ago
    )
    enqueued: list[int] = []

    assert forwards_recover(now=timezone.now(), enqueue=enqueued.append) == 1

    assert enqueued == [lost.pk]
    interrupted.refresh_from_db()
    assert interrupted.forward_status == Forward.FAILED
    assert "may not have reached you" in interrupted.forward_error
