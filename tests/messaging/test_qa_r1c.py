"""QA pass R1c: offer deadlines, re-planning into a new window, hand-set times, forged outcomes."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from followup.accounts.models import Profile
from followup.rules import cadence
from followup.rules.calendar import SenderCalendar
from interviews.models import Application, TimelineEvent
from messaging.drafting.planning import replan_for
from messaging.drafting.rendering import LATE_NOTE_AFTER, needs_late_note
from messaging.models import Message
from messaging.services.editing import message_edit
from messaging.services.outcomes import application_outcome
from messaging.services.refusals import ActionRefused
from messaging.services.replies import application_reply
from tests.messaging.factories import local
from tests.messaging.test_rules import check_ins, messages, one, planned

pytestmark = pytest.mark.django_db

Stage = Message.Stage
Status = Message.Status
Kind = TimelineEvent.Kind
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
CALENDAR = SenderCalendar(time_zone="America/New_York", country="US")


def post_outcome(client, application, **data: str):
    return client.post(reverse("messaging:application_outcome", args=[application.pk]), data)


def set_profile(user, **fields: object) -> None:
    Profile.objects.filter(user=user).update(**fields)


def approve(message: Message, at: dt.datetime) -> None:
    """Approved as the user would have, without re-running the checks here."""
    Message.objects.filter(pk=message.pk).update(status=Status.APPROVED, approved_at=at)


def local_date(at: dt.datetime) -> dt.date:
    return at.astimezone(NEW_YORK).date()


# -- 1. the other-offer note never goes after the deadline -----------------------------------


def test_a_deadline_of_today_makes_the_note_due_at_once(owner_client, user):
    application, _ = planned(user)
    now = local(2025, 3, 4, 17)
    with time_machine.travel(now, tick=False):
        post_outcome(owner_client, application, outcome="other_offer", deadline="2025-03-04")

    note = one(application, Stage.OFFER_DEADLINE)
    assert note.due_at == now


def test_a_monday_deadline_logged_on_friday_goes_on_friday(owner_client, user):
    application, _ = planned(user)
    friday = local(2025, 3, 7, 10)
    with time_machine.travel(friday, tick=False):
        post_outcome(owner_client, application, outcome="other_offer", deadline="2025-03-10")

    assert one(application, Stage.OFFER_DEADLINE).due_at == friday


def test_a_near_deadline_logged_at_night_goes_when_the_window_opens_any_day():
    saturday_night = local(2025, 3, 8, 23)
    due = cadence.offer_deadline_due(
        logged_at=saturday_night, deadline=dt.date(2025, 3, 10), calendar=CALENDAR
    )
    assert due == local(2025, 3, 9, 8)  # Sunday morning: no waiting for a business day


def test_a_deadline_of_today_logged_after_the_window_is_never_due_after_it():
    evening = local(2025, 3, 4, 21)
    due = cadence.offer_deadline_due(
        logged_at=evening, deadline=dt.date(2025, 3, 4), calendar=CALENDAR
    )
    assert local_date(due) <= dt.date(2025, 3, 4)


def test_a_far_deadline_still_goes_the_next_business_morning(owner_client, user):
    application, _ = planned(user)
    with time_machine.travel(local(2025, 3, 4, 17), tick=False):
        post_outcome(owner_client, application, outcome="other_offer", deadline="2025-03-14")

    note = one(application, Stage.OFFER_DEADLINE)
    assert local_date(note.due_at) == dt.date(2025, 3, 5)


def test_a_past_deadline_is_refused_by_the_form_and_the_service(owner_client, user):
    application, _ = planned(user)
    with time_machine.travel(local(2025, 3, 4, 17), tick=False):
        response = post_outcome(
            owner_client, application, outcome="other_offer", deadline="2025-03-03"
        )
        assert response.status_code == 302
        assert messages(application, Stage.OFFER_DEADLINE) == []
        with pytest.raises(ActionRefused):
            application_outcome(
                application=application,
                outcome="other_offer",
                user=user,
                deadline=dt.date(2025, 3, 3),
            )
    assert messages(application, Stage.OFFER_DEADLINE) == []


# -- 2. re-planning moves everything pending into the current window -------------------------


def test_a_time_zone_change_moves_an_approved_close_out_off_a_holiday_and_keeps_approval(user):
    set_profile(user, time_zone="Europe/Berlin", country="DE")
    application, _ = planned(user)
    logged = dt.datetime(2025, 11, 26, 17, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin"))
    with time_machine.travel(logged, tick=False):
        application_outcome(application=application, outcome="rejected", user=user)
        close_out = one(application, Stage.REJECTION_REPLY)
        approve(close_out, logged)
        stay = one(application, Stage.STAY_IN_TOUCH)
        # Thursday 27 November 08:00 Berlin: 02:00 in New York, on Thanksgiving.
        assert close_out.due_at.astimezone(NEW_YORK) == local(2025, 11, 27, 2)

        set_profile(user, time_zone="America/New_York", country="US")
        replan_for(applications=[application], reason="Your profile changed.")

    close_out.refresh_from_db()
    assert close_out.due_at == local(2025, 11, 28, 8)  # the Friday, when the window opens
    assert close_out.status == Status.APPROVED and close_out.approved_at is not None
    note = TimelineEvent.objects.filter(message=close_out, kind=Kind.EDITED).get()
    assert "stays approved" in note.detail
    stay.refresh_from_db()
    assert stay.due_at.astimezone(NEW_YORK).time() == dt.time(8, 0)


def test_a_time_zone_change_moves_the_thanks_for_the_update_into_the_window(user):
    set_profile(user, time_zone="Europe/Berlin", country="DE")
    application, _ = planned(user)
    with time_machine.travel(local(2025, 3, 10, 12), tick=False):
        application_reply(application=application, user=user, kind="no_news")
        thanks = one(application, Stage.NO_NEWS_REPLY, statuses=Message.PENDING_STATUSES)
        assert thanks.due_at.astimezone(NEW_YORK).hour == 3

        set_profile(user, time_zone="America/New_York", country="US")
        replan_for(applications=[application], reason="Your profile changed.")

    thanks.refresh_from_db()
    assert thanks.due_at == local(2025, 3, 11, 8)


def test_an_approved_check_in_moved_earlier_needs_approval_again(user):
    application, _ = planned(user)
    with time_machine.travel(local(2025, 3, 5, 12), tick=False):
        check_in = check_ins(application)[0]
        approve(check_in, local(2025, 3, 5, 12))
        set_profile(user, time_zone="Europe/Berlin")  # 08:00 Berlin is 02:00 in New York
        lost = replan_for(applications=[application], reason="Your profile changed.")

    check_in.refresh_from_db()
    assert check_in.status == Status.DRAFT and check_in.approved_at is None
    assert lost >= 1


def test_an_approved_check_in_moved_later_stays_approved_and_says_so(user):
    application, _ = planned(user)
    with time_machine.travel(local(2025, 3, 5, 12), tick=False):
        check_in = check_ins(application)[0]
        approve(check_in, local(2025, 3, 5, 12))
        set_profile(user, time_zone="America/Los_Angeles")
        replan_for(applications=[application], reason="Your profile changed.")

    check_in.refresh_from_db()
    assert check_in.status == Status.APPROVED and check_in.approved_at is not None
    assert check_in.due_at == local(2025, 3, 18, 11)  # 08:00 in Los Angeles
    note = TimelineEvent.objects.filter(message=check_in, kind=Kind.EDITED).latest("pk")
    assert "stays approved" in note.detail


# -- 3. a time chosen by hand is not a hand edit ---------------------------------------------


def test_changing_only_the_time_keeps_the_text_ours_and_the_time_theirs(user):
    application, _ = planned(user)
    with time_machine.travel(local(2025, 3, 5, 12), tick=False):
        check_in = check_ins(application)[0]
        chosen = local(2025, 3, 20, 10)
        message_edit(
            message=check_in,
            user=user,
            to_email=check_in.to_email,
            subject=check_in.subject,
            body_text=check_in.body_text,
            due_at=chosen,
        )
        check_in.refresh_from_db()
        assert check_in.time_set_by_user is True
        assert check_in.edited_by_user is False

        set_profile(user, time_zone="America/Los_Angeles", full_name="Alex Morgan-Reyes")
        replan_for(applications=[application], reason="Your profile changed.")

    check_in.refresh_from_db()
    assert check_in.due_at == chosen  # the user's time stands
    assert "Alex Morgan-Reyes" in check_in.body_text  # the text still follows the facts


def test_editing_the_text_still_counts_as_a_hand_edit(user):
    application, _ = planned(user)
    with time_machine.travel(local(2025, 3, 5, 12), tick=False):
        check_in = check_ins(application)[0]
        message_edit(
            message=check_in,
            user=user,
            to_email=check_in.to_email,
            subject="My own subject",
            body_text=check_in.body_text,
            due_at=check_in.due_at,
        )
    check_in.refresh_from_db()
    assert check_in.edited_by_user is True
    assert check_in.time_set_by_user is False


# -- 7. outcomes only from the stages that offer them -----------------------------------------


def test_a_forged_accepted_outcome_without_an_offer_is_refused(owner_client, user):
    application, _ = planned(user)
    with time_machine.travel(local(2025, 3, 5, 12), tick=False):
        response = post_outcome(owner_client, application, outcome="accepted")

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.stage == Application.Stage.INTERVIEWING
    assert check_ins(application)  # nothing was cancelled


def test_accepting_after_an_offer_still_works(owner_client, user):
    application, _ = planned(user)
    with time_machine.travel(local(2025, 3, 5, 12), tick=False):
        post_outcome(owner_client, application, outcome="offer")
        post_outcome(owner_client, application, outcome="accepted")
    application.refresh_from_db()
    assert application.stage == Application.Stage.ACCEPTED


def test_a_second_offer_or_deadline_note_is_refused_once_there_is_an_offer(user):
    application, _ = planned(user)
    Application.objects.filter(pk=application.pk).update(stage=Application.Stage.OFFER)
    with time_machine.travel(local(2025, 3, 5, 12), tick=False):
        for outcome in ("offer", "other_offer"):
            with pytest.raises(ActionRefused):
                application_outcome(
                    application=application,
                    outcome=outcome,
                    user=user,
                    deadline=dt.date(2025, 3, 14),
                )
    assert messages(application, Stage.OFFER_DEADLINE) == []


# -- UX ---------------------------------------------------------------------------------------


def test_a_next_day_thank_you_does_not_apologise_but_one_two_days_late_does(user):
    application, _ = planned(user)
    interview = application.interviews.get()
    next_day = interview.ends_at + dt.timedelta(hours=20, minutes=27)
    assert not needs_late_note(stage=Stage.THANK_YOU, interview=interview, due_at=next_day)
    late = interview.ends_at + LATE_NOTE_AFTER
    assert needs_late_note(stage=Stage.THANK_YOU, interview=interview, due_at=late)


def test_withdrawing_and_out_of_office_ask_before_they_act(owner_client, user):
    application, _ = planned(user)
    html = owner_client.get(application.get_absolute_url()).content.decode()
    for outcome, confirm in (
        ("accepted_elsewhere", "Yes, withdraw my application"),
        ("out_of_office", "Yes, they are away"),
    ):
        start = html.index(f'<details class="outcome" data-outcome="{outcome}">')
        block = html[start : html.index("</details>", start)]
        assert confirm in block
        # The summary only opens the step: the one submit button is the confirmation.
        assert block.count('type="submit"') == 1


def test_the_stay_in_touch_subjects_read_well_before_the_hook_is_filled(user):
    application, _ = planned(user)
    with time_machine.travel(local(2025, 3, 5, 12), tick=False):
        application_outcome(application=application, outcome="rejected", user=user)
    stay = one(application, Stage.STAY_IN_TOUCH)
    assert "Congratulations" not in stay.subject


def test_saving_a_new_time_zone_moves_a_rejected_applications_approved_close_out(user):
    from messaging.services.facts import profile_update

    set_profile(user, time_zone="Europe/Berlin", country="DE")
    application, _ = planned(user)
    logged = dt.datetime(2025, 11, 26, 17, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin"))
    with time_machine.travel(logged, tick=False):
        application_outcome(application=application, outcome="rejected", user=user)
        close_out = one(application, Stage.REJECTION_REPLY)
        approve(close_out, logged)

        profile = Profile.objects.get(user=user)
        profile_update(
            profile=profile,
            email=user.email,
            changes={"time_zone": "America/New_York", "country": "US"},
        )

    close_out.refresh_from_db()
    assert close_out.due_at == local(2025, 11, 28, 8)  # off Thanksgiving, into the window
    assert close_out.status == Status.APPROVED
