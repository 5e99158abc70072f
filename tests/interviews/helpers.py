"""Builders for the interviews tests: rows in the database and POST data for the log form."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from followup.accounts.models import User
from interviews.models import Application, Company, Contact, Interview, InterviewParticipant

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")

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
    """POST data for the log/edit form: one dict per interviewer row, then field overrides."""
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


def make_company(user: User, name: str = "Acme Corp") -> Company:
    return Company.objects.create(user=user, name=name)


def make_contact(company: Company, name: str = "Dana Richardson", **fields: Any) -> Contact:
    domain = company.name.split()[0].lower()
    fields.setdefault("email", f"{name.split()[0].lower()}@{domain}.example")
    return Contact.objects.create(user=company.user, company=company, name=name, **fields)


def make_application(
    user: User, company: Company | None = None, role: str = "Data Engineer", **fields: Any
) -> Application:
    company = company or make_company(user)
    return Application.objects.create(user=user, company=company, role=role, **fields)


def make_interview(
    application: Application,
    *contacts: Contact,
    starts_at: dt.datetime | None = None,
    **fields: Any,
) -> Interview:
    starts_at = starts_at or dt.datetime(2025, 3, 4, 10, 0, tzinfo=NEW_YORK)
    interview = Interview.objects.create(
        application=application,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
        time_zone="America/New_York",
        **fields,
    )
    for position, contact in enumerate(contacts):
        InterviewParticipant.objects.create(
            interview=interview, contact=contact, position=position, discussed="their data platform"
        )
    return interview


def row_counts() -> dict[str, int]:
    """How many rows each interviews table holds: equal before and after a refused save."""
    from interviews.models import TimelineEvent

    return {
        model.__name__: model.objects.count()
        for model in (Company, Contact, Application, Interview, InterviewParticipant, TimelineEvent)
    }
