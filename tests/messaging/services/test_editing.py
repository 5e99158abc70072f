"""Editing and snoozing: what is a hand edit; check-ins follow a moved thank-you."""

from __future__ import annotations

import pytest
import time_machine

from messaging.drafting.planning import replan_for
from messaging.services.editing import message_edit, message_snooze
from tests.builders.accounts import set_profile
from tests.builders.clock import CALENDAR, business_days_after, local
from tests.builders.queries import check_ins, dana_thank_you
from tests.builders.scenario import LOGGED, planned

pytestmark = pytest.mark.django_db


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
