"""Inbound matching never crosses accounts: the addressee's, else unambiguous, else the admin's."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from followup.accounts.models import User
from interviews.models import TimelineEvent
from messaging.models import EmailEvent, InboundEmail, Message, Reply
from tests.builders.interviews import make_interview
from tests.builders.messages import make_message, sending_setup
from tests.builders.webhooks import in_reply_to, inbound

Status = Message.Status
NOW = dt.datetime(2025, 3, 12, 15, 0, tzinfo=dt.UTC)  # a Wednesday
# A recruiter wrote to several candidates in one thread; each logged its Message-ID.
SCHEDULING_ID = "<sched-1@mail.acme.example>"
AUTHENTICATED = [
    {
        "Name": "Authentication-Results",
        "Value": "mx.postmarkapp.com; spf=pass smtp.mailfrom=dana@acme.example; "
        "dkim=pass header.d=acme.example",
    }
]


def _candidate(user: User) -> Message:
    """The user's application at Acme, the scheduling thread logged, a check-in pending."""
    application, contact = sending_setup(user)
    make_interview(application, contact, scheduling_message_id=SCHEDULING_ID)
    return make_message(application, contact=contact, stage="check_in", status=Status.DRAFT)


@pytest.fixture
def check_ins(user, outsider) -> dict[str, Message]:
    return {"alex": _candidate(user), "sam": _candidate(outsider)}


def _status(message: Message) -> str:
    message.refresh_from_db()
    return message.status


@time_machine.travel(NOW)
@pytest.mark.parametrize(
    ("to", "owner", "other"),
    [
        ("sam@example.org", "sam", "alex"),
        ("alex@example.com", "alex", "sam"),
        # A sub-address the user gave out is their own mailbox too.
        ("Alex+jobs@example.com", "alex", "sam"),
        ("sam+acme@example.org", "sam", "alex"),
    ],
)
def test_a_reply_in_a_shared_scheduling_thread_goes_to_its_addressee_only(
    post, check_ins, to, owner, other
):
    post("inbound", inbound(to=to, text=f"Hello {owner}", headers=in_reply_to(SCHEDULING_ID)))

    reply = Reply.objects.get()
    event = EmailEvent.objects.get()
    assert reply.application == check_ins[owner].application
    assert event.user == check_ins[owner].user
    assert event.failed_at is None
    assert _status(check_ins[owner]) == Status.CANCELLED
    assert _status(check_ins[other]) == Status.DRAFT
    assert not TimelineEvent.objects.filter(application=check_ins[other].application).exists()


@time_machine.travel(NOW)
@pytest.mark.parametrize("to", ["candidates@acme.example", "alex@example.com, sam@example.org"])
def test_a_reply_that_fits_several_users_goes_to_no_one_and_is_left_for_the_admin(
    post, check_ins, to
):
    assert post("inbound", inbound(to=to, headers=in_reply_to(SCHEDULING_ID))).status_code == 200

    event = EmailEvent.objects.get()
    assert not Reply.objects.exists()
    assert [_status(m) for m in check_ins.values()] == [Status.DRAFT, Status.DRAFT]
    assert not TimelineEvent.objects.exists()
    assert event.user is None
    assert event.processed_at is None
    assert event.failed_at is not None
    assert "several users" in event.failure
    assert "by hand" in event.failure


@time_machine.travel(NOW)
def test_an_email_outside_the_threads_from_a_recruiter_several_users_know_is_left_for_the_admin(
    post, check_ins
):
    post("inbound", inbound(to="hiring@acme.example", subject="Next steps", headers=AUTHENTICATED))

    event = EmailEvent.objects.get()
    assert not Reply.objects.exists()
    assert not TimelineEvent.objects.exists()
    assert event.failed_at is not None
    assert "several users" in event.failure


@time_machine.travel(NOW)
def test_a_reply_in_one_users_thread_addressed_to_another_user_is_not_the_first_users(
    post, sent, outsider
):
    check_in = make_message(
        sent.application, contact=sent.contact, stage="check_in", status=Status.DRAFT
    )

    post("inbound", inbound(to="sam@example.org", headers=in_reply_to(sent.message_id)))

    assert not Reply.objects.exists()
    assert _status(check_in) == Status.DRAFT
    # Sam's own mail, unmatched among Sam's applications: on Sam's Unmatched replies page.
    assert EmailEvent.objects.get().user == outsider
    assert InboundEmail.objects.get().state == InboundEmail.State.UNMATCHED
    assert InboundEmail.objects.get().user == outsider


@time_machine.travel(NOW)
def test_the_admin_assigns_an_ambiguous_reply_by_hand_and_processes_it_again(
    post, check_ins, outsider, django_capture_on_commit_callbacks
):
    post("inbound", inbound(to="candidates@acme.example", headers=in_reply_to(SCHEDULING_ID)))
    event = EmailEvent.objects.get()
    EmailEvent.objects.filter(pk=event.pk).update(user=outsider)
    admin = User.objects.create_superuser(email="ops@followup.example", password="x")
    client = Client()
    client.force_login(admin)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:messaging_emailevent_changelist"),
            {"action": "process_again", "_selected_action": [event.pk]},
        )

    event.refresh_from_db()
    assert event.processed_at is not None
    assert event.failed_at is None
    assert Reply.objects.get().application == check_ins["sam"].application
    assert _status(check_ins["sam"]) == Status.CANCELLED
    assert _status(check_ins["alex"]) == Status.DRAFT
