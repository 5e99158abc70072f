"""Re-planning: interview edits, new rounds and events change only what they should."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from followup.accounts.models import Profile
from followup.rules import cadence
from interviews.models import Application, Contact, InterviewParticipant, TimelineEvent
from interviews.timeline import timeline_record
from messaging.drafting.planning import plan_interview, replan_application
from messaging.models import Message, Reply
from messaging.selectors import cadence_facts_for, cadence_inputs_for
from tests.builders.clock import local
from tests.builders.interviews import add_participant, make_contact, make_interview
from tests.builders.scenario import LOGGED, make_panel
from tests.services import require_postgres

pytestmark = pytest.mark.django_db


def snapshot():
    """Every message's visible state, to compare before and after a re-plan."""
    return sorted(
        Message.objects.values_list(
            "pk", "stage", "status", "contact_id", "to_email", "subject", "body_text",
            "body_html", "phrasing", "due_at", "late", "approved_at", "message_id",
            "in_reply_to", "references",
        )
    )  # fmt: skip


def pending(stage, **filters):
    return Message.objects.filter(stage=stage, status__in=["draft", "approved", "held"], **filters)


def test_planning_twice_creates_nothing_new(user):
    _, interview, _ = make_panel(user)
    plan_interview(interview=interview)
    before, events = snapshot(), TimelineEvent.objects.count()

    plan_interview(interview=interview)
    replan_application(application=interview.application)

    assert snapshot() == before
    assert Message.objects.count() == 4  # two thank-yous, two check-ins
    assert TimelineEvent.objects.count() == events


def test_planning_again_the_next_day_keeps_the_thank_you_time(user):
    _, interview, _ = make_panel(user)
    plan_interview(interview=interview)
    before = snapshot()

    with time_machine.travel(local(2025, 3, 5, 11), tick=False):
        plan_interview(interview=interview)

    assert snapshot() == before
    assert not Message.objects.filter(late=True).exists()


def test_an_edited_detail_is_redrafted_for_that_person_only(user):
    _, interview, people = make_panel(user)
    plan_interview(interview=interview)
    maria_before = Message.objects.get(contact=people["richardson"], stage="thank_you").body_text

    InterviewParticipant.objects.filter(contact=people["dana"]).update(
        discussed="the on-call handbook"
    )
    plan_interview(interview=interview)

    dana = Message.objects.get(contact=people["dana"], stage="thank_you")
    assert "the on-call handbook" in dana.body_text
    assert "billing pipeline" not in dana.body_text
    assert Message.objects.get(contact=people["richardson"]).body_text == maria_before
    assert TimelineEvent.objects.filter(message=dana, kind="edited").count() == 1


def test_hand_edited_messages_are_left_alone(user):
    _, interview, _ = make_panel(user)
    plan_interview(interview=interview)
    Message.objects.filter(stage__in=["thank_you", "check_in"]).update(
        body_text="My own words.", edited_by_user=True, due_at=local(2025, 3, 5, 9)
    )
    hand_edited = snapshot()

    InterviewParticipant.objects.update(discussed="something else entirely")
    interview.ends_at += dt.timedelta(hours=1)
    interview.save()
    plan_interview(interview=interview)

    after = {row[0]: row for row in snapshot()}
    for row in hand_edited:
        if row[1] in ("thank_you", "check_in"):
            assert after[row[0]] == row


def test_an_approved_message_whose_text_changes_needs_approval_again(user):
    _, interview, people = make_panel(user)
    plan_interview(interview=interview)
    Message.objects.filter(stage="thank_you").update(status="approved", approved_at=LOGGED)

    InterviewParticipant.objects.filter(contact=people["dana"]).update(
        discussed="the on-call handbook"
    )
    plan_interview(interview=interview)

    dana = Message.objects.get(contact=people["dana"], stage="thank_you")
    maria = Message.objects.get(contact=people["richardson"], stage="thank_you")
    assert (dana.status, dana.approved_at) == ("draft", None)
    assert "the on-call handbook" in dana.body_text
    assert (maria.status, maria.approved_at) == ("approved", LOGGED)
    event = TimelineEvent.objects.get(message=dana, kind="edited")
    assert "approval again" in event.summary


def test_a_changed_recipient_address_needs_approval_again(user):
    _, interview, people = make_panel(user)
    plan_interview(interview=interview)
    Message.objects.filter(stage="check_in").update(status="approved", approved_at=LOGGED)

    Contact.objects.filter(pk=people["recruiter"].pk).update(email="jordan@northwind.example")
    plan_interview(interview=interview)

    check_in = Message.objects.get(stage="check_in")
    assert check_in.to_email == "jordan@northwind.example"
    assert (check_in.status, check_in.approved_at) == ("draft", None)


def test_a_removed_participants_thank_you_is_cancelled(user):
    _, interview, people = make_panel(user)
    plan_interview(interview=interview)

    InterviewParticipant.objects.filter(contact=people["richardson"]).delete()
    plan_interview(interview=interview)

    maria = Message.objects.get(contact=people["richardson"], stage="thank_you")
    assert maria.status == "cancelled"
    assert "no longer listed" in maria.status_reason
    assert TimelineEvent.objects.filter(message=maria, kind="cancelled").exists()
    assert Message.objects.get(contact=people["dana"], stage="thank_you").status == "draft"


def test_a_new_participant_gets_a_thank_you(user):
    application, interview, _ = make_panel(user)
    plan_interview(interview=interview)
    lee = make_contact(application.company, "Lee Park", tone=Contact.Tone.FIRST_NAME)
    add_participant(interview, lee, discussed="the hiring plan")

    plan_interview(interview=interview)

    assert pending("thank_you").count() == 3
    lee_draft = Message.objects.get(contact=lee)
    assert lee_draft.body_text.startswith("Hi Lee,")
    others = set(pending("thank_you").exclude(pk=lee_draft.pk).values_list("phrasing", flat=True))
    assert lee_draft.phrasing not in others  # a third phrasing for the third colleague


def test_an_added_address_replaces_the_relay_with_a_personal_thank_you(user):
    application, interview, people = make_panel(user)
    priya = make_contact(application.company, "Priya Shah", email="")
    add_participant(interview, priya, discussed="the data contracts")
    plan_interview(interview=interview)
    relay = Message.objects.get(contact=people["recruiter"], stage="thank_you")
    assert "Priya Shah" in relay.body_text

    Contact.objects.filter(pk=priya.pk).update(email="priya@northwindlabs.example")
    plan_interview(interview=interview)

    relay.refresh_from_db()
    assert relay.status == "cancelled"
    assert Message.objects.get(contact=priya, stage="thank_you").to_email == (
        "priya@northwindlabs.example"
    )


def test_a_new_round_cancels_the_older_check_ins_and_plans_new_ones(user):
    application, first, _ = make_panel(user)
    plan_interview(interview=first)
    old_check_ins = list(pending("check_in", interview=first)) + list(
        pending("second_check_in", interview=first)
    )

    with time_machine.travel(local(2025, 3, 10, 9), tick=False):
        second = make_interview(application, starts_at=local(2025, 3, 13, 10), round_number=2)
        add_participant(second, make_contact(application.company, "Kim Young"))
        plan_interview(interview=second)

    for message in old_check_ins:
        message.refresh_from_db()
        assert message.status == "cancelled"
        assert "new round" in message.status_reason
    calendar, settings = cadence_inputs_for(user=user)
    new = pending("check_in").get()
    assert new.interview == second
    assert new.due_at == cadence.check_in_due(
        last_interview_end=second.ends_at, decision_date=None, calendar=calendar, settings=settings
    )
    assert pending("second_check_in").get().interview == second
    # The first round's thank-yous are not touched by the new round.
    assert pending("thank_you", interview=first).count() == 2


def test_a_reply_cancels_the_pending_check_ins(user):
    application, interview, _ = make_panel(user)
    plan_interview(interview=interview)
    Message.objects.filter(stage="check_in").update(edited_by_user=True)  # hand-edited too

    Reply.objects.create(
        user=user, application=application, kind="reply", received_at=local(2025, 3, 6, 10)
    )
    with time_machine.travel(local(2025, 3, 6, 11), tick=False):
        replan_application(application=application, reason="They replied.")

    for message in Message.objects.filter(stage__in=["check_in", "second_check_in"]):
        assert message.status == "cancelled"
        assert message.status_reason == "They replied on 6 March: the automatic check-ins stop."
    assert pending("thank_you").count() == 2


def test_a_no_news_reply_moves_the_check_in_back(user):
    application, interview, _ = make_panel(user)
    plan_interview(interview=interview)
    check_in = Message.objects.get(stage="check_in")

    at = local(2025, 3, 14, 10)
    Reply.objects.create(user=user, application=application, kind="no_news", received_at=at)
    with time_machine.travel(at, tick=False):
        replan_application(application=application, reason="They said there is no news yet.")

    calendar, settings = cadence_inputs_for(user=user)
    check_in.refresh_from_db()
    assert check_in.status == "draft"
    assert check_in.due_at == cadence.after_no_news_reply_due(
        reply_at=at, calendar=calendar, settings=settings
    )
    event = TimelineEvent.objects.filter(message=check_in, kind="edited").get()
    assert event.detail == "They said there is no news yet."


def test_a_pause_holds_check_ins_and_a_resume_releases_them_with_their_approval(user):
    application, interview, _ = make_panel(user)
    plan_interview(interview=interview)
    Message.objects.filter(stage="check_in").update(status="approved", approved_at=LOGGED)

    Application.objects.filter(pk=application.pk).update(paused=True)
    timeline_record(application=application, kind="paused", summary="Paused", at=LOGGED)
    replan_application(application=application)

    assert set(
        Message.objects.filter(stage__contains="check_in").values_list("status", flat=True)
    ) == {"held"}

    resumed = local(2025, 3, 25, 13)  # after both check-ins fell due
    with time_machine.travel(resumed, tick=False):
        Application.objects.filter(pk=application.pk).update(paused=False)
        timeline_record(application=application, kind="resumed", summary="Resumed", at=resumed)
        replan_application(application=application)

    check_in = Message.objects.get(stage="check_in")
    assert (check_in.status, check_in.approved_at) == ("approved", LOGGED)
    assert check_in.due_at == local(2025, 3, 26, 8)  # the next window start after resuming
    assert Message.objects.get(stage="second_check_in").status == "draft"


def test_an_outcome_cancels_the_check_ins_with_the_reason(user):
    application, interview, _ = make_panel(user)
    plan_interview(interview=interview)

    Application.objects.filter(pk=application.pk).update(stage="offer")
    replan_application(application=application)

    for message in Message.objects.filter(stage__contains="check_in"):
        assert message.status == "cancelled"
        assert message.status_reason == "An offer came in: the automatic check-ins stop."


def test_a_deleted_interviews_pending_messages_are_cancelled(user):
    application, interview, _ = make_panel(user)
    plan_interview(interview=interview)

    interview.delete()
    replan_application(application=application)

    statuses = set(Message.objects.values_list("status", "status_reason"))
    assert statuses == {("cancelled", "Its interview was deleted.")}


def test_the_facts_come_from_the_current_round(user):
    application, first, _ = make_panel(user)
    plan_interview(interview=first)
    Message.objects.filter(stage="thank_you").update(status="sent", sent_at=local(2025, 3, 5, 8))
    Reply.objects.create(
        user=user, application=application, kind="no_news", received_at=local(2025, 3, 6, 9)
    )
    second = make_interview(
        application, starts_at=local(2025, 3, 12, 10), decision_date=dt.date(2025, 3, 20)
    )

    with CaptureQueriesContext(connection) as queries:
        facts = cadence_facts_for(application=application, now=local(2025, 3, 12, 12))

    assert len(queries) < 10
    assert facts.last_interview_end == second.ends_at
    assert facts.decision_date == dt.date(2025, 3, 20)
    assert facts.sent == ()  # the first round's thank-yous do not count in the new round
    assert facts.replies == ()
    assert facts.outcome == ""


def test_a_message_being_sent_is_left_alone(user):
    _, interview, people = make_panel(user)
    plan_interview(interview=interview)
    Message.objects.filter(stage="check_in").update(status="sending", approved_at=LOGGED)
    before = Message.objects.filter(stage="check_in").values().get()

    Contact.objects.filter(pk=people["recruiter"].pk).update(email="jordan@northwind.example")
    plan_interview(interview=interview)

    assert Message.objects.filter(stage="check_in").values().get() == before


# -- contact and profile edits (the callers re-run plan_interview for every interview) ----------


def replan_every_interview(application):
    for interview in application.interviews.all():
        plan_interview(interview=interview)


def test_a_contact_edit_redrafts_their_pending_messages_on_re_planning(user):
    application, _, people = make_panel(user)
    second = make_interview(application, starts_at=local(2025, 3, 4, 10), round_number=1)
    add_participant(second, people["dana"], discussed="the hiring plan")
    replan_every_interview(application)
    Message.objects.filter(stage="check_in").update(status="approved", approved_at=LOGGED)
    hand_edited = Message.objects.get(contact=people["richardson"], stage="thank_you")
    Message.objects.filter(pk=hand_edited.pk).update(body_text="My own words.", edited_by_user=True)

    Contact.objects.filter(pk=people["dana"].pk).update(
        name="Dana Whitfield-Park", email="dana.wp@northwind.example", tone="formal",
        honorific="Dr.",
    )  # fmt: skip
    Contact.objects.filter(pk=people["recruiter"].pk).update(
        email="jordan@northwind.example", tone="formal", honorific="Mr."
    )
    Contact.objects.filter(pk=people["richardson"].pk).update(email="mr@northwind.example")
    replan_every_interview(application)

    for dana in pending("thank_you", contact=people["dana"]):
        assert (dana.to_email, dana.to_name) == ("dana.wp@northwind.example", "Dana Whitfield-Park")
        assert dana.body_text.startswith("Dear Dr. Whitfield-Park,\n")
    assert pending("thank_you", contact=people["dana"]).count() == 2
    for stage in ("check_in", "second_check_in"):
        message = pending(stage).get()
        assert message.to_email == "jordan@northwind.example"
        assert message.body_text.startswith("Dear Mr. Lee,\n")
    check_in = pending("check_in").get()
    assert (check_in.status, check_in.approved_at) == ("draft", None)
    hand_edited.refresh_from_db()
    assert (hand_edited.to_email, hand_edited.body_text) == (
        people["richardson"].email,
        "My own words.",
    )


def test_a_profile_edit_redrafts_and_retimes_pending_messages_on_re_planning(user):
    application, interview, _ = make_panel(user)
    replan_every_interview(application)

    Profile.objects.filter(user=user).update(
        phone="+49 30 1234567",
        signature="Alex Morgan\nlinkedin.com/in/alex-morgan",
        time_zone="Europe/Berlin",
        country="DE",
        region="BE",
        send_window_start=dt.time(9, 0),
    )
    replan_every_interview(application)

    berlin = ZoneInfo("Europe/Berlin")
    for message in Message.objects.all():
        assert message.status == "draft"
        assert message.body_text.endswith(
            "\nAlex Morgan\n+49 30 1234567\nalex@example.com\nlinkedin.com/in/alex-morgan"
        )
        assert "+1 555 0100" not in message.body_text
        assert "Tuesday 4 March" in message.body_text or message.stage == "second_check_in"
        assert message.due_at.astimezone(berlin).time() == dt.time(9, 0)
    # The thank-you: the next morning at the new window start in the new zone.
    for message in pending("thank_you"):
        assert message.due_at == dt.datetime(2025, 3, 5, 9, 0, tzinfo=berlin)
    calendar, settings = cadence_inputs_for(user=user)
    assert pending("check_in").get().due_at == cadence.check_in_due(
        last_interview_end=interview.ends_at,
        decision_date=None,
        calendar=calendar,
        settings=settings,
    )
    edits = TimelineEvent.objects.filter(kind="edited", message__isnull=False)
    assert edits.count() == Message.objects.count()


def sending_thank_you(user):
    """A planned panel whose thank-you to Dana the dispatcher has just claimed."""
    _, interview, people = make_panel(user)
    plan_interview(interview=interview)
    message = Message.objects.get(contact=people["dana"], stage="thank_you")
    Message.objects.filter(pk=message.pk).update(
        status="sending", approved_at=LOGGED, claimed_at=LOGGED
    )
    InterviewParticipant.objects.filter(contact=people["dana"]).update(
        discussed="the on-call handbook"
    )
    return interview, Message.objects.get(pk=message.pk)


def test_re_planning_leaves_a_message_being_sent_untouched(user):
    interview, sending = sending_thank_you(user)

    plan_interview(interview=interview)
    replan_application(application=interview.application, reason="A reply came in.")

    after = Message.objects.get(pk=sending.pk)
    assert (after.status, after.body_text, after.updated_at) == (
        "sending",
        sending.body_text,
        sending.updated_at,
    )
    assert not TimelineEvent.objects.filter(message=sending, kind="edited").exists()


@pytest.mark.django_db(transaction=True)
def test_re_planning_does_not_wait_for_the_lock_on_a_message_being_sent(user):
    """A sending row is the dispatcher's: a re-plan locks only pending rows and never queues.

    The dispatcher's claim locks message rows without their application; its records take the
    application first (test_lock_order.py), so a re-plan waiting here would only stall.
    """
    require_postgres()
    interview, sending = sending_thank_you(user)
    locked, release = threading.Event(), threading.Event()

    def dispatcher() -> None:
        try:
            with transaction.atomic():
                Message.objects.select_for_update().get(pk=sending.pk)
                locked.set()
                release.wait(30)
        finally:
            connections.close_all()

    worker = threading.Thread(target=dispatcher)
    worker.start()
    try:
        assert locked.wait(30)
        with transaction.atomic():
            with connection.cursor() as cursor:
                # Waiting for the row at all is the bug: fail instead of hanging.
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            plan_interview(interview=interview)
            replan_application(application=interview.application)
    finally:
        release.set()
        worker.join(30)
    assert Message.objects.get(pk=sending.pk).status == "sending"
