"""A contact edited or deleted: what is pending to them follows."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from interviews.models import Contact, TimelineEvent
from messaging.drafting.planning import plan_interview
from messaging.models import Message
from messaging.services.approval import message_approve
from messaging.services.editing import message_edit
from messaging.services.facts import contact_delete, contact_update
from messaging.services.outcomes import application_outcome
from messaging.services.refusals import ActionRefused
from tests.builders.clock import local
from tests.builders.interviews import add_participant, details_of, make_interview
from tests.builders.queries import pending_to
from tests.builders.scenario import LATER, LOGGED, make_panel, planned

pytestmark = pytest.mark.django_db

Stage = Message.Stage
Status = Message.Status
Kind = TimelineEvent.Kind


def test_editing_a_contact_redrafts_their_pending_thank_you_with_the_new_details(user):
    _application, people = planned(user)
    richardson = people["richardson"]
    assert "Ms. Richardson" in pending_to(richardson).body_text

    with time_machine.travel(LATER, tick=False):
        contact_update(
            contact=richardson,
            user=user,
            details=details_of(richardson, honorific="Dr.", email="maria@northwind.example"),
        )

    message = pending_to(richardson)
    assert message.to_email == "maria@northwind.example"
    assert "Dr. Richardson" in message.body_text
    assert "Ms. Richardson" not in message.body_text
    assert TimelineEvent.objects.filter(message=message, kind=Kind.EDITED).exists()


def test_editing_the_main_contact_readdresses_the_check_ins(user):
    application, people = planned(user)
    recruiter = people["recruiter"]

    with time_machine.travel(LATER, tick=False):
        contact_update(
            contact=recruiter,
            user=user,
            details=details_of(recruiter, email="jl@northwind.example"),
        )

    check_ins = Message.objects.filter(application=application, stage__in=Message.CHECK_IN_STAGES)
    assert {m.to_email for m in check_ins.filter(status__in=Message.PENDING_STATUSES)} == {
        "jl@northwind.example"
    }


def test_a_hand_edited_approved_message_takes_the_new_address_keeps_its_text_and_needs_approval(
    user,
):
    _application, people = planned(user)
    dana = people["dana"]
    message = pending_to(dana)
    with time_machine.travel(LATER, tick=False):
        message_edit(
            message=message,
            user=user,
            to_email=message.to_email,
            subject=message.subject,
            body_text=message.body_text + "\nSee you soon.",
            due_at=message.due_at,
        )
        message.refresh_from_db()
        Message.objects.filter(pk=message.pk).update(status=Status.APPROVED, approved_at=LATER)
        contact_update(
            contact=dana, user=user, details=details_of(dana, email="dana.w@northwind.example")
        )

    message.refresh_from_db()
    assert message.to_email == "dana.w@northwind.example"
    assert message.body_text.endswith("See you soon.")
    assert (message.status, message.approved_at) == (Status.DRAFT, None)
    assert TimelineEvent.objects.filter(
        message=message, kind=Kind.EDITED, summary__contains="approval again"
    ).exists()


def test_a_recipient_typed_by_hand_is_kept_and_the_timeline_says_so(user):
    _application, people = planned(user)
    dana = people["dana"]
    message = pending_to(dana)
    with time_machine.travel(LATER, tick=False):
        message_edit(
            message=message,
            user=user,
            to_email="dana.private@northwindlabs.example",
            subject=message.subject,
            body_text=message.body_text,
            due_at=message.due_at,
        )
        contact_update(
            contact=dana, user=user, details=details_of(dana, email="dana.w@northwind.example")
        )

    message.refresh_from_db()
    assert message.to_email == "dana.private@northwindlabs.example"
    note = TimelineEvent.objects.get(message=message, kind=Kind.NOTE)
    assert note.summary.endswith("still goes to dana.private@northwindlabs.example")
    assert "dana.w@northwind.example" in note.detail


def test_a_pending_close_out_takes_the_new_address_and_needs_approval_again(user):
    application, people = planned(user)
    recruiter = people["recruiter"]
    with time_machine.travel(LATER, tick=False):
        (close_out, _) = application_outcome(application=application, outcome="rejected", user=user)
        Message.objects.filter(pk=close_out.pk).update(status=Status.APPROVED, approved_at=LATER)
        contact_update(
            contact=recruiter,
            user=user,
            details=details_of(recruiter, email="jl@northwind.example"),
        )

    close_out.refresh_from_db()
    assert close_out.to_email == "jl@northwind.example"
    assert (close_out.status, close_out.approved_at) == (Status.DRAFT, None)
    assert TimelineEvent.objects.filter(
        message=close_out, kind=Kind.EDITED, summary__contains="approval again"
    ).exists()


def test_deleting_a_contact_cancels_what_was_pending_to_them_first(user):
    application, people = planned(user)
    dana = people["dana"]
    thank_you = pending_to(dana)

    with time_machine.travel(LATER, tick=False):
        contact_delete(contact=dana, user=user)

    thank_you.refresh_from_db()
    assert thank_you.status == Status.CANCELLED
    assert thank_you.contact_id is None
    event = TimelineEvent.objects.get(message=thank_you, kind=Kind.CANCELLED)
    assert "Dana Whitfield was deleted from your contacts" in event.detail
    # Nothing pending is left without a recipient contact.
    assert not Message.objects.filter(
        application=application, contact__isnull=True, status__in=Message.PENDING_STATUSES
    ).exists()
    # And it can no longer be approved (so it is never sent to the deleted person).
    with pytest.raises(ActionRefused):
        message_approve(message=thank_you, user=user)


def test_deleting_the_main_contact_moves_the_check_ins_to_an_interviewer(user):
    application, people = planned(user)
    recruiter = people["recruiter"]

    with time_machine.travel(LATER, tick=False):
        contact_delete(contact=recruiter, user=user)

    pending = Message.objects.filter(
        application=application,
        stage__in=Message.CHECK_IN_STAGES,
        status__in=Message.PENDING_STATUSES,
    )
    assert pending.count() == 2
    assert {m.contact_id for m in pending} == {people["dana"].pk}
    cancelled = Message.objects.filter(
        application=application, stage__in=Message.CHECK_IN_STAGES, status=Status.CANCELLED
    )
    assert cancelled.count() == 2


def test_the_contact_pages_edit_and_delete_go_through_the_services(owner_client, user):
    with time_machine.travel(LOGGED, tick=False):
        application, interview, people = make_panel(user)
        plan_interview(interview=interview)
    dana = people["dana"]
    with time_machine.travel(LATER, tick=False):
        response = owner_client.post(
            reverse("interviews:contact_edit", args=[dana.pk]),
            {"name": "Dana Whitfield", "email": "dw@northwind.example", "tone": "first_name"}
            | {"kind": "interviewer"},
        )
    assert response.status_code == 302
    assert pending_to(dana).to_email == "dw@northwind.example"

    with time_machine.travel(LATER, tick=False):
        owner_client.post(reverse("interviews:contact_delete", args=[dana.pk]))
    assert not Contact.objects.filter(pk=dana.pk).exists()
    assert not Message.objects.filter(
        application=application,
        to_email="dw@northwind.example",
        status__in=Message.PENDING_STATUSES,
    ).exists()


def test_editing_a_contact_from_an_old_round_drafts_no_late_thank_you_for_it(user):
    from interviews.models import Interview

    application, people = planned(user)
    dana, richardson = people["dana"], people["richardson"]
    round_one = Interview.objects.get(application=application)
    # Round 1 is over: Richardson's thank-you went out, Dana's was cancelled.
    Message.objects.filter(interview=round_one, contact=richardson).update(
        status=Status.SENT, sent_at=local(2025, 3, 5, 8), approved_at=local(2025, 3, 4, 18)
    )
    Message.objects.filter(interview=round_one, contact=dana).update(status=Status.CANCELLED)
    with time_machine.travel(local(2025, 3, 20, 16), tick=False):
        round_two = make_interview(application, starts_at=local(2025, 3, 20, 14), round_number=2)
        add_participant(round_two, richardson)
        plan_interview(interview=round_two)

    with time_machine.travel(local(2025, 3, 21, 12), tick=False):
        contact_update(
            contact=dana, user=user, details=details_of(dana, email="dana@northwind.example")
        )

    assert not Message.objects.filter(
        interview=round_one, stage=Stage.THANK_YOU, status__in=Message.PENDING_STATUSES
    ).exists()
    # The current round is still re-planned as before.
    assert Message.objects.filter(
        interview=round_two, contact=richardson, status__in=Message.PENDING_STATUSES
    ).exists()


def test_deleting_a_contact_from_an_old_round_drafts_no_late_thank_you_for_it(user):
    from interviews.models import Interview

    application, people = planned(user)
    dana, richardson = people["dana"], people["richardson"]
    round_one = Interview.objects.get(application=application)
    Message.objects.filter(interview=round_one, contact=dana).update(
        status=Status.SENT, sent_at=local(2025, 3, 5, 8), approved_at=local(2025, 3, 4, 18)
    )
    Message.objects.filter(interview=round_one, contact=richardson).update(status=Status.CANCELLED)
    with time_machine.travel(local(2025, 3, 20, 16), tick=False):
        round_two = make_interview(application, starts_at=local(2025, 3, 20, 14), round_number=2)
        add_participant(round_two, richardson)
        plan_interview(interview=round_two)

    with time_machine.travel(local(2025, 3, 21, 12), tick=False):
        contact_delete(contact=dana, user=user)

    assert not Message.objects.filter(
        interview=round_one, stage=Stage.THANK_YOU, status__in=Message.PENDING_STATUSES
    ).exists()
