"""Not confirmed is not failed: its own tab, its own words, and a "Send again" that warns.

A send the mail service never confirmed may have arrived. It waits on the queue's Not
confirmed tab (with the old failed rows flagged as possibly arrived), apart from the plain
failures, with what the mail service reported since; sending it again asks the user to accept
that the recipient may get two copies.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from messaging.models import Message
from tests.builders.messages import draft, panel

pytestmark = pytest.mark.django_db

Status = Message.Status
TAB = reverse("messaging:queue_unconfirmed")
EXPLAINED = "The mail service may have received this email: it did not confirm before the"


@pytest.fixture
def sends(user) -> dict[str, Message]:
    """One plain failure, one unconfirmed send, one old failed row flagged as possibly arrived."""
    application, people = panel(user)
    rows = {
        "failed": draft(application),
        "unconfirmed": draft(application, contact=people["richardson"]),
        "legacy": draft(application, contact=people["recruiter"]),
    }
    started = timezone.now()
    Message.objects.filter(pk=rows["failed"].pk).update(
        status=Status.FAILED, status_reason="Postmark: invalid 'To' address"
    )
    Message.objects.filter(pk=rows["unconfirmed"].pk).update(
        status=Status.UNCONFIRMED, outcome_unknown=True, send_started_at=started
    )
    Message.objects.filter(pk=rows["legacy"].pk).update(
        status=Status.FAILED, outcome_unknown=True, send_started_at=started
    )
    return rows


def test_the_not_confirmed_tab_lists_them_apart_from_the_failures(owner_client, sends):
    tab = owner_client.get(TAB).text
    failed = owner_client.get(reverse("messaging:queue_failed")).text

    assert f'id="unconfirmed-{sends["unconfirmed"].pk}"' in tab
    assert f'id="unconfirmed-{sends["legacy"].pk}"' in tab
    assert f'id="unconfirmed-{sends["failed"].pk}"' not in tab
    assert f'id="failed-{sends["failed"].pk}"' in failed
    assert f'id="failed-{sends["unconfirmed"].pk}"' not in failed
    assert f'id="failed-{sends["legacy"].pk}"' not in failed
    assert 'data-tab-count="unconfirmed">2<' in tab
    assert 'data-tab-count="failed">1<' in tab


def test_it_says_in_plain_words_what_not_confirmed_means(owner_client, sends):
    text = owner_client.get(TAB).text

    assert EXPLAINED in text
    assert "If a delivery report arrives, Followup marks it sent by itself." in text
    assert "Error" not in text.split('id="queue-tabs"')[1]  # no exception class names


def test_it_shows_the_delivery_evidence_once_it_arrives(owner_client, sends):
    Message.objects.filter(pk=sends["unconfirmed"].pk).update(
        delivery_status="deferred", delivery_detail="The receiving server asked to try later."
    )

    text = owner_client.get(TAB).text

    assert 'data-delivery="deferred"' in text
    assert "The receiving server asked to try later." in text
    assert "No delivery report yet." in text  # the other one has none


def test_send_again_asks_first_and_warns_of_a_second_copy(owner_client, sends):
    message = sends["unconfirmed"]
    url = reverse("messaging:queue_send_again", args=[message.pk])
    assert reverse("messaging:queue_send_again", args=[message.pk]) in owner_client.get(TAB).text

    shown = owner_client.get(url).text
    refused = owner_client.post(url, {})

    assert "They may get it twice." in shown
    assert refused.status_code == 200
    assert "they may get two copies" in refused.text
    message.refresh_from_db()
    assert message.status == Status.UNCONFIRMED


def test_send_again_once_accepted_approves_it_due_now(owner_client, sends):
    message = sends["unconfirmed"]
    url = reverse("messaging:queue_send_again", args=[message.pk])

    response = owner_client.post(url, {"accept_second_copy": "on"})

    assert response.status_code == 302
    assert response["Location"] == reverse("messaging:queue_scheduled")
    message.refresh_from_db()
    assert message.status == Status.APPROVED
    assert message.due_at <= timezone.now()
    assert not message.outcome_unknown


def test_an_old_flagged_failure_goes_through_the_checked_retry_instead(owner_client, sends):
    legacy = sends["legacy"]
    tab = owner_client.get(TAB).text

    assert reverse("messaging:queue_retry", args=[legacy.pk]) in tab
    response = owner_client.post(
        reverse("messaging:queue_send_again", args=[legacy.pk]), {"accept_second_copy": "on"}
    )

    assert response.status_code == 302
    legacy.refresh_from_db()
    assert legacy.status == Status.FAILED


def test_the_application_page_names_it_not_confirmed_and_explains(owner_client, sends):
    message = sends["unconfirmed"]

    text = owner_client.get(message.application.get_absolute_url()).text

    assert "Not confirmed" in text
    assert EXPLAINED in text
    assert f'href="{TAB}"' in text
