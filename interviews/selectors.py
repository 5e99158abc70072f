"""Reads of the interviews app: what the pages list and how rows are matched."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Max, Prefetch, Q, QuerySet

from followup.accounts.models import User
from interviews.models import (
    Application,
    Company,
    Contact,
    Interview,
    InterviewParticipant,
    TimelineEvent,
)

# Dashboard filters: name -> the stages it shows (None: every stage).
SHOW_ACTIVE = "active"
SHOW_ENDED = "ended"
SHOW_ALL = "all"
DASHBOARD_FILTERS = (SHOW_ACTIVE, SHOW_ENDED, SHOW_ALL)


def _ended_q() -> Q:
    return Q(stage__in=Application.ENDED_STAGES)


def application_list(*, user: User, show: str = SHOW_ACTIVE) -> QuerySet[Application]:
    """The user's applications for the dashboard, most recently active first, in one query.

    Each row carries `interview_count` and `last_interview_at`; what is waiting to go out
    for each is messaging's to add (messaging.application_selectors.with_next_message).
    """
    queryset = (
        Application.objects.filter(user=user)
        .select_related("company", "main_contact")
        .annotate(
            interview_count=Count("interviews", distinct=True),
            last_interview_at=Max("interviews__starts_at"),
        )
        .order_by("-last_activity_at", "-pk")
    )
    if show == SHOW_ACTIVE:
        return queryset.exclude(_ended_q())
    if show == SHOW_ENDED:
        return queryset.filter(_ended_q())
    return queryset


def application_counts(*, user: User) -> dict[str, int]:
    """How many applications each dashboard filter shows, in one query."""
    return Application.objects.filter(user=user).aggregate(
        **{
            SHOW_ACTIVE: Count("pk", filter=~_ended_q()),
            SHOW_ENDED: Count("pk", filter=_ended_q()),
            SHOW_ALL: Count("pk"),
        }
    )


def application_interviews(*, application: Application) -> list[Interview]:
    """The application's interviews, latest first, each with its participants and contacts."""
    participants = InterviewParticipant.objects.select_related("contact")
    return list(
        application.interviews.prefetch_related(
            Prefetch("participants", queryset=participants)
        ).order_by("-starts_at", "-pk")
    )


def application_contacts(*, application: Application) -> list[Contact]:
    """Everyone this application involved: its interviewers and its main contact."""
    return list(
        Contact.objects.filter(
            Q(participations__interview__application=application)
            | Q(pk=application.main_contact_id)
        )
        .distinct()
        .order_by("name", "pk")
    )


def application_timeline(*, application: Application) -> QuerySet[TimelineEvent]:
    """The application's events, newest first."""
    return application.timeline.order_by("-happened_at", "-pk")


def contact_choices(*, user: User, company: Company | None = None) -> QuerySet[Contact]:
    """The user's contacts for pickers, grouped by company; with `company`, only its people."""
    contacts = Contact.objects.filter(user=user)
    if company is not None:
        contacts = contacts.filter(company=company)
    return contacts.select_related("company").order_by("company__name", "name", "pk")


def interview_at(*, application: Application, starts_at: dt.datetime) -> Interview | None:
    """The application's interview that starts at this moment, if one is logged."""
    return application.interviews.filter(starts_at=starts_at).order_by("pk").first()


def contact_participations(*, contact: Contact) -> list[InterviewParticipant]:
    """The interviews a contact took part in, latest first."""
    return list(
        contact.participations.select_related("interview__application__company").order_by(
            "-interview__starts_at"
        )
    )


def contact_applications_as_main(*, contact: Contact) -> list[Application]:
    """Applications whose check-ins go to this contact."""
    return list(Application.objects.filter(main_contact=contact).select_related("company"))


def company_by_name(*, user: User, name: str) -> Company | None:
    """The user's company with this name, ignoring case and extra spaces."""
    name = " ".join(name.split())
    if not name:
        return None
    return Company.objects.filter(user=user, name__iexact=name).first()


def company_names(*, user: User) -> list[str]:
    """The names of the user's companies, for the company box's suggestions."""
    return list(Company.objects.filter(user=user).order_by("name").values_list("name", flat=True))


def company_list(*, user: User) -> QuerySet[Company]:
    """The user's companies with how many applications and contacts each has."""
    return Company.objects.filter(user=user).annotate(
        application_count=Count("applications", distinct=True),
        contact_count=Count("contacts", distinct=True),
    )


def open_application(*, user: User, company: Company | None, role: str) -> Application | None:
    """The open application with this company and role (case-insensitive), if there is one."""
    if company is None or not role.strip():
        return None
    return (
        Application.objects.filter(user=user, company=company, role__iexact=role.strip())
        .exclude(_ended_q())
        .order_by("-last_activity_at", "-pk")
        .first()
    )


def open_roles_by_company(*, user: User) -> dict[str, list[str]]:
    """Lower-cased company name -> roles of its open applications, for the log form's hints."""
    roles: dict[str, list[str]] = {}
    rows = (
        Application.objects.filter(user=user)
        .exclude(_ended_q())
        .order_by("role")
        .values_list("company__name", "role")
    )
    for company_name, role in rows:
        roles.setdefault(company_name.lower(), []).append(role)
    return roles


def contact_match(*, user: User, company: Company | None, name: str, email: str) -> Contact | None:
    """The existing contact a newly typed person is, so we reuse them instead of duplicating.

    At the same company, a contact with the same email (ignoring case) is the
    same person; without an email, one with the same name and no email is.
    """
    if company is None:
        return None
    contacts = Contact.objects.filter(user=user, company=company).order_by("pk")
    email = email.strip()
    if email:
        return contacts.filter(email__iexact=email).first()
    name = name.strip()
    if not name:
        return None
    return contacts.filter(name__iexact=name, email="").first()


def next_round_number(*, application: Application | None) -> int:
    """The round number after the application's highest logged round."""
    if application is None:
        return 1
    highest = application.interviews.aggregate(highest=Max("round_number"))["highest"]
    return (highest or 0) + 1


def current_round(*, application: Application) -> Interview | None:
    """The application's interview with the latest end: a newer round restarts the cadence."""
    return application.interviews.order_by("-ends_at", "-pk").first()
