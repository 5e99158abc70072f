"""Thank-yous: one per interviewer with their detail, relayed without an address, signed, calm."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from followup.accounts.models import Profile
from followup.rules.checks import content, wording
from interviews.models import Contact, InterviewParticipant, TimelineEvent
from messaging.drafting.planning import draft_message, plan_interview
from messaging.drafting.rendering import (
    LINK_PLACEHOLDER,
    long_date,
)
from messaging.models import Message
from messaging.services.approval import message_approve
from messaging.services.refusals import ApprovalBlocked
from tests.builders.clock import local
from tests.builders.interviews import (
    add_participant,
    make_application,
    make_company,
    make_contact,
    make_interview,
)
from tests.builders.queries import thank_yous
from tests.builders.scenario import PANEL_STARTS, make_panel

pytestmark = pytest.mark.django_db


def test_it_drafts_one_thank_you_per_interviewer_with_their_own_detail(sender):
    application, interview, people = make_panel(sender)

    plan_interview(interview=interview)

    drafts = thank_yous(interview)
    assert set(drafts) == {"Dana Whitfield", "Maria Richardson"}
    dana, maria = drafts["Dana Whitfield"], drafts["Maria Richardson"]
    assert dana.to_email == people["dana"].email
    assert maria.to_email == people["richardson"].email
    assert "billing pipeline to streaming" in dana.body_text
    assert "data quality" not in dana.body_text
    assert "how the analytics team measures data quality" in maria.body_text
    assert "quality.." not in maria.body_text
    assert "billing pipeline" not in maria.body_text
    assert {dana.status, maria.status} == {"draft"}
    assert TimelineEvent.objects.filter(application=application, kind="drafted").count() == 4


def test_the_greeting_follows_each_contacts_tone(sender):
    _, interview, _ = make_panel(sender)

    plan_interview(interview=interview)

    drafts = thank_yous(interview)
    assert drafts["Dana Whitfield"].body_text.startswith("Hi Dana,\n")
    assert drafts["Maria Richardson"].body_text.startswith("Dear Ms. Richardson,\n")
    assert drafts["Maria Richardson"].body_html.startswith("<p>Dear Ms. Richardson,</p>")


def test_the_role_is_named_in_the_subject_and_first_paragraph(sender):
    _, interview, _ = make_panel(sender)

    plan_interview(interview=interview)

    for draft in thank_yous(interview).values():
        assert "Senior Data Engineer" in draft.subject
        first_paragraph = draft.body_text.split("\n\n")[1]
        assert "Senior Data Engineer" in first_paragraph
        assert "Northwind Labs" in first_paragraph
        assert "Tuesday, March 4" in first_paragraph


def test_it_asks_the_main_contact_to_pass_thanks_to_interviewers_without_an_address(sender):
    company = make_company(sender, "Northwind Labs")
    recruiter = make_contact(company, "Jordan Lee", kind=Contact.Kind.RECRUITER)
    application = make_application(
        sender, company, role="Senior Data Engineer", main_contact=recruiter
    )
    interview = make_interview(application, starts_at=PANEL_STARTS)
    add_participant(interview, make_contact(company, "Priya Shah", email=""))
    add_participant(interview, make_contact(company, "Tom Becker", email=""))
    with_address = make_contact(company, "Dana Whitfield")
    add_participant(interview, with_address, discussed="the streaming migration")

    plan_interview(interview=interview)

    drafts = thank_yous(interview)
    assert set(drafts) == {"Jordan Lee", "Dana Whitfield"}
    relay = drafts["Jordan Lee"]
    assert relay.to_email == recruiter.email
    assert "Priya Shah and Tom Becker" in relay.body_text
    assert re.search(r"pass(ing)? my thanks on to Priya Shah and Tom Becker[?,]", relay.body_text)
    assert "Priya Shah" not in drafts["Dana Whitfield"].body_text


def test_thanks_passed_on_name_each_person_as_they_are_addressed(sender):
    """Formal: "Ms. Shah" with an honorific, the full name without; first-name tone: "Tom"."""
    company = make_company(sender, "Northwind Labs")
    recruiter = make_contact(
        company, "Jordan Lee", kind=Contact.Kind.RECRUITER, honorific="Mx.", tone="formal"
    )
    application = make_application(
        sender, company, role="Senior Data Engineer", main_contact=recruiter
    )
    interview = make_interview(application, starts_at=PANEL_STARTS)
    add_participant(interview, make_contact(company, "Priya Shah", email="", honorific="Ms."))
    add_participant(interview, make_contact(company, "Tom Becker", email="", tone="first_name"))
    add_participant(interview, make_contact(company, "Ana Ruiz", email=""))

    plan_interview(interview=interview)

    relay = thank_yous(interview)["Jordan Lee"]
    assert relay.body_text.startswith("Dear Mx. Lee,\n")
    assert re.search(r"my thanks on to Ms\. Shah, Tom and Ana Ruiz[?,]", relay.body_text)
    assert "on to Ms. Shah, Tom and Ana Ruiz" in relay.body_html
    assert "Priya" not in relay.body_text


def test_a_formal_contact_without_an_honorific_gets_the_users_neutral_form(sender):
    Profile.objects.filter(user=sender).update(formal_greeting="hello_full_name")
    company = make_company(sender, "Northwind Labs")
    coordinator = make_contact(company, "Sam Ortiz", kind=Contact.Kind.COORDINATOR)
    application = make_application(sender, company, main_contact=coordinator)
    interview = make_interview(application, starts_at=PANEL_STARTS)
    add_participant(interview, make_contact(company, "Priya Shah", email=""))

    plan_interview(interview=interview)

    relay = thank_yous(interview)["Sam Ortiz"]
    assert relay.body_text.startswith("Hello Sam Ortiz,\n")
    assert "Mr." not in relay.body_text and "Ms." not in relay.body_text


def test_a_coordinator_in_the_interview_relays_thanks_when_there_is_no_main_contact(sender):
    company = make_company(sender, "Northwind Labs")
    application = make_application(sender, company, role="Senior Data Engineer")
    interview = make_interview(application, starts_at=PANEL_STARTS)
    coordinator = make_contact(company, "Sam Ortiz", kind=Contact.Kind.COORDINATOR)
    add_participant(interview, make_contact(company, "Priya Shah", email=""))
    add_participant(interview, coordinator)

    plan_interview(interview=interview)

    drafts = thank_yous(interview)
    assert set(drafts) == {"Sam Ortiz"}
    assert re.search(r"thanks on to Priya Shah[?,]", drafts["Sam Ortiz"].body_text)


def test_with_no_address_at_all_the_relay_is_drafted_without_a_recipient(sender):
    company = make_company(sender, "Northwind Labs")
    recruiter = make_contact(company, "Jordan Lee", email="", kind=Contact.Kind.RECRUITER)
    application = make_application(
        sender, company, role="Senior Data Engineer", main_contact=recruiter
    )
    interview = make_interview(application, starts_at=PANEL_STARTS)
    add_participant(interview, make_contact(company, "Priya Shah", email=""))

    plan_interview(interview=interview)

    (relay,) = Message.objects.filter(interview=interview, stage="thank_you")
    assert relay.contact == recruiter
    assert relay.to_email == ""
    assert relay.status == "draft"
    assert "Priya Shah" in relay.body_text


def test_a_promised_item_gets_a_link_slot_that_blocks_approval_until_filled(sender):
    _, interview, people = make_panel(sender)
    InterviewParticipant.objects.filter(contact=people["dana"]).update(
        promised="the architecture write-up from my last team"
    )

    plan_interview(interview=interview)

    drafts = thank_yous(interview)
    dana = drafts["Dana Whitfield"]
    assert re.search(
        r"the architecture write-up from my last team[^.]*: \[Paste the link here\]",
        dana.body_text,
    )
    assert LINK_PLACEHOLDER in dana.body_html
    assert "attach" not in dana.body_text.lower()
    assert "I have run on-call rotations for three years." in drafts["Maria Richardson"].body_text
    [finding] = content.check_placeholders(dana.body_text)
    assert finding.severity == "error"
    with pytest.raises(ApprovalBlocked):
        message_approve(message=dana, user=sender)
    dana.refresh_from_db()
    assert (dana.status, dana.approved_at) == ("draft", None)


def test_the_sign_off_carries_name_phone_email_and_signature(sender):
    _, interview, _ = make_panel(sender)

    plan_interview(interview=interview)

    for draft in Message.objects.all():
        assert draft.body_text.endswith(
            "\nAlex Morgan\n+1 555 0100\nalex@example.com\nlinkedin.com/in/alex-morgan"
        )
        assert "Alex Morgan<br>" in draft.body_html


def test_the_signature_drops_lines_that_repeat_the_name_phone_or_email(user):
    Profile.objects.filter(user=user).update(
        signature=(
            "Best regards,\nAlex Morgan\nTel: (+1) 555-0100\nALEX@example.com\n"
            "Alex Morgan | +1 555 0100\nData engineer, Berlin\nlinkedin.com/in/alex-morgan"
        )
    )
    _, interview, _ = make_panel(user)

    plan_interview(interview=interview)

    for draft in Message.objects.all():
        assert draft.body_text.endswith(
            "\nAlex Morgan\n+1 555 0100\nalex@example.com\n"
            "Data engineer, Berlin\nlinkedin.com/in/alex-morgan"
        )
        assert draft.body_text.count("Alex Morgan") == 1
        assert "555-0100" not in draft.body_text
        assert "Data engineer, Berlin<br>" in draft.body_html


@pytest.mark.parametrize(
    ("country", "expected"),
    [("US", "Tuesday, March 4"), ("DE", "Tuesday 4 March"), ("GB", "Tuesday 4 March")],
)
def test_dates_are_written_the_senders_way(user, country, expected):
    Profile.objects.filter(user=user).update(country=country, region="")
    application, interview, people = make_panel(user)

    plan_interview(interview=interview)
    offer = draft_message(
        application=application,
        stage="offer_deadline",
        contact=people["recruiter"],
        due_at=local(2025, 3, 7, 8),
        context={"deadline": dt.date(2025, 3, 14)},
    )

    for draft in thank_yous(interview).values():
        assert expected in draft.body_text
    deadline = {"US": "Friday, March 14"}.get(country, "Friday 14 March")
    assert deadline in offer.body_text
    this_year = dt.date(2026, 1, 1)
    assert long_date(dt.date(2026, 11, 24), country=country, today=this_year) == (
        "Tuesday, November 24" if country == "US" else "Tuesday 24 November"
    )
    # Another year than today's is spelled out.
    assert long_date(dt.date(2027, 1, 5), country=country, today=dt.date(2026, 12, 20)) == (
        "Tuesday, January 5, 2027" if country == "US" else "Tuesday 5 January 2027"
    )


def test_colleagues_at_one_company_get_different_phrasings(sender):
    company = make_company(sender, "Northwind Labs")
    application = make_application(sender, company, role="Senior Data Engineer")
    interview = make_interview(application, starts_at=PANEL_STARTS)
    for name in ("Dana Whitfield", "Maria Richardson", "Lee Park"):
        add_participant(interview, make_contact(company, name), discussed="the roadmap")

    plan_interview(interview=interview)

    drafts = list(Message.objects.filter(interview=interview, stage="thank_you"))
    assert sorted(m.phrasing for m in drafts) == [1, 2, 3]
    openings = {m.body_text.split("\n\n")[1] for m in drafts}
    assert len(openings) == 3
    # A later round at the same company keeps rotating instead of restarting at one phrasing.
    second = make_interview(application, starts_at=local(2025, 3, 11, 10), round_number=2)
    add_participant(second, make_contact(company, "Kim Young"))
    add_participant(second, make_contact(company, "Ana Silva"))
    plan_interview(interview=second)
    later = sorted(m.phrasing for m in Message.objects.filter(interview=second, stage="thank_you"))
    assert len(set(later)) == 2


def test_phrasing_choice_is_deterministic(sender):
    application, interview, _ = make_panel(sender)

    plan_interview(interview=interview)

    # The n-th thank-you at a company starts at phrasing (company id + n) % count.
    first = application.company_id % 3 + 1
    drafts = thank_yous(interview)
    assert drafts["Dana Whitfield"].phrasing == first
    assert drafts["Maria Richardson"].phrasing == first % 3 + 1


def test_a_thank_you_is_kept_short(sender):
    _, interview, _ = make_panel(sender)

    plan_interview(interview=interview)

    for draft in thank_yous(interview).values():
        assert len(draft.body_text.split()) < 200
        paragraphs = draft.body_text.split("\n\n")
        assert 4 <= len(paragraphs) <= 6  # greeting, two to four paragraphs, sign-off


def test_a_note_of_several_sentences_becomes_a_slot_to_fill(sender):
    company = make_company(sender, "Northwind Labs")
    application = make_application(sender, company, role="Senior Data Engineer")
    interview = make_interview(application, starts_at=PANEL_STARTS)
    dana = make_contact(company, "Dana Whitfield")
    maria = make_contact(company, "Maria Richardson")
    add_participant(
        interview,
        dana,
        discussed="Dr. Okafor's work on e.g. schema checks. Also the hiring plan.\nMore notes.",
    )
    # "Dr." and "e.g." end no sentence: a note of one sentence with them is used whole.
    add_participant(interview, maria, discussed="Dr. Okafor's work on e.g. schema checks.")

    plan_interview(interview=interview)

    drafts = thank_yous(interview)
    dana_body = drafts["Dana Whitfield"].body_text
    assert "[Say in a few words what you discussed]" in dana_body
    assert "hiring plan" not in dana_body and "More notes" not in dana_body
    assert "Okafor" not in dana_body
    with pytest.raises(ApprovalBlocked):
        message_approve(message=drafts["Dana Whitfield"], user=sender)
    assert "Dr. Okafor's work on e.g. schema checks" in drafts["Maria Richardson"].body_text


def test_a_thank_you_logged_too_late_is_marked_late(sender):
    _, interview, _ = make_panel(sender)

    with time_machine.travel(local(2025, 3, 6, 12), tick=False):
        plan_interview(interview=interview)

    for draft in thank_yous(interview).values():
        assert draft.late is True
        assert draft.due_at == local(2025, 3, 6, 12)


LATE_OPENINGS = (
    "I'm sorry this note reaches you later than I intended.",
    "Please forgive how long this note has taken to reach you.",
    "This note is later than I would have liked, but my thanks are no less sincere.",
)


def test_a_thank_you_weeks_late_opens_with_one_calm_acknowledgement(sender):
    _, interview, _ = make_panel(sender)

    with time_machine.travel(local(2025, 3, 25, 12), tick=False):
        plan_interview(interview=interview)

    for draft in thank_yous(interview).values():
        first_paragraph = draft.body_text.split("\n\n")[1]
        assert first_paragraph.startswith(LATE_OPENINGS[draft.phrasing - 1])
        assert f"<p>{LATE_OPENINGS[draft.phrasing - 1]}" in draft.body_html
        assert wording.check_anxious(draft.body_text) == []


def test_a_thank_you_late_by_hours_within_a_day_says_nothing_of_it(sender):
    _, interview, _ = make_panel(sender)

    with time_machine.travel(local(2025, 3, 5, 11), tick=False):
        plan_interview(interview=interview)

    for draft in thank_yous(interview).values():
        assert draft.late is True
        assert not any(opening in draft.body_text for opening in LATE_OPENINGS)
