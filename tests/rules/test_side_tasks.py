"""The tasks around the emails (spec §3): which, for whom, due when."""

from __future__ import annotations

import datetime as dt

from followup.rules import side_tasks
from followup.rules.calendar import SenderCalendar
from followup.rules.side_tasks import Person

NEW_YORK = SenderCalendar("America/New_York", "US")
DANA, LEE, SAM = Person(1, "Dana"), Person(2, "Lee"), Person(3, "Sam")
FRIDAY = dt.date(2026, 12, 4)


def plan(**changes):
    facts = {
        "application_id": 7,
        "interview_id": 70,
        "interview_format": "in_person",
        "interview_day": FRIDAY,
        "interviewers": [DANA, LEE],
        "coordinator": SAM,
        "topics": ["the dbt migration", "on-call"],
        "calendar": NEW_YORK,
    } | changes
    return {task.kind: task for task in side_tasks.after_interview(**facts)}


def test_an_in_person_interview_calls_for_a_card_posted_the_same_day():
    tasks = plan()

    card = tasks[side_tasks.CARD]
    assert card.title == "Write and post a handwritten card to Dana and Lee"
    assert card.due_on == FRIDAY
    assert "never instead of the thank-you email" in card.detail
    assert side_tasks.CARD_ADDRESS not in tasks


def test_a_remote_interview_asks_the_coordinator_for_an_address_instead():
    tasks = plan(interview_format="video")

    ask = tasks[side_tasks.CARD_ADDRESS]
    assert (
        ask.title
        == "Ask Sam for a postal address if you would like to send Dana and Lee a handwritten card"
    )
    assert ask.contact_id == SAM.contact_id
    assert ask.due_on == FRIDAY
    assert side_tasks.CARD not in tasks


def test_without_a_coordinator_the_ask_names_the_role():
    ask = plan(interview_format="phone", coordinator=None)[side_tasks.CARD_ADDRESS]

    assert ask.title.startswith("Ask the coordinator for a postal address")
    assert ask.contact_id is None


def test_no_interviewers_no_card():
    tasks = plan(interviewers=[])

    assert side_tasks.CARD not in tasks and side_tasks.CARD_ADDRESS not in tasks


def test_references_hear_what_to_stress_the_next_business_day():
    references = plan()[side_tasks.REFERENCES]

    # Friday's interview: the next business day is Monday.
    assert references.due_on == dt.date(2026, 12, 7)
    assert (
        references.detail
        == "Say what the role needs and what to stress: the dbt migration; on-call."
    )
    assert references.key == "references:7"


def test_keep_applying_is_one_task_for_the_whole_search():
    first = plan()[side_tasks.KEEP_APPLYING]
    other = plan(application_id=8, interview_id=80)[side_tasks.KEEP_APPLYING]

    assert first.key == other.key == "keep_applying"
    assert first.due_on == dt.date(2026, 12, 8)


def test_keys_are_stable_so_a_replan_never_duplicates():
    assert [t.key for t in plan().values()] == [t.key for t in plan().values()]
    assert plan()[side_tasks.CARD].key != plan(interview_id=71)[side_tasks.CARD].key


def test_linkedin_after_the_thank_you_names_the_person():
    task = side_tasks.after_thank_you(person=DANA, sent_on=FRIDAY)

    assert task.title == "Connect with Dana on LinkedIn"
    assert task.key == "linkedin:1"
    assert "not personal networks" in task.detail


def test_linkedin_when_an_application_goes_quiet():
    task = side_tasks.after_going_quiet(
        application_id=7, person=None, company="Acme", quiet_on=FRIDAY
    )

    assert task.title == "Connect with your contact at Acme on LinkedIn"
    assert task.key == "linkedin_quiet:7"
    assert "no more" in task.detail


def test_logged_days_later_the_card_is_due_today_not_overdue():
    card = plan(today=dt.date(2026, 12, 7))[side_tasks.CARD]

    assert card.due_on == dt.date(2026, 12, 7)


def test_the_coordinator_who_was_the_only_interviewer_is_not_named_twice():
    ask = plan(interview_format="video", interviewers=[SAM])[side_tasks.CARD_ADDRESS]

    assert ask.title == "Ask Sam for a postal address if you would like to send a handwritten card"
