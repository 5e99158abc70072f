"""What they said becomes a date: the live preview beside "What they said" and the log form's
confirmation step (an interview on Tuesday 4 March 2025, as tests.builders.forms.log_data)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse

from interviews.models import Interview
from tests.builders.accounts import set_profile
from tests.builders.forms import log_data

pytestmark = pytest.mark.django_db

LOG = reverse("interviews:log")
PREVIEW = reverse("interviews:decision_date_preview")
END_OF_NEXT_WEEK = "2025-03-14"  # the Friday of the week after Tue 4 March 2025


def preview(client, **params: str) -> str:
    response = client.get(PREVIEW, {"date": "2025-03-04"} | params, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def test_the_preview_shows_the_date_the_words_read_as_the_user_writes_dates(owner_client):
    html = preview(owner_client, decision_words="by the end of next week")

    assert "Followup will use <strong>Friday, March 14, 2025</strong>" in html
    assert "the Friday of the week after your interview" in html
    assert f'data-use-decision-date="{END_OF_NEXT_WEEK}"' in html


def test_the_preview_writes_the_date_day_first_outside_the_us(owner_client, user):
    set_profile(user, country="GB", time_zone="Europe/London")

    html = preview(owner_client, decision_words="18/3")

    assert "Followup will use <strong>Tuesday 18 March 2025</strong>" in html


def test_unread_words_say_so_and_name_the_default(owner_client, user):
    set_profile(user, check_in_business_days=8)

    html = preview(owner_client, decision_words="we'll be in touch soon")

    assert "Followup could not read this; the default applies (8 business days" in html
    assert "data-use-decision-date" not in html


def test_a_date_the_user_typed_wins_and_the_preview_says_so(owner_client):
    html = preview(
        owner_client, decision_words="by the end of next week", decision_date="2025-03-20"
    )

    assert "Followup will use the date you entered, <strong>Thursday, March 20, 2025" in html
    assert "reads as Friday, March 14, 2025" in html


def test_a_typed_date_that_matches_the_words_is_confirmed(owner_client):
    html = preview(
        owner_client, decision_words="by the end of next week", decision_date=END_OF_NEXT_WEEK
    )

    assert 'data-decision-preview="agrees"' in html


def test_no_words_show_no_line(owner_client):
    assert "Followup" not in preview(owner_client, decision_words="  ")


@pytest.mark.parametrize(
    "params",
    [
        {"date": "9999-12-31", "decision_words": "in 999 months"},
        {"date": "2025-02-30", "decision_date": "0000-00-00", "decision_words": "Friday"},
        {"date": "", "decision_words": "x" * 70_000},
        {"decision_words": "\x00<script>alert(1)</script>"},
    ],
)
def test_odd_parameters_never_break_the_preview(owner_client, params):
    response = owner_client.get(PREVIEW, params)

    assert response.status_code == 200
    assert "<script>alert" not in response.content.decode()


def test_a_stranger_is_sent_to_log_in(client):
    response = client.get(PREVIEW, {"decision_words": "Friday"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_words_without_a_date_are_offered_as_a_date_before_anything_is_saved(owner_client):
    response = owner_client.post(LOG, log_data(decision_words="by the end of next week"))

    assert response.status_code == 200
    assert not Interview.objects.exists()
    form = response.context["form"]
    assert not form.errors
    assert form["decision_date"].value() == END_OF_NEXT_WEEK
    assert form["decision_words_checked"].value() == "by the end of next week"
    html = response.content.decode()
    assert "Nothing is saved yet" in html
    assert "alert-danger" not in html


def test_the_offered_date_is_saved_when_the_user_saves_again(owner_client):
    first = owner_client.post(LOG, log_data(decision_words="by the end of next week"))
    again = log_data(
        decision_words="by the end of next week",
        decision_date=first.context["form"]["decision_date"].value(),
        decision_words_checked=first.context["form"]["decision_words_checked"].value(),
    )

    response = owner_client.post(LOG, again)

    assert response.status_code == 302
    assert Interview.objects.get().decision_date == dt.date(2025, 3, 14)


def test_clearing_the_offered_date_saves_without_one(owner_client):
    data = log_data(
        decision_words="by the end of next week",
        decision_date="",
        decision_words_checked="by the end of next week",
    )

    response = owner_client.post(LOG, data)

    assert response.status_code == 302
    interview = Interview.objects.get()
    assert interview.decision_date is None
    assert interview.decision_words == "by the end of next week"


def test_changed_words_are_offered_again(owner_client):
    data = log_data(
        decision_words="in two weeks", decision_date="", decision_words_checked="next week"
    )

    response = owner_client.post(LOG, data)

    assert response.status_code == 200
    assert response.context["form"]["decision_date"].value() == "2025-03-18"
    assert not Interview.objects.exists()


def test_a_typed_date_wins_over_the_words_without_asking(owner_client):
    data = log_data(decision_words="by the end of next week", decision_date="2025-03-20")

    response = owner_client.post(LOG, data)

    assert response.status_code == 302
    assert Interview.objects.get().decision_date == dt.date(2025, 3, 20)


def test_unread_words_save_at_once_and_the_default_applies(owner_client):
    response = owner_client.post(LOG, log_data(decision_words="we'll be in touch"))

    assert response.status_code == 302
    assert Interview.objects.get().decision_date is None


def test_the_edit_page_shows_what_the_saved_words_read_as(owner_client, owned):
    interview = owned["interview"]
    Interview.objects.filter(pk=interview.pk).update(decision_words="tomorrow", decision_date=None)

    response = owner_client.get(reverse("interviews:interview_edit", args=[interview.pk]))

    day = interview.starts_at.astimezone(zoneinfo.ZoneInfo(interview.time_zone)).date()
    assert 'id="decision-preview"' in response.content.decode()
    assert response.context["decision_preview"]["reading"].day == day + dt.timedelta(days=1)


def test_with_another_error_no_date_is_said_to_be_filled_in(owner_client):
    data = log_data(decision_words="by the end of next week", start_time="")

    response = owner_client.post(LOG, data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "alert-danger" in html
    assert "Nothing is saved yet" not in html  # the date was not filled in: say nothing of it
    assert response.context["form"]["decision_date"].value() in ("", None)


def test_editing_an_interview_whose_date_was_declined_does_not_ask_again(owner_client, owned):
    interview = owned["interview"]
    Interview.objects.filter(pk=interview.pk).update(
        decision_words="by the end of next week", decision_date=None
    )
    url = reverse("interviews:interview_edit", args=[interview.pk])

    page = owner_client.get(url)

    assert page.context["form"]["decision_words_checked"].value() == "by the end of next week"
    assert 'data-decision-preview="declined"' in page.content.decode()
