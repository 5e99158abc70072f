"""Emails written by hand: in the thread, through the queue's checks, counted as follow-ups."""

from __future__ import annotations

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from messaging.models import Message
from messaging.services.approval import message_findings
from messaging.services.own_emails import own_email_draft
from tests.builders.accounts import make_user
from tests.builders.clock import local
from tests.builders.interviews import make_contact
from tests.builders.queries import check_ins, mark_sent, thank_yous
from tests.builders.scenario import THANK_YOU_DUE, planned

pytestmark = pytest.mark.django_db

# Saturday 8 March 2025, 10:00 New York.
SATURDAY = local(2025, 3, 8, 10)


@pytest.fixture
def panel(user):
    application, people = planned(user)
    return application, people


def test_an_own_email_replies_in_the_thread_and_waits_for_a_business_morning(user, panel):
    application, people = panel
    thank_you = thank_yous(application.interviews.get())["Dana Whitfield"]
    mark_sent(thank_you, THANK_YOU_DUE)
    thank_you.refresh_from_db()

    with time_machine.travel(SATURDAY, tick=False):
        message = own_email_draft(
            application=application,
            user=user,
            contact=people["dana"],
            subject="Re: " + thank_you.subject,
            body="Hi Dana,\n\nHere is the <b>paper</b> I mentioned.\n\nAlex",
        )

    assert message.status == Message.Status.DRAFT
    assert message.stage == Message.Stage.OWN_EMAIL
    assert message.in_reply_to == thank_you.message_id
    assert thank_you.message_id in message.references
    assert message.due_at == local(2025, 3, 10, 8)  # Monday's send window
    assert "&lt;b&gt;paper&lt;/b&gt;" in message.body_html  # text, never markup
    assert message.edited_by_user


def test_it_counts_against_the_pestering_limit(user, panel):
    application, people = panel
    first, second = check_ins(application)
    mark_sent(first, local(2025, 3, 18, 8))
    mark_sent(second, local(2025, 3, 25, 8))

    with time_machine.travel(local(2025, 4, 7, 9), tick=False):
        message = own_email_draft(
            application=application,
            user=user,
            contact=people["recruiter"],
            subject="Checking in",
            body="Hi Jordan,\n\nAny news?\n\nAlex",
        )
        findings = message_findings(message=message)

    assert "pestering" in {finding.code for finding in findings}


def test_only_the_applications_people_with_an_address(user, panel):
    application, _ = panel
    stranger = make_contact(application.company, "No Address", email="")

    with pytest.raises(ValidationError):
        own_email_draft(
            application=application, user=user, contact=stranger, subject="Hi", body="Hello"
        )
    assert not Message.objects.filter(stage=Message.Stage.OWN_EMAIL).exists()


def test_the_write_page_puts_it_in_the_queue(owner_client, user, panel):
    application, people = panel

    response = owner_client.post(
        reverse("messaging:application_write", args=[application.pk]),
        {"contact": people["recruiter"].pk, "subject": "", "body": "Hi Jordan,\n\nA question."},
    )

    assert response.status_code == 302
    message = Message.objects.get(stage=Message.Stage.OWN_EMAIL)
    assert message.to_email == people["recruiter"].email
    assert message.subject  # the thread's, or a fresh one naming the role
    queue = owner_client.get(reverse("messaging:queue")).content.decode()
    assert "A question." in queue


@pytest.mark.parametrize(
    "data",
    [
        {"subject": "x", "body": ""},
        {"subject": "x" * 301, "body": "Hi"},
        {"contact": "999999", "subject": "x", "body": "Hi"},
    ],
)
def test_a_bad_email_is_refused_and_nothing_saved(owner_client, user, panel, data):
    application, people = panel
    data = {"contact": people["recruiter"].pk} | data

    response = owner_client.post(
        reverse("messaging:application_write", args=[application.pk]), data
    )

    assert response.status_code == 400
    assert not Message.objects.filter(stage=Message.Stage.OWN_EMAIL).exists()


def test_another_users_contact_cannot_be_written_to(owner_client, user, panel):
    application, _ = panel
    theirs = make_contact(
        make_user("sam@example.org").companies.create(name="X"), "Sam", email="s@x.example"
    )

    response = owner_client.post(
        reverse("messaging:application_write", args=[application.pk]),
        {"contact": theirs.pk, "subject": "Hi", "body": "Hello"},
    )

    assert response.status_code == 400
    assert not Message.objects.filter(stage=Message.Stage.OWN_EMAIL).exists()
