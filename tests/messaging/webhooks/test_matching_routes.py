"""Every route an answer reaches its application by, each scoped to the user it was sent to."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from interviews.models import Application, TimelineEvent
from messaging.models import InboundEmail, Message, Reply
from messaging.reply_addresses import reply_address_for
from messaging.services.holds import application_pause
from messaging.webhooks.matching import inbound_match_raw
from tests.builders.interviews import make_application, make_company, make_contact
from tests.builders.messages import make_message, sending_setup
from tests.builders.webhooks import in_reply_to, inbound

Status = Message.Status
Route = InboundEmail.Route
Forward = InboundEmail.Forward
NOW = dt.datetime(2025, 3, 12, 15, 0, tzinfo=dt.UTC)  # a Wednesday
DOMAIN = "replies.followup.example"


def vouched(address: str) -> list[dict]:
    """Our receiving server's verdict: SPF and DKIM passed for the address's domain."""
    domain = address.rpartition("@")[2]
    return [
        {
            "Name": "Authentication-Results",
            "Value": f"mx.postmarkapp.com; spf=pass smtp.mailfrom={address}; "
            f"dkim=pass header.d={domain}",
        }
    ]


@pytest.fixture(autouse=True)
def _reply_domain(settings):
    settings.FOLLOWUP_REPLY_DOMAIN = DOMAIN
    settings.DEFAULT_FROM_EMAIL = "Followup <send@followup.example>"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def reply_address(application: Application) -> str:
    return f"reply-{reply_address_for(application=application).token}@{DOMAIN}"


def _status(message: Message) -> str:
    message.refresh_from_db()
    return message.status


@pytest.fixture
def check_in(sent) -> Message:
    """A check-in waiting after the thank-you went out."""
    return make_message(
        sent.application, contact=sent.contact, stage="check_in", status=Status.DRAFT
    )


@time_machine.travel(NOW)
def test_a_reply_to_the_reply_address_stops_the_check_ins_whoever_sends_it(post, sent, check_in):
    # Dana answers from her personal address: the token names the application.
    payload = inbound(
        sender="dana.r@home.example", to=reply_address(sent.application), text="Let's talk."
    )

    post("inbound", payload)

    reply = Reply.objects.get()
    record = InboundEmail.objects.get()
    assert reply.application == sent.application
    assert reply.kind == "reply"
    assert _status(check_in) == Status.CANCELLED
    assert record.route == Route.TOKEN
    assert record.state == InboundEmail.State.MATCHED
    assert record.user == sent.user
    assert record.forward_status == Forward.SENT
    [forward] = mail.outbox
    assert forward.to == ["alex@example.com"]


@time_machine.travel(NOW)
def test_a_forwarded_email_to_the_reply_address_still_counts(post, sent, check_in):
    payload = inbound(
        sender="assistant@acme.example",
        subject="Fwd: Thank you - Data Engineer interview",
        to=reply_address(sent.application),
        text="Dana asked me to set up a call.",
    )

    post("inbound", payload)

    assert Reply.objects.get().application == sent.application
    assert _status(check_in) == Status.CANCELLED


@time_machine.travel(NOW)
def test_the_token_decides_whose_reply_it_is_across_users(post, sent, check_in, outsider):
    theirs, contact = sending_setup(outsider)
    their_check_in = make_message(theirs, contact=contact, stage="check_in", status=Status.DRAFT)

    # Sam's reply address, but Alex's Message-ID in the thread: Sam's, never Alex's.
    post(
        "inbound",
        inbound(to=reply_address(theirs), headers=in_reply_to(sent.message_id)),
    )

    assert Reply.objects.get().application == theirs
    assert _status(their_check_in) == Status.CANCELLED
    assert _status(check_in) == Status.DRAFT
    assert InboundEmail.objects.get().user == outsider
    assert mail.outbox[0].to == ["sam@example.org"]


@time_machine.travel(NOW)
def test_an_unknown_token_falls_back_to_our_message_id(post, sent, check_in):
    post(
        "inbound",
        inbound(
            to=f"reply-{'a' * 26}@{DOMAIN}",
            headers=in_reply_to(sent.message_id),
        ),
    )

    record = InboundEmail.objects.get()
    assert record.route == Route.THREAD
    assert record.application == sent.application
    assert _status(check_in) == Status.CANCELLED


@time_machine.travel(NOW)
def test_a_reply_in_our_thread_sent_to_the_users_own_address_is_not_forwarded(post, sent, check_in):
    post("inbound", inbound(to="alex@example.com", headers=in_reply_to(sent.message_id)))

    record = InboundEmail.objects.get()
    assert record.route == Route.THREAD
    assert record.forward_status == Forward.NONE  # it is in their mailbox already
    assert _status(check_in) == Status.CANCELLED
    assert mail.outbox == []


@time_machine.travel(NOW)
def test_a_vouched_sender_among_the_contacts_is_matched_by_address(post, sent, check_in):
    post("inbound", inbound(subject="Next steps", headers=vouched("dana@acme.example")))

    assert InboundEmail.objects.get().route == Route.CONTACT
    assert Reply.objects.get().contact == sent.contact
    assert _status(check_in) == Status.CANCELLED


@time_machine.travel(NOW)
def test_someone_new_at_the_company_answers_for_every_application_waiting_there(
    post, sent, check_in, user
):
    company = sent.application.company
    second = make_application(user, company, role="Analytics Engineer")
    jordan = make_contact(company, "Jordan Lee", email="jordan@acme.example")
    second_check_in = make_message(second, contact=jordan, stage="check_in", status=Status.DRAFT)
    ended = make_application(user, company, role="Intern", stage=Application.Stage.REJECTED)
    make_message(ended, contact=jordan, stage="check_in", status=Status.CANCELLED)
    elsewhere = make_application(user, make_company(user, "Globex"), role="Data Engineer")
    globex = make_contact(elsewhere.company, "Kim Park", email="kim@globex.example")
    elsewhere_check_in = make_message(
        elsewhere, contact=globex, stage="check_in", status=Status.DRAFT
    )

    post(
        "inbound",
        inbound(
            sender="hr@acme.example",
            subject="Your applications",
            headers=vouched("hr@acme.example"),
        ),
    )

    assert {r.application for r in Reply.objects.all()} == {sent.application, second}
    assert _status(check_in) == Status.CANCELLED
    assert _status(second_check_in) == Status.CANCELLED
    assert _status(elsewhere_check_in) == Status.DRAFT
    assert not Reply.objects.filter(application=ended).exists()
    note = TimelineEvent.objects.get(application=second, kind=TimelineEvent.Kind.REPLY)
    assert "hr@acme.example is not one of your contacts" in note.detail
    assert "anyone at the company counts" in note.detail
    assert "each of the 2 applications" in note.detail
    assert InboundEmail.objects.get().route == Route.COMPANY


@time_machine.travel(NOW)
def test_an_unvouched_stranger_at_the_company_changes_nothing_by_itself(post, sent, check_in):
    post("inbound", inbound(sender="hr@acme.example", subject="Your applications"))

    assert not Reply.objects.exists()
    assert _status(check_in) == Status.DRAFT
    assert TimelineEvent.objects.filter(
        application=sent.application, kind=TimelineEvent.Kind.NOTE, summary__contains="hr@acme"
    ).exists()


@time_machine.travel(NOW)
def test_a_public_mailbox_domain_names_no_company(post, user, outsider):
    application, _ = sending_setup(user)
    make_contact(application.company, "Pat Doe", email="pat@gmail.com")

    post("inbound", inbound(sender="stranger@gmail.com", headers=vouched("stranger@gmail.com")))

    assert not Reply.objects.exists()
    assert InboundEmail.objects.get().state == InboundEmail.State.UNMATCHED


@time_machine.travel(NOW)
def test_a_reply_still_stops_the_check_ins_of_a_paused_application(post, sent, check_in, user):
    application_pause(application=sent.application, user=user)

    post("inbound", inbound(to=reply_address(sent.application)))

    assert Reply.objects.get().kind == "reply"
    assert _status(check_in) == Status.CANCELLED
    assert TimelineEvent.objects.filter(
        application=sent.application, kind=TimelineEvent.Kind.REPLY
    ).exists()


OUT_OF_OFFICE = [{"Name": "Auto-Submitted", "Value": "auto-replied"}]


@time_machine.travel(NOW)
def test_an_out_of_office_holds_the_check_ins_and_is_forwarded_once_per_absence(
    post, sent, check_in
):
    address = reply_address(sent.application)
    first = inbound(
        to=address,
        subject="Abwesenheitsnotiz: Thank you - Data Engineer interview",
        text="Ich bin bis einschließlich 21. März nicht im Büro, ab dem 24.03. wieder da.",
        headers=OUT_OF_OFFICE,
    )
    second = first | {"MessageID": "second-notice"}

    post("inbound", first)
    post("inbound", second)

    replies = list(Reply.objects.all())
    assert [r.kind for r in replies] == ["out_of_office", "out_of_office"]
    assert replies[0].return_date == dt.date(2025, 3, 24)
    application = Application.objects.get(pk=sent.application_id)
    assert application.paused_until.date() >= dt.date(2025, 3, 24)
    statuses = sorted(InboundEmail.objects.values_list("forward_status", flat=True))
    assert statuses == [Forward.SENT, Forward.SKIPPED]
    # One forward, to the user; nothing ever goes back to the sender.
    assert [m.to for m in mail.outbox] == [["alex@example.com"]]


@time_machine.travel(NOW)
def test_the_users_own_email_to_the_reply_address_is_noted_not_passed_on(post, sent, check_in):
    post(
        "inbound",
        inbound(sender="alex@example.com", sender_name="Alex", to=reply_address(sent.application)),
    )

    assert not Reply.objects.exists()
    assert _status(check_in) == Status.DRAFT
    assert mail.outbox == []
    assert TimelineEvent.objects.filter(
        application=sent.application, summary__contains="reply address was not passed on"
    ).exists()


@time_machine.travel(NOW)
def test_the_company_route_looks_only_at_the_addressed_users_applications(
    post, sent, check_in, outsider
):
    theirs, contact = sending_setup(outsider)  # Sam also talks to Acme
    their_check_in = make_message(theirs, contact=contact, stage="check_in", status=Status.DRAFT)

    post(
        "inbound",
        inbound(sender="hr@acme.example", to="sam@example.org", headers=vouched("hr@acme.example")),
    )

    assert Reply.objects.get().application == theirs
    assert _status(their_check_in) == Status.CANCELLED
    assert _status(check_in) == Status.DRAFT


def test_matching_reads_an_email_as_received_in_a_users_mailbox(sent, outsider):
    raw = (
        "From: Dana Richardson <dana@acme.example>\r\nTo: someone@example.net\r\n"
        f"Subject: Re: Thank you\r\nIn-Reply-To: {sent.message_id}\r\n\r\nThanks!\r\n"
    ).encode()

    assert inbound_match_raw(raw=raw, user_id=sent.user_id).application == sent.application
    assert inbound_match_raw(raw=raw, user_id=outsider.pk) is None
