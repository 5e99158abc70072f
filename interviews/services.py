"""Writes of the interviews app: log and edit interviews, applications and contacts.

Each function is one transaction: either everything it describes is saved, or
nothing is (a failure half-way rolls the whole thing back). The exception is the re-plan
of other drafts after a contact, company or application edit (messaging.drafting.replan_for):
it runs once the edit has committed, one application at a time, so the edit never waits on,
or rolls back with, a re-plan.

Lock order, as everywhere: Company, then Application rows (by pk), then their Message rows.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import dateformat, timezone
from django.utils.text import get_text_list

from followup.accounts.models import User
from followup.accounts.validators import available_time_zones
from interviews import selectors
from interviews.models import (
    Application,
    Company,
    Contact,
    Interview,
    InterviewParticipant,
    TimelineEvent,
)
from interviews.timeline import timeline_record

if TYPE_CHECKING:
    from messaging.models import Message

Kind = TimelineEvent.Kind


@dataclass(frozen=True)
class ContactDetails:
    """What we know about a person at a company."""

    name: str
    honorific: str = ""
    title: str = ""
    email: str = ""
    phone: str = ""
    linkedin_url: str = ""
    tone: str = Contact.Tone.FORMAL
    kind: str = Contact.Kind.INTERVIEWER


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


def _after_interview_saved(interview: Interview) -> None:
    """Draft the thank-yous and plan the check-ins, in the interview's transaction."""
    # Imported here: messaging builds on interviews, not the other way round.
    from messaging.drafting import plan_interview

    plan_interview(interview=interview)


def _after_stage_changed(application: Application, *, previous_stage: str) -> None:
    """Let the cadence stop or resume its check-ins for the new stage."""
    from messaging.drafting import replan_application

    replan_application(
        application=application,
        reason=f"The stage changed from {Application.Stage(previous_stage).label} "
        f"to {application.get_stage_display()}.",
    )


def _after_interview_deleted(application: Application) -> None:
    """Cancel what was planned for the deleted interview and re-plan the rest."""
    from messaging.drafting import replan_application

    replan_application(application=application, reason="An interview was deleted.")


def _lock_application(pk: int) -> Application:
    """The application row, locked (messaging.status.lock_application: the one way to lock it)."""
    # Imported here: messaging builds on interviews, not the other way round.
    from messaging.status import lock_application

    return lock_application(pk)


def _lock_applications(ids: Iterable[int]) -> list[Application]:
    """Lock these applications, by pk: the first locks of a change that spans several of them.

    Re-planning and the dispatcher lock an Application before its messages; a change that
    touches messages in several applications takes every Application row first, in one order,
    so it queues behind them instead of deadlocking.
    """
    return [_lock_application(pk) for pk in sorted(set(ids))]


def _replan_around_contact(contact: Contact, *, reason: str) -> None:
    """Re-plan what names this person: applications they are the main contact of, their rounds.

    Runs after the contact's change has committed; replan_for takes one transaction per
    application. An ended application plans nothing more (replan_for skips it).
    """
    from messaging.drafting import replan_for

    replan_for(
        applications=list(Application.objects.filter(main_contact=contact).order_by("pk")),
        interviews=[p.interview for p in contact.participations.select_related("interview")],
        reason=reason,
    )


def _after_contact_changed(contact: Contact, *, old_email: str) -> None:
    """Re-plan what is pending to this person, so drafts use their new name, tone and address.

    Runs after the contact's save has committed.
    1. each application they are the main contact of, and each interview they were in that is
       its application's current round or still has a pending thank-you, is re-planned
       (messaging.drafting.replan_for): drafts not edited by hand are re-rendered;
    2. a pending message to them that re-planning does not write (a close-out, a reply to
       their news, one edited by hand) takes the new name and address; its approval, if the
       address changed, is needed again (messaging.status.message_rewrite); a hand-edited
       text stays as the user wrote it;
    3. a message whose recipient the user typed by hand (not the contact's old address)
       keeps it: the timeline says where it still goes.
    """
    # Imported here: messaging builds on interviews, not the other way round.
    from messaging.models import Message

    _replan_around_contact(contact, reason=f"{contact.name}'s details changed.")
    with transaction.atomic():
        pending = Message.objects.filter(contact=contact, status__in=Message.PENDING_STATUSES)
        locked = _lock_applications(pending.values_list("application_id", flat=True))
        # Only the applications just locked: a message drafted to them since is already
        # written with the new details.
        messages = (
            pending.filter(application__in=[application.pk for application in locked])
            .select_for_update(of=("self",))
            .select_related("application")
            .order_by("pk")
        )
        for message in messages:
            _readdress(message, contact=contact, old_email=old_email)


def _readdress(message: Message, *, contact: Contact, old_email: str) -> None:
    """Steps 2 and 3 of _after_contact_changed for one locked pending message."""
    from messaging.status import message_label, message_rewrite

    if (message.to_email, message.to_name) == (contact.email, contact.name):
        return
    if message.edited_by_user and message.to_email != old_email:
        # The user typed this address themselves: theirs to change, not ours.
        if old_email and contact.email != old_email:
            timeline_record(
                application=message.application,
                kind=Kind.NOTE,
                summary=f"{message_label(message)} still goes to {message.to_email}",
                detail=f"{contact.name}'s address is now {contact.email or 'empty'}, but you "
                "chose this message's recipient by hand, so it was left as you wrote it. "
                "Edit it to change the recipient.",
                message=message,
            )
        return
    # A hand-edited message keeps its text; only its recipient follows the contact.
    result = message_rewrite(message, changes={"to_email": contact.email, "to_name": contact.name})
    if result.saved:
        timeline_record(
            application=message.application,
            kind=Kind.EDITED,
            summary=f"{message_label(message)}: recipient updated"
            + (": it needs your approval again" if result.unapproved else ""),
            detail=f"{contact.name}'s contact details changed.",
            message=message,
        )


def _before_contact_deleted(contact: Contact) -> tuple[list[Interview], list[Application]]:
    """Cancel every pending message to this person; return what to re-plan once they are gone.

    In the delete's transaction. Every application the delete writes to is locked first: those
    with messages to them (cancelled, or their contact cleared) and those they are the main
    contact of (cleared too).
    """
    from messaging.models import Message
    from messaging.status import messages_cancel

    applications = list(Application.objects.filter(main_contact=contact).order_by("pk"))
    locked = _lock_applications(
        [
            *Message.objects.filter(contact=contact).values_list("application_id", flat=True),
            *(application.pk for application in applications),
        ]
    )
    pending = (
        Message.objects.filter(
            contact=contact,
            status__in=Message.PENDING_STATUSES,
            application__in=[application.pk for application in locked],
        )
        .select_for_update(of=("self",))
        .select_related("application", "interview")
        .order_by("pk")
    )
    messages_cancel(list(pending), reason=f"{contact.name} was deleted from your contacts.")
    interviews = [p.interview for p in contact.participations.select_related("interview")]
    return interviews, applications


def _after_contact_deleted(
    interviews: list[Interview], applications: list[Application], *, name: str
) -> None:
    """Re-plan without them: other thank-yous stop naming them, check-ins go to someone else.

    Runs after the delete has committed.
    """
    from messaging.drafting import replan_for
    from messaging.models import Message

    replan_for(applications=applications, interviews=interviews, reason=f"{name} was deleted.")
    for application in applications:
        application.refresh_from_db(fields=["stage"])
        if application.has_ended:
            continue
        # What re-planning actually chose, so the entry never disagrees with the drafts.
        check_in = (
            Message.objects.filter(
                application=application,
                stage__in=Message.CHECK_IN_STAGES,
                status__in=Message.PENDING_STATUSES,
            )
            .select_related("contact")
            .order_by("due_at", "pk")
            .first()
        )
        recipient = check_in.contact if check_in is not None else None
        if recipient is not None and recipient.email:
            detail = (
                f"Check-ins now go to {recipient.name} ({recipient.email}), the first "
                "interviewer with an email address. Choose a main contact in Edit application "
                "to change that."
            )
        else:
            detail = (
                "Nobody else in the interview has an email address, so no check-in can go out "
                "until you choose a main contact in Edit application."
            )
        timeline_record(
            application=application,
            kind=Kind.NOTE,
            summary=f"Main contact {name} was deleted",
            detail=detail,
        )


# How far from today an interview date can be: further is a typo (1900, 2205), and would
# reorder the rounds and draft a thank-you for a date nobody meant.
INTERVIEW_YEARS_BACK = 5
INTERVIEW_YEARS_AHEAD = 2


def interview_date_error(starts_at: dt.datetime, *, now: dt.datetime | None = None) -> str:
    """Why this start is not a plausible interview date ("" when it is)."""
    now = now or timezone.now()
    if starts_at < now - dt.timedelta(days=365 * INTERVIEW_YEARS_BACK + 1):
        return (
            f"That date is more than {INTERVIEW_YEARS_BACK} years ago: check the year "
            "(interviews further back are not followed up)."
        )
    if starts_at > now + dt.timedelta(days=365 * INTERVIEW_YEARS_AHEAD + 1):
        return f"That date is more than {INTERVIEW_YEARS_AHEAD} years ahead: check the year."
    return ""


# A line break (or any control character) in a header value would split the email's headers:
# the thank-you that replies in the scheduling thread could be approved, then fail to send.
CONTROL_CHARACTERS_RE = re.compile(r"[\x00-\x1f\x7f]")
# A Message-ID as mail clients write it: <left@right>, no spaces; the brackets may be left off.
_ID_PART = r"[^<>@\s\x00-\x1f\x7f]+"
MESSAGE_ID_RE = re.compile(rf"<{_ID_PART}@{_ID_PART}>|{_ID_PART}@{_ID_PART}")


def scheduling_subject_error(subject: str) -> str:
    """Why this scheduling email subject cannot go in a header ("" when it can)."""
    if CONTROL_CHARACTERS_RE.search(subject):
        return "Keep the subject on one line: paste it again without line breaks or tabs."
    return ""


def scheduling_message_id_error(message_id: str) -> str:
    """Why this is not a Message-ID the thank-you can reply to ("" when it is, or is empty)."""
    if not message_id or MESSAGE_ID_RE.fullmatch(message_id):
        return ""
    return (
        "A Message-ID looks like <CAF1x2y3@mail.example.com>, on one line with no spaces: copy "
        "it from the email's headers (“Show original” in most mail apps), or leave it empty."
    )


def _check_interview_details(details: InterviewDetails) -> None:
    """The rules the form checks too, repeated here so no caller can skip them."""
    errors: dict[str, str] = {}
    zone = None
    # Only the zones we offer: "localtime" would read the times in the server's zone.
    if details.time_zone in available_time_zones():
        try:
            zone = zoneinfo.ZoneInfo(details.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = None
    if zone is None:
        errors["time_zone"] = f"“{details.time_zone}” is not a time zone we know."
    if timezone.is_naive(details.starts_at) or timezone.is_naive(details.ends_at):
        raise ValueError("starts_at and ends_at must be aware datetimes.")
    if details.ends_at <= details.starts_at:
        errors["end_time"] = "The interview must end after it starts."
    if date_error := interview_date_error(details.starts_at):
        errors["date"] = date_error
    if (
        details.decision_date
        and zone is not None
        and details.decision_date < details.starts_at.astimezone(zone).date()
    ):
        errors["decision_date"] = "The decision date cannot be before the interview."
    if subject_error := scheduling_subject_error(details.scheduling_subject):
        errors["scheduling_subject"] = subject_error
    if id_error := scheduling_message_id_error(details.scheduling_message_id):
        errors["scheduling_message_id"] = id_error
    if errors:
        raise ValidationError(errors)


def company_get_or_create(*, user: User, name: str) -> Company:
    """The user's company with this name (ignoring case), created if new."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"company": "Enter the company's name."})
    company = selectors.company_by_name(user=user, name=name)
    return company or Company.objects.create(user=user, name=name)


def _fill_blanks(contact: Contact, details: ContactDetails) -> None:
    """Add what a reused contact is missing; never overwrite what the user entered before."""
    changed = []
    for field in ("honorific", "title", "email", "phone", "linkedin_url"):
        value = getattr(details, field)
        if value and not getattr(contact, field):
            setattr(contact, field, value)
            changed.append(field)
    if changed:
        contact.save(update_fields=changed)


def _contact_for(*, user: User, company: Company, details: ContactDetails) -> Contact:
    """Reuse the existing contact this person matches, or create them."""
    match = selectors.contact_match(
        user=user, company=company, name=details.name, email=details.email
    )
    if match is not None:
        _fill_blanks(match, details)
        return match
    values = {field.name: getattr(details, field.name) for field in fields(ContactDetails)}
    values["name"] = " ".join(details.name.split())
    return Contact.objects.create(user=user, company=company, **values)


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
            contact = _contact_for(user=user, company=company, details=row.new_contact)
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
        chosen = _contact_for(user=user, company=application.company, details=new_main_contact)
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


def application_stage_set(
    *, application: Application, stage: str, why: str = "", at: dt.datetime | None = None
) -> bool:
    """Write the stage (closing or opening the application to fit) and put it on the timeline.

    The plain write every stage change ends in; what a change means for the follow-ups
    (reopening, outcomes, re-planning) is the callers' business. False if nothing changed.
    """
    if application.stage == stage:
        return False
    old = application.get_stage_display()
    application.stage = stage
    if stage in Application.ENDED_STAGES:
        application.closed_at = application.closed_at or at or timezone.now()
    else:
        application.closed_at = None
    application.save(update_fields=["stage", "closed_at", "updated_at"])
    timeline_record(
        application=application,
        kind=Kind.STAGE_CHANGED,
        summary=f"Stage changed from {old} to {application.get_stage_display()}",
        detail=why,
        at=at,
    )
    return True


def _set_stage(*, application: Application, stage: str, reason: str = "") -> bool:
    """Move the application to `stage`, with its timeline event; False if it was there already.

    Back from an ended stage to an open one is a reopen (messaging.services.application_reopen).
    """
    previous = application.stage
    if stage == previous:
        return False
    if previous in Application.ENDED_STAGES and stage not in Application.ENDED_STAGES:
        # Imported here: messaging builds on interviews, not the other way round.
        from messaging.services import application_reopen

        reopened = application_reopen(
            application=application,
            user=application.user,
            reason=reason or "Reopened by you.",
            stage=stage,
        )
        application.stage, application.closed_at = reopened.stage, reopened.closed_at
        return True
    application_stage_set(application=application, stage=stage, why=reason)
    _after_stage_changed(application, previous_stage=previous)
    return True


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

    1. the given application (the next round of it; an ended one is reopened), else the
       company and the open application with this role are reused (names compared
       ignoring case) or created;
    2. the interview and one participant per interviewer are saved, new people
       becoming contacts unless they match an existing one;
    3. the main contact, the stage (applied -> interviewing) and the timeline
       are updated, then the messaging engine is given its turn.
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
        if application is not None:
            application = _lock_application(application.pk)
            _refuse_duplicate(application=application, starts_at=details.starts_at)
            company = application.company
            if application.has_ended:
                from messaging.services import application_reopen

                # Its close-outs no longer fit: the reopen service cancels them.
                # plan_interview re-plans once the new round is saved: re-planning here
                # would draft the old round's check-ins only to cancel them at once.
                application = application_reopen(
                    application=application,
                    user=user,
                    reason="Reopened: a new round was logged.",
                    replan=False,
                )
        else:
            company = company_get_or_create(user=user, name=company_name)
            application = selectors.open_application(user=user, company=company, role=role)
            if application is not None:
                # Locked, so a re-submitted form waits for the first one and is refused.
                application = _lock_application(application.pk)
                _refuse_duplicate(application=application, starts_at=details.starts_at)
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

        interview = Interview(application=application)
        _apply_details(interview, details)
        if not details.round_number:
            interview.round_number = selectors.next_round_number(application=application)
        interview.full_clean(exclude=["application"])
        interview.save()

        resolved = _resolve_participants(user=user, company=company, participants=participants)
        _sync_participants(interview=interview, resolved=resolved)
        _choose_main_contact(
            user=user,
            application=application,
            resolved=resolved,
            main_contact=main_contact,
            new_main_contact=new_main_contact,
        )
        if application.stage == Application.Stage.APPLIED:
            _set_stage(
                application=application,
                stage=Application.Stage.INTERVIEWING,
                reason="An interview was logged.",
            )
        timeline_record(
            application=application,
            kind=Kind.INTERVIEW_LOGGED,
            summary=interview_summary(interview, [contact for contact, _ in resolved]),
            interview=interview,
        )
        _after_interview_saved(interview)
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
        resolved = _resolve_participants(
            user=user, company=application.company, participants=participants
        )
        _sync_participants(interview=interview, resolved=resolved)
        _choose_main_contact(
            user=user,
            application=application,
            resolved=resolved,
            main_contact=main_contact,
            new_main_contact=new_main_contact,
        )
        timeline_record(
            application=application,
            kind=Kind.INTERVIEW_UPDATED,
            summary=interview_summary(interview, [contact for contact, _ in resolved]),
            interview=interview,
        )
        _after_interview_saved(interview)
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
        _after_interview_deleted(application)
    return application


# Stages the application page's outcome actions set: choosing one in the edit form does the
# same (messaging.services.application_outcome), so "Rejected" drafts the close-out either way.
OUTCOME_FOR_STAGE = {
    Application.Stage.OFFER: "offer",
    Application.Stage.ACCEPTED: "accepted",
    Application.Stage.REJECTED: "rejected",
    Application.Stage.WITHDRAWN: "accepted_elsewhere",
}


def _record_outcome(*, application: Application, user: User, stage: str) -> None:
    """Set an outcome stage through the outcome action; its refusal becomes a stage error."""
    from messaging.services import ActionRefused, application_outcome

    try:
        application_outcome(application=application, outcome=OUTCOME_FOR_STAGE[stage], user=user)
    except ActionRefused as exc:
        raise ValidationError(
            {"stage": f"{exc} Set it back to Interviewing first if that was a mistake."}
        ) from exc
    application.refresh_from_db()


def _rename(*, company: Company, user: User, name: str) -> str:
    """Rename a company in place, noted on each of its applications; returns the old name.

    "" when the name is unchanged. A name another of the user's companies has is refused:
    two companies are never merged or split by a rename.
    """
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"company": "Enter the company's name."})
    if name == company.name:
        return ""
    taken = selectors.company_by_name(user=user, name=name)
    if taken is not None and taken.pk != company.pk:
        raise ValidationError(
            {
                "company": f"You already have another company called {taken.name}. Choose a "
                "different name: a rename never moves applications or contacts between companies."
            }
        )
    old = company.name
    company.name = name
    company.full_clean(exclude=["user"])
    company.save(update_fields=["name"])
    # The caller holds the Company lock: its applications come next, by pk.
    for application in _lock_applications(company.applications.values_list("pk", flat=True)):
        timeline_record(
            application=application,
            kind=Kind.NOTE,
            summary=f"Company renamed from {old} to {name}",
            detail="Its contacts stay with it; drafts that name it are written again "
            "(those you edited by hand keep your text).",
        )
    return old


def company_rename(*, company: Company, user: User, name: str) -> Company:
    """Rename a company for all its applications; their drafts are re-written with the name."""
    if company.user_id != user.pk:
        raise ValidationError("That company is not one of yours.")
    with transaction.atomic():
        company = Company.objects.select_for_update().get(pk=company.pk)
        old = _rename(company=company, user=user, name=name)
    if old:
        # After the commit: one transaction per application (replan_for), never the rename's.
        from messaging.drafting import replan_for

        replan_for(
            applications=list(company.applications.order_by("pk")),
            reason=f"The company was renamed from {old} to {company.name}.",
        )
    return company


def _rename_company(*, application: Application, company: Company, user: User, name: str) -> str:
    """Rename the application's own company in place; returns the old name ("" if unchanged).

    `company` is locked by the caller if the name differs. Its contacts stay with it. A company
    that other applications use too is refused with a pointer to its page, where the rename
    applies to all of them: never a silent split.
    """
    if " ".join(name.split()) != company.name:
        others = company.applications.exclude(pk=application.pk).count()
        if others:
            raise ValidationError(
                {
                    "company": f"{company.name} has {others} other "
                    f"application{'s' if others > 1 else ''}, so it is not renamed from here. "
                    "Rename it on its company page (the link below) to rename it for all of "
                    "them."
                }
            )
    old = _rename(company=company, user=user, name=name)
    application.company = company
    return old


def _main_contact_changed(*, application: Application, previous: Contact | None) -> bool:
    """Note a new main contact on the timeline; True if it changed."""
    current = application.main_contact
    if (previous.pk if previous else None) == (current.pk if current else None):
        return False
    if current is None:
        summary = "Main contact removed"
        detail = "Check-ins go to the first interviewer with an email address."
    else:
        summary = f"Main contact is now {current.name}"
        detail = (
            f"Check-ins go to {current.name}."
            if current.email
            else f"{current.name} has no email address yet: check-ins go to the first "
            "interviewer with one until you add it."
        )
    if previous is not None:
        summary += f" (was {previous.name})"
    timeline_record(application=application, kind=Kind.NOTE, summary=summary, detail=detail)
    return True


def application_update(
    *,
    application: Application,
    user: User,
    company_name: str,
    role: str,
    job_url: str = "",
    stage: str,
    notes: str = "",
    main_contact: Contact | None = None,
    stage_seen: str | None = None,
) -> Application:
    """Save the application's own fields; a new stage goes on the timeline.

    An outcome stage (offer, accepted, rejected, withdrawn) goes through the outcome action,
    which cancels and drafts what that outcome calls for. `stage_seen` is the stage the form
    showed: the stage changes only if the user changed it, and is refused if it changed
    meanwhile (a reply or an action in another tab), so a stale form never undoes that.
    Without it, the posted stage is applied as is. Returns the application as saved.
    """
    if application.user_id != user.pk:
        raise ValidationError("That application is not one of yours.")
    if stage not in Application.Stage.values:
        raise ValidationError({"stage": "Choose one of the stages."})
    if main_contact is not None and main_contact.user_id != user.pk:
        raise ValidationError({"main_contact": "That contact is not one of yours."})
    role = " ".join(role.split())
    if not role:
        raise ValidationError({"role": "Enter the role."})
    with transaction.atomic():
        # The Company before the Application (company_rename's order), and only for a rename:
        # an unchanged name is only compared, never written.
        company = Company.objects.get(pk=application.company_id)
        if " ".join(company_name.split()) != company.name:
            company = Company.objects.select_for_update().get(pk=company.pk)
        # Re-read under lock: the stage, pause and dates may have changed since the form opened.
        application = _lock_application(application.pk)
        if stage_seen is not None and stage == stage_seen:
            stage = application.stage  # the user left the stage alone: keep it as it is now
        elif stage_seen is not None and application.stage not in (stage_seen, stage):
            raise ValidationError(
                {
                    "stage": f"This application changed to {application.get_stage_display()} "
                    "meanwhile. Reload the page to see it, then choose the stage again."
                }
            )
        renamed_from = _rename_company(
            application=application, company=company, user=user, name=company_name
        )
        previous_main = application.main_contact
        role_changed = role != application.role
        application.role = role
        application.job_url = job_url
        application.notes = notes
        application.main_contact = main_contact
        application.full_clean(exclude=["user", "company", "main_contact"])
        # Only the form's own fields: anything else on the row is someone else's to change.
        application.save(update_fields=["role", "job_url", "notes", "main_contact", "updated_at"])
        reasons = []
        if renamed_from:
            reasons.append(
                f"The company was renamed from {renamed_from} to {application.company.name}."
            )
        if role_changed:
            reasons.append(f"The role is now {role}.")
        if _main_contact_changed(application=application, previous=previous_main):
            reasons.append("The main contact changed.")
        if stage != application.stage and stage in OUTCOME_FOR_STAGE:
            _record_outcome(application=application, user=user, stage=stage)
        else:
            _set_stage(application=application, stage=stage, reason="Changed by you.")
    if reasons:
        # Drafts name the company, role and recipient: re-render them (hand-edited ones keep
        # their text) and send the check-ins to the new main contact. After the commit, in
        # replan_for's own transaction; an outcome just set has drafted with the new details.
        from messaging.drafting import replan_for

        replan_for(applications=[application], reason=" ".join(reasons))
    return application


def application_delete(*, application: Application, user: User) -> None:
    """Delete an application with its interviews, messages and timeline."""
    if application.user_id != user.pk:
        raise ValidationError("That application is not one of yours.")
    with transaction.atomic():
        # Interviews, messages and timeline events cascade; contacts and the
        # company stay, since other applications may share them.
        application.delete()


def contact_update(*, contact: Contact, user: User, details: ContactDetails) -> Contact:
    """Save a contact's details; pending drafts to them are re-planned with the new ones."""
    if contact.user_id != user.pk:
        raise ValidationError("That contact is not one of yours.")
    with transaction.atomic():
        old_email = Contact.objects.values_list("email", flat=True).get(pk=contact.pk)
        for field in fields(ContactDetails):
            setattr(contact, field.name, getattr(details, field.name))
        contact.name = " ".join(contact.name.split())
        contact.full_clean(exclude=["user", "company"])
        contact.save()
    # After the commit: a re-plan that fails never rolls back the contact's new details.
    _after_contact_changed(contact, old_email=old_email)
    return contact


def contact_delete(*, contact: Contact, user: User) -> None:
    """Delete a contact: what was pending to them is cancelled; they leave their interviews."""
    if contact.user_id != user.pk:
        raise ValidationError("That contact is not one of yours.")
    with transaction.atomic():
        interviews, applications = _before_contact_deleted(contact)
        name = contact.name
        contact.delete()
    # After the commit: nothing is pending to them any more, so re-planning one application at
    # a time (replan_for) can never send to them meanwhile.
    _after_contact_deleted(interviews, applications, name=name)
