"""The messages panel and its actions: every happy path, owners only, POST only.

The panel's message actions are the queue's views (messaging/queue_views.py), posted with a
`next` that leads back to the application page.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from interviews.models import Application, TimelineEvent
from messaging.models import Message, Reply
from tests.builders.clock import local
from tests.builders.queries import check_ins, mark_sent, messages
from tests.builders.scenario import CHECK_IN_DUE, planned

pytestmark = pytest.mark.django_db

Stage = Message.Stage
Status = Message.Status

NOW = local(2025, 3, 4, 17)

MESSAGE_ACTIONS = ["messaging:queue_approve", "messaging:queue_unapprove", "messaging:queue_skip"]
APPLICATION_ACTIONS = [
    "messaging:application_reply",
    "messaging:application_outcome",
    "messaging:application_pause",
    "messaging:application_resume",
]


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def application(user) -> Application:
    return planned(user)[0]


@pytest.fixture
def thank_you(application) -> Message:
    return next(m for m in messages(application, Stage.THANK_YOU) if "Dana" in m.to_name)


def page(application) -> str:
    return application.get_absolute_url() + "#messages"


def from_panel(application, **data: str) -> dict[str, str]:
    """POST data as the panel's forms send it: with a `next` back to the application page."""
    return {"next": page(application), **data}


def flashes(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def all_urls(application, message) -> list[str]:
    urls = [reverse(name, args=[message.pk]) for name in [*MESSAGE_ACTIONS, "messaging:queue_edit"]]
    return urls + [reverse(name, args=[application.pk]) for name in APPLICATION_ACTIONS]


# -- access ----------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, application, thank_you):
    for url in all_urls(application, thank_you):
        response = client.post(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url
    thank_you.refresh_from_db()
    assert thank_you.status == Status.DRAFT


def test_another_users_ids_are_404(outsider_client, application, thank_you):
    for url in all_urls(application, thank_you):
        assert outsider_client.post(url, {"kind": "reply", "outcome": "offer"}).status_code == 404
    assert (
        outsider_client.get(reverse("messaging:queue_edit", args=[thank_you.pk])).status_code == 404
    )
    thank_you.refresh_from_db()
    application.refresh_from_db()
    assert thank_you.status == Status.DRAFT
    assert application.stage == Application.Stage.INTERVIEWING
    assert not Reply.objects.exists()


def test_get_on_a_post_only_action_is_405(owner_client, application, thank_you):
    urls = [reverse(name, args=[thank_you.pk]) for name in MESSAGE_ACTIONS]
    urls += [reverse(name, args=[application.pk]) for name in APPLICATION_ACTIONS]
    for url in urls:
        assert owner_client.get(url).status_code == 405, url


# -- the panel -------------------------------------------------------------------------------


def test_the_application_page_shows_the_messages_panel(owner_client, application, thank_you):
    response = owner_client.get(application.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="messages"' in html
    assert f'id="message-{thank_you.pk}"' in html
    assert "Wed 5 Mar 2025, 08:00" in html  # the due time in the user's zone
    assert "(America/New_York)" in html
    assert reverse("messaging:queue_approve", args=[thank_you.pk]) in html
    assert reverse("messaging:queue_edit", args=[thank_you.pk]) in html
    for label in ["They replied", "They said no news yet", "Out of office", "Offer received"]:
        assert label in html
    for label in ["Rejected", "Accepted another offer", "tell them my deadline", "Pause"]:
        assert label in html
    assert "csrfmiddlewaretoken" in html


def test_the_panel_groups_sent_and_cancelled_messages(owner_client, application, thank_you):
    mark_sent(thank_you, NOW)
    first, _ = check_ins(application)
    Message.objects.filter(pk=first.pk).update(status=Status.CANCELLED, status_reason="Stopped.")

    html = owner_client.get(application.get_absolute_url()).content.decode()

    sent_at = html.index(">Sent<")
    cancelled_at = html.index("Cancelled or skipped (1)")
    assert html.index(f'id="message-{thank_you.pk}"') > sent_at
    assert html.index(f'id="message-{first.pk}"') > cancelled_at
    assert "Stopped." in html


def test_the_panel_offers_the_pestering_override_only_when_pestering_blocks(
    owner_client, application
):
    first, second = check_ins(application)
    assert "override_pestering" not in owner_client.get(page(application)).content.decode()

    mark_sent(first, CHECK_IN_DUE)
    Message.objects.filter(pk=second.pk).update(due_at=local(2025, 3, 19, 8))

    html = owner_client.get(application.get_absolute_url()).content.decode()
    assert f'id="override-{second.pk}"' in html


# -- message actions -------------------------------------------------------------------------


def test_approve(owner_client, application, thank_you):
    response = owner_client.post(
        reverse("messaging:queue_approve", args=[thank_you.pk]), from_panel(application)
    )

    assert response.status_code == 302
    assert response["Location"] == page(application)
    thank_you.refresh_from_db()
    assert thank_you.status == Status.APPROVED
    assert thank_you.approved_at == NOW


def test_a_blocked_approval_shows_why(owner_client, application, thank_you):
    Message.objects.filter(pk=thank_you.pk).update(to_email="")

    response = owner_client.post(
        reverse("messaging:queue_approve", args=[thank_you.pk]),
        from_panel(application),
        follow=True,
    )

    assert response.status_code == 200
    assert any("Not approved yet" in text and "recipient" in text for text in flashes(response))
    assert "Not approved yet" in response.content.decode()
    thank_you.refresh_from_db()
    assert thank_you.status == Status.DRAFT


def test_approve_with_the_pestering_override(owner_client, application):
    first, second = check_ins(application)
    mark_sent(first, CHECK_IN_DUE)
    Message.objects.filter(pk=second.pk).update(due_at=local(2025, 3, 19, 8))
    url = reverse("messaging:queue_approve", args=[second.pk])

    owner_client.post(url)
    second.refresh_from_db()
    assert second.status == Status.DRAFT

    owner_client.post(url, {"override_pestering": "on"})
    second.refresh_from_db()
    assert second.status == Status.APPROVED
    assert second.pestering_override_at == NOW


def test_unapprove(owner_client, application, thank_you):
    owner_client.post(reverse("messaging:queue_approve", args=[thank_you.pk]))
    response = owner_client.post(
        reverse("messaging:queue_unapprove", args=[thank_you.pk]), from_panel(application)
    )

    assert response["Location"] == page(application)
    thank_you.refresh_from_db()
    assert thank_you.status == Status.DRAFT
    assert thank_you.approved_at is None


def test_skip_with_a_reason(owner_client, application, thank_you):
    response = owner_client.post(
        reverse("messaging:queue_skip", args=[thank_you.pk]),
        from_panel(application, reason="Thanked her in person"),
    )

    assert response["Location"] == page(application)
    thank_you.refresh_from_db()
    assert thank_you.status == Status.SKIPPED
    assert thank_you.status_reason == "Thanked her in person"


def test_skip_without_a_reason(owner_client, thank_you):
    owner_client.post(reverse("messaging:queue_skip", args=[thank_you.pk]))
    thank_you.refresh_from_db()
    assert thank_you.status == Status.SKIPPED
    assert thank_you.status_reason == "Skipped by you."


def test_the_edit_page_shows_the_due_time_in_the_users_zone(owner_client, thank_you):
    response = owner_client.get(
        reverse("messaging:queue_edit", args=[thank_you.pk]), {"next": page(thank_you.application)}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="2025-03-05T08:00"' in html
    assert thank_you.subject in html
    assert "America/New_York" in html


def test_edit_saves_and_reads_the_time_in_the_users_zone(owner_client, application, thank_you):
    owner_client.post(reverse("messaging:queue_approve", args=[thank_you.pk]))

    response = owner_client.post(
        reverse("messaging:queue_edit", args=[thank_you.pk]),
        {
            "next": page(application),
            "to_email": "dana@northwind.example",
            "subject": "Thank you for Tuesday",
            "body_text": "Hi Dana,\r\n\r\nThank you for the talk about streaming.\r\n\r\nAlex",
            "due_at": "2025-03-05T09:30",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == page(application)
    assert any("approve it again" in text for text in flashes(response))
    thank_you.refresh_from_db()
    assert thank_you.to_email == "dana@northwind.example"
    assert thank_you.subject == "Thank you for Tuesday"
    assert thank_you.body_text == "Hi Dana,\n\nThank you for the talk about streaming.\n\nAlex"
    assert thank_you.due_at == dt.datetime(2025, 3, 5, 14, 30, tzinfo=dt.UTC)
    assert thank_you.edited_by_user
    assert thank_you.status == Status.DRAFT
    assert thank_you.approved_at is None


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("to_email", "", "This field is required."),
        ("to_email", "not-an-address", "Enter a valid email address."),
        ("subject", "", "This field is required."),
        ("body_text", "   ", "The email needs some text."),
        ("due_at", "2025-03-01T09:00", "Pick a time from now on."),
        ("due_at", "2025-03-09T02:30", "does not exist in your time zone"),  # DST gap
        ("due_at", "soon", "Enter a valid date/time."),
    ],
)
def test_edit_rejects_bad_input_with_field_errors(owner_client, thank_you, field, value, error):
    data = {
        "to_email": "dana@northwind.example",
        "subject": "Thank you",
        "body_text": "Hi Dana,\n\nThanks.",
        "due_at": "2025-03-05T09:30",
    } | {field: value}

    response = owner_client.post(reverse("messaging:queue_edit", args=[thank_you.pk]), data)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert field in response.context["form"].errors
    thank_you.refresh_from_db()
    assert not thank_you.edited_by_user
    assert thank_you.subject != "Thank you"


def test_a_sent_message_cannot_be_edited(owner_client, application, thank_you):
    mark_sent(thank_you, NOW)
    response = owner_client.get(
        reverse("messaging:queue_edit", args=[thank_you.pk]), {"next": page(application)}
    )
    assert response.status_code == 302
    assert response["Location"] == page(application)


# -- application actions ---------------------------------------------------------------------


def test_they_replied(owner_client, application):
    response = owner_client.post(
        reverse("messaging:application_reply", args=[application.pk]), {"kind": "reply"}
    )

    assert response["Location"] == page(application)
    assert check_ins(application) == []
    assert Reply.objects.get(application=application).kind == "reply"


def test_they_said_no_news_yet(owner_client, application):
    owner_client.post(
        reverse("messaging:application_reply", args=[application.pk]), {"kind": "no_news"}
    )
    assert [m.status for m in messages(application, Stage.NO_NEWS_REPLY)] == [Status.DRAFT]


def test_out_of_office_with_a_return_date(owner_client, application):
    owner_client.post(
        reverse("messaging:application_reply", args=[application.pk]),
        {"kind": "out_of_office", "return_date": "2025-03-20"},
    )
    application.refresh_from_db()
    assert application.paused_until == local(2025, 3, 20, 8)
    assert Reply.objects.get(application=application).return_date == dt.date(2025, 3, 20)


def test_out_of_office_with_a_past_return_date_is_refused(owner_client, application):
    response = owner_client.post(
        reverse("messaging:application_reply", args=[application.pk]),
        {"kind": "out_of_office", "return_date": "2025-03-01"},
    )
    assert response["Location"] == page(application)
    assert any("passed" in text for text in flashes(response))
    assert not Reply.objects.exists()


def test_an_unknown_reply_kind_is_refused(owner_client, application):
    response = owner_client.post(
        reverse("messaging:application_reply", args=[application.pk]), {"kind": "maybe"}
    )
    assert response.status_code == 302
    assert flashes(response)
    assert not Reply.objects.exists()


@pytest.mark.parametrize(
    ("outcome", "stage", "drafted"),
    [
        ("offer", Application.Stage.OFFER, []),
        ("rejected", Application.Stage.REJECTED, [Stage.REJECTION_REPLY, Stage.STAY_IN_TOUCH]),
        ("accepted_elsewhere", Application.Stage.WITHDRAWN, [Stage.WITHDRAWAL]),
    ],
)
def test_outcomes(owner_client, application, outcome, stage, drafted):
    response = owner_client.post(
        reverse("messaging:application_outcome", args=[application.pk]), {"outcome": outcome}
    )

    assert response["Location"] == page(application)
    application.refresh_from_db()
    assert application.stage == stage
    close_outs = [Stage.REJECTION_REPLY, Stage.STAY_IN_TOUCH, Stage.WITHDRAWAL]
    assert [m.stage for m in messages(application, *close_outs)] == drafted
    assert check_ins(application) == []


def test_accepted_another_offer_at_once(owner_client, application):
    owner_client.post(
        reverse("messaging:application_outcome", args=[application.pk]),
        {"outcome": "accepted_elsewhere", "at_once": "on"},
    )
    (withdrawal,) = messages(application, Stage.WITHDRAWAL)
    assert withdrawal.due_at == NOW


def test_another_offer_with_a_deadline(owner_client, application):
    owner_client.post(
        reverse("messaging:application_outcome", args=[application.pk]),
        {"outcome": "other_offer", "deadline": "2025-03-14"},
    )
    (note,) = messages(application, Stage.OFFER_DEADLINE)
    assert "March 14" in note.body_text
    application.refresh_from_db()
    assert application.stage == Application.Stage.INTERVIEWING


def test_another_offer_without_a_deadline_is_refused(owner_client, application):
    response = owner_client.post(
        reverse("messaging:application_outcome", args=[application.pk]),
        {"outcome": "other_offer"},
    )
    assert any("deadline" in text.lower() for text in flashes(response))
    assert messages(application, Stage.OFFER_DEADLINE) == []


@pytest.mark.parametrize("deadline", ["9999-12-31", "2026-03-06"])
def test_another_offer_deadline_over_a_year_ahead_is_refused(owner_client, application, deadline):
    response = owner_client.post(
        reverse("messaging:application_outcome", args=[application.pk]),
        {"outcome": "other_offer", "deadline": deadline},
    )
    assert response.status_code in (200, 302)
    assert any("within the next year" in text for text in flashes(response))
    assert messages(application, Stage.OFFER_DEADLINE) == []


def test_another_offer_deadline_a_year_and_a_day_ahead_is_accepted(owner_client, application):
    owner_client.post(
        reverse("messaging:application_outcome", args=[application.pk]),
        {"outcome": "other_offer", "deadline": "2026-03-05"},
    )
    (note,) = messages(application, Stage.OFFER_DEADLINE)
    assert "March 5" in note.body_text


def test_an_outcome_on_a_settled_application_is_refused_politely(owner_client, application):
    url = reverse("messaging:application_outcome", args=[application.pk])
    owner_client.post(url, {"outcome": "rejected"})
    response = owner_client.post(url, {"outcome": "offer"})
    assert response.status_code == 302
    assert any("already rejected" in text for text in flashes(response))


def test_pause_and_resume(owner_client, application):
    response = owner_client.post(reverse("messaging:application_pause", args=[application.pk]))
    assert response["Location"] == page(application)
    application.refresh_from_db()
    assert application.paused
    assert {m.status for m in messages(application)} == {Status.HELD}
    assert "Resume" in owner_client.get(application.get_absolute_url()).content.decode()

    owner_client.post(reverse("messaging:application_resume", args=[application.pk]))
    application.refresh_from_db()
    assert not application.paused
    assert {m.status for m in messages(application)} == {Status.DRAFT}
    kinds = set(
        TimelineEvent.objects.filter(application=application).values_list("kind", flat=True)
    )
    assert {TimelineEvent.Kind.PAUSED, TimelineEvent.Kind.RESUMED} <= kinds


def test_a_safe_next_address_is_followed_and_an_outside_one_ignored(
    owner_client, application, thank_you
):
    url = reverse("messaging:queue_skip", args=[thank_you.pk])
    response = owner_client.post(url, {"next": "https://evil.example/"})
    assert response["Location"] == reverse("messaging:queue")

    other = messages(application, Stage.THANK_YOU)[-1]
    response = owner_client.post(
        reverse("messaging:queue_skip", args=[other.pk]), {"next": "/?show=all"}
    )
    assert response["Location"] == "/?show=all"
    response = owner_client.post(
        reverse("messaging:application_pause", args=[application.pk]),
        {"next": "https://evil.example/"},
    )
    assert response["Location"] == page(application)


def test_the_panels_forms_lead_back_to_the_application_page(owner_client, application, thank_you):
    html = owner_client.get(application.get_absolute_url()).content.decode()

    assert f'name="next" value="{page(application)}"' in html
    edit = reverse("messaging:queue_edit", args=[thank_you.pk])
    assert (
        f'href="{edit}?next={application.get_absolute_url().replace("/", "%2F")}%23messages"'
        in html
    )


def test_the_panel_runs_a_fixed_number_of_queries_however_many_messages(owner_client, application):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert owner_client.get(application.get_absolute_url()).status_code == 200
        return len(captured)

    template = messages(application, Stage.THANK_YOU)[0]

    def add(count: int) -> None:
        for n in range(count):
            template.pk = None
            template.stage = Stage.NO_NEWS_REPLY
            template.status = [Status.DRAFT, Status.APPROVED, Status.SENT, Status.CANCELLED][n % 4]
            template.approved_at = NOW if template.status != Status.DRAFT else None
            template.save()

    add(4)  # one of each: every group of the panel has a page to read
    few = queries()
    add(40)  # every group now runs past a page of its own

    assert queries() == few
    html = owner_client.get(application.get_absolute_url()).text
    assert html.count('data-panel-pages="') == 3
