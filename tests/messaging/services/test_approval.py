"""The approval gate: nothing is sent unapproved, checks block approval, edits undo it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from interviews.models import TimelineEvent
from messaging.dispatch.claims import due_message_ids, message_claim
from messaging.dispatch.sending import recheck
from messaging.models import BouncedAddress, Message
from messaging.services.approval import message_approve, message_findings, message_unapprove
from messaging.services.editing import message_edit, message_skip
from messaging.services.holds import application_pause, application_resume
from messaging.services.outcomes import application_outcome, application_reopen
from messaging.services.refusals import ActionRefused, ApprovalBlocked
from tests.builders.clock import local
from tests.builders.messages import make_message, sending_setup
from tests.builders.queries import check_ins, events, mark_sent, messages
from tests.builders.scenario import CHECK_IN_DUE, SECOND_CHECK_IN_DUE, planned

pytestmark = pytest.mark.django_db

Stage = Message.Stage
Status = Message.Status
Kind = TimelineEvent.Kind

NOW = local(2025, 3, 4, 17)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def application(user):
    return planned(user)[0]


@pytest.fixture
def thank_you(application) -> Message:
    return next(m for m in messages(application, Stage.THANK_YOU) if "Dana" in m.to_name)


def approve(message, user, **kwargs) -> Message:
    return message_approve(message=message, user=user, **kwargs)


def edit(message, user, **changes) -> Message:
    fields = {
        "to_email": message.to_email,
        "subject": message.subject,
        "body_text": message.body_text,
        "due_at": message.due_at,
    } | changes
    return message_edit(message=message, user=user, **fields)


def test_a_draft_is_never_picked_for_sending_before_approval(thank_you, user):
    later = thank_you.due_at + dt.timedelta(hours=1)
    assert thank_you.pk not in due_message_ids(now=later, limit=100)
    assert not message_claim(message_id=thank_you.pk, now=later)

    approve(thank_you, user)

    assert thank_you.pk in due_message_ids(now=later, limit=100)
    # ... and only once its time has come.
    assert thank_you.pk not in due_message_ids(now=timezone.now(), limit=100)


def test_approval_records_the_time_and_a_timeline_entry(thank_you, user):
    approve(thank_you, user)

    thank_you.refresh_from_db()
    assert thank_you.status == Status.APPROVED
    assert thank_you.approved_at == NOW
    assert thank_you.pestering_override_at is None
    (event,) = events(thank_you.application, Kind.APPROVED)
    assert event.message_id == thank_you.pk
    assert "08:00" in event.detail  # the due time, in the user's zone


def test_approving_twice_changes_nothing(thank_you, user):
    approve(thank_you, user)
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        approve(thank_you, user)
    thank_you.refresh_from_db()
    assert thank_you.approved_at == NOW
    assert len(events(thank_you.application, Kind.APPROVED)) == 1


def test_editing_an_approved_message_returns_it_to_draft(thank_you, user):
    approve(thank_you, user)

    edit(thank_you, user, body_text="Many thanks again.\n\n" + thank_you.body_text)

    thank_you.refresh_from_db()
    assert thank_you.status == Status.DRAFT
    assert thank_you.approved_at is None
    assert thank_you.edited_by_user
    assert "Many thanks" in thank_you.body_html
    (event,) = events(thank_you.application, Kind.EDITED)
    assert "needs approval again" in event.summary
    assert thank_you.pk not in due_message_ids(
        now=thank_you.due_at + dt.timedelta(hours=1), limit=100
    )


def test_editing_a_draft_keeps_it_a_draft_and_marks_it_edited(thank_you, user):
    new_time = local(2025, 3, 5, 9, 30)
    edit(thank_you, user, subject="Thank you for today", due_at=new_time)

    thank_you.refresh_from_db()
    assert thank_you.status == Status.DRAFT
    assert thank_you.subject == "Thank you for today"
    assert thank_you.due_at == new_time
    assert thank_you.edited_by_user
    (event,) = events(thank_you.application, Kind.EDITED)
    assert "needs approval again" not in event.summary


def test_an_edit_that_changes_nothing_keeps_the_approval(thank_you, user):
    approve(thank_you, user)
    edit(thank_you, user)
    thank_you.refresh_from_db()
    assert thank_you.status == Status.APPROVED
    assert not thank_you.edited_by_user


def test_unapproving_takes_the_message_off_the_send_list(thank_you, user):
    approve(thank_you, user)
    message_unapprove(message=thank_you, user=user)

    thank_you.refresh_from_db()
    assert thank_you.status == Status.DRAFT
    assert thank_you.approved_at is None
    assert events(thank_you.application, Kind.UNAPPROVED)


def test_unapproving_a_draft_is_refused(thank_you, user):
    with pytest.raises(ActionRefused):
        message_unapprove(message=thank_you, user=user)


def test_skipping_keeps_the_reason_on_the_timeline(thank_you, user):
    message_skip(message=thank_you, user=user, reason="I called her instead.")

    thank_you.refresh_from_db()
    assert thank_you.status == Status.SKIPPED
    assert thank_you.status_reason == "I called her instead."
    (event,) = events(thank_you.application, Kind.SKIPPED)
    assert event.detail == "I called her instead."


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"to_email": ""}, "empty_recipient"),
        ({"subject": "  "}, "empty_subject"),
        ({"body_text": "Hi [Name],\n\nThank you for your time today."}, "placeholder"),
    ],
)
def test_errors_block_approval(thank_you, user, change, code):
    Message.objects.filter(pk=thank_you.pk).update(**change)
    thank_you.refresh_from_db()

    with pytest.raises(ApprovalBlocked) as error:
        approve(thank_you, user, override_pestering=True)

    assert code in [f.code for f in error.value.findings]
    assert not error.value.needs_pestering_override
    assert str(error.value).startswith("Not approved yet.")
    thank_you.refresh_from_db()
    assert thank_you.status == Status.DRAFT
    assert thank_you.approved_at is None
    assert events(thank_you.application, Kind.APPROVED) == []


def test_a_bounced_address_blocks_approval(thank_you, user):
    BouncedAddress.objects.create(
        user=user, email=thank_you.to_email.upper(), reason="mailbox unknown", bounced_at=NOW
    )
    with pytest.raises(ApprovalBlocked) as error:
        approve(thank_you, user)
    assert [f.code for f in error.value.findings] == ["bounced"]


def test_warnings_do_not_block_approval(thank_you, user):
    edit(thank_you, user, body_text=thank_you.body_text + "\nThis is my dream job, thx!")
    thank_you.refresh_from_db()
    codes = {f.code for f in message_findings(message=thank_you)}
    assert {"desperate", "text_speak"} <= codes

    approve(thank_you, user)
    thank_you.refresh_from_db()
    assert thank_you.status == Status.APPROVED


def test_a_check_in_too_soon_after_the_last_is_blocked_unless_overridden(application, user):
    first, second = check_ins(application)
    mark_sent(first, CHECK_IN_DUE)
    edit(second, user, due_at=local(2025, 3, 20, 8))  # two business days later
    second.refresh_from_db()

    with time_machine.travel(local(2025, 3, 18, 12), tick=False):
        with pytest.raises(ApprovalBlocked) as error:
            approve(second, user)
        assert error.value.needs_pestering_override
        assert [f.code for f in error.value.findings] == ["pestering"]
        second.refresh_from_db()
        assert second.status == Status.DRAFT

        approve(second, user, override_pestering=True)

    second.refresh_from_db()
    assert second.status == Status.APPROVED
    assert second.pestering_override_at == local(2025, 3, 18, 12)
    notes = events(application, Kind.NOTE)
    assert any("pestering" in note.summary for note in notes)


def test_the_planned_check_ins_are_spaced_enough_to_approve(application, user):
    first, second = check_ins(application)
    approve(first, user)
    approve(second, user)
    second.refresh_from_db()
    assert second.status == Status.APPROVED
    assert second.pestering_override_at is None


def test_a_third_follow_up_is_blocked_as_pestering(application, user):
    first, second = check_ins(application)
    mark_sent(first, CHECK_IN_DUE)
    mark_sent(second, SECOND_CHECK_IN_DUE)
    third = Message.objects.create(
        user=user,
        application=application,
        contact=application.main_contact,
        stage=Stage.CHECK_IN,
        to_email=application.main_contact.email,
        to_name=application.main_contact.name,
        subject="Checking in again",
        body_text="Hi Jordan,\n\nIs there any update on the role?\n\nThanks,\nAlex Morgan",
        due_at=local(2025, 4, 8, 8),
    )

    with (
        time_machine.travel(local(2025, 4, 7, 12), tick=False),
        pytest.raises(ApprovalBlocked) as error,
    ):
        approve(third, user)
    assert error.value.needs_pestering_override
    assert "follow-up number 3" in str(error.value)


def test_a_sent_message_can_no_longer_be_changed(thank_you, user):
    mark_sent(thank_you, NOW)
    thank_you.refresh_from_db()
    with pytest.raises(ActionRefused):
        edit(thank_you, user, subject="Too late")
    with pytest.raises(ActionRefused):
        message_skip(message=thank_you, user=user, reason="")
    with pytest.raises(ActionRefused):
        approve(thank_you, user)
    thank_you.refresh_from_db()
    assert thank_you.status == Status.SENT
    assert thank_you.subject != "Too late"


def test_another_users_message_is_refused(thank_you, outsider):
    with pytest.raises(PermissionDenied):
        approve(thank_you, outsider)
    thank_you.refresh_from_db()
    assert thank_you.status == Status.DRAFT


def test_a_message_claimed_for_sending_is_not_edited_under_the_dispatcher(thank_you, user):
    approve(thank_you, user)
    assert message_claim(message_id=thank_you.pk, now=thank_you.due_at)
    with pytest.raises(ActionRefused):
        edit(thank_you, user, subject="Changed while sending")
    thank_you.refresh_from_db()
    assert thank_you.status == Status.SENDING


def test_a_message_held_by_a_pause_can_be_approved_and_goes_once_resumed(
    application, thank_you, user
):
    application_pause(application=application, user=user)
    thank_you.refresh_from_db()
    assert thank_you.status == Status.HELD

    approve(thank_you, user)
    thank_you.refresh_from_db()
    assert thank_you.status == Status.HELD
    assert thank_you.approved_at == NOW
    assert thank_you.pk not in due_message_ids(now=thank_you.due_at, limit=100)

    application_resume(application=application, user=user)
    thank_you.refresh_from_db()
    assert thank_you.status == Status.APPROVED
    assert thank_you.pk in due_message_ids(now=thank_you.due_at, limit=100)


def test_a_corrected_address_keeps_the_name_and_another_persons_drops_it(thank_you, user):
    edit(thank_you, user, to_email="dana.w@northwindlabs.example")
    thank_you.refresh_from_db()
    assert thank_you.to_name == "Dana Whitfield"

    edit(thank_you, user, to_email="hiring@northwindlabs.example")
    thank_you.refresh_from_db()
    assert thank_you.to_name == ""


# -- close-outs only while they fit the stage -----------------------------------------------


def test_an_approved_rejection_reply_is_cancelled_on_reopening_and_never_sent(application, user):
    (reply,) = [
        m
        for m in application_outcome(application=application, outcome="rejected", user=user)
        if m.stage == Stage.REJECTION_REPLY
    ]
    approve(reply, user)

    application_reopen(application=application, user=user, reason="A mistake.")

    reply.refresh_from_db()
    assert reply.status == Status.CANCELLED
    application.refresh_from_db()
    assert (application.stage, application.closed_at) == ("interviewing", None)
    assert any(e.message_id == reply.pk for e in events(application, Kind.CANCELLED))
    later = reply.due_at + dt.timedelta(hours=1)
    assert reply.pk not in due_message_ids(now=later, limit=100)
    assert not message_claim(message_id=reply.pk, now=later)


@pytest.mark.parametrize(
    ("stage", "app_stage", "stops"),
    [
        (Stage.REJECTION_REPLY, "rejected", False),
        (Stage.REJECTION_REPLY, "interviewing", True),
        (Stage.REJECTION_REPLY, "withdrawn", True),
        (Stage.WITHDRAWAL, "withdrawn", False),
        (Stage.WITHDRAWAL, "rejected", True),
        (Stage.STAY_IN_TOUCH, "quiet", False),
        (Stage.STAY_IN_TOUCH, "interviewing", True),
        (Stage.STAY_IN_TOUCH, "accepted", True),
    ],
)
def test_the_last_check_sends_a_close_out_only_while_it_fits_the_stage(
    user, stage, app_stage, stops
):
    application, contact = sending_setup(user)
    message = make_message(application, contact=contact, stage=stage)
    # Claimed while it fitted; the stage changed before the send task ran.
    assert message_claim(message_id=message.pk, now=timezone.now())
    application.stage = app_stage
    application.save(update_fields=["stage"])

    message = Message.objects.select_related("application").get(pk=message.pk)
    stop = recheck(message=message, now=timezone.now())

    assert (stop is not None and stop.status == Status.CANCELLED) == stops


@pytest.mark.parametrize(
    ("stage", "app_stage"),
    [
        (Stage.REJECTION_REPLY, "interviewing"),
        (Stage.REJECTION_REPLY, "withdrawn"),
        (Stage.WITHDRAWAL, "rejected"),
        (Stage.STAY_IN_TOUCH, "interviewing"),
    ],
)
def test_approval_refuses_a_close_out_that_does_not_fit_the_stage(user, stage, app_stage):
    application, contact = sending_setup(user)
    application.stage = app_stage
    application.save(update_fields=["stage"])
    message = make_message(application, contact=contact, stage=stage, status=Status.DRAFT)

    with pytest.raises(ActionRefused, match=r"no longer fits|only for after"):
        approve(message, user)

    message.refresh_from_db()
    assert (message.status, message.approved_at) == (Status.DRAFT, None)


def test_approving_a_later_time_outside_the_window_approves_the_moment_it_will_go(thank_you, user):
    early = local(2025, 3, 6, 5, 53)  # Thursday, before the 08:00 window opens
    Message.objects.filter(pk=thank_you.pk).update(due_at=early)
    thank_you.refresh_from_db()

    approved = approve(thank_you, user)

    assert approved.due_at == local(2025, 3, 6, 8)
    thank_you.refresh_from_db()
    assert (thank_you.status, thank_you.due_at) == (Status.APPROVED, local(2025, 3, 6, 8))
