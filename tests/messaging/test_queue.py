"""The approval queue page: what it shows, how it groups, and that it stays cheap to load."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from interviews.models import Application, Company, Contact
from messaging import queue_selectors
from messaging.check_facts import draft_facts_many
from messaging.models import BouncedAddress, Message, Reply
from messaging.services.approval import message_approve
from tests.builders.accounts import make_user
from tests.builders.interviews import add_participant, make_interview
from tests.builders.messages import CLEAN_BODY, draft, panel, pestering_draft
from tests.builders.scenario import PANEL_STARTS

QUEUE = reverse("messaging:queue")
UTC = dt.UTC
Status = Message.Status


def card_ids(response) -> list[int]:
    """The message ids of the cards on a page, top to bottom."""
    return [int(pk) for pk in re.findall(r'id="draft-(\d+)" data-queue-card', response.text)]


def groups_of(response) -> dict[int, str]:
    return {
        item.message.pk: item.group
        for group in response.context["queue"].groups
        for item in group.items
    }


# -- what is listed -------------------------------------------------------------------------------


def test_it_lists_only_the_users_own_drafts(user, outsider, owner_client):
    application, people = panel(user)
    mine = draft(application)
    approved = draft(application, contact=people["richardson"])
    approved.status, approved.approved_at = Status.APPROVED, timezone.now()
    approved.save()
    theirs = draft(panel(outsider, company_name="Globex")[0])

    response = owner_client.get(QUEUE)

    assert response.status_code == 200
    assert card_ids(response) == [mine.pk]
    assert f"draft-{theirs.pk}" not in response.text
    assert theirs.to_email not in response.text


def test_a_card_shows_recipient_company_role_stage_and_due_time_in_the_users_zone(
    user, owner_client
):
    application, _ = panel(user)
    due = dt.datetime(2031, 5, 6, 12, 30, tzinfo=UTC)  # 08:30 in New York (EDT)
    draft(application, due_at=due, late=True)

    text = owner_client.get(QUEUE).text

    assert "Dana Whitfield" in text
    assert "dana.whitfield@northwindlabs.example" in text
    assert "Northwind Labs" in text
    assert "Senior Data Engineer" in text
    assert "Interviewing" in text
    assert "Tue 6 May, 08:30" in text
    assert ">Past the next morning</span>" in text


def test_an_overdue_card_shows_overdue_without_the_next_morning_badge(user, owner_client):
    application, _ = panel(user)
    draft(application, due_at=timezone.now() - dt.timedelta(hours=2), late=True)

    text = owner_client.get(QUEUE).text

    assert ">Overdue</span>" in text
    assert "Past the next morning" not in text


def test_an_empty_queue_says_all_clear(owner_client):
    response = owner_client.get(QUEUE)

    assert response.status_code == 200
    assert "All clear" in response.text


# -- grouping and order ---------------------------------------------------------------------------

# Frozen at Tuesday 4 March 2025, 20:00 UTC: 09:00 Wednesday 5 March in Auckland (NZDT),
# 12:00 Tuesday 4 March in Los Angeles (PST).
FROZEN = dt.datetime(2025, 3, 4, 20, 0, tzinfo=UTC)
DUE = {
    "an_hour_ago": dt.datetime(2025, 3, 4, 19, 0, tzinfo=UTC),
    "utc_early_5th": dt.datetime(2025, 3, 5, 6, 0, tzinfo=UTC),  # AKL 5th 19:00, LA 4th 22:00
    "utc_mid_5th": dt.datetime(2025, 3, 5, 10, 30, tzinfo=UTC),  # AKL 5th 23:30, LA 5th 02:30
    "utc_noon_5th": dt.datetime(2025, 3, 5, 12, 0, tzinfo=UTC),  # AKL 6th 01:00, LA 5th 04:00
    "utc_6th": dt.datetime(2025, 3, 6, 9, 0, tzinfo=UTC),  # AKL 6th 22:00, LA 6th 01:00
}
EXPECTED = {
    "Pacific/Auckland": {
        "an_hour_ago": "overdue",
        "utc_early_5th": "today",
        "utc_mid_5th": "today",
        "utc_noon_5th": "tomorrow",
        "utc_6th": "tomorrow",
    },
    "America/Los_Angeles": {
        "an_hour_ago": "overdue",
        "utc_early_5th": "today",
        "utc_mid_5th": "tomorrow",
        "utc_noon_5th": "tomorrow",
        "utc_6th": "later",
    },
}


@pytest.mark.parametrize("zone", sorted(EXPECTED))
def test_it_groups_drafts_by_day_on_the_users_own_clock(db, client, zone):
    user = make_user(f"{zone.split('/')[1].lower()}@example.com", time_zone=zone)
    application, _ = panel(user)
    ids = {name: draft(application, due_at=due, interview=None).pk for name, due in DUE.items()}
    client.force_login(user)

    with time_machine.travel(FROZEN, tick=False):
        response = client.get(QUEUE)

    assert groups_of(response) == {ids[name]: group for name, group in EXPECTED[zone].items()}
    headings = [g.label for g in response.context["queue"].groups]
    assert headings == [
        label
        for key, label in queue_selectors.GROUP_LABELS.items()
        if key in EXPECTED[zone].values()
    ]


def test_two_users_see_the_same_instant_in_different_groups():
    due = DUE["utc_6th"]
    auckland = queue_selectors.group_for(
        due, now=FROZEN, zone=zoneinfo.ZoneInfo("Pacific/Auckland")
    )
    los_angeles = queue_selectors.group_for(
        due, now=FROZEN, zone=zoneinfo.ZoneInfo("America/Los_Angeles")
    )

    assert (auckland, los_angeles) == ("tomorrow", "later")


def test_drafts_come_soonest_first_and_undated_ones_last(user, owner_client):
    application, people = panel(user)
    now = timezone.now()
    later = draft(application, due_at=now + dt.timedelta(days=9))
    undated = draft(application, contact=people["recruiter"], stage=Message.Stage.WITHDRAWAL)
    Message.objects.filter(pk=undated.pk).update(due_at=None)
    overdue = draft(application, due_at=now - dt.timedelta(hours=3), interview=None)
    soon = draft(application, contact=people["richardson"], due_at=now + dt.timedelta(minutes=5))

    response = owner_client.get(QUEUE)

    assert card_ids(response) == [overdue.pk, soon.pk, later.pk, undated.pk]
    assert groups_of(response)[overdue.pk] == "overdue"
    assert groups_of(response)[undated.pk] == "later"


# -- findings and previews ------------------------------------------------------------------------


def test_warnings_are_listed_and_their_words_highlighted_in_the_preview(user, owner_client):
    application, _ = panel(user)
    body = CLEAN_BODY.replace("I look forward", "This is my dream job. I look forward")
    draft(application, body_text=body)

    text = owner_client.get(QUEUE).text

    assert '<mark class="check-warning">dream job</mark>' in text
    assert 'data-severity="warning"' in text
    # A warning does not block: the approve button is live.
    assert re.search(r'data-action="approve">', text)


# Noon in New York: the draft due an hour later is today's whatever time the suite runs.
@time_machine.travel(dt.datetime(2025, 3, 5, 17, tzinfo=dt.UTC), tick=False)
def test_errors_are_red_and_disable_approval(user, owner_client):
    application, _ = panel(user)
    message = draft(application, subject="Thank you, [Name]")

    response = owner_client.get(QUEUE)
    text = response.text

    assert '<mark class="check-error">[Name]</mark>' in text
    assert 'data-severity="error"' in text
    assert re.search(r'data-action="approve" disabled', text)
    assert response.context["queue"].items[0].ready is False
    assert f'data-pk="{message.pk}" data-group="today"\n         data-ready="0"' in text


def test_a_bounced_address_is_an_error_on_the_card(user, owner_client):
    application, _ = panel(user)
    message = draft(application)
    BouncedAddress.objects.create(
        user=user, email=message.to_email, reason="mailbox unknown", bounced_at=timezone.now()
    )

    text = owner_client.get(QUEUE).text

    assert "bounced before" in text
    assert f'<mark class="check-error">{message.to_email}</mark>' in text


def test_pestering_is_shown_as_blocked_unless_overridden_with_a_checkbox(user, owner_client):
    message = pestering_draft(user)

    text = owner_client.get(QUEUE).text

    assert "Blocked unless you override" in text
    assert f'id="override-{message.pk}"' in text


def test_the_html_preview_is_sanitised_and_sandboxed(user, owner_client):
    application, _ = panel(user)
    draft(application, body_html='<p onclick="steal()">Hi</p><script>alert(1)</script>')

    text = owner_client.get(QUEUE).text

    frame = re.search(r"<iframe[^>]*>", text).group()
    assert 'sandbox=""' in frame
    assert "script" not in frame
    assert "onclick" not in frame
    assert "&lt;p&gt;Hi&lt;/p&gt;" in frame


# -- the navigation badge -------------------------------------------------------------------------


def test_the_navigation_shows_how_many_drafts_await_approval(user, outsider, owner_client):
    application, people = panel(user)
    draft(application)
    draft(application, contact=people["richardson"])
    draft(panel(outsider)[0])

    text = owner_client.get(reverse("interviews:dashboard")).text

    assert re.search(r'id="queue-count"[^>]*>2</span>', text)
    assert f'href="{QUEUE}"' in text


def test_the_badge_is_hidden_when_nothing_waits(owner_client):
    text = owner_client.get(reverse("interviews:dashboard")).text

    assert re.search(r'id="queue-count"[^>]* hidden>0</span>', text)


def test_signed_out_pages_do_not_count_drafts(db, client):
    response = client.get(reverse("accounts:login"))

    assert response.status_code == 200
    assert "queue_count" not in response.context


# -- the other tabs -------------------------------------------------------------------------------


def test_the_scheduled_tab_lists_approved_messages_with_their_time(user, outsider, owner_client):
    application, people = panel(user)
    approved = draft(application, due_at=dt.datetime(2031, 5, 6, 12, 30, tzinfo=UTC))
    message_approve(message=approved, user=user)
    still_draft = draft(application, contact=people["richardson"])
    theirs = draft(panel(outsider)[0])
    message_approve(message=theirs, user=outsider)
    sending = draft(application, contact=people["recruiter"], stage=Message.Stage.WITHDRAWAL)
    Message.objects.filter(pk=sending.pk).update(status=Status.SENDING, approved_at=timezone.now())

    text = owner_client.get(reverse("messaging:queue_scheduled")).text

    assert f'id="scheduled-{approved.pk}"' in text
    assert "Tue 6 May, 08:30" in text
    assert reverse("messaging:queue_unapprove", args=[approved.pk]) in text
    assert f'id="scheduled-{still_draft.pk}"' not in text
    assert f'id="scheduled-{theirs.pk}"' not in text
    # One with the ESP right now is listed, but can no longer be taken back.
    assert f'id="scheduled-{sending.pk}"' in text
    assert "Sending…" in text
    assert reverse("messaging:queue_unapprove", args=[sending.pk]) not in text


def test_the_sent_tab_shows_what_the_webhooks_said(user, owner_client):
    application, people = panel(user)
    delivered = draft(application)
    bounced = draft(application, contact=people["richardson"])
    Message.objects.filter(pk=delivered.pk).update(
        status=Status.SENT, sent_at=timezone.now(), delivery_status="delivered"
    )
    Message.objects.filter(pk=bounced.pk).update(
        status=Status.SENT,
        sent_at=timezone.now(),
        delivery_status="bounced",
        delivery_detail="550 No such user",
    )

    text = owner_client.get(reverse("messaging:queue_sent")).text

    assert re.search(rf'id="sent-{delivered.pk}"[^>]*data-delivery="delivered"', text)
    assert ">Delivered</span>" in text
    assert ">Bounced</span>" in text
    assert "550 No such user" in text
    # Read-only: no forms to change a sent message.
    assert reverse("messaging:queue_unapprove", args=[delivered.pk]) not in text


def test_the_failed_tab_shows_the_esps_reason_and_a_way_to_retry(user, owner_client):
    application, _ = panel(user)
    failed = draft(application)
    Message.objects.filter(pk=failed.pk).update(
        status=Status.FAILED, status_reason="Postmark: invalid 'To' address"
    )

    text = owner_client.get(reverse("messaging:queue_failed")).text

    assert "Postmark: invalid &#x27;To&#x27; address" in text
    assert reverse("messaging:queue_retry", args=[failed.pk]) in text


# -- facts in bulk --------------------------------------------------------------------------------


def comparable(facts) -> tuple:
    """DraftFacts with the order-free fields sorted (they are compared as sets by the checks)."""
    return (
        facts.stage,
        facts.to_email,
        facts.subject,
        facts.body,
        sorted(set(facts.known_names)),
        sorted(facts.details),
        sorted(facts.bounced_addresses),
        sorted(facts.sibling_bodies),
        sorted(facts.previous_sends),
        facts.planned_at,
        facts.expects_business_address,
    )


def test_bulk_facts_equal_the_per_message_facts_of_the_approval_service(user, outsider):
    now = timezone.now()
    application, people = panel(user)
    other_role = Application.objects.create(
        user=user, company=application.company, role="Analytics Engineer"
    )
    make_interview(other_role, starts_at=PANEL_STARTS)
    elsewhere, _ = panel(user, company_name="Globex")
    thank_you = draft(application)
    draft(application, contact=people["richardson"], body_text="Dear Ms. Richardson, thanks.")
    sibling_in_other_role = draft(
        other_role, contact=people["recruiter"], body_text="Another role, same company."
    )
    message_approve(message=sibling_in_other_role, user=user)
    draft(elsewhere, body_text="Not a sibling: another company.")
    # Same address as the thank-you: a second message to the same person is not a sibling.
    draft(application, contact=people["dana"], stage=Message.Stage.CHECK_IN, body_text="Hi again")
    first = draft(
        application,
        contact=people["recruiter"],
        stage=Message.Stage.SECOND_CHECK_IN,
        due_at=now + dt.timedelta(days=3),
    )
    Message.objects.filter(stage=Message.Stage.CHECK_IN).update(
        status=Status.SENT, sent_at=now - dt.timedelta(days=2)
    )
    Reply.objects.create(
        user=user, application=elsewhere, kind="reply", received_at=now - dt.timedelta(days=1)
    )
    BouncedAddress.objects.create(user=user, email="gone@example.com", bounced_at=now)
    BouncedAddress.objects.create(user=outsider, email="theirs@example.com", bounced_at=now)
    stranger = Contact.objects.create(
        user=user, company=Company.objects.get(name="Globex"), name="Quinn Stranger"
    )
    add_participant(elsewhere.interviews.first(), stranger, questions="about on-call")

    drafts = list(queue_selectors.queue_drafts(user=user))
    bulk = queue_selectors.draft_facts_many(user=user, messages=drafts)

    assert {thank_you.pk, first.pk} <= set(bulk)
    for message in drafts:
        assert comparable(bulk[message.pk]) == comparable(
            draft_facts_many(user=message.user, messages=[message])[message.pk]
        ), message


# -- query count ----------------------------------------------------------------------------------


def bulk_drafts(user, count: int, applications: list[Application]) -> None:
    """`count` drafts spread over the applications, inserted in one statement."""
    now = timezone.now()
    rows = []
    for i in range(count):
        application = applications[i % len(applications)]
        contact = application.main_contact
        rows.append(
            draft(
                application,
                contact=contact,
                stage=Message.Stage.NO_NEWS_REPLY,
                due_at=now + dt.timedelta(minutes=i - count // 3),
                to_email=f"person{i}@{application.company.name.lower().replace(' ', '')}.example",
                body_text=f"Hi,\n\nThanks for the update number {i}.\n\nAlex Morgan",
                save=False,
            )
        )
    Message.objects.bulk_create(rows)


def test_the_queue_page_costs_the_same_queries_for_10_and_500_drafts(
    user, owner_client, django_assert_max_num_queries
):
    applications = [panel(user, company_name=f"Company {n}")[0] for n in range(10)]
    for application in applications[:3]:
        # A sent check-in and a reply: the pestering facts have something to read.
        sent = draft(application, contact=application.main_contact, stage=Message.Stage.CHECK_IN)
        Message.objects.filter(pk=sent.pk).update(status=Status.SENT, sent_at=timezone.now())
        Reply.objects.create(
            user=user, application=application, kind="no_news", received_at=timezone.now()
        )
    BouncedAddress.objects.create(
        user=user, email="person3@company3.example", bounced_at=timezone.now()
    )
    bulk_drafts(user, 10, applications)
    owner_client.get(QUEUE)  # warm up per-process caches (content types, spell checker)

    with CaptureQueriesContext(connection) as ten:
        response = owner_client.get(QUEUE)
    assert len(card_ids(response)) == 10

    bulk_drafts(user, 490, applications)
    with django_assert_max_num_queries(len(ten.captured_queries)):
        response = owner_client.get(QUEUE)

    assert len(card_ids(response)) == queue_selectors.QUEUE_PAGE_SIZE
    assert response.context["queue"].page.paginator.count == 500
    pages = -(-500 // queue_selectors.QUEUE_PAGE_SIZE)
    assert f"Page 1 of {pages}" in response.text


def test_the_second_page_shows_the_next_drafts(user, owner_client):
    applications = [panel(user)[0]]
    bulk_drafts(user, queue_selectors.QUEUE_PAGE_SIZE + 3, applications)

    response = owner_client.get(QUEUE, {"page": 2})

    assert len(card_ids(response)) == 3
