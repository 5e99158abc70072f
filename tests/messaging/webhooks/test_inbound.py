"""Inbound email: a reply in our thread or from a verified sender stops the check-ins."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

from interviews.models import Application, TimelineEvent
from messaging.models import EmailEvent, Message, Reply
from messaging.webhooks.inbound import (
    authserv_id,
    message_ids_in,
    return_date_in,
    sender_authenticated,
)
from tests.builders.messages import make_message
from tests.builders.webhooks import in_reply_to, inbound

Status = Message.Status
NOW = dt.datetime(2025, 3, 12, 15, 0, tzinfo=dt.UTC)  # a Wednesday


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
