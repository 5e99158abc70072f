"""POST data as the pages send it: the log form, the profile, sign-up, the queue's edit form."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from interviews.models import Application
from messaging.models import Message
from tests.builders.accounts import PASSWORD
from tests.builders.clock import NEW_YORK

# The headers of an htmx request from the approval queue page.
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/messages/queue/"}

_ROW_DEFAULTS: dict[str, Any] = {
    "contact": "",
    "name": "",
    "honorific": "",
    "title": "",
    "email": "",
    "phone": "",
    "linkedin_url": "",
    "tone": "formal",
    "kind": "interviewer",
    "discussed": "",
    "questions": "",
    "promised": "",
    "added_point": "",
    "is_main": False,
    "DELETE": False,
}


def log_data(*people: dict[str, Any], initial_forms: int = 0, **fields: Any) -> dict[str, str]:
    """POST data for the log/edit form: one dict per interviewer row, then field overrides.

    A field given as None is left out; True and False are a ticked and an unticked box.
    """
    if not people:
        people = ({"name": "Dana Richardson", "email": "dana@acme.example"},)
    data: dict[str, Any] = {
        "company": "Acme Corp",
        "role": "Data Engineer",
        "job_url": "",
        "round_number": "",
        "round_name": "Technical",
        "date": "2025-03-04",
        "start_time": "10:00",
        "end_time": "11:00",
        "time_zone": "America/New_York",
        "format": "video",
        "location": "",
        "decision_date": "",
        "decision_words": "",
        "next_step": "",
        "notes": "",
        "scheduling_subject": "",
        "scheduling_message_id": "",
        "main_contact": "",
        "main_name": "",
        "main_email": "",
        "main_title": "",
        "main_kind": "recruiter",
        "people-TOTAL_FORMS": str(len(people)),
        "people-INITIAL_FORMS": str(initial_forms),
        "people-MIN_NUM_FORMS": "0",
        "people-MAX_NUM_FORMS": "30",
    }
    for index, person in enumerate(people):
        for key, value in (_ROW_DEFAULTS | person).items():
            if isinstance(value, bool):
                if value:
                    data[f"people-{index}-{key}"] = "on"
                continue
            data[f"people-{index}-{key}"] = str(value)
    for key, value in fields.items():
        if value is None:
            data.pop(key, None)
        elif isinstance(value, bool):
            if value:
                data[key] = "on"
            else:
                data.pop(key, None)
        else:
            data[key] = str(value)
    return data


def profile_data(**overrides: object) -> dict[str, object]:
    """The profile form of the default user (accounts.make_user), with some fields changed."""
    return {
        "full_name": "Alex Morgan",
        "email": "alex@example.com",
        "phone": "+1 555 0100",
        "signature": "linkedin.com/in/alexmorgan",
        "time_zone": "America/New_York",
        "country": "US",
        "region": "NY",
        "send_window_start": "08:00",
        "send_window_end": "19:00",
        "check_in_business_days": 10,
        "after_decision_business_days": 2,
        "second_check_in_business_days": 5,
        "no_news_business_days": 7,
        "out_of_office_business_days": 5,
        "stay_in_touch_weeks": 6,
    } | overrides


def signup_data(**overrides: str) -> dict[str, str]:
    """The sign-up form of a newcomer, Jordan Lee in Berlin, with some fields changed."""
    return {
        "full_name": "Jordan Lee",
        "email": "jordan@example.com",
        "time_zone": "Europe/Berlin",
        "password1": PASSWORD,
        "password2": PASSWORD,
    } | overrides


def edit_data(message: Message, **changes: str) -> dict[str, str]:
    """The queue's edit form for a message as it stands (its time on New York's clock)."""
    return {
        "to_email": message.to_email,
        "subject": message.subject,
        "body_text": message.body_text,
        "due_at": message.due_at.astimezone(NEW_YORK).strftime("%Y-%m-%dT%H:%M"),
    } | changes


def post_outcome(client, application: Application, **data: str):
    """Post an outcome from the application page's "What happened?" choices."""
    return client.post(reverse("messaging:application_outcome", args=[application.pk]), data)
