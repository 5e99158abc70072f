"""The Contacts page: everyone, searchable, as vCard; two entries for one person merged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from interviews.models import Contact, InterviewParticipant, Task
from messaging.drafting.planning import plan_interview
from messaging.models import Message, Reply
from messaging.services.contact_merge import contacts_merge
from messaging.services.own_emails import own_email_draft
from tests.builders.accounts import make_user
from tests.builders.interviews import (
    add_participant,
    make_application,
    make_company,
    make_contact,
    make_interview,
)
from tests.builders.messages import make_message
from tests.builders.queries import messages
from tests.builders.scenario import planned

pytestmark = pytest.mark.django_db


def test_the_page_lists_everyone_with_their_part_and_last_contact(owner_client, user):
    application, people = planned(user)
    # 15:00 UTC is the same day in New York, the profile's zone the page shows dates in.
    sent_at = timezone.now().replace(hour=15) - dt.timedelta(days=3)
    make_message(application, contact=people["dana"], status=Message.Status.SENT, sent_at=sent_at)

    page = owner_client.get(reverse("interviews:contacts")).content.decode()

    assert "Dana Whitfield" in page and "Maria Richardson" in page and "Jordan Lee" in page
    assert "Senior Data Engineer</a>: Interviewer, round 1" in page
    assert "Senior Data Engineer</a>: Main contact" in page
    assert sent_at.strftime("%-d %b %Y") in page
    assert "the migration of the billing pipeline to streaming" in page


def test_search_finds_by_name_company_or_role(owner_client, user):
    planned(user)
    other = make_application(user, make_company(user, "Globex"), role="Analyst")
    make_interview(other, make_contact(other.company, "Priya Shah"))

    def names(query: str) -> set[str]:
        response = owner_client.get(reverse("interviews:contacts"), {"q": query})
        return {
            name
            for name in ("Dana Whitfield", "Maria Richardson", "Jordan Lee", "Priya Shah")
            if name in response.content.decode()
        }

    assert names("priya") == {"Priya Shah"}
    assert names("globex") == {"Priya Shah"}
    assert names("analyst") == {"Priya Shah"}
    assert names("northwind") == {"Dana Whitfield", "Maria Richardson", "Jordan Lee"}
    assert names("nobody-like-this") == set()


def test_the_page_shows_only_the_users_contacts(owner_client, user):
    stranger = make_user("sam@example.org")
    make_contact(make_company(stranger, "Initech"), "Bill Lumbergh")

    assert b"Bill Lumbergh" not in owner_client.get(reverse("interviews:contacts")).content


def test_the_page_costs_the_same_queries_with_many_contacts(owner_client, user):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert owner_client.get(reverse("interviews:contacts")).status_code == 200
        return len(captured)

    application, _ = planned(user)
    few = queries()
    interview = application.interviews.get()
    for n in range(30):
        add_participant(interview, make_contact(application.company, f"Person {n}"))

    assert queries() == few


def test_one_contact_and_all_as_vcard(owner_client, user):
    _, people = planned(user)

    one = owner_client.get(reverse("interviews:contact_vcard", args=[people["dana"].pk]))
    every = owner_client.get(reverse("interviews:contacts_vcard"))

    assert one["Content-Type"] == "text/vcard; charset=utf-8"
    assert one.content.count(b"BEGIN:VCARD") == 1 and b"FN:Dana Whitfield" in one.content
    assert every.content.count(b"BEGIN:VCARD") == 3


# -- merging ---------------------------------------------------------------------------------


@pytest.fixture
def twice(user):
    """Dana Whitfield logged a second time, without an address, in a second round."""
    application, people = planned(user)
    dana = people["dana"]
    duplicate = make_contact(
        application.company, "dana whitfield", email="", phone="+1 555 0199", title="Lead"
    )
    second = make_interview(
        application, starts_at=timezone.now() - dt.timedelta(days=1), round_number=2
    )
    add_participant(second, duplicate, discussed="the on-call rotation")
    Reply.objects.create(
        user=user,
        application=application,
        contact=duplicate,
        kind=Reply.Kind.REPLY,
        received_at=timezone.now(),
    )
    Task.objects.create(user=user, contact=duplicate, title="Connect", due_on=dt.date(2026, 1, 2))
    return application, dana, duplicate, second


def test_merging_moves_the_history_and_fills_the_gaps(user, twice):
    application, dana, duplicate, second = twice

    kept = contacts_merge(keep=dana, other=duplicate, user=user)

    assert not Contact.objects.filter(pk=duplicate.pk).exists()
    assert kept.email == dana.email  # the kept entry's own details win
    assert (kept.phone, kept.title) == ("+1 555 0199", "Lead")  # its gaps are filled
    assert InterviewParticipant.objects.get(interview=second).contact == kept
    assert Reply.objects.get().contact == kept
    assert Task.objects.get().contact == kept
    assert application.timeline.filter(summary__startswith="Contacts merged").exists()


def test_merging_two_entries_in_one_interview_keeps_one_row_with_both_notes(user):
    application, people = planned(user)
    interview = application.interviews.get()
    duplicate = make_contact(application.company, "Dana W.", email="dana.w@northwindlabs.example")
    add_participant(interview, duplicate, discussed="their hiring plans")

    contacts_merge(keep=people["dana"], other=duplicate, user=user)

    row = InterviewParticipant.objects.get(interview=interview, contact=people["dana"])
    assert row.discussed == (
        "the migration of the billing pipeline to streaming\ntheir hiring plans"
    )
    # One thank-you to Dana for the interview, never two.
    thank_yous = messages(application, Message.Stage.THANK_YOU, statuses=Message.PENDING_STATUSES)
    assert [m.contact_id for m in thank_yous].count(people["dana"].pk) == 1


def test_entries_at_different_companies_are_not_merged(user, twice):
    _, dana, _, _ = twice
    elsewhere = make_contact(make_company(user, "Globex"), "Dana Whitfield")

    with pytest.raises(Exception, match="different companies"):
        contacts_merge(keep=dana, other=elsewhere, user=user)
    assert Contact.objects.filter(pk=elsewhere.pk).exists()


def test_the_merge_page_offers_look_alikes_and_merges(owner_client, user, twice):
    _, dana, duplicate, _ = twice
    url = reverse("interviews:contact_merge", args=[dana.pk])

    page = owner_client.get(url).content.decode()
    assert "dana whitfield" in page

    response = owner_client.post(url, {"other": duplicate.pk})

    assert response.status_code == 302
    assert not Contact.objects.filter(pk=duplicate.pk).exists()


@pytest.mark.parametrize("other", ["", "abc", "9" * 30])
def test_a_bad_merge_post_says_what_to_do(owner_client, user, twice, other):
    _, dana, duplicate, _ = twice

    response = owner_client.post(
        reverse("interviews:contact_merge", args=[dana.pk]), {"other": other}
    )

    assert response.status_code == 400
    assert b"Choose the entry" in response.content
    assert Contact.objects.filter(pk=duplicate.pk).exists()


def test_another_users_contact_cannot_be_merged_in(owner_client, user, twice):
    _, dana, _, _ = twice
    theirs = make_contact(make_company(make_user("sam@example.org"), "Northwind Labs"), "Dana")

    response = owner_client.post(
        reverse("interviews:contact_merge", args=[dana.pk]), {"other": theirs.pk}
    )

    assert response.status_code == 404
    assert Contact.objects.filter(pk=theirs.pk).exists()


def test_a_merge_keeps_the_duplicates_pending_messages_and_readdresses_them(user):
    application, people = planned(user)
    interview = application.interviews.get()
    duplicate = make_contact(application.company, "Dana W.", email="dana.w@northwindlabs.example")
    add_participant(interview, duplicate, discussed="their hiring plans")
    plan_interview(interview=interview)
    # The user rewrote the duplicate's thank-you and wrote an email to that address too.
    theirs = Message.objects.get(
        interview=interview, contact=duplicate, stage=Message.Stage.THANK_YOU
    )
    Message.objects.filter(pk=theirs.pk).update(body_text="MY OWN WORDS", edited_by_user=True)
    own = own_email_draft(
        application=application, user=user, contact=duplicate, subject="Hi", body="A question"
    )
    Task.objects.create(
        user=user,
        contact=duplicate,
        key=f"linkedin:{duplicate.pk}",
        title="x",
        due_on=dt.date(2026, 1, 2),
    )
    Task.objects.create(
        user=user,
        contact=people["dana"],
        key=f"linkedin:{people['dana'].pk}",
        title="y",
        due_on=dt.date(2026, 1, 2),
    )

    contacts_merge(keep=people["dana"], other=duplicate, user=user)

    dana = people["dana"]
    live = messages(application, Message.Stage.THANK_YOU, statuses=Message.PENDING_STATUSES)
    mine = [m for m in live if m.contact_id == dana.pk]
    assert [m.body_text for m in mine] == ["MY OWN WORDS"]  # the edited one stayed
    assert mine[0].to_email == dana.email
    own.refresh_from_db()
    assert (own.status, own.contact, own.to_email) == (Message.Status.DRAFT, dana, dana.email)
    assert Task.objects.filter(user=user, key__startswith="linkedin:").count() == 1


def test_a_long_search_pages_and_keeps_the_search(owner_client, user):
    company = make_company(user, "Acme & Sons")
    for n in range(55):
        make_contact(company, f"Person {n:02d}")

    page = owner_client.get(reverse("interviews:contacts"), {"q": "acme & sons"})

    assert 'href="?q=acme%20%26%20sons&amp;page=2"' in page.content.decode()
    second = owner_client.get(reverse("interviews:contacts"), {"q": "acme & sons", "page": 2})
    assert len(second.context["rows"]) == 5
