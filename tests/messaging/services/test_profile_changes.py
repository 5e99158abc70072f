"""A profile change reaches the drafts that have not gone out, and says what approvals it cost."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from followup.accounts.models import Profile
from followup.accounts.services import PROFILE_FIELDS
from interviews.models import Application, TimelineEvent
from messaging.models import Message
from messaging.services.editing import message_edit
from messaging.services.facts import profile_update
from messaging.services.outcomes import application_outcome
from tests.builders.accounts import set_profile
from tests.builders.clock import local
from tests.builders.forms import profile_data
from tests.builders.queries import mark_approved, one
from tests.builders.scenario import CHECK_IN_DUE, LATER, THANK_YOU_DUE, planned

pytestmark = pytest.mark.django_db

Stage = Message.Stage
Status = Message.Status
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
URL = reverse("accounts:profile")


def update(user, **changes: object) -> None:
    profile = user.profile
    current = {name: getattr(profile, name) for name in PROFILE_FIELDS}
    with time_machine.travel(LATER, tick=False):
        profile_update(profile=profile, email=user.email, changes=current | changes)


def pending(application, stage: str) -> list[Message]:
    return list(
        Message.objects.filter(
            application=application, stage=stage, status__in=Message.PENDING_STATUSES
        ).order_by("pk")
    )


def test_a_new_time_zone_retimes_thank_yous_and_check_ins(user):
    application, _ = planned(user)
    assert {m.due_at for m in pending(application, Stage.THANK_YOU)} == {THANK_YOU_DUE}
    assert pending(application, Stage.CHECK_IN)[0].due_at == CHECK_IN_DUE

    update(user, time_zone="Europe/Berlin", country="DE")

    # Logged at 00:00 Berlin time on Wed 5 March: the next morning is Wed 5 March 08:00.
    berlin_morning = dt.datetime(2025, 3, 5, 8, 0, tzinfo=BERLIN)
    assert {m.due_at for m in pending(application, Stage.THANK_YOU)} == {berlin_morning}
    assert pending(application, Stage.CHECK_IN)[0].due_at.astimezone(BERLIN).time() == dt.time(8)
    assert TimelineEvent.objects.filter(
        application=application, kind="edited", detail="Your profile changed."
    ).exists()


def test_a_later_send_window_start_moves_the_drafts(user):
    application, _ = planned(user)

    update(user, send_window_start=dt.time(9, 30))

    assert {m.due_at for m in pending(application, Stage.THANK_YOU)} == {local(2025, 3, 5, 9, 30)}
    assert pending(application, Stage.CHECK_IN)[0].due_at == local(2025, 3, 18, 9, 30)


def test_a_new_phone_number_is_in_the_redrafted_thank_yous(user):
    application, _ = planned(user)
    assert all("555 0100" in m.body_text for m in pending(application, Stage.THANK_YOU))

    update(user, phone="+1 555 0199")

    for message in pending(application, Stage.THANK_YOU):
        assert "555 0199" in message.body_text
        assert "555 0100" not in message.body_text
        # The timeline says why it changed: the profile, not the interview.
        notes = TimelineEvent.objects.filter(message=message, kind="edited")
        assert [n.detail for n in notes] == ["Your profile changed."]


def test_hand_edited_drafts_and_ended_applications_are_left_alone(user):
    application, _people = planned(user)
    ended = Application.objects.create(
        user=user, company=application.company, role="Platform Engineer"
    )
    edited = pending(application, Stage.THANK_YOU)[0]
    with time_machine.travel(LATER, tick=False):
        message_edit(
            message=edited,
            user=user,
            to_email=edited.to_email,
            subject=edited.subject,
            body_text=edited.body_text + "\nP.S. My own words.",
            due_at=edited.due_at,
        )
        application_outcome(application=ended, outcome="accepted_elsewhere", user=user)
    edited.refresh_from_db()
    withdrawal = Message.objects.get(application=ended, stage=Stage.WITHDRAWAL)
    before = (edited.body_text, edited.due_at)

    update(user, phone="+1 555 0199", send_window_start=dt.time(9, 30))

    edited.refresh_from_db()
    assert (edited.body_text, edited.due_at) == before
    assert Message.objects.get(pk=withdrawal.pk).updated_at == withdrawal.updated_at


def test_saving_an_unchanged_profile_rewrites_nothing(user):
    _application, _ = planned(user)
    events_before = TimelineEvent.objects.count()
    stamps = {m.pk: m.updated_at for m in Message.objects.all()}

    update(user)

    assert TimelineEvent.objects.count() == events_before
    assert {m.pk: m.updated_at for m in Message.objects.all()} == stamps


def test_the_profile_page_replans_on_save(owner_client, user):
    application, _ = planned(user)
    data = {name: getattr(user.profile, name) for name in PROFILE_FIELDS}
    data |= {"email": user.email, "phone": "+1 555 0199", "region": ""}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["send_window_start"] = "08:00"
    data["send_window_end"] = "19:00"

    with time_machine.travel(LATER, tick=False):
        response = owner_client.post("/accounts/profile/", data)

    assert response.status_code == 302
    assert all("555 0199" in m.body_text for m in pending(application, Stage.THANK_YOU))
    assert Application.objects.get().stage == Application.Stage.INTERVIEWING


def approve_all(application) -> list[int]:
    """Approve every pending draft of the application, as the queue would."""
    drafts = Message.objects.filter(application=application, status=Message.Status.DRAFT)
    ids = list(drafts.values_list("pk", flat=True))
    drafts.update(status=Message.Status.APPROVED, approved_at=LATER)
    return ids


def test_a_new_name_counts_the_approvals_it_cost(user):
    application, _ = planned(user)
    approved = approve_all(application)
    profile = user.profile
    current = {name: getattr(profile, name) for name in PROFILE_FIELDS}

    with time_machine.travel(LATER, tick=False):
        saved = profile_update(
            profile=profile, email=user.email, changes=current | {"full_name": "Alex Q. Morgan"}
        )

    # Every draft is signed with the name: each one changed and is a draft again.
    assert saved.approvals_lost == len(approved) > 1
    assert {m.status for m in pending(application, Stage.THANK_YOU)} == {Message.Status.DRAFT}
    assert all(m.approved_at is None for m in pending(application, Stage.THANK_YOU))
    assert "Alex Q. Morgan" in pending(application, Stage.THANK_YOU)[0].body_text


def test_the_profile_page_says_how_many_approvals_were_lost_with_a_link_to_the_queue(
    owner_client, user
):
    from django.urls import reverse

    application, _ = planned(user)
    lost = len(approve_all(application))

    with time_machine.travel(LATER, tick=False):
        response = owner_client.post(URL, profile_data(full_name="Alex Q. Morgan"), follow=True)

    html = response.content.decode()
    assert f"Saved. {lost} approved emails changed with your new details" in html
    assert f'href="{reverse("messaging:queue")}"' in html
    user.profile.refresh_from_db()
    assert user.profile.full_name == "Alex Q. Morgan"


def test_a_change_that_re_renders_no_approved_message_just_says_saved(owner_client, user):

    planned(user)  # drafts only, none approved
    with time_machine.travel(LATER, tick=False):
        response = owner_client.post(URL, profile_data(full_name="Alex Q. Morgan"), follow=True)
    html = response.content.decode()
    assert "Your profile is saved." in html
    assert "need approval again" not in html


def test_a_profile_change_does_not_make_an_on_time_thank_you_late(user):
    application, _people = planned(user)
    profile = user.profile
    current = {name: getattr(profile, name) for name in PROFILE_FIELDS}
    # 18:00 in New York is 08:00 next day in Tokyo: with a 07:30 window there, the next
    # morning after the interview (07:30 Tokyo) has just passed, through the user's own change.
    with time_machine.travel(local(2025, 3, 4, 18), tick=False):
        profile_update(
            profile=profile,
            email=user.email,
            changes=current | {"time_zone": "Asia/Tokyo", "send_window_start": dt.time(7, 30)},
        )
    thank_yous = Message.objects.filter(
        application=application,
        stage=Message.Stage.THANK_YOU,
        status__in=Message.PENDING_STATUSES,
    )
    assert thank_yous.exists()
    assert not any(m.late for m in thank_yous)


def test_saving_a_new_time_zone_moves_a_rejected_applications_approved_close_out(user):
    from messaging.services.facts import profile_update

    set_profile(user, time_zone="Europe/Berlin", country="DE")
    application, _ = planned(user)
    logged = dt.datetime(2025, 11, 26, 17, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin"))
    with time_machine.travel(logged, tick=False):
        application_outcome(application=application, outcome="rejected", user=user)
        close_out = one(application, Stage.REJECTION_REPLY)
        mark_approved(close_out, logged)

        profile = Profile.objects.get(user=user)
        profile_update(
            profile=profile,
            email=user.email,
            changes={"time_zone": "America/New_York", "country": "US"},
        )

    close_out.refresh_from_db()
    assert close_out.due_at == local(2025, 11, 28, 8)  # off Thanksgiving, into the window
    assert close_out.status == Status.APPROVED
