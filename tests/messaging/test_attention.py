"""Attention where it is due: the navigation badges, the folded "Later" group, the identity banner.

The Queue badge counts drafts due by the end of tomorrow on the user's own clock (and overdue
ones), not check-ins weeks away; failed sends have a badge of their own, a link to the Failed
tab, and sends the mail service never confirmed another, to the Not confirmed tab; until the
sign-off has a name and phone, every page says what is missing.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from followup.accounts.models import Profile
from messaging.models import Message
from tests.builders.accounts import make_user
from tests.builders.messages import draft, panel

pytestmark = pytest.mark.django_db

UTC = dt.UTC
Status = Message.Status
DASHBOARD = reverse("interviews:dashboard")
QUEUE = reverse("messaging:queue")
FAILED = reverse("messaging:queue_failed")
UNCONFIRMED = reverse("messaging:queue_unconfirmed")
# Tuesday 4 March 2025, 20:00 UTC: 15:00 Tuesday in New York, 09:00 Wednesday in Auckland.
FROZEN = dt.datetime(2025, 3, 4, 20, 0, tzinfo=UTC)


def badge(html: str, element_id: str) -> tuple[int, bool]:
    """A badge's number and whether it is hidden."""
    tag = re.search(rf'<[^>]*id="{element_id}"[^>]*>', html).group()
    number = re.search(rf'id="{element_id}"[^>]*>(?:\s*<[^>]*>)*\s*(\d+)', html).group(1)
    return int(number), " hidden" in tag


def page(client, url: str = DASHBOARD) -> str:
    with time_machine.travel(FROZEN, tick=False):
        return client.get(url).text


# -- the queue badge ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "due", "counted"),
    [
        # New York: today is Tuesday 4th, tomorrow Wednesday 5th (ends 05:00 UTC on the 6th).
        ("America/New_York", dt.datetime(2025, 3, 1, 12, 0, tzinfo=UTC), True),  # overdue
        ("America/New_York", dt.datetime(2025, 3, 4, 22, 0, tzinfo=UTC), True),  # today
        ("America/New_York", dt.datetime(2025, 3, 6, 4, 59, tzinfo=UTC), True),  # tomorrow 23:59
        ("America/New_York", dt.datetime(2025, 3, 6, 5, 0, tzinfo=UTC), False),  # Thursday 00:00
        ("America/New_York", dt.datetime(2025, 3, 20, 14, 0, tzinfo=UTC), False),  # weeks away
        # Auckland: today is Wednesday 5th, tomorrow Thursday 6th (ends 11:00 UTC on the 6th).
        ("Pacific/Auckland", dt.datetime(2025, 3, 6, 10, 59, tzinfo=UTC), True),
        ("Pacific/Auckland", dt.datetime(2025, 3, 6, 11, 0, tzinfo=UTC), False),
    ],
)
def test_the_badge_counts_drafts_due_by_the_end_of_tomorrow_on_the_users_clock(
    client, zone, due, counted
):
    user = make_user("alex@example.com", time_zone=zone)
    application, people = panel(user)
    draft(application, due_at=due, interview=None)
    draft(application, contact=people["richardson"], due_at=FROZEN + dt.timedelta(hours=1))
    client.force_login(user)

    assert badge(page(client), "queue-count") == (2 if counted else 1, False)


def test_drafts_weeks_away_or_undated_leave_the_badge_hidden(client):
    user = make_user("alex@example.com")
    application, people = panel(user)
    draft(application, due_at=FROZEN + dt.timedelta(weeks=3))
    draft(application, contact=people["richardson"], due_at=None)
    client.force_login(user)

    html = page(client)

    assert badge(html, "queue-count") == (0, True)
    assert "0 drafts due by tomorrow" in html


def test_an_htmx_action_carries_the_badge_count_of_drafts_due_soon(client):
    user = make_user("alex@example.com")
    application, people = panel(user)
    soon = draft(application, due_at=FROZEN + dt.timedelta(hours=1))
    draft(application, contact=people["richardson"], due_at=FROZEN + dt.timedelta(hours=2))
    draft(application, contact=people["recruiter"], due_at=FROZEN + dt.timedelta(days=9))
    client.force_login(user)

    with time_machine.travel(FROZEN, tick=False):
        response = client.post(
            reverse("messaging:queue_approve", args=[soon.pk]), HTTP_HX_REQUEST="true"
        )

    assert '"queueChanged": {"count": 1}' in response["HX-Trigger"]


# -- the failed badge -----------------------------------------------------------------------------


def test_failed_and_unconfirmed_sends_have_badges_of_their_own_linking_to_their_tabs(client):
    user = make_user("alex@example.com")
    application, people = panel(user)
    failed = draft(application)
    interrupted = draft(application, contact=people["richardson"])
    unconfirmed = draft(application, contact=people["recruiter"])
    Message.objects.filter(pk=failed.pk).update(status=Status.FAILED)
    # A row written before the unconfirmed status existed: flagged as possibly arrived.
    Message.objects.filter(pk=interrupted.pk).update(status=Status.FAILED, outcome_unknown=True)
    Message.objects.filter(pk=unconfirmed.pk).update(status=Status.UNCONFIRMED)
    client.force_login(user)

    html = page(client)

    assert badge(html, "failed-count") == (1, False)
    link = re.search(r'<a id="failed-count"[^>]*>', html).group()
    assert f'href="{FAILED}"' in link
    assert 'aria-label="1 failed: see the Failed tab"' in link
    assert badge(html, "unconfirmed-count") == (2, False)
    link = re.search(r'<a id="unconfirmed-count"[^>]*>', html).group()
    assert f'href="{UNCONFIRMED}"' in link
    assert 'aria-label="2 not confirmed: see the Not confirmed tab"' in link
    # None of them is a draft: the queue badge stays out of it.
    assert badge(html, "queue-count") == (0, True)


def test_only_the_unconfirmed_badge_shows_when_nothing_failed(client, user):
    unconfirmed = draft(panel(user)[0])
    Message.objects.filter(pk=unconfirmed.pk).update(status=Status.UNCONFIRMED)
    client.force_login(user)

    html = page(client)

    assert badge(html, "failed-count") == (0, True)
    assert badge(html, "unconfirmed-count") == (1, False)


def test_the_failed_badge_is_hidden_when_nothing_failed(client, user):
    client.force_login(user)

    assert badge(page(client), "failed-count") == (0, True)


def test_the_failed_badge_counts_only_the_users_own(client, user, outsider):
    theirs = draft(panel(outsider, company_name="Globex")[0])
    Message.objects.filter(pk=theirs.pk).update(status=Status.FAILED)
    client.force_login(user)

    assert badge(page(client), "failed-count") == (0, True)


def test_the_badges_cost_the_same_queries_for_3_and_60_messages(client):
    user = make_user("alex@example.com")
    application, _ = panel(user)
    client.force_login(user)

    def queries(count: int) -> int:
        for n in range(count):
            message = draft(application, due_at=FROZEN + dt.timedelta(hours=n), interview=None)
            if n % 3 == 0:
                Message.objects.filter(pk=message.pk).update(status=Status.FAILED)
        with CaptureQueriesContext(connection) as captured:
            page(client)
        return len(captured)

    few = queries(3)
    assert queries(57) == few


# -- the "Later" group ----------------------------------------------------------------------------


def test_the_later_group_is_folded_away_by_default_and_the_others_are_not(client):
    user = make_user("alex@example.com")
    application, people = panel(user)
    today = draft(application, due_at=FROZEN + dt.timedelta(hours=1))
    later = draft(application, contact=people["richardson"], due_at=FROZEN + dt.timedelta(days=9))
    client.force_login(user)

    html = page(client, QUEUE)

    folded = re.search(r'<details class="[^"]*queue-group[^"]*" data-group="later"[^>]*>', html)
    assert folded and " open" not in folded.group()
    later_part = html[folded.start() : html.index("</details>", html.index(f"draft-{later.pk}"))]
    assert f'id="draft-{later.pk}"' in later_part
    assert f'id="draft-{today.pk}"' not in later_part
    assert re.search(r'<section class="queue-group[^"]*" data-group="today"', html)
    assert "<script>" not in html  # no inline script: the CSP allows none


# -- the sender identity --------------------------------------------------------------------------


def test_a_profile_without_a_phone_gets_a_banner_naming_it_with_a_link(client):
    user = make_user("alex@example.com", phone="")
    client.force_login(user)

    html = page(client)

    banner = re.search(r'<div [^>]*id="identity-missing".*?</div>\s*</div>', html, re.S).group()
    text = " ".join(re.sub(r"<[^>]+>", " ", banner).split())
    assert "your phone number is missing" in text
    assert "full name" not in text.split("and")[-1]
    assert f'href="{reverse("accounts:profile")}"' in banner
    assert "Add it on your profile" in text


def test_a_profile_without_name_or_phone_names_both(client):
    user = make_user("alex@example.com", phone="", full_name="")
    client.force_login(user)

    text = " ".join(re.sub(r"<[^>]+>", " ", page(client)).split())

    assert "your full name and your phone number are missing" in text
    assert "Add them on your profile" in text


def test_a_complete_identity_shows_no_banner(client, user):
    client.force_login(user)

    assert 'id="identity-missing"' not in page(client)


def test_the_banner_goes_once_the_phone_is_saved(client):
    user = make_user("alex@example.com", phone="")
    client.force_login(user)
    assert 'id="identity-missing"' in page(client)

    Profile.objects.filter(user=user).update(phone="+1 555 0100")

    assert 'id="identity-missing"' not in page(client)


def test_signed_out_pages_have_no_banner_nor_badges(client):
    html = client.get(reverse("accounts:login")).text

    assert 'id="identity-missing"' not in html
    assert 'id="queue-count"' not in html and 'id="failed-count"' not in html
