"""Mail that matches no application waits on its user's Unmatched replies page."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from interviews.models import TimelineEvent
from messaging.models import InboundEmail, Message, Reply
from tests.builders.interviews import make_application, make_company
from tests.builders.messages import make_message
from tests.builders.webhooks import inbound, make_unmatched

State = InboundEmail.State
Status = Message.Status
NOW = dt.datetime(2025, 3, 12, 15, 0, tzinfo=dt.UTC)
PAGE = reverse("messaging:unmatched")


def assign_url(record: InboundEmail) -> str:
    return reverse("messaging:unmatched_assign", args=[record.pk])


def discard_url(record: InboundEmail) -> str:
    return reverse("messaging:unmatched_discard", args=[record.pk])


@time_machine.travel(NOW)
def test_mail_to_the_user_that_matches_nothing_waits_on_their_page(post, sent, owner_client):
    post(
        "inbound",
        inbound(
            sender="robin@agency.example",
            sender_name="Robin <b>Stone</b>",
            subject="A role you may like <script>x</script>",
            text="Hello Alex, are you open to a <em>new</em> role?",
        ),
    )

    record = InboundEmail.objects.get()
    assert record.state == State.UNMATCHED
    assert record.user == sent.user
    assert record.forward_status == InboundEmail.Forward.NONE
    assert not Reply.objects.exists()
    page = owner_client.get(PAGE).content.decode()
    assert "robin@agency.example" in page
    assert "A role you may like &lt;script&gt;x&lt;/script&gt;" in page
    assert "<script>x</script>" not in page
    assert "a &lt;em&gt;new&lt;/em&gt; role" in page
    assert 'data-nav="unmatched"' in page  # the navigation links to it, with its count


@time_machine.travel(NOW)
def test_an_automatic_email_that_matches_nothing_is_not_listed(post, sent):
    post(
        "inbound",
        inbound(
            sender="news@agency.example",
            headers=[{"Name": "Precedence", "Value": "bulk"}],
        ),
    )

    assert not InboundEmail.objects.exists()


def test_the_navigation_shows_the_link_only_when_something_waits(owner_client, user):
    assert 'data-nav="unmatched"' not in owner_client.get(PAGE).content.decode()

    make_unmatched(user)
    make_unmatched(user)

    assert ">2</span>" in owner_client.get(PAGE).content.decode().split('data-nav="unmatched"')[1]


@time_machine.travel(NOW)
def test_assigning_it_makes_it_that_applications_reply(owner_client, sent, user):
    check_in = make_message(
        sent.application, contact=sent.contact, stage="check_in", status=Status.DRAFT
    )
    record = make_unmatched(user, sender="robin@agency.example", text="They want to talk Friday.")

    response = owner_client.post(assign_url(record), {"application": sent.application_id})

    assert response.status_code == 302
    assert response["Location"] == sent.application.get_absolute_url()
    record.refresh_from_db()
    check_in.refresh_from_db()
    assert record.state == State.MATCHED
    assert record.route == InboundEmail.Route.BY_HAND
    assert record.application == sent.application
    assert Reply.objects.get().application == sent.application
    assert "They want to talk Friday." in Reply.objects.get().detail
    assert check_in.status == Status.CANCELLED
    assert TimelineEvent.objects.filter(
        application=sent.application, kind=TimelineEvent.Kind.REPLY
    ).exists()
    assert "robin@agency.example" not in owner_client.get(PAGE).content.decode()


def test_discarding_it_changes_nothing_and_removes_it(owner_client, sent, user):
    record = make_unmatched(user)

    response = owner_client.post(discard_url(record))

    assert response.status_code == 302
    record.refresh_from_db()
    assert record.state == State.DISCARDED
    assert not Reply.objects.exists()
    assert not TimelineEvent.objects.filter(kind=TimelineEvent.Kind.REPLY).exists()


def test_it_cannot_be_assigned_twice(owner_client, sent, user):
    record = make_unmatched(user)
    owner_client.post(discard_url(record))

    response = owner_client.post(
        assign_url(record), {"application": sent.application_id}, follow=True
    )

    assert "already assigned or discarded" in response.content.decode()
    assert not Reply.objects.exists()


@pytest.mark.parametrize("application", ["", "abc", "999999"])
def test_a_bad_choice_gets_a_clear_error(owner_client, sent, user, application):
    record = make_unmatched(user)

    response = owner_client.post(assign_url(record), {"application": application}, follow=True)

    assert response.status_code == 200
    assert "Choose" in response.content.decode()
    record.refresh_from_db()
    assert record.state == State.UNMATCHED


def test_another_users_mail_and_applications_are_out_of_reach(
    owner_client, outsider_client, sent, user, outsider
):
    mine = make_unmatched(user, sender="robin@agency.example")
    theirs = make_application(outsider, make_company(outsider, "Globex"))

    assert "robin@agency.example" not in outsider_client.get(PAGE).content.decode()
    assert outsider_client.post(discard_url(mine)).status_code == 404
    assert outsider_client.post(assign_url(mine), {"application": theirs.pk}).status_code == 404
    # Their own application is no choice for my mail either.
    owner_client.post(assign_url(mine), {"application": theirs.pk})
    mine.refresh_from_db()
    assert mine.state == State.UNMATCHED
    assert not Reply.objects.exists()


def test_the_page_costs_the_same_queries_for_2_and_20_emails(
    owner_client, sent, user, django_assert_max_num_queries
):
    for _ in range(2):
        make_unmatched(user)
    with CaptureQueriesContext(connection) as two:
        owner_client.get(PAGE)
    for _ in range(18):
        make_unmatched(user)

    with django_assert_max_num_queries(len(two.captured_queries)):
        assert owner_client.get(PAGE).status_code == 200
