"""Second QA pass: bounded send times, check-ins that follow a moved thank-you, emails to one
person in the right order, and the smaller leftovers (R1b N1, N3, N6, N8, N13)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from followup.rules import cadence, checks
from followup.rules.calendar import LATEST_DAY, add_business_days
from followup.rules.checks import sending
from interviews.models import Application, Contact, TimelineEvent
from messaging import queue_selectors
from messaging.drafting.planning import plan_interview, replan_application, replan_for
from messaging.forms import MAX_BODY_CHARS
from messaging.models import Message
from messaging.selectors import cadence_facts_for
from messaging.services.editing import message_edit, message_skip, message_snooze
from messaging.services.holds import applications_go_quiet
from messaging.services.outcomes import application_outcome, application_reopen
from messaging.services.replies import application_reply
from tests.messaging.factories import add_participant, local, make_interview, make_panel
from tests.messaging.test_rules import (
    CALENDAR,
    CHECK_IN_DUE,
    LOGGED,
    THANK_YOU_DUE,
    business_days_after,
    check_ins,
    messages,
    planned,
    sent_cadence,
)

pytestmark = pytest.mark.django_db

Stage = Message.Stage
Status = Message.Status
Kind = TimelineEvent.Kind
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/messages/queue/"}
ABSURD = dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.UTC)


def dana_thank_you(application: Application) -> Message:
    return next(m for m in messages(application, Stage.THANK_YOU) if "Dana" in m.to_name)


def edit_data(message: Message, **changes: str) -> dict[str, str]:
    return {
        "to_email": message.to_email,
        "subject": message.subject,
        "body_text": message.body_text,
        "due_at": message.due_at.astimezone(CALENDAR.zone).strftime("%Y-%m-%dT%H:%M"),
    } | changes


# -- N1: send times within a year; the cadence never overflows ------------------------------------


def test_an_edit_to_a_send_time_over_a_year_ahead_is_a_field_error(owner_client, user):
    application, _ = planned(user)
    message = dana_thank_you(application)
    before = message.due_at
    data = edit_data(message, due_at="9999-12-30T23:59")

    response = owner_client.post(reverse("messaging:queue_edit", args=[message.pk]), data, **HTMX)

    assert response.status_code == 200
    assert "Pick a time within the next year" in response.text
    message.refresh_from_db()
    assert (message.due_at, message.edited_by_user) == (before, False)


def test_snoozing_over_a_year_ahead_is_refused(owner_client, user):
    application, _ = planned(user)
    message = dana_thank_you(application)
    before = message.due_at

    response = owner_client.post(
        reverse("messaging:queue_snooze", args=[message.pk]), {"until": "9999-12-30T23:59"}, **HTMX
    )

    assert response.status_code == 200
    assert "Pick a time within the next year" in response.text
    message.refresh_from_db()
    assert message.due_at == before


def test_a_send_time_at_the_end_of_the_calendar_is_a_field_error_not_a_crash(owner_client, user):
    application, _ = planned(user)
    message = dana_thank_you(application)
    data = edit_data(message, due_at="9999-12-31T23:59")

    response = owner_client.post(reverse("messaging:queue_edit", args=[message.pk]), data, **HTMX)

    assert response.status_code == 200
    assert "That date is out of range" in response.text


def test_a_message_body_over_the_limit_is_a_field_error(owner_client, user):
    application, _ = planned(user)
    message = dana_thank_you(application)
    data = edit_data(message, body_text="word " * (MAX_BODY_CHARS // 5 + 1))

    response = owner_client.post(reverse("messaging:queue_edit", args=[message.pk]), data, **HTMX)

    assert response.status_code == 200
    assert "at most 20000 characters" in response.text
    message.refresh_from_db()
    assert message.edited_by_user is False


def test_an_absurd_stored_due_time_cannot_crash_re_planning(user):
    application, _ = planned(user)
    Message.objects.filter(pk=dana_thank_you(application).pk).update(due_at=ABSURD)

    with time_machine.travel(LOGGED, tick=False):
        replan_application(application=application, reason="A profile change.")

    # The check-ins still exist, pushed as far as the calendar goes rather than crashing.
    assert [m.stage for m in check_ins(application)] == [Stage.CHECK_IN, Stage.SECOND_CHECK_IN]


def test_cadence_date_arithmetic_stops_short_of_the_end_of_the_calendar():
    day = add_business_days(start=dt.date(9999, 12, 30), days=5, calendar=CALENDAR)
    facts = cadence.CadenceFacts(
        last_interview_end=ABSURD,
        now=LOGGED,
        calendar=CALENDAR,
        decision_date=dt.date(9999, 12, 31),
        thank_you_at=ABSURD,
    )

    assert day.year == LATEST_DAY.year
    assert cadence.plan(facts).check_in is not None


# -- N3: the check-ins follow the thank-you -------------------------------------------------------


def test_snoozing_a_thank_you_moves_the_check_ins_after_it(user):
    application, _ = planned(user)
    later = local(2025, 3, 17, 8)  # Monday: the check-in (due Tue 18) keeps 2 business days

    with time_machine.travel(LOGGED, tick=False):
        message_snooze(message=dana_thank_you(application), user=user, until=later)

    first, second = check_ins(application)
    assert first.due_at == local(2025, 3, 19, 8)
    assert business_days_after(CALENDAR.local_date(later), first.due_at) == 2
    assert second.due_at > first.due_at


def test_editing_a_thank_you_to_a_later_time_moves_the_check_ins_too(user):
    application, _ = planned(user)
    message = dana_thank_you(application)

    with time_machine.travel(LOGGED, tick=False):
        message_edit(
            message=message,
            user=user,
            to_email=message.to_email,
            subject=message.subject,
            body_text=message.body_text,
            due_at=local(2025, 3, 17, 8),
        )

    assert check_ins(application)[0].due_at == local(2025, 3, 19, 8)


def test_a_new_round_plans_its_check_in_around_an_older_rounds_unsent_thank_you(user):
    application, _ = planned(user)
    old = dana_thank_you(application)
    # The first round's thank-you was put off and is still waiting: a valid, late thank-you.
    Message.objects.filter(pk=old.pk).update(due_at=local(2025, 3, 19, 8), edited_by_user=True)
    with time_machine.travel(local(2025, 3, 6, 12), tick=False):
        second = make_interview(application, starts_at=local(2025, 3, 6, 10), round_number=2)
        add_participant(second, Contact.objects.get(name="Dana Whitfield"))
        plan_interview(interview=second)
        facts = cadence_facts_for(application=application, now=local(2025, 3, 6, 12))
        first = next(m for m in check_ins(application) if m.interview_id == second.pk)
        item = queue_selectors.queue_item(user=user, message=first)

    old.refresh_from_db()
    assert old.status == Status.DRAFT  # kept
    assert facts.thank_you_at == local(2025, 3, 19, 8)
    # Round 2's own check-in would be Thu 20 March: 2 business days after the old thank-you.
    assert first.due_at == local(2025, 3, 21, 8)
    assert not [f for f in item.findings if f.code == "pestering"]


def test_re_planning_an_older_round_never_redrafts_a_cancelled_thank_you(user):
    application, _ = planned(user)
    first_round = application.interviews.get()
    message_skip(message=dana_thank_you(application), user=user, reason="Not needed.")
    with time_machine.travel(local(2025, 3, 6, 12), tick=False):
        second = make_interview(application, starts_at=local(2025, 3, 6, 10), round_number=2)
        add_participant(second, Contact.objects.get(name="Jordan Lee"))
        replan_for(interviews=[first_round], reason="A contact was edited.")

    thank_yous = Message.objects.filter(interview=first_round, stage=Stage.THANK_YOU)
    assert (
        thank_yous.filter(to_name__contains="Dana", status__in=Message.PENDING_STATUSES).count()
        == 0
    )
    assert thank_yous.filter(to_name__contains="Richardson").count() == 1


# -- N6: emails to one person in the right order --------------------------------------------------


def test_thanks_for_an_update_goes_after_a_pending_thank_you_in_a_fresh_thread(user):
    application, people = planned(user)
    thank_you = dana_thank_you(application)

    with time_machine.travel(LOGGED, tick=False):
        application_reply(
            application=application, user=user, kind="no_news", contact=people["dana"]
        )

    (note,) = messages(application, Stage.NO_NEWS_REPLY)
    assert note.due_at >= thank_you.due_at + dt.timedelta(hours=1)
    assert note.in_reply_to == ""
    assert not note.subject.startswith("Re:")


def test_the_queue_warns_of_two_emails_to_one_person_within_twelve_hours(user):
    application, people = planned(user)
    with time_machine.travel(LOGGED, tick=False):
        application_reply(
            application=application, user=user, kind="no_news", contact=people["dana"]
        )
        item = queue_selectors.queue_item(user=user, message=dana_thank_you(application))

    assert [f.severity for f in item.findings if f.code == "same_recipient_soon"] == [
        checks.WARNING
    ]


def test_the_same_recipient_check_warns_only_within_twelve_hours():
    at = local(2025, 3, 5, 8)

    (finding,) = sending.check_same_recipient(
        planned_at=at, others_due=[at + dt.timedelta(hours=11, minutes=59)]
    )
    assert finding.severity == checks.WARNING
    assert "within 12 hours" in finding.message
    assert (
        sending.check_same_recipient(planned_at=at, others_due=[at + dt.timedelta(hours=12)]) == []
    )
    assert sending.check_same_recipient(planned_at=None, others_due=[at]) == []
    assert sending.check_same_recipient(planned_at=at, others_due=[]) == []


# -- N8: the relay thank-you reads the whole interview's details -----------------------------------


def test_a_relay_thank_you_is_not_called_generic_when_it_names_the_interviewers_talk(user):
    with time_machine.travel(LOGGED, tick=False):
        _, interview, people = make_panel(user)
        Contact.objects.filter(pk__in=[people["dana"].pk, people["richardson"].pk]).update(email="")
        plan_interview(interview=interview)
    relay = Message.objects.get(stage=Stage.THANK_YOU, contact=people["recruiter"])

    facts = queue_selectors.draft_facts_many(user=user, messages=[relay])[relay.pk]

    assert "the migration of the billing pipeline to streaming" in facts.details


# -- the smaller leftovers -----------------------------------------------------------------------


def test_an_edited_body_keeps_its_links_clickable(user):
    application, _ = planned(user)
    message = dana_thank_you(application)

    with time_machine.travel(LOGGED, tick=False):
        message_edit(
            message=message,
            user=user,
            to_email=message.to_email,
            subject=message.subject,
            body_text="Hi Dana,\n\nMy write-up: https://example.com/write-up <b>\n\nAlex",
            due_at=message.due_at,
        )

    message.refresh_from_db()
    assert '<a href="https://example.com/write-up"' in message.body_html
    assert "&lt;b&gt;" in message.body_html
    assert message.body_html.count("<p>") == 3


def test_an_offer_on_a_quiet_application_cancels_its_stay_in_touch_note(user):
    application, _ = planned(user)
    sent_cadence(application)
    with time_machine.travel(local(2025, 4, 1, 8), tick=False):
        applications_go_quiet(now=local(2025, 4, 1, 8))
    with time_machine.travel(local(2025, 4, 3, 10), tick=False):
        application_outcome(application=application, outcome="offer", user=user)

    assert messages(application, Stage.STAY_IN_TOUCH, statuses=Message.PENDING_STATUSES) == []
    (note,) = messages(application, Stage.STAY_IN_TOUCH, statuses=[Status.CANCELLED])
    assert "offer" in note.status_reason


def test_reopening_without_a_re_plan_drafts_no_check_in(user):
    application, _ = planned(user)
    with time_machine.travel(LOGGED, tick=False):
        application_outcome(application=application, outcome="rejected", user=user)
        application_reopen(
            application=application, user=user, reason="A new round was logged.", replan=False
        )

    application.refresh_from_db()
    assert application.stage == Application.Stage.INTERVIEWING
    assert check_ins(application) == []


def test_the_check_in_is_planned_as_before_when_nothing_moved(user):
    application, _ = planned(user)
    assert check_ins(application)[0].due_at == CHECK_IN_DUE
    assert dana_thank_you(application).due_at == THANK_YOU_DUE


def test_every_page_names_the_favicon(owner_client):
    response = owner_client.get(reverse("messaging:queue"))

    assert 'rel="icon"' in response.text
    assert "favicon.svg" in response.text


def test_the_chaos_report_counts_interrupted_sends_by_their_flag_not_their_wording():
    from perf.chaos_dispatch import check

    row = {"pk": 7, "status": "failed", "status_reason": "Any wording at all.", "attempts": 1}
    row |= {"esp_message_id": "", "message_id": "<7@followup.example>"}

    problems, notable = check([row], [], interrupted=frozenset({7}))

    assert problems == []
    assert notable == {"failed as interrupted": 1}
