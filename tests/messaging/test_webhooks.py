"""ESP webhooks through Anymail's real Postmark views: stored once, bounces, inbound replies."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import importlib
import json
import zoneinfo
from collections.abc import Iterator

import pytest
import time_machine
from django.test import override_settings
from django.urls import NoReverseMatch, clear_url_caches, reverse
from django.utils import timezone
from django.utils.html import escape

from interviews.models import Application, TimelineEvent
from messaging.dispatch.claims import message_claim
from messaging.dispatch.sending import INTERRUPTED_REASON, message_send
from messaging.models import BouncedAddress, EmailEvent, Message, Reply
from messaging.services.editing import message_edit
from messaging.services.holds import application_pause, application_resume
from messaging.webhooks.inbound import (
    authserv_id,
    message_ids_in,
    return_date_in,
    sender_authenticated,
)
from messaging.webhooks.processing import email_events_requeue
from tests.messaging.sending import eager_celery, make_message, sending_setup

Status = Message.Status
SECRET = "hooks:s3cret-words"
NOW = dt.datetime(2025, 3, 12, 15, 0, tzinfo=dt.UTC)  # a Wednesday


@contextlib.contextmanager
def webhook_urls(**anymail: str) -> Iterator[None]:
    """The project's URLs as they load with these ANYMAIL settings (urls.py reads them once)."""
    import followup.urls

    try:
        with override_settings(ANYMAIL=anymail):
            importlib.reload(followup.urls)
            clear_url_caches()
            yield
    finally:
        importlib.reload(followup.urls)
        clear_url_caches()


@pytest.fixture(autouse=True)
def _webhooks(settings):
    settings.FOLLOWUP_INBOUND_AUTHSERV_ID = "mx.postmarkapp.com"
    with webhook_urls(WEBHOOK_SECRET=SECRET), eager_celery():
        yield


def test_without_a_webhook_secret_there_are_no_webhook_urls(client, db):
    with webhook_urls():
        with pytest.raises(NoReverseMatch):
            reverse("anymail:postmark_tracking_webhook")
        response = client.post(
            "/anymail/postmark/tracking/", data="{}", content_type="application/json"
        )
    assert response.status_code == 404
    assert not EmailEvent.objects.exists()


def test_with_a_webhook_secret_the_urls_exist_and_demand_it(client, db):
    url = reverse("anymail:postmark_tracking_webhook")
    assert url == "/anymail/postmark/tracking/"
    response = client.post(url, data="{}", content_type="application/json")
    assert response.status_code == 400
    assert not EmailEvent.objects.exists()


@pytest.fixture
def sent(user) -> Message:
    """A thank-you that went out through Postmark."""
    application, contact = sending_setup(user)
    return make_message(
        application,
        contact=contact,
        status=Status.SENT,
        sent_at=timezone.now(),
        message_id="<thank-you-1@followup.example>",
        esp_message_id="883953f4-6105-42a2-a16a-77a8eac79483",
    )


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST a Postmark payload to Anymail's webhook URL, running what it enqueues."""

    def send(kind: str, payload: dict, secret: str = SECRET):
        token = base64.b64encode(secret.encode()).decode()
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                reverse(f"anymail:postmark_{kind}_webhook"),
                data=json.dumps(payload),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Basic {token}",
            )

    return send


def delivery(message: Message) -> dict:
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
) -> dict:
    return {
        "FromName": "Dana Richardson",
        "From": sender,
        "FromFull": {"Email": sender, "Name": "Dana Richardson", "MailboxHash": ""},
        "To": "alex@example.com",
        "ToFull": [{"Email": "alex@example.com", "Name": "Alex Morgan", "MailboxHash": ""}],
        "CcFull": [],
        "BccFull": [],
        "OriginalRecipient": "alex@example.com",
        "Subject": subject,
        "MessageID": message_id,
        "Date": "Wed, 12 Mar 2025 10:30:00 -0400",
        "TextBody": text,
        "HtmlBody": "",
        "StrippedTextReply": "",
        "Headers": headers or [],
        "Attachments": [],
    }


def in_reply_to(message_id: str) -> list[dict]:
    return [
        {"Name": "Message-ID", "Value": "<reply-1@acme.example>"},
        {"Name": "In-Reply-To", "Value": message_id},
        {"Name": "References", "Value": message_id},
    ]


# --- tracking --------------------------------------------------------------------------------


def test_a_delivery_is_stored_once_however_often_it_arrives(post, sent):
    for _ in range(2):
        assert post("tracking", delivery(sent)).status_code == 200

    event = EmailEvent.objects.get()
    sent.refresh_from_db()
    assert event.event_type == "delivered"
    assert event.message == sent
    assert event.processed_at is not None
    assert sent.delivery_status == "delivered"
    delivered = TimelineEvent.objects.filter(message=sent, kind=TimelineEvent.Kind.DELIVERED)
    assert delivered.count() == 1


def test_a_webhook_without_the_secret_is_refused(post, sent):
    response = post("tracking", delivery(sent), secret="hooks:wrong")

    assert response.status_code == 400
    assert not EmailEvent.objects.exists()


def test_a_hard_bounce_blocks_the_address_for_that_user(post, sent):
    assert post("tracking", bounce(sent)).status_code == 200
    assert post("tracking", bounce(sent)).status_code == 200

    blocked = BouncedAddress.objects.get()
    sent.refresh_from_db()
    assert EmailEvent.objects.count() == 1
    assert (blocked.user, blocked.email) == (sent.user, "dana@acme.example")
    assert "mailbox does not exist" in blocked.reason
    assert sent.delivery_status == "bounced"
    bounced = TimelineEvent.objects.get(message=sent, kind=TimelineEvent.Kind.BOUNCED)
    assert "Nothing more will be sent" in bounced.detail


def test_after_a_bounce_the_next_message_to_that_address_is_cancelled(post, sent, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    post("tracking", bounce(sent))
    check_in = make_message(sent.application, contact=sent.contact, stage="check_in")

    assert message_claim(message_id=check_in.pk, now=timezone.now())
    assert message_send(message_id=check_in.pk) == Status.CANCELLED


def test_a_hard_bounce_holds_every_pending_message_to_that_address_at_once(post, sent, user):
    later = timezone.now() + dt.timedelta(days=5)
    approved = make_message(sent.application, contact=sent.contact, stage="check_in", due_at=later)
    draft = make_message(
        sent.application,
        contact=sent.contact,
        stage="second_check_in",
        status=Status.DRAFT,
        due_at=later + dt.timedelta(days=7),
    )
    # The same person's address on another application of the user's.
    other_application = Application.objects.create(
        user=user, company=sent.application.company, role="Staff Engineer"
    )
    elsewhere = make_message(other_application, status=Status.DRAFT, due_at=later)
    someone_else = make_message(
        sent.application, status=Status.DRAFT, to_email="lee@acme.example", due_at=later
    )

    post("tracking", bounce(sent))

    for message in (approved, draft, elsewhere, someone_else):
        message.refresh_from_db()
    assert {m.status for m in (approved, draft, elsewhere)} == {Status.HELD}
    assert all("bounced" in m.status_reason for m in (approved, draft, elsewhere))
    assert approved.approved_at is not None  # its approval waits with it
    assert someone_else.status == Status.DRAFT
    held = TimelineEvent.objects.filter(kind=TimelineEvent.Kind.HELD)
    assert {e.message_id for e in held} == {approved.pk, draft.pk, elsewhere.pk}


def test_a_message_held_by_a_bounce_shows_why_on_the_scheduled_tab(post, sent, owner_client):
    approved = make_message(
        sent.application,
        contact=sent.contact,
        stage="check_in",
        due_at=timezone.now() + dt.timedelta(days=5),
    )
    post("tracking", bounce(sent))

    page = owner_client.get(reverse("messaging:queue_scheduled"))

    approved.refresh_from_db()
    assert escape(approved.status_reason) in page.content.decode()
    assert "bounced" in approved.status_reason


def test_a_bounce_hold_outlasts_a_pause_until_the_address_changes(post, sent, user):
    # A thanks for their update: re-planning on resume leaves such an event message alone.
    draft = make_message(
        sent.application,
        contact=sent.contact,
        stage="no_news_reply",
        status=Status.DRAFT,
        due_at=timezone.now() + dt.timedelta(days=5),
    )
    post("tracking", bounce(sent))
    application_pause(application=sent.application, user=user)
    application_resume(application=sent.application, user=user)
    draft.refresh_from_db()
    assert draft.status == Status.HELD

    message_edit(
        message=draft,
        user=user,
        to_email="dana.richardson@acme.example",
        subject=draft.subject,
        body_text=draft.body_text,
        due_at=draft.due_at,
    )

    draft.refresh_from_db()
    assert (draft.status, draft.to_email) == (Status.DRAFT, "dana.richardson@acme.example")


def test_a_late_delivery_report_does_not_undo_a_bounce(post, sent):
    post("tracking", bounce(sent))
    post("tracking", delivery(sent))

    sent.refresh_from_db()
    assert sent.delivery_status == "bounced"


def test_a_delivery_report_proves_an_interrupted_send_went_out(post, sent):
    Message.objects.filter(pk=sent.pk).update(
        status=Status.FAILED,
        status_reason=INTERRUPTED_REASON,
        outcome_unknown=True,
        send_started_at=timezone.now() - dt.timedelta(minutes=30),
        esp_message_id="",
        sent_at=None,
    )

    post("tracking", delivery(sent))

    sent.refresh_from_db()
    assert sent.status == Status.SENT
    assert sent.esp_message_id == "883953f4-6105-42a2-a16a-77a8eac79483"
    assert sent.status_reason == ""
    assert not sent.outcome_unknown


@pytest.mark.parametrize(
    "stuck",
    [
        {"status": Status.SENDING},  # the report beat the worker's own record of the send
        {"status": Status.FAILED, "outcome_unknown": True},  # the worker died after the ESP
    ],
)
def test_a_thank_you_the_delivery_report_settles_gets_its_linkedin_task_once(post, sent, stuck):
    started = timezone.now() - dt.timedelta(minutes=2)
    Message.objects.filter(pk=sent.pk).update(
        send_started_at=started, sent_at=None, esp_message_id="", **stuck
    )

    post("tracking", delivery(sent))
    post("tracking", delivery(sent) | {"DeliveredAt": "2025-03-12T15:00:09.000Z"})

    sent.refresh_from_db()
    assert (sent.status, sent.sent_at) == (Status.SENT, started)
    (task,) = TimelineEvent.objects.filter(message=sent, kind=TimelineEvent.Kind.TASK)
    assert task.summary == f"Connect with {sent.to_name} on LinkedIn"
    assert task.happened_at == started


def test_a_delivery_report_does_not_turn_a_plain_failure_into_a_send(post, sent):
    # The flag decides, not the wording of the reason.
    Message.objects.filter(pk=sent.pk).update(
        status=Status.FAILED,
        status_reason=INTERRUPTED_REASON,
        outcome_unknown=False,
        send_started_at=timezone.now() - dt.timedelta(minutes=30),
        sent_at=None,
    )

    post("tracking", delivery(sent))

    sent.refresh_from_db()
    assert sent.status == Status.FAILED


# --- inbound -----------------------------------------------------------------------------------


@time_machine.travel(NOW)
def test_a_reply_in_our_thread_stops_the_check_ins(post, sent):
    check_in = make_message(
        sent.application, contact=sent.contact, stage="check_in", status=Status.DRAFT
    )
    payload = inbound(
        text="Thanks Alex, we will be in touch next week.\n\n"
        "On Tue, 11 Mar 2025 at 09:00, Alex Morgan <alex@example.com> wrote:\n"
        "> Dear Ms. Richardson,\n> Thank you for your time today.",
        headers=in_reply_to(sent.message_id),
    )

    assert post("inbound", payload).status_code == 200

    reply = Reply.objects.get()
    event = EmailEvent.objects.get()
    check_in.refresh_from_db()
    assert reply.kind == "reply"
    assert reply.application == sent.application
    assert reply.contact == sent.contact
    assert reply.received_at == dt.datetime(2025, 3, 12, 14, 30, tzinfo=dt.UTC)
    assert "we will be in touch next week" in reply.detail
    assert "Thank you for your time today" not in reply.detail  # the quote is stripped
    assert event.message == sent
    assert check_in.status == Status.CANCELLED


@time_machine.travel(NOW)
def test_the_same_inbound_email_twice_is_one_reply(post, sent):
    payload = inbound(headers=in_reply_to(sent.message_id))

    post("inbound", payload)
    post("inbound", payload)

    assert EmailEvent.objects.count() == 1
    assert Reply.objects.count() == 1


@time_machine.travel(NOW)
def test_an_inbound_email_without_an_id_is_kept_once_by_its_message_id_header(post, sent):
    payload = inbound(headers=in_reply_to(sent.message_id), message_id="")

    post("inbound", payload)
    post("inbound", payload)

    assert EmailEvent.objects.get().event_id == "postmark:<reply-1@acme.example>"
    assert Reply.objects.count() == 1


# What the receiving server writes after checking the sender (RFC 8601).
AUTHENTICATED = [
    {
        "Name": "Authentication-Results",
        "Value": "mx.postmarkapp.com; spf=pass (sender IP is 192.0.2.7) "
        "smtp.mailfrom=dana@acme.example; dkim=pass header.d=acme.example",
    }
]


@time_machine.travel(NOW)
def test_a_reply_outside_the_thread_is_matched_by_the_senders_address(post, sent):
    post(
        "inbound",
        inbound(subject="Next steps", text="Could you do a call on Friday?", headers=AUTHENTICATED),
    )

    reply = Reply.objects.get()
    assert reply.application == sent.application
    assert reply.kind == "reply"


@pytest.mark.parametrize(
    "value",
    [
        "mx.postmarkapp.com; dkim=pass header.d=acme.example",
        "mx.postmarkapp.com; spf=pass smtp.mailfrom=bounces@mail.acme.example; dkim=none",
        'mx.postmarkapp.com; dkim=pass header.i="@acme.example" header.s=s1',
    ],
)
def test_spf_or_dkim_alone_vouches_for_the_senders_domain(value):
    from anymail.inbound import AnymailInboundMessage

    message = AnymailInboundMessage.construct(
        from_email="dana@acme.example", headers=[("Authentication-Results", value)]
    )

    assert sender_authenticated(message, "dana@acme.example")
    assert not sender_authenticated(message, "dana@acme-corp.example")


@time_machine.travel(NOW)
@pytest.mark.parametrize(
    "headers",
    [
        [],
        # Passed, but for another domain: the forger's own.
        [
            {
                "Name": "Authentication-Results",
                "Value": "mx.postmarkapp.com; spf=pass smtp.mailfrom=x@forger.example; "
                "dkim=pass header.d=forger.example",
            }
        ],
        # Failed for the sender's domain.
        [
            {
                "Name": "Authentication-Results",
                "Value": "mx.postmarkapp.com; spf=fail smtp.mailfrom=dana@acme.example; "
                "dkim=fail header.d=acme.example",
            }
        ],
        # A pass written lower down, under the receiving server's verdict, is the sender's own.
        [
            {"Name": "Authentication-Results", "Value": "mx.postmarkapp.com; spf=softfail"},
            {
                "Name": "Authentication-Results",
                "Value": "evil.example; dkim=pass header.d=acme.example",
            },
        ],
        # Forged: a pass by a server that is not ours, even as the only (topmost) header.
        [
            {
                "Name": "Authentication-Results",
                "Value": "mx.forger.example; spf=pass smtp.mailfrom=dana@acme.example; "
                "dkim=pass header.d=acme.example",
            }
        ],
        [
            {
                "Name": "Authentication-Results",
                "Value": "mx.postmarkapp.com.forger.example; dkim=pass header.d=acme.example",
            }
        ],
    ],
)
def test_an_unverified_email_matched_only_by_its_sender_is_left_for_the_user_to_confirm(
    post, sent, headers
):
    post("inbound", inbound(subject="Next steps", text="We went another way.", headers=headers))

    assert EmailEvent.objects.get().processed_at is not None
    assert not Reply.objects.exists()
    application = Application.objects.get(pk=sent.application_id)
    assert application.stage == sent.application.stage
    note = TimelineEvent.objects.get(application=application, kind=TimelineEvent.Kind.NOTE)
    assert "dana@acme.example" in note.summary
    assert "They replied" in note.detail


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("mx.postmarkapp.com; dkim=pass", "mx.postmarkapp.com"),
        ("MX.Postmarkapp.com 1; spf=pass", "mx.postmarkapp.com"),
        ("(received here) mx.postmarkapp.com (v1); none", "mx.postmarkapp.com"),
        ("; dkim=pass", ""),
    ],
)
def test_it_reads_who_wrote_an_authentication_results_header(value, expected):
    assert authserv_id(value) == expected


def test_our_servers_verdict_counts_under_another_servers_header():
    from anymail.inbound import AnymailInboundMessage

    message = AnymailInboundMessage.construct(
        from_email="dana@acme.example",
        headers=[
            ("Authentication-Results", "relay.example; spf=fail"),
            ("Authentication-Results", "mx.postmarkapp.com; dkim=pass header.d=acme.example"),
        ],
    )

    assert sender_authenticated(message, "dana@acme.example")


@time_machine.travel(NOW)
def test_without_our_authserv_id_a_reply_matched_only_by_its_sender_changes_nothing(
    post, sent, settings
):
    settings.FOLLOWUP_INBOUND_AUTHSERV_ID = ""

    post(
        "inbound", inbound(subject="Next steps", text="We went another way.", headers=AUTHENTICATED)
    )

    assert not Reply.objects.exists()
    assert TimelineEvent.objects.filter(
        application=sent.application, kind=TimelineEvent.Kind.NOTE
    ).exists()


@time_machine.travel(NOW)
def test_without_our_authserv_id_a_reply_in_our_thread_still_counts(post, sent, settings):
    settings.FOLLOWUP_INBOUND_AUTHSERV_ID = ""

    post("inbound", inbound(headers=in_reply_to(sent.message_id)))

    assert Reply.objects.get().application == sent.application


@time_machine.travel(NOW)
def test_an_unverified_reply_in_our_own_thread_still_counts(post, sent):
    post("inbound", inbound(headers=in_reply_to(sent.message_id)))

    assert Reply.objects.get().application == sent.application
    assert not TimelineEvent.objects.filter(kind=TimelineEvent.Kind.NOTE).exists()


@time_machine.travel(NOW)
def test_an_email_from_a_stranger_changes_nothing(post, sent):
    post("inbound", inbound(sender="someone@elsewhere.example"))

    assert EmailEvent.objects.get().processed_at is not None
    assert not Reply.objects.exists()


@time_machine.travel(NOW)
def test_an_out_of_office_reply_holds_the_check_ins_until_the_return_date(post, sent):
    payload = inbound(
        subject="Automatic reply: Thank you - Data Engineer interview",
        text="I am out of the office with limited access to email and will be back on "
        "Monday, 24 March. For urgent matters call +1 555 0100.",
        headers=[
            *in_reply_to(sent.message_id),
            {"Name": "Auto-Submitted", "Value": "auto-replied"},
        ],
    )

    post("inbound", payload)

    reply = Reply.objects.get()
    application = Application.objects.get(pk=sent.application_id)
    assert reply.kind == "out_of_office"
    assert reply.return_date == dt.date(2025, 3, 24)
    assert application.paused_until is not None
    assert application.paused_until.date() >= dt.date(2025, 3, 24)


@time_machine.travel(NOW)
def test_an_automatic_receipt_is_not_a_reply(post, sent):
    payload = inbound(
        subject="We received your message",
        text="This is an automated confirmation. A member of our team will respond.",
        headers=[
            *in_reply_to(sent.message_id),
            {"Name": "Auto-Submitted", "Value": "auto-replied"},
        ],
    )

    post("inbound", payload)

    assert not Reply.objects.exists()


# --- the parsing helpers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I am away until Monday, 24 March, with limited access to email.", dt.date(2025, 3, 24)),
        ("I will be back on 3/20 and will reply then.", dt.date(2025, 3, 20)),
        ("Out from March 13 until March 17; I return on March 18.", dt.date(2025, 3, 18)),
        ("I am on leave and return on the 2nd of April.", dt.date(2025, 4, 2)),
        ("I am out of the office and will answer when I return.", None),
        ("I may reply late. Call 555-0100 if urgent.", None),
    ],
)
def test_it_reads_the_return_date_of_an_out_of_office_notice(text, expected):
    assert return_date_in(text, received=NOW) == expected


def test_back_tomorrow_counts_from_the_day_it_arrived_in_the_users_zone():
    # 2:00 UTC on Thursday 13 March is still Wednesday evening in New York.
    late_evening = dt.datetime(2025, 3, 13, 2, 0, tzinfo=dt.UTC)
    new_york = zoneinfo.ZoneInfo("America/New_York")
    text = "I am out of the office today and back tomorrow."

    assert return_date_in(text, received=late_evening, zone=new_york) == dt.date(2025, 3, 13)
    assert return_date_in(text, received=late_evening) == dt.date(2025, 3, 14)


def test_it_reads_every_message_id_of_a_thread_header():
    header = "<a@x.example>\n <b@y.example> <c@z.example>"

    assert message_ids_in(header) == ["<a@x.example>", "<b@y.example>", "<c@z.example>"]
    assert message_ids_in("bare@id.example") == ["<bare@id.example>"]
    assert message_ids_in("") == []


# --- events whose processing was lost -------------------------------------------------------


def test_the_sweep_re_enqueues_events_left_unprocessed_for_ten_minutes(sent):
    old = EmailEvent.objects.create(
        event_id="postmark:lost", event_type="delivered", payload=delivery(sent)
    )
    fresh = EmailEvent.objects.create(event_id="postmark:fresh", event_type="delivered")
    done = EmailEvent.objects.create(
        event_id="postmark:done", event_type="delivered", processed_at=NOW
    )
    ancient = EmailEvent.objects.create(event_id="postmark:ancient", event_type="delivered")
    EmailEvent.objects.filter(pk__in=[old.pk, done.pk]).update(
        received_at=NOW - dt.timedelta(minutes=11)
    )
    EmailEvent.objects.filter(pk=fresh.pk).update(received_at=NOW - dt.timedelta(minutes=5))
    EmailEvent.objects.filter(pk=ancient.pk).update(received_at=NOW - dt.timedelta(days=30))
    enqueued: list[int] = []

    assert email_events_requeue(now=NOW, enqueue=enqueued.append) == 1
    assert enqueued == [old.pk]


def test_the_beat_task_processes_a_lost_delivery_report(sent, django_capture_on_commit_callbacks):
    from messaging.tasks import requeue_email_events

    event = EmailEvent.objects.create(
        event_id="postmark:lost",
        event_type="delivered",
        esp_message_id=sent.esp_message_id,
        recipient=sent.to_email,
        payload={"timestamp": "", "metadata": {"message_id": str(sent.pk)}},
    )
    EmailEvent.objects.filter(pk=event.pk).update(
        received_at=timezone.now() - dt.timedelta(minutes=15)
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_email_events.apply().get() == 1

    event.refresh_from_db()
    sent.refresh_from_db()
    assert event.processed_at is not None
    assert sent.delivery_status == "delivered"


def test_the_sweep_runs_on_the_beat_every_ten_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["requeue-email-events"]
    assert entry["task"] == "messaging.tasks.requeue_email_events"
    assert entry["schedule"] == 600
