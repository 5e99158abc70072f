"""Quick builders for applications, interviews and participants (shared by messaging tests)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from interviews.models import Application, Company, Contact, Interview, InterviewParticipant

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0, *, zone=NEW_YORK):
    """An aware datetime on a wall clock (New York by default)."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=zone)


def make_company(user, name: str = "Northwind Labs") -> Company:
    company, _ = Company.objects.get_or_create(user=user, name=name)
    return company


def make_contact(
    user,
    company: Company,
    name: str,
    *,
    email: str | None = None,
    tone: str = Contact.Tone.FORMAL,
    honorific: str = "",
    kind: str = Contact.Kind.INTERVIEWER,
    title: str = "",
) -> Contact:
    """A contact; the email defaults to first.last@<company>.example (pass "" for none)."""
    if email is None:
        domain = company.name.lower().replace(" ", "") + ".example"
        email = f"{name.lower().replace(' ', '.')}@{domain}"
    return Contact.objects.create(
        user=user,
        company=company,
        name=name,
        email=email,
        tone=tone,
        honorific=honorific,
        kind=kind,
        title=title,
    )


def make_application(
    user,
    *,
    company: Company | None = None,
    role: str = "Senior Data Engineer",
    main_contact: Contact | None = None,
    stage: str = Application.Stage.INTERVIEWING,
) -> Application:
    return Application.objects.create(
        user=user,
        company=company or make_company(user),
        role=role,
        main_contact=main_contact,
        stage=stage,
    )


def make_interview(
    application: Application,
    *,
    starts_at: dt.datetime | None = None,
    minutes: int = 60,
    time_zone: str = "America/New_York",
    round_number: int = 1,
    **fields: object,
) -> Interview:
    """An interview (default: Tuesday 4 March 2025, 14:00-15:00 New York)."""
    starts_at = starts_at or local(2025, 3, 4, 14)
    return Interview.objects.create(
        application=application,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=minutes),
        time_zone=time_zone,
        round_number=round_number,
        **fields,
    )


def add_participant(
    interview: Interview, contact: Contact, **fields: object
) -> InterviewParticipant:
    fields.setdefault("position", interview.participants.count())
    return InterviewParticipant.objects.create(interview=interview, contact=contact, **fields)


def make_panel(user, *, company_name: str = "Northwind Labs", **interview_fields: object):
    """An application with a recruiter as main contact and a two-person interview panel.

    Returns (application, interview, {"recruiter": ..., "dana": ..., "richardson": ...}).
    """
    company = make_company(user, company_name)
    recruiter = make_contact(
        user, company, "Jordan Lee", kind=Contact.Kind.RECRUITER, tone=Contact.Tone.FIRST_NAME
    )
    dana = make_contact(user, company, "Dana Whitfield", tone=Contact.Tone.FIRST_NAME)
    richardson = make_contact(user, company, "Maria Richardson", honorific="Ms.")
    application = make_application(user, company=company, main_contact=recruiter)
    interview = make_interview(application, **interview_fields)
    add_participant(
        interview,
        dana,
        discussed="the migration of the billing pipeline to streaming",
    )
    add_participant(
        interview,
        richardson,
        discussed="how the analytics team measures data quality.",
        added_point="I have run on-call rotations for three years",
    )
    return application, interview, {"recruiter": recruiter, "dana": dana, "richardson": richardson}
