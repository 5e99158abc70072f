"""Threads: thank-yous start or join one, follow-ups reply in it, event messages follow it."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from interviews.models import Contact, TimelineEvent
from messaging.drafting.planning import draft_message, plan_interview
from messaging.models import Message
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


DASH = "\N{EN DASH}"


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
    company = make_company(sender, "Northwind Labs")
    dana = make_contact(company, "Dana Whitfield", tone=Contact.Tone.FIRST_NAME)
    application = make_application(sender, company, role="Senior Data Engineer", main_contact=dana)
    interview = make_interview(application, starts_at=PANEL_STARTS)
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
    company = make_company(sender, "Northwind Labs")
    application = make_application(sender, company, role="Senior Data Engineer")
    interview = make_interview(application, starts_at=PANEL_STARTS)
    add_participant(interview, make_contact(company, "Priya Shah", email=""))
    dana = make_contact(company, "Dana Whitfield")
    add_participant(interview, dana)

    plan_interview(interview=interview)

    assert Message.objects.get(stage="check_in").contact == dana


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
