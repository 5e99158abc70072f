"""The queue's forms keep send times within a year and bodies within their limit: field errors."""

from __future__ import annotations

import pytest
from django.urls import reverse

from messaging.forms import MAX_BODY_CHARS
from tests.builders.forms import HTMX, edit_data
from tests.builders.queries import dana_thank_you
from tests.builders.scenario import planned

pytestmark = pytest.mark.django_db


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
