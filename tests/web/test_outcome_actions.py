"""The application page's outcome actions and the dashboard's "Next" after an outcome."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from interviews.models import Application, TimelineEvent
from messaging.models import Message, Reply
from tests.builders.scenario import LATER, planned

pytestmark = pytest.mark.django_db


def panel_html(client, application: Application) -> str:
    return client.get(application.get_absolute_url()).content.decode()


def test_outcomes_that_change_things_ask_first_inside_a_disclosure(owner_client, user):
    application, _ = planned(user)

    html = panel_html(owner_client, application)

    for outcome in ("reply", "offer", "rejected"):
        assert f'<details class="outcome" data-outcome="{outcome}">' in html
    assert "Yes, they turned me down" in html
    assert 'name="detail"' in html  # the optional note for "They replied"


def test_after_an_offer_only_what_still_fits_is_offered(owner_client, user):
    application, _ = planned(user)
    Application.objects.filter(pk=application.pk).update(stage=Application.Stage.OFFER)

    html = panel_html(owner_client, application)

    assert "Offer received" not in html
    assert "I accepted their offer" in html
    assert "Log next round" in html


@pytest.mark.parametrize("stage", ["accepted", "withdrawn", "rejected"])
def test_a_settled_application_offers_no_outcome_actions(owner_client, user, stage):
    application, _ = planned(user)
    Application.objects.filter(pk=application.pk).update(stage=stage)

    html = panel_html(owner_client, application)

    assert "What happened?" not in html
    assert 'data-outcome="offer"' not in html
    assert 'data-outcome="rejected"' not in html
    assert "Log next round" not in html
    # Only the way back: take the outcome back, or correct it (issue 12).
    assert "Take it back" in html


def test_their_reply_is_kept_with_the_note_on_the_timeline(owner_client, user):
    application, _ = planned(user)

    with time_machine.travel(LATER, tick=False):
        response = owner_client.post(
            reverse("messaging:application_reply", args=[application.pk]),
            {"kind": "reply", "detail": "Second round next week, they will send times."},
        )

    assert response.status_code == 302
    assert Reply.objects.get().detail == "Second round next week, they will send times."
    event = TimelineEvent.objects.get(application=application, kind="reply")
    assert event.detail.startswith("Second round next week, they will send times.")


def test_the_dashboard_next_skips_stale_drafts_of_an_ended_application(owner_client, user):
    application, _ = planned(user)
    Application.objects.filter(pk=application.pk).update(stage=Application.Stage.REJECTED)

    response = owner_client.get(reverse("interviews:dashboard") + "?show=ended")
    row = next(a for a in response.context["applications"] if a.pk == application.pk)
    assert row.next_message_stage is None

    close_out = Message.objects.create(
        user=user,
        application=application,
        stage=Message.Stage.REJECTION_REPLY,
        status=Message.Status.DRAFT,
        due_at=LATER + dt.timedelta(days=30),
    )
    response = owner_client.get(reverse("interviews:dashboard") + "?show=ended")
    row = next(a for a in response.context["applications"] if a.pk == application.pk)
    assert (row.next_message_stage, row.next_message_due_at) == (
        Message.Stage.REJECTION_REPLY,
        close_out.due_at,
    )


def test_the_dashboard_next_of_an_open_application_is_its_earliest_pending_message(
    owner_client, user
):
    application, _ = planned(user)

    response = owner_client.get(reverse("interviews:dashboard"))

    row = next(a for a in response.context["applications"] if a.pk == application.pk)
    assert row.next_message_stage == Message.Stage.THANK_YOU
