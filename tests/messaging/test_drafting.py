"""Drafting: what each draft says, to whom, in which thread, and when it is due."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from followup.accounts.models import Profile
from followup.rules import cadence
from followup.rules.checks import content, wording
from interviews.models import Contact, InterviewParticipant, TimelineEvent
from messaging.drafting.planning import draft_message, plan_interview
from messaging.drafting.rendering import (
    HOOK_PLACEHOLDER,
    LINK_PLACEHOLDER,
    long_date,
    phrasing_count,
    render_stage,
)
from messaging.models import Message
from messaging.selectors import cadence_inputs_for
from messaging.services.approval import message_approve, message_findings, message_send_now
from messaging.services.refusals import ApprovalBlocked
from messaging.tasks import send_message
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
        "recipient_met": True,
        "late_note": False,
        "link_slot": LINK_PLACEHOLDER,
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


@pytest.mark.parametrize("phrasing", [1, 2, 3])
def test_no_phrasing_promises_an_attachment(phrasing):
    _, text, html = render_stage(stage="thank_you", phrasing=phrasing, context=full_context())
    assert "attach" not in text.lower() and "attach" not in html.lower()
    assert "a work sample" in text
    assert text.count(LINK_PLACEHOLDER) == 1


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


def test_a_late_logged_interviews_check_in_waits_two_business_days_after_the_thank_you(sender):
    _, interview, _ = make_panel(sender)
    logged = local(2025, 3, 25, 12)  # three weeks after the interview (Tuesday)

    with time_machine.travel(logged, tick=False):
        plan_interview(interview=interview)

    thank_you_due = max(m.due_at for m in thank_yous(interview).values())
    assert thank_you_due == logged
    check_in = Message.objects.get(stage="check_in")
    assert check_in.due_at == local(2025, 3, 27, 8)  # Thu 27 March, two business days on
    assert Message.objects.get(stage="second_check_in").due_at == local(2025, 4, 3, 8)


def test_sending_a_check_in_the_day_after_the_thank_you_is_blocked_unless_overridden(sender):
    _, interview, _ = make_panel(sender)
    plan_interview(interview=interview)
    check_in = Message.objects.get(stage="check_in")

    with time_machine.travel(local(2025, 3, 6, 9), tick=False):
        with pytest.raises(ApprovalBlocked) as blocked:
            message_send_now(message=check_in, user=sender, enqueue=send_message.delay_on_commit)
        assert "from the thank-you" in str(blocked.value.findings[0].message)
        check_in.refresh_from_db()
        assert check_in.status == "draft"

        message_send_now(
            message=check_in,
            user=sender,
            enqueue=send_message.delay_on_commit,
            override_pestering=True,
        )

    check_in.refresh_from_db()
    assert check_in.pestering_override_at is not None


def test_sending_now_a_check_in_approved_for_later_is_checked_again_for_now(sender):
    _, interview, _ = make_panel(sender)
    plan_interview(interview=interview)
    check_in = Message.objects.get(stage="check_in")
    check_in.status, check_in.approved_at = "approved", check_in.due_at  # approved for its date
    check_in.save(update_fields=["status", "approved_at"])
    planned = check_in.due_at

    with (
        time_machine.travel(local(2025, 3, 6, 9), tick=False),
        pytest.raises(ApprovalBlocked) as blocked,
    ):
        message_send_now(message=check_in, user=sender, enqueue=send_message.delay_on_commit)

    assert "from the thank-you" in str(blocked.value.findings[0].message)
    check_in.refresh_from_db()
    assert (check_in.status, check_in.due_at) == ("approved", planned)  # nothing moved


def test_a_recruiters_check_in_names_a_colleagues_discussion_when_they_only_asked(sender):
    _, interview, people = make_panel(sender)
    add_participant(interview, people["recruiter"], questions="how I handle on-call")
    plan_interview(interview=interview)

    check_in = Message.objects.get(stage="check_in")
    assert check_in.contact == people["recruiter"]
    assert "Dana Whitfield" in check_in.body_text
    assert "the migration of the billing pipeline to streaming" in check_in.body_text
    codes = {finding.code for finding in message_findings(message=check_in)}
    assert "too_generic" not in codes


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


MET_WORDING = r"since we (met|spoke)|our conversation"


def test_a_stay_in_touch_note_to_someone_never_met_does_not_say_we_met(sender):
    application, _, people = make_panel(sender)
    for _ in range(3):  # each draft takes the next phrasing at the company
        draft_message(
            application=application,
            stage="stay_in_touch",
            contact=people["recruiter"],
            due_at=local(2025, 5, 1, 8),
        )
        draft_message(
            application=application,
            stage="stay_in_touch",
            contact=people["dana"],
            due_at=local(2025, 5, 1, 8),
        )

    to_recruiter = Message.objects.filter(contact=people["recruiter"], stage="stay_in_touch")
    assert sorted(m.phrasing for m in to_recruiter) == [1, 2, 3]
    for message in to_recruiter:
        assert not re.search(MET_WORDING, message.body_text, re.IGNORECASE)
        assert "my application for the Senior Data Engineer" in message.body_text or (
            "interviewing for the Senior Data Engineer" in message.body_text
        )
    to_dana = Message.objects.filter(contact=people["dana"], stage="stay_in_touch")
    assert all(re.search(MET_WORDING, m.body_text, re.IGNORECASE) for m in to_dana)


@pytest.mark.parametrize(
    "detail", ["how the team shares on-call", "the Kafka migration", "legacy ETL jobs"]
)
def test_a_noted_detail_reads_naturally_in_every_thank_you_and_check_in(detail):
    for stage in ("thank_you", "check_in"):
        bodies = set()
        for phrasing in range(1, phrasing_count(stage) + 1):
            _, text, _ = render_stage(
                stage=stage, phrasing=phrasing, context=full_context(detail=detail)
            )
            assert f"about {detail}" in text
            assert not re.search(r"Learning about|The day\b|the day left", text)
            assert text.lower().count("conversation") <= 1
            assert "team's work" not in text or "team" not in detail
            bodies.add(text)
        assert len(bodies) == phrasing_count(stage) >= 3


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
    Message.objects.filter(pk=thank_you.pk).update(status="sent", sent_at=thank_you.due_at)

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


def test_an_event_message_follows_a_pending_thank_you_in_a_fresh_thread(sender):
    application, interview, people = make_panel(sender)
    plan_interview(interview=interview)
    thank_you = Message.objects.get(contact=people["dana"], stage="thank_you")

    message = draft_message(
        application=application,
        stage="no_news_reply",
        contact=people["dana"],
        due_at=thank_you.due_at - dt.timedelta(hours=2),
    )

    assert message.due_at == thank_you.due_at + dt.timedelta(hours=1)
    assert not message.subject.startswith("Re:")
    assert (message.in_reply_to, message.references) == ("", "")


def test_an_event_message_already_after_the_thank_you_keeps_its_time(sender):
    application, interview, people = make_panel(sender)
    plan_interview(interview=interview)
    thank_you = Message.objects.get(contact=people["dana"], stage="thank_you")
    later = thank_you.due_at + dt.timedelta(hours=3)

    message = draft_message(
        application=application, stage="no_news_reply", contact=people["dana"], due_at=later
    )

    assert message.due_at == later


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
