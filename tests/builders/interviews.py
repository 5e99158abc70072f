"""Rows of the interviews app: companies, contacts, applications, interviews, participants."""

from __future__ import annotations

import datetime as dt
from typing import Any

from followup.accounts.models import User
from interviews.models import (
    Application,
    Company,
    Contact,
    Interview,
    InterviewParticipant,
    TimelineEvent,
)
from interviews.services.contacts import ContactDetails
from tests.builders.clock import local


def make_company(user: User, name: str = "Acme Corp") -> Company:
    """The user's company of that name, made if it does not exist yet."""
    company, _ = Company.objects.get_or_create(user=user, name=name)
    return company


def make_contact(company: Company, name: str = "Dana Richardson", **fields: Any) -> Contact:
    """A contact of the company's user.

    The email defaults to <first name>@<first word of the company>.example (pass "" for none);
    tone, kind, honorific, title ... take the model's defaults unless given.
    """
    domain = company.name.split()[0].lower()
    fields.setdefault("email", f"{name.split()[0].lower()}@{domain}.example")
    return Contact.objects.create(user=company.user, company=company, name=name, **fields)


def make_application(
    user: User, company: Company | None = None, role: str = "Data Engineer", **fields: Any
) -> Application:
    """An application (interviewing unless told), at Acme Corp unless a company is given."""
    company = company or make_company(user)
    return Application.objects.create(user=user, company=company, role=role, **fields)


def make_interview(
    application: Application,
    *contacts: Contact,
    starts_at: dt.datetime | None = None,
    time_zone: str = "America/New_York",
    **fields: Any,
) -> Interview:
    """An hour's interview (default: Tuesday 4 March 2025, 10:00 New York).

    Each contact given joins it as a participant who discussed "their data platform".
    """
    starts_at = starts_at or local(2025, 3, 4, 10)
    interview = Interview.objects.create(
        application=application,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
        time_zone=time_zone,
        **fields,
    )
    for position, contact in enumerate(contacts):
        InterviewParticipant.objects.create(
            interview=interview, contact=contact, position=position, discussed="their data platform"
        )
    return interview


def add_participant(
    interview: Interview, contact: Contact, **fields: object
) -> InterviewParticipant:
    """The contact joins the interview, after those already in it."""
    fields.setdefault("position", interview.participants.count())
    return InterviewParticipant.objects.create(interview=interview, contact=contact, **fields)


def details_of(contact: Contact, **changes: str) -> ContactDetails:
    """The contact's details as the contact services take them, with some changed."""
    fields = ("name", "honorific", "title", "email", "phone", "linkedin_url", "tone", "kind")
    return ContactDetails(**{field: getattr(contact, field) for field in fields} | changes)


def row_counts() -> dict[str, int]:
    """How many rows each interviews table holds: equal before and after a refused save."""
    return {
        model.__name__: model.objects.count()
        for model in (Company, Contact, Application, Interview, InterviewParticipant, TimelineEvent)
    }
