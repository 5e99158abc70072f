"""Stop and change rules: replies, outcomes, pauses, the follow-up limit and going quiet."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from followup.rules import stages
from followup.rules.calendar import SenderCalendar
from interviews.models import Application, TimelineEvent
from messaging.drafting.planning import plan_interview
from messaging.drafting.rendering import HOOK_PLACEHOLDER
from messaging.models import Message, Reply
from messaging.services import outcomes
from messaging.services.approval import message_approve
from messaging.services.editing import message_edit
from messaging.services.holds import (
    application_pause,
    application_resume,
    applications_end_holds,
    applications_go_quiet,
)
from messaging.services.outcomes import application_outcome
from messaging.services.refusals import ActionRefused, ApprovalBlocked
from messaging.services.replies import application_reply
from messaging.side_tasks import message_sent_side_tasks
from tests.messaging.factories import local, make_panel

pytestmark = pytest.mark.django_db

Stage = Message.Stage
Status = Message.Status
Kind = TimelineEvent.Kind
UTC = dt.UTC
CALENDAR = SenderCalendar(time_zone="America/New_York", country="US")

# The panel interview is Tue 4 March 2025, 14:00-15:00 New York; planned an hour later:
# thank-yous Wed 5 March 08:00, check-in Tue 18 March 08:00, second check-in Tue 25 March.
LOGGED = local(2025, 3, 4, 16)
THANK_YOU_DUE = local(2025, 3, 5, 8)
CHECK_IN_DUE = local(2025, 3, 18, 8)
SECOND_CHECK_IN_DUE = local(2025, 3, 25, 8)


def planned(user) -> tuple[Application, dict]:
    """The panel interview, logged and planned by the drafting module."""
    with time_machine.travel(LOGGED, tick=False):
        application, interview, people = make_panel(user)
        plan_interview(interview=interview)
    return application, people


def messages(application, *stages: str, statuses=None):
    found = Message.objects.filter(application=application)
    if stages:
        found = found.filter(stage__in=stages)
    if statuses is not None:
        found = found.filter(status__in=statuses)
    return list(found.order_by("due_at", "pk"))


def one(application, stage: str, *, statuses=None) -> Message:
    (message,) = messages(application, stage, statuses=statuses)
    return message


def check_ins(application, *, statuses=Message.PENDING_STATUSES):
    return messages(application, Stage.CHECK_IN, Stage.SECOND_CHECK_IN, statuses=statuses)


def mark_sent(message: Message, at: dt.datetime) -> None:
    Message.objects.filter(pk=message.pk).update(
        status=Status.SENT, sent_at=at, approved_at=at - dt.timedelta(days=1)
    )


def events(application, kind: str) -> list[TimelineEvent]:
    return list(TimelineEvent.objects.filter(application=application, kind=kind))


def business_days_after(start: dt.date, at: dt.datetime) -> int:
    """How many business days lie between `start` (excluded) and the local date of `at`."""
    day, count = start, 0
    while day < CALENDAR.local_date(at):
        day += dt.timedelta(days=1)
        count += CALENDAR.is_business_day(day)
    return count


@pytest.fixture
def application(user):
    return planned(user)[0]


def test_the_plan_these_rules_start_from(application):
    assert [m.due_at for m in check_ins(application)] == [CHECK_IN_DUE, SECOND_CHECK_IN_DUE]
    assert {m.due_at for m in messages(application, Stage.THANK_YOU)} == {THANK_YOU_DUE}


# -- replies ---------------------------------------------------------------------------------


def test_it_cancels_check_ins_on_reply_with_a_timeline_entry(application):
    with time_machine.travel(local(2025, 3, 10, 11), tick=False):
        application_reply(
            user=application.user, application=application, kind="reply", detail="We'll be in touch"
        )

    assert check_ins(application) == []
    cancelled = check_ins(application, statuses=[Status.CANCELLED])
    assert len(cancelled) == 2
    assert all("replied" in m.status_reason for m in cancelled)
    (reply_event,) = events(application, Kind.REPLY)
    assert "check-ins stop" in reply_event.detail
    cancel_events = events(application, Kind.CANCELLED)
    assert {e.message_id for e in cancel_events} >= {m.pk for m in cancelled}
    assert Reply.objects.get(application=application).kind == "reply"
    # The thank-yous are not check-ins: they still wait for approval.
    assert len(messages(application, Stage.THANK_YOU, statuses=[Status.DRAFT])) == 2


def test_no_news_drafts_a_thanks_for_the_update_and_moves_the_check_in(application):
    reply_at = local(2025, 3, 12, 15)  # Wednesday afternoon
    with time_machine.travel(reply_at, tick=False):
        application_reply(application=application, user=application.user, kind="no_news")

    reply = one(application, Stage.NO_NEWS_REPLY)
    assert reply.status == Status.DRAFT
    assert reply.due_at == local(2025, 3, 13, 8)  # the next business morning
    first, second = check_ins(application)
    assert business_days_after(reply_at.date(), first.due_at) >= 7
    assert first.due_at == local(2025, 3, 21, 8)
    assert business_days_after(CALENDAR.local_date(first.due_at), second.due_at) >= 5
    assert any("no news" in e.summary.lower() for e in events(application, Kind.REPLY))


def test_a_second_no_news_replaces_the_unsent_thanks(application):
    with time_machine.travel(local(2025, 3, 12, 15), tick=False):
        application_reply(application=application, user=application.user, kind="no_news")
    with time_machine.travel(local(2025, 3, 12, 16), tick=False):
        application_reply(application=application, user=application.user, kind="no_news")

    replies = messages(application, Stage.NO_NEWS_REPLY)
    assert [m.status for m in replies] == [Status.CANCELLED, Status.DRAFT]


def test_no_news_also_moves_a_check_in_the_user_edited_by_hand(application, user):
    first = check_ins(application)[0]
    with time_machine.travel(local(2025, 3, 10, 9), tick=False):
        message_edit(
            message=first,
            user=user,
            to_email=first.to_email,
            subject=first.subject,
            body_text=first.body_text + "\nOne more line of my own.",
            due_at=local(2025, 3, 14, 9),
        )
    with time_machine.travel(local(2025, 3, 12, 15), tick=False):
        application_reply(application=application, user=application.user, kind="no_news")

    first.refresh_from_db()
    assert first.edited_by_user
    assert first.body_text.endswith("One more line of my own.")
    assert first.due_at == local(2025, 3, 21, 8)


def test_out_of_office_holds_check_ins_until_the_return_date(application):
    with time_machine.travel(local(2025, 3, 17, 10), tick=False):  # Monday
        application_reply(
            user=application.user,
            application=application,
            kind="out_of_office",
            return_date=dt.date(2025, 3, 24),
        )

    application.refresh_from_db()
    assert application.paused_until == local(2025, 3, 24, 8)
    first, second = check_ins(application)
    assert first.status == second.status == Status.HELD
    assert "out of office" in first.status_reason.lower().replace("-", " ")
    assert first.due_at == local(2025, 3, 24, 8)
    assert second.due_at >= local(2025, 3, 31, 8)
    assert events(application, Kind.OUT_OF_OFFICE)
    # An out-of-office message is not a reply: nothing was cancelled.
    assert check_ins(application, statuses=[Status.CANCELLED]) == []

    with time_machine.travel(local(2025, 3, 21, 12), tick=False):
        assert applications_end_holds(now=timezone.now()) == 0
    with time_machine.travel(local(2025, 3, 24, 8, 1), tick=False):
        assert applications_end_holds(now=timezone.now()) == 1

    application.refresh_from_db()
    assert application.paused_until is None
    first, _ = check_ins(application)
    assert first.status == Status.DRAFT
    assert first.due_at == local(2025, 3, 24, 8)


def test_out_of_office_without_a_date_holds_five_business_days(application):
    with time_machine.travel(local(2025, 3, 17, 10), tick=False):
        application_reply(application=application, user=application.user, kind="out_of_office")

    application.refresh_from_db()
    assert application.paused_until == local(2025, 3, 24, 8)
    assert check_ins(application)[0].status == Status.HELD


def test_an_approved_check_in_held_by_out_of_office_is_approved_again_afterwards(application, user):
    first = check_ins(application)[0]
    with time_machine.travel(local(2025, 3, 10, 9), tick=False):
        message_approve(message=first, user=user)
    with time_machine.travel(local(2025, 3, 17, 10), tick=False):
        application_reply(application=application, user=application.user, kind="out_of_office")
    first.refresh_from_db()
    assert first.status == Status.HELD
    assert first.approved_at is not None

    with time_machine.travel(local(2025, 3, 24, 8, 5), tick=False):
        applications_end_holds(now=timezone.now())
    first.refresh_from_db()
    assert first.status == Status.APPROVED


# -- outcomes --------------------------------------------------------------------------------


def test_an_offer_cancels_the_check_ins(application, user):
    with time_machine.travel(local(2025, 3, 10, 11), tick=False):
        drafted = application_outcome(application=application, outcome="offer", user=user)

    application.refresh_from_db()
    assert drafted == []
    assert application.stage == Application.Stage.OFFER
    assert check_ins(application) == []
    assert all("offer" in m.status_reason.lower() for m in check_ins(application, statuses=None))
    assert events(application, Kind.STAGE_CHANGED)


def test_a_rejection_drafts_a_close_out_for_the_next_business_morning(application, user):
    logged = local(2025, 3, 14, 16)  # Friday afternoon
    with time_machine.travel(logged, tick=False):
        application_outcome(application=application, outcome="rejected", user=user)

    application.refresh_from_db()
    assert application.stage == Application.Stage.REJECTED
    assert application.closed_at == logged
    assert check_ins(application) == []
    close_out = one(application, Stage.REJECTION_REPLY)
    assert close_out.status == Status.DRAFT
    assert close_out.due_at == local(2025, 3, 17, 8)  # Monday morning
    assert close_out.to_email == application.main_contact.email


def test_a_rejection_plans_a_stay_in_touch_whose_hook_slot_blocks_approval(application, user):
    logged = local(2025, 3, 14, 16)
    with time_machine.travel(logged, tick=False):
        application_outcome(application=application, outcome="rejected", user=user)

    note = one(application, Stage.STAY_IN_TOUCH)
    assert note.due_at == local(2025, 4, 25, 8)  # six weeks later, a business morning
    assert HOOK_PLACEHOLDER in note.body_text
    with time_machine.travel(logged, tick=False), pytest.raises(ApprovalBlocked) as error:
        message_approve(message=note, user=user)
    assert [f.code for f in error.value.findings] == ["placeholder"]
    note.refresh_from_db()
    assert note.status == Status.DRAFT
    assert note.approved_at is None


def test_accepting_elsewhere_cancels_every_pending_message_and_drafts_the_withdrawal(
    application, user
):
    with time_machine.travel(local(2025, 3, 4, 18), tick=False):
        application_outcome(application=application, outcome="accepted_elsewhere", user=user)

    application.refresh_from_db()
    assert application.stage == Application.Stage.WITHDRAWN
    pending = messages(application, statuses=Message.PENDING_STATUSES)
    assert [m.stage for m in pending] == [Stage.WITHDRAWAL]
    assert pending[0].due_at == THANK_YOU_DUE  # the next business morning
    cancelled = messages(application, statuses=[Status.CANCELLED])
    assert {m.stage for m in cancelled} == {Stage.THANK_YOU, Stage.CHECK_IN, Stage.SECOND_CHECK_IN}
    assert all("another offer" in m.status_reason for m in cancelled)


def test_a_withdrawal_can_go_at_once(application, user):
    with time_machine.travel(local(2025, 3, 6, 10, 30), tick=False):
        application_outcome(
            application=application, outcome="accepted_elsewhere", user=user, at_once=True
        )
    assert one(application, Stage.WITHDRAWAL).due_at == local(2025, 3, 6, 10, 30)


def test_another_offer_drafts_the_deadline_note_and_keeps_the_stage(application, user):
    with time_machine.travel(local(2025, 3, 6, 10), tick=False):
        (note,) = application_outcome(
            application=application,
            outcome="other_offer",
            user=user,
            deadline=dt.date(2025, 3, 14),
        )

    application.refresh_from_db()
    assert application.stage == Application.Stage.INTERVIEWING
    assert note.stage == Stage.OFFER_DEADLINE
    assert "March 14" in note.body_text
    # Before their own decision time: that is the point of it.
    assert note.due_at == local(2025, 3, 7, 8)
    assert len(check_ins(application)) == 2


def test_another_offer_needs_a_deadline(application, user):
    with pytest.raises(ActionRefused):
        application_outcome(application=application, outcome="other_offer", user=user)
    assert messages(application, Stage.OFFER_DEADLINE) == []


def test_accepting_their_offer_cancels_everything_pending(application, user):
    with time_machine.travel(local(2025, 3, 10, 11), tick=False):
        application_outcome(application=application, outcome="offer", user=user)
        application_outcome(application=application, outcome="accepted", user=user)

    application.refresh_from_db()
    assert application.stage == Application.Stage.ACCEPTED
    assert messages(application, statuses=Message.PENDING_STATUSES) == []


def test_a_settled_application_refuses_another_outcome(application, user):
    with time_machine.travel(local(2025, 3, 10, 11), tick=False):
        application_outcome(application=application, outcome="rejected", user=user)
        with pytest.raises(ActionRefused):
            application_outcome(application=application, outcome="offer", user=user)
    application.refresh_from_db()
    assert application.stage == Application.Stage.REJECTED


# -- pause and resume ------------------------------------------------------------------------


def test_pause_holds_pending_messages_and_resume_retimes_to_the_next_window_start(
    application, user
):
    dana = next(m for m in messages(application, Stage.THANK_YOU) if "Dana" in m.to_name)
    with time_machine.travel(local(2025, 3, 5, 7), tick=False):
        message_approve(message=dana, user=user)
        application_pause(application=application, user=user)

    application.refresh_from_db()
    assert application.paused
    pending = messages(application, statuses=Message.PENDING_STATUSES)
    assert {m.status for m in pending} == {Status.HELD}
    assert events(application, Kind.PAUSED)

    # The thank-yous fell due (08:00) while paused; resumed after the window closed.
    with time_machine.travel(local(2025, 3, 5, 20), tick=False):
        application_resume(application=application, user=user)

    application.refresh_from_db()
    assert not application.paused
    thank_yous = messages(application, Stage.THANK_YOU)
    assert {m.due_at for m in thank_yous} == {local(2025, 3, 6, 8)}
    dana.refresh_from_db()
    assert dana.status == Status.APPROVED
    assert dana.approved_at is not None
    others = [m for m in thank_yous if m.pk != dana.pk]
    assert [m.status for m in others] == [Status.DRAFT]
    # Not yet due when resumed: the check-ins keep their times.
    assert [m.due_at for m in check_ins(application)] == [CHECK_IN_DUE, SECOND_CHECK_IN_DUE]
    assert {m.status for m in check_ins(application)} == {Status.DRAFT}
    assert events(application, Kind.RESUMED)


def test_a_check_in_that_fell_due_during_a_pause_goes_at_the_next_window_start(application, user):
    with time_machine.travel(local(2025, 3, 17, 12), tick=False):
        application_pause(application=application, user=user)
    with time_machine.travel(local(2025, 3, 19, 14), tick=False):
        application_resume(application=application, user=user)

    first = check_ins(application)[0]
    assert first.status == Status.DRAFT
    assert first.due_at == local(2025, 3, 20, 8)


# -- the limit and going quiet ---------------------------------------------------------------


def sent_cadence(application) -> dt.datetime:
    """Thank-yous and both check-ins sent, unanswered; returns when the second one went."""
    for message in messages(application, Stage.THANK_YOU):
        mark_sent(message, THANK_YOU_DUE)
    first, second = check_ins(application)
    mark_sent(first, CHECK_IN_DUE)
    mark_sent(second, SECOND_CHECK_IN_DUE)
    return SECOND_CHECK_IN_DUE


def test_there_is_no_third_follow_up_after_two_unanswered(application):
    from messaging.drafting.planning import replan_application

    sent_cadence(application)
    with time_machine.travel(local(2025, 3, 27, 9), tick=False):
        replan_application(application=application)

    follow_ups = check_ins(application, statuses=None)
    assert len(follow_ups) == 2
    assert {m.status for m in follow_ups} == {Status.SENT}


def test_an_application_goes_quiet_five_business_days_after_the_last_follow_up(application):
    sent_cadence(application)
    with time_machine.travel(local(2025, 3, 31, 17), tick=False):
        assert applications_go_quiet(now=timezone.now()) == 0
    application.refresh_from_db()
    assert application.stage == Application.Stage.INTERVIEWING

    quiet_at = local(2025, 4, 1, 8)
    with time_machine.travel(quiet_at, tick=False):
        assert applications_go_quiet(now=timezone.now()) == 1

    application.refresh_from_db()
    assert application.stage == Application.Stage.QUIET
    assert application.closed_at == quiet_at
    (task,) = events(application, Kind.TASK)
    assert "LinkedIn" in task.summary
    assert "Jordan Lee" in task.summary
    # No email: only the stay-in-touch note, weeks later, waits for approval.
    pending = messages(application, statuses=Message.PENDING_STATUSES)
    assert [m.stage for m in pending] == [Stage.STAY_IN_TOUCH]
    assert pending[0].due_at == local(2025, 5, 13, 8)
    # Running again changes nothing.
    with time_machine.travel(local(2025, 4, 2, 8), tick=False):
        assert applications_go_quiet(now=timezone.now()) == 0


def test_an_answered_application_never_goes_quiet(application):
    sent_cadence(application)
    with time_machine.travel(local(2025, 3, 26, 10), tick=False):
        application_reply(application=application, user=application.user, kind="reply")
    with time_machine.travel(local(2025, 4, 10, 8), tick=False):
        assert applications_go_quiet(now=timezone.now()) == 0
    application.refresh_from_db()
    assert application.stage == Application.Stage.INTERVIEWING


def test_a_reply_after_going_quiet_reopens_the_application(application):
    sent_cadence(application)
    with time_machine.travel(local(2025, 4, 1, 8), tick=False):
        applications_go_quiet(now=timezone.now())
    with time_machine.travel(local(2025, 4, 3, 10), tick=False):
        application_reply(application=application, user=application.user, kind="reply")

    application.refresh_from_db()
    assert application.stage == Application.Stage.INTERVIEWING
    assert application.closed_at is None
    assert messages(application, Stage.STAY_IN_TOUCH, statuses=Message.PENDING_STATUSES) == []
    (note,) = messages(application, Stage.STAY_IN_TOUCH, statuses=[Message.Status.CANCELLED])
    assert "no longer quiet" in note.status_reason
    assert TimelineEvent.objects.filter(message=note, kind="cancelled").exists()


def test_a_sent_thank_you_suggests_a_linkedin_connection(application):
    thank_you = messages(application, Stage.THANK_YOU)[0]
    mark_sent(thank_you, THANK_YOU_DUE)
    thank_you.refresh_from_db()

    message_sent_side_tasks(message=thank_you)

    (task,) = events(application, Kind.TASK)
    assert thank_you.to_name in task.summary
    assert "LinkedIn" in task.summary
    assert task.message_id == thank_you.pk


def test_only_thank_yous_suggest_a_linkedin_connection(application):
    first = check_ins(application)[0]
    mark_sent(first, CHECK_IN_DUE)
    first.refresh_from_db()
    message_sent_side_tasks(message=first)
    assert events(application, Kind.TASK) == []


def test_replies_to_an_unknown_kind_are_refused(application):
    with pytest.raises(ValueError):
        application_reply(application=application, user=application.user, kind="maybe")
    assert not Reply.objects.exists()


def test_a_reply_on_another_users_application_is_refused(application, outsider):
    with pytest.raises(PermissionDenied):
        application_reply(application=application, user=outsider, kind="reply")
    assert not Reply.objects.exists()
    assert len(check_ins(application)) == 2


def test_the_models_take_their_stages_from_the_one_definition_in_the_rules():
    """The model choices, the cadence and the checks all read rules.stages."""
    assert Message.Stage.values == [value for _, value, _ in stages.MESSAGE_STAGES]
    assert Message.Status.values == [value for _, value, _ in stages.MESSAGE_STATUSES]
    assert Application.Stage.values == [value for _, value, _ in stages.APPLICATION_STAGES]
    assert Message.Stage.CHECK_IN.label == "Check-in"
    assert Message.CHECK_IN_STAGES is stages.CHECK_IN_STAGES
    assert Message.PENDING_STATUSES.isdisjoint(Message.DEAD_STATUSES)
    assert Message.CLOSE_OUT_STAGES.isdisjoint(Message.CHECK_IN_STAGES)


def test_each_action_is_one_transaction(application, user, monkeypatch):
    """A failure half-way (here: drafting the close-out) leaves nothing changed."""

    def broken(**kwargs):
        raise RuntimeError("template missing")

    monkeypatch.setattr(outcomes, "draft_message", broken)
    with time_machine.travel(local(2025, 3, 10, 11), tick=False), pytest.raises(RuntimeError):
        application_outcome(application=application, outcome="rejected", user=user)

    application.refresh_from_db()
    assert application.stage == Application.Stage.INTERVIEWING
    assert len(check_ins(application)) == 2
    assert events(application, Kind.STAGE_CHANGED) == []
