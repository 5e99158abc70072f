"""Writes of interviews: log, edit and delete a round with its interviewers, in one transaction."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, fields

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import dateformat
from django.utils.text import get_text_list

from followup.accounts.models import User
from interviews import selectors
from interviews.locks import lock_application
from interviews.models import (
    Application,
    Company,
    Contact,
    Interview,
    InterviewParticipant,
    TimelineEvent,
)
from interviews.services.applications import application_stage_set, company_get_or_create
from interviews.services.contacts import ContactDetails, contact_for
from interviews.timeline import timeline_record
from interviews.validation import interview_details_errors

Kind = TimelineEvent.Kind


@dataclass(frozen=True)
class ParticipantInput:
    """One interviewer row: an existing contact or a new person, and what to mention."""

    contact: Contact | None = None
    new_contact: ContactDetails | None = None
    discussed: str = ""
    questions: str = ""
    promised: str = ""
    added_point: str = ""
    is_main: bool = False


@dataclass(frozen=True)
class InterviewDetails:
    """The interview's own fields; starts_at/ends_at are aware datetimes."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    time_zone: str
    round_number: int | None = None
    round_name: str = ""
    format: str = Interview.Format.VIDEO
    location: str = ""
    decision_date: dt.date | None = None
    decision_words: str = ""
    another_round_expected: bool = False
    next_step: str = ""
    notes: str = ""
    scheduling_subject: str = ""
    scheduling_message_id: str = ""


_NOTE_FIELDS = ("discussed", "questions", "promised", "added_point")
_MAIN_CONTACT_KINDS = (Contact.Kind.RECRUITER, Contact.Kind.COORDINATOR)


def _check_interview_details(details: InterviewDetails) -> None:
    """The interview rules (interviews.validation), so no caller can skip them."""
    errors = interview_details_errors(
        starts_at=details.starts_at,
        ends_at=details.ends_at,
        time_zone=details.time_zone,
        decision_date=details.decision_date,
        scheduling_subject=details.scheduling_subject,
        scheduling_message_id=details.scheduling_message_id,
    )
    if errors:
        raise ValidationError(errors)


def _resolve_participants(
    *, user: User, company: Company, participants: Sequence[ParticipantInput]
) -> list[tuple[Contact, ParticipantInput]]:
    """Each row's contact (existing, matched or new); the same person twice is an error."""
    if not participants:
        raise ValidationError("Add at least one interviewer.")
    resolved: list[tuple[Contact, ParticipantInput]] = []
    seen: set[int] = set()
    for row in participants:
        if row.contact is not None:
            if row.contact.user_id != user.pk:
                raise ValidationError("That contact is not one of yours.")
            if row.contact.company_id != company.pk:
                raise ValidationError(f"{row.contact.name} is not at {company.name}.")
            contact = row.contact
        elif row.new_contact is not None and row.new_contact.name.strip():
            contact = contact_for(user=user, company=company, details=row.new_contact)
        else:
            raise ValidationError("Each interviewer needs a contact or a name.")
        if contact.pk in seen:
            raise ValidationError(f"{contact.name} is listed twice in this interview.")
        seen.add(contact.pk)
        resolved.append((contact, row))
    return resolved


def _sync_participants(
    *, interview: Interview, resolved: list[tuple[Contact, ParticipantInput]]
) -> None:
    """Make the interview's participants exactly these rows, in this order."""
    existing = {p.contact_id: p for p in interview.participants.all()}
    keep = {contact.pk for contact, _ in resolved}
    interview.participants.exclude(contact_id__in=keep).delete()
    for position, (contact, row) in enumerate(resolved):
        notes = {field: getattr(row, field) for field in _NOTE_FIELDS}
        participant = existing.get(contact.pk)
        if participant is None:
            InterviewParticipant.objects.create(
                interview=interview, contact=contact, position=position, **notes
            )
            continue
        for field, value in notes.items():
            setattr(participant, field, value)
        participant.position = position
        participant.save(update_fields=[*_NOTE_FIELDS, "position"])


def _choose_main_contact(
    *,
    user: User,
    application: Application,
    resolved: list[tuple[Contact, ParticipantInput]],
    main_contact: Contact | None,
    new_main_contact: ContactDetails | None,
) -> None:
    """Set the application's main contact from what the user chose, or a sensible default.

    1. a contact picked from the list, a new person, or a row marked main wins;
    2. otherwise an application without one gets the first recruiter or
       coordinator among the interviewers;
    3. otherwise it keeps the one it has.
    """
    chosen: Contact | None = None
    if main_contact is not None:
        if main_contact.user_id != user.pk:
            raise ValidationError({"main_contact": "That contact is not one of yours."})
        chosen = main_contact
    elif new_main_contact is not None and new_main_contact.name.strip():
        chosen = contact_for(user=user, company=application.company, details=new_main_contact)
    else:
        marked = [contact for contact, row in resolved if row.is_main]
        if len(marked) > 1:
            raise ValidationError("Mark only one person as the main contact.")
        if marked:
            chosen = marked[0]
        elif application.main_contact_id is None:
            chosen = next(
                (contact for contact, _ in resolved if contact.kind in _MAIN_CONTACT_KINDS), None
            )
    if chosen is not None and chosen.pk != application.main_contact_id:
        application.main_contact = chosen
        application.save(update_fields=["main_contact", "updated_at"])


def interview_summary(interview: Interview, contacts: Sequence[Contact]) -> str:
    """One line for the timeline: which round, when (in its zone) and with whom."""
    label = interview.label
    local = interview.starts_at.astimezone(zoneinfo.ZoneInfo(interview.time_zone))
    when = dateformat.format(local, "D j M Y, H:i")
    people = get_text_list([c.name for c in contacts], "and")
    return f"{label} on {when} with {people}" if people else f"{label} on {when}"


def _apply_details(interview: Interview, details: InterviewDetails) -> None:
    for field in fields(InterviewDetails):
        if field.name == "round_number":
            continue
        setattr(interview, field.name, getattr(details, field.name))
    if details.round_number:
        interview.round_number = details.round_number


DUPLICATE_INTERVIEW_ERROR = "This interview is already logged — open it to edit."


def _refuse_duplicate(*, application: Application, starts_at: dt.datetime) -> None:
    """A second interview of the application at the same start is the same one posted twice."""
    if selectors.interview_at(application=application, starts_at=starts_at) is not None:
        raise ValidationError({"date": DUPLICATE_INTERVIEW_ERROR}, code="duplicate_interview")


def _application_to_log_under(
    *,
    user: User,
    application: Application | None,
    company_name: str,
    role: str,
    job_url: str,
    starts_at: dt.datetime,
) -> tuple[Application, Company]:
    """The locked application a new interview goes to, and its company; in the transaction."""
    if application is not None:
        application = lock_application(application.pk)
        _refuse_duplicate(application=application, starts_at=starts_at)
        company = application.company
        if application.has_ended:
            # Reopening cancels its close-outs: that is the follow-ups' business.
            raise ValueError("Reopen an ended application before logging its next round.")
    else:
        company = company_get_or_create(user=user, name=company_name)
        application = selectors.open_application(user=user, company=company, role=role)
        if application is not None:
            # Locked, so a re-submitted form waits for the first one and is refused.
            application = lock_application(application.pk)
            _refuse_duplicate(application=application, starts_at=starts_at)
    if application is None:
        application = Application.objects.create(
            user=user,
            company=company,
            role=role,
            job_url=job_url,
            stage=Application.Stage.INTERVIEWING,
        )
        timeline_record(
            application=application,
            kind=Kind.APPLICATION_CREATED,
            summary=f"Application for {role} at {company.name} created",
        )
    elif job_url and job_url != application.job_url:
        application.job_url = job_url
        application.save(update_fields=["job_url", "updated_at"])
    return application, company


def _save_interviewers(
    *,
    user: User,
    application: Application,
    company: Company,
    interview: Interview,
    participants: Sequence[ParticipantInput],
    main_contact: Contact | None,
    new_main_contact: ContactDetails | None,
) -> list[Contact]:
    """Save the interview's interviewers and the application's main contact; their contacts."""
    resolved = _resolve_participants(user=user, company=company, participants=participants)
    _sync_participants(interview=interview, resolved=resolved)
    _choose_main_contact(
        user=user,
        application=application,
        resolved=resolved,
        main_contact=main_contact,
        new_main_contact=new_main_contact,
    )
    return [contact for contact, _ in resolved]


def interview_log(
    *,
    user: User,
    company_name: str = "",
    role: str = "",
    job_url: str = "",
    details: InterviewDetails,
    participants: Sequence[ParticipantInput],
    main_contact: Contact | None = None,
    new_main_contact: ContactDetails | None = None,
    application: Application | None = None,
) -> Interview:
    """Log an interview, with its company, application and interviewers, in one transaction.

    1. the given application (the next round of it; the caller reopens an ended one
       first), else the company and the open application with this role are reused (names
       compared ignoring case) or created;
    2. the interview and one participant per interviewer are saved, new people
       becoming contacts unless they match an existing one;
    3. the main contact, the stage (applied -> interviewing) and the timeline are updated.
    Drafting the follow-ups is the caller's next step (messaging.services.facts).
    """
    _check_interview_details(details)
    if application is not None:
        if application.user_id != user.pk:
            raise ValidationError("That application is not one of yours.")
        role = application.role
    role = " ".join(role.split())
    if not role:
        raise ValidationError({"role": "Enter the role you interviewed for."})
    with transaction.atomic():
        application, company = _application_to_log_under(
            user=user,
            application=application,
            company_name=company_name,
            role=role,
            job_url=job_url,
            starts_at=details.starts_at,
        )
        interview = Interview(application=application)
        _apply_details(interview, details)
        if not details.round_number:
            interview.round_number = selectors.next_round_number(application=application)
        interview.full_clean(exclude=["application"])
        interview.save()
        contacts = _save_interviewers(
            user=user,
            application=application,
            company=company,
            interview=interview,
            participants=participants,
            main_contact=main_contact,
            new_main_contact=new_main_contact,
        )
        if application.stage == Application.Stage.APPLIED:
            application_stage_set(
                application=application,
                stage=Application.Stage.INTERVIEWING,
                why="An interview was logged.",
            )
        timeline_record(
            application=application,
            kind=Kind.INTERVIEW_LOGGED,
            summary=interview_summary(interview, contacts),
            interview=interview,
        )
    return interview


def interview_update(
    *,
    interview: Interview,
    user: User,
    details: InterviewDetails,
    participants: Sequence[ParticipantInput],
    main_contact: Contact | None = None,
    new_main_contact: ContactDetails | None = None,
) -> Interview:
    """Save an edited interview and its interviewers (added, changed, removed) at once."""
    application = interview.application
    if application.user_id != user.pk:
        raise ValidationError("That interview is not one of yours.")
    _check_interview_details(details)
    with transaction.atomic():
        _apply_details(interview, details)
        interview.full_clean(exclude=["application"])
        interview.save()
        contacts = _save_interviewers(
            user=user,
            application=application,
            company=application.company,
            interview=interview,
            participants=participants,
            main_contact=main_contact,
            new_main_contact=new_main_contact,
        )
        timeline_record(
            application=application,
            kind=Kind.INTERVIEW_UPDATED,
            summary=interview_summary(interview, contacts),
            interview=interview,
        )
    return interview


def interview_delete(*, interview: Interview, user: User) -> Application:
    """Delete an interview and note it on its application's timeline."""
    application = interview.application
    if application.user_id != user.pk:
        raise ValidationError("That interview is not one of yours.")
    with transaction.atomic():
        contacts = [p.contact for p in interview.participants.select_related("contact")]
        summary = interview_summary(interview, contacts)
        interview.delete()
        timeline_record(
            application=application,
            kind=Kind.INTERVIEW_DELETED,
            summary=f"Deleted: {summary}",
        )
    return application
