"""What the templates write: three phrasings a stage, no leftovers, details that read well."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from followup.rules import stages
from followup.rules.phrasing import phrase_for
from messaging.drafting.planning import draft_message, plan_interview
from messaging.drafting.rendering import (
    HOOK_PLACEHOLDER,
    LATE_NOTE_AFTER,
    LINK_PLACEHOLDER,
    needs_late_note,
    note_sentences,
    phrasing_count,
    render_stage,
)
from messaging.models import Message
from messaging.services.approval import message_findings
from tests.builders.clock import local
from tests.builders.interviews import add_participant
from tests.builders.scenario import make_panel, planned

pytestmark = pytest.mark.django_db

Stage = Message.Stage


def full_context(stage="thank_you", **overrides):
    """Every key a template may use, the notes said as `stage`'s templates say them."""
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
    } | overrides
    notes = {"detail": "discussed", "question": "question"}
    notes |= {"added_point": "added_point", "promised": "promised"}
    phrases = {
        key: phrase_for(
            context[key],
            kind=kind,
            company=context["company"],
            recipient_name=context["recipient_name"],
        )
        for key, kind in notes.items()
    }
    context["sentences"] = note_sentences(
        stage=stage, phrases=phrases, detail_with=context["detail_with"]
    )
    return context


@pytest.mark.parametrize("phrasing", [1, 2, 3])
def test_no_phrasing_promises_an_attachment(phrasing):
    _, text, html = render_stage(stage="thank_you", phrasing=phrasing, context=full_context())
    assert "attach" not in text.lower() and "attach" not in html.lower()
    assert "a work sample" in text
    assert text.count(LINK_PLACEHOLDER) == 1


STAGES = sorted(stages.TEMPLATE_STAGES)  # the user's own emails have no template


def test_every_stage_has_at_least_three_phrasings():
    assert {stage: phrasing_count(stage) >= 3 for stage in STAGES} == dict.fromkeys(STAGES, True)


@pytest.mark.parametrize("stage", STAGES)
def test_every_phrasing_renders_without_leftovers_or_entities_in_text(stage):
    for phrasing in range(1, phrasing_count(stage) + 1):
        for context in (
            full_context(stage),
            full_context(stage, recipient_interviewed=False, detail=""),
        ):
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
                stage=stage, phrasing=phrasing, context=full_context(stage, detail=detail)
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


def test_a_rejection_reply_defaults_to_the_main_contact(sender):
    application, interview, people = make_panel(sender)
    plan_interview(interview=interview)

    message = draft_message(
        application=application, stage="rejection_reply", due_at=local(2025, 3, 20, 8)
    )

    assert message.contact == people["recruiter"]
    assert message.body_text.startswith("Hi Jordan,")
    assert "feedback" in message.body_text


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


def test_a_next_day_thank_you_does_not_apologise_but_one_two_days_late_does(user):
    application, _ = planned(user)
    interview = application.interviews.get()
    next_day = interview.ends_at + dt.timedelta(hours=20, minutes=27)
    assert not needs_late_note(stage=Stage.THANK_YOU, interview=interview, due_at=next_day)
    late = interview.ends_at + LATE_NOTE_AFTER
    assert needs_late_note(stage=Stage.THANK_YOU, interview=interview, due_at=late)
