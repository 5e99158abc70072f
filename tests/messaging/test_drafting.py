"""Drafting: what each draft says, to whom, in which thread, and when it is due."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from followup.accounts.models import Profile
from interviews.models import Contact, TimelineEvent
from messaging import cadence
from messaging.drafting import (
    HOOK_PLACEHOLDER,
    cadence_inputs_for,
    draft_message,
    phrasing_count,
    plan_interview,
    render_stage,
)
from messaging.models import Message
from tests.messaging.factories import (
    add_participant,
    local,
    make_application,
    make_company,
    make_contact,
    make_interview,
    make_panel,
)

pytestmark = pytest.mark.django_db

# The day of the default interview (Tue 4 March 2025, 14:00-15:00 New York), after it ended.
NOW = local(2025, 3, 4, 16)
DASH = "\N{EN DASH}"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def sender(user):
    Profile.objects.filter(user=user).update(signature="linkedin.com/in/alex-morgan")
    return user


def thank_yous(interview):
    return {
        m.contact.name: m for m in Message.objects.filter(interview=interview, stage="thank_you")
    }


def full_context(**overrides):
    context = {
        "greeting": "Dear Ms. Richardson,",
        "recipient_name": "Maria Richardson",
        "recipient_interviewed": True,
        "role": "R&D Engineer",
        "company": "Smith & Sons",
        "interview_date": "Tuesday, March 4",
        "detail": "the O'Brien project",
        "question": "",
        "detail_with": "",
        "added_point": "I have led <two> migrations",
        "promised": "a work sample",
        "pass_on_names": "Dana Whitfield and Lee Park",
        "sender_name": "Alex Morgan",
        "sender_phone": "+1 555 0100",
        "sender_email": "alex@example.com",
        "signature": "linkedin.com/in/alex-morgan",
        "ask_feedback": True,
        "deadline": "Friday, March 14",
        "hook": HOOK_PLACEHOLDER,
    }
    return context | overrides


# -- thank-yous -------------------------------------------------------------------------------


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
    company = make_company(sender)
    recruiter = make_contact(sender, company, "Jordan Lee", kind=Contact.Kind.RECRUITER)
    application = make_application(sender, company=company, main_contact=recruiter)
    interview = make_interview(application)
    add_participant(interview, make_contact(sender, company, "Priya Shah", email=""))
    add_participant(interview, make_contact(sender, company, "Tom Becker", email=""))
    with_address = make_contact(sender, company, "Dana Whitfield")
    add_participant(interview, with_address, discussed="the streaming migration")

    plan_interview(interview=interview)

    drafts = thank_yous(interview)
    assert set(drafts) == {"Jordan Lee", "Dana Whitfield"}
    relay = drafts["Jordan Lee"]
    assert relay.to_email == recruiter.email
    assert "Priya Shah and Tom Becker" in relay.body_text
    assert re.search(r"pass(ing)? my thanks on to Priya Shah and Tom Becker[?,]", relay.body_text)
    assert "Priya Shah" not in drafts["Dana Whitfield"].body_text


def test_a_coordinator_in_the_interview_relays_thanks_when_there_is_no_main_contact(sender):
    company = make_company(sender)
    application = make_application(sender, company=company)
    interview = make_interview(application)
    coordinator = make_contact(sender, company, "Sam Ortiz", kind=Contact.Kind.COORDINATOR)
    add_participant(interview, make_contact(sender, company, "Priya Shah", email=""))
    add_participant(interview, coordinator)

    plan_interview(interview=interview)

    drafts = thank_yous(interview)
    assert set(drafts) == {"Sam Ortiz"}
    assert re.search(r"thanks on to Priya Shah[?,]", drafts["Sam Ortiz"].body_text)


def test_with_no_address_at_all_the_relay_is_drafted_without_a_recipient(sender):
    company = make_company(sender)
    recruiter = make_contact(sender, company, "Jordan Lee", email="", kind=Contact.Kind.RECRUITER)
    application = make_application(sender, company=company, main_contact=recruiter)
    interview = make_interview(application)
    add_participant(interview, make_contact(sender, company, "Priya Shah", email=""))

    plan_interview(interview=interview)

    (relay,) = Message.objects.filter(interview=interview, stage="thank_you")
    assert relay.contact == recruiter
    assert relay.to_email == ""
    assert relay.status == "draft"
    assert "Priya Shah" in relay.body_text


def test_the_promised_attachment_and_the_added_point_are_mentioned(sender):
    _, interview, _ = make_panel(sender)

    plan_interview(interview=interview)

    drafts = thank_yous(interview)
    assert "the architecture write-up from my last team" in drafts["Dana Whitfield"].body_text
    assert "attached" in drafts["Dana Whitfield"].body_text
    assert "I have run on-call rotations for three years." in drafts["Maria Richardson"].body_text


def test_the_sign_off_carries_name_phone_email_and_signature(sender):
    _, interview, _ = make_panel(sender)

    plan_interview(interview=interview)

    for draft in Message.objects.all():
        assert draft.body_text.endswith(
            "\nAlex Morgan\n+1 555 0100\nalex@example.com\nlinkedin.com/in/alex-morgan"
        )
        assert "Alex Morgan<br>" in draft.body_html


def test_colleagues_at_one_company_get_different_phrasings(sender):
    company = make_company(sender)
    application = make_application(sender, company=company)
    interview = make_interview(application)
    for name in ("Dana Whitfield", "Maria Richardson", "Lee Park"):
        add_participant(interview, make_contact(sender, company, name), discussed="the roadmap")

    plan_interview(interview=interview)

    drafts = list(Message.objects.filter(interview=interview, stage="thank_you"))
    assert sorted(m.phrasing for m in drafts) == [1, 2, 3]
    openings = {m.body_text.split("\n\n")[1] for m in drafts}
    assert len(openings) == 3
    # A later round at the same company keeps rotating instead of restarting at one phrasing.
    second = make_interview(application, starts_at=local(2025, 3, 11, 10), round_number=2)
    add_participant(second, make_contact(sender, company, "Kim Young"))
    add_participant(second, make_contact(sender, company, "Ana Silva"))
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


# -- subjects and threading ---------------------------------------------------------------------


def test_a_thank_you_subject_is_plain_and_starts_a_thread(sender):
    _, interview, _ = make_panel(sender)

    plan_interview(interview=interview)

    for draft in thank_yous(interview).values():
        assert draft.subject in {
            f"Thank you {DASH} Senior Data Engineer interview",
            f"Thank you for your time {DASH} Senior Data Engineer interview",
            f"Senior Data Engineer interview {DASH} thank you",
        }
        assert draft.in_reply_to == draft.references == ""
        assert re.fullmatch(r"<[^<>@\s]+@example\.com>", draft.message_id)
    assert len(set(Message.objects.values_list("message_id", flat=True))) == Message.objects.count()


def test_a_thank_you_replies_in_the_scheduling_thread_when_it_was_logged(sender):
    _, interview, _ = make_panel(
        sender,
        scheduling_subject=f"RE: Interview for Senior Data Engineer {DASH} Tuesday",
        scheduling_message_id="CAF=abc123@mail.northwind.example",
    )

    plan_interview(interview=interview)

    for draft in thank_yous(interview).values():
        assert draft.subject == f"Re: Interview for Senior Data Engineer {DASH} Tuesday"
        assert draft.in_reply_to == "<CAF=abc123@mail.northwind.example>"
        assert draft.references == "<CAF=abc123@mail.northwind.example>"


def test_check_ins_reply_in_the_thank_yous_thread_to_the_same_person(sender):
    company = make_company(sender)
    dana = make_contact(sender, company, "Dana Whitfield", tone=Contact.Tone.FIRST_NAME)
    application = make_application(sender, company=company, main_contact=dana)
    interview = make_interview(application)
    add_participant(interview, dana, discussed="the streaming migration")

    plan_interview(interview=interview)

    thank_you = Message.objects.get(stage="thank_you")
    check_in = Message.objects.get(stage="check_in")
    second = Message.objects.get(stage="second_check_in")
    assert check_in.to_email == dana.email
    assert check_in.subject == f"Re: {thank_you.subject}"
    assert check_in.in_reply_to == thank_you.message_id
    assert check_in.references == thank_you.message_id
    assert second.subject == f"Re: {thank_you.subject}"  # never "Re: Re:"
    assert second.in_reply_to == check_in.message_id
    assert second.references == f"{thank_you.message_id} {check_in.message_id}"


def test_a_check_in_to_someone_who_got_no_thank_you_starts_its_own_thread(sender):
    _, interview, people = make_panel(sender)

    plan_interview(interview=interview)

    check_in = Message.objects.get(stage="check_in")
    assert check_in.contact == people["recruiter"]
    assert check_in.subject.endswith(f"{DASH} Alex Morgan")
    assert "Senior Data Engineer interview" in check_in.subject
    assert check_in.in_reply_to == ""
    # It still refers to something discussed, naming who it was discussed with.
    assert "Dana Whitfield" in check_in.body_text
    assert "billing pipeline" in check_in.body_text


def test_check_ins_go_to_the_first_interviewer_with_an_address_without_a_main_contact(sender):
    company = make_company(sender)
    application = make_application(sender, company=company)
    interview = make_interview(application)
    add_participant(interview, make_contact(sender, company, "Priya Shah", email=""))
    dana = make_contact(sender, company, "Dana Whitfield")
    add_participant(interview, dana)

    plan_interview(interview=interview)

    assert Message.objects.get(stage="check_in").contact == dana


# -- timing ----------------------------------------------------------------------------------


def test_due_times_equal_the_cadences(sender):
    _, interview, _ = make_panel(sender, decision_date=dt.date(2025, 3, 14))

    plan_interview(interview=interview)

    calendar, settings = cadence_inputs_for(user=sender)
    expected_thank_you = cadence.thank_you_due(
        interview_end=interview.ends_at, now=NOW, calendar=calendar
    )
    expected_check_in = cadence.check_in_due(
        last_interview_end=interview.ends_at,
        decision_date=dt.date(2025, 3, 14),
        calendar=calendar,
        settings=settings,
    )
    for draft in thank_yous(interview).values():
        assert draft.due_at == expected_thank_you.at == local(2025, 3, 5, 8)
        assert draft.late is False
    check_in = Message.objects.get(stage="check_in")
    assert check_in.due_at == expected_check_in == local(2025, 3, 18, 8)  # Friday date -> Tuesday
    assert Message.objects.get(stage="second_check_in").due_at == cadence.second_check_in_due(
        first_check_in_at=expected_check_in, calendar=calendar, settings=settings
    )


def test_a_thank_you_logged_too_late_is_marked_late(sender):
    _, interview, _ = make_panel(sender)

    with time_machine.travel(local(2025, 3, 6, 12), tick=False):
        plan_interview(interview=interview)

    for draft in thank_yous(interview).values():
        assert draft.late is True
        assert draft.due_at == local(2025, 3, 6, 12)


# -- templates ---------------------------------------------------------------------------------


STAGES = [stage.value for stage in Message.Stage]


def test_every_stage_has_at_least_three_phrasings():
    assert {stage: phrasing_count(stage) >= 3 for stage in STAGES} == dict.fromkeys(STAGES, True)


@pytest.mark.parametrize("stage", STAGES)
def test_every_phrasing_renders_without_leftovers_or_entities_in_text(stage):
    for phrasing in range(1, phrasing_count(stage) + 1):
        for context in (full_context(), full_context(recipient_interviewed=False, detail="")):
            subject, text, html = render_stage(stage=stage, phrasing=phrasing, context=context)
            for part in (subject, text, html):
                assert part.strip()
                assert "{{" not in part and "{%" not in part and "}}" not in part
            assert "\n" not in subject and "&amp;" not in subject
            assert not re.search(r"&(#\d+|[a-z]+);", text), text
            assert "  " not in text
            assert "<" not in text.replace("<two>", "")
            assert "Smith & Sons" in text or "R&D Engineer" in text
            assert "&amp;" in html and "<two>" not in html
            assert "Alex Morgan\n+1 555 0100\nalex@example.com" in text


def test_the_stay_in_touch_note_has_a_hook_slot_to_fill(sender):
    application, _, people = make_panel(sender)

    message = draft_message(
        application=application,
        stage="stay_in_touch",
        contact=people["dana"],
        due_at=local(2025, 5, 1, 8),
    )

    assert HOOK_PLACEHOLDER in message.body_text
    assert HOOK_PLACEHOLDER in message.body_html
    assert message.in_reply_to == ""
    assert message.due_at == local(2025, 5, 1, 8)


def test_an_event_message_replies_in_the_latest_thread_to_that_person(sender):
    application, interview, people = make_panel(sender)
    plan_interview(interview=interview)
    thank_you = Message.objects.get(contact=people["dana"], stage="thank_you")

    message = draft_message(
        application=application,
        stage="offer_deadline",
        contact=people["dana"],
        due_at=local(2025, 3, 7, 8),
        context={"deadline": dt.date(2025, 3, 14)},
    )

    assert "Friday, March 14" in message.body_text
    assert message.subject == f"Re: {thank_you.subject}"
    assert message.in_reply_to == thank_you.message_id
    assert message.status == "draft"
    assert TimelineEvent.objects.filter(message=message, kind="drafted").exists()


def test_a_rejection_reply_defaults_to_the_main_contact(sender):
    application, interview, people = make_panel(sender)
    plan_interview(interview=interview)

    message = draft_message(
        application=application, stage="rejection_reply", due_at=local(2025, 3, 20, 8)
    )

    assert message.contact == people["recruiter"]
    assert message.body_text.startswith("Hi Jordan,")
    assert "feedback" in message.body_text


def test_only_the_first_sentence_of_a_long_note_is_used(sender):
    company = make_company(sender)
    application = make_application(sender, company=company)
    interview = make_interview(application)
    dana = make_contact(sender, company, "Dana Whitfield")
    add_participant(
        interview,
        dana,
        discussed="Dr. Okafor's work on e.g. schema checks. Also the hiring plan.\nMore notes.",
    )

    plan_interview(interview=interview)

    body = Message.objects.get(stage="thank_you").body_text
    assert "Dr. Okafor's work on e.g. schema checks" in body
    assert "hiring plan" not in body
    assert "More notes" not in body
