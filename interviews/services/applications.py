"""Writes of applications and companies: their own fields, the stage, renames and deletes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from followup.accounts.models import User
from interviews import selectors
from interviews.locks import lock_application, lock_applications
from interviews.models import (
    Application,
    Company,
    Contact,
    TimelineEvent,
)
from interviews.timeline import timeline_record

Kind = TimelineEvent.Kind


def company_get_or_create(*, user: User, name: str) -> Company:
    """The user's company with this name (ignoring case), created if new."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"company": "Enter the company's name."})
    company = selectors.company_by_name(user=user, name=name)
    return company or Company.objects.create(user=user, name=name)


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
    for application in lock_applications(company.applications.values_list("pk", flat=True)):
        timeline_record(
            application=application,
            kind=Kind.NOTE,
            summary=f"Company renamed from {old} to {name}",
            detail="Its contacts stay with it; drafts that name it are written again "
            "(those you edited by hand keep your text).",
        )
    return old


def company_rename(*, company: Company, user: User, name: str) -> str:
    """Rename a company for all its applications; returns the old name ("" if unchanged).

    Locks the Company, then its applications (by pk), so a re-plan of their drafts in the
    same transaction (messaging.services.facts) finds them locked in the usual order.
    """
    if company.user_id != user.pk:
        raise ValidationError("That company is not one of yours.")
    with transaction.atomic():
        locked = Company.objects.select_for_update().get(pk=company.pk)
        old = _rename(company=locked, user=user, name=name)
    company.name = locked.name
    return old


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


@dataclass(frozen=True)
class ApplicationSaved:
    """What saving the application's own fields did, for the caller to act on."""

    application: Application
    # The stage the user asked for: the current one when they left the field alone.
    stage: str
    # What changed that drafts mention (company, role, main contact), in words.
    reasons: tuple[str, ...]


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
) -> ApplicationSaved:
    """Save the application's own fields and say which stage the user asked for.

    The stage itself is not written here: a change of stage means something for the
    follow-ups (an outcome, a reopen), so the caller makes it (messaging.services.facts).
    `stage_seen` is the stage the form showed: the stage changes only if the user changed
    it, and is refused if it changed meanwhile (a reply or an action in another tab), so a
    stale form never undoes that. Without it, the posted stage is taken as is.
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
        application = lock_application(application.pk)
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
    return ApplicationSaved(application=application, stage=stage, reasons=tuple(reasons))


def application_delete(*, application: Application, user: User) -> None:
    """Delete an application with its interviews, messages and timeline."""
    if application.user_id != user.pk:
        raise ValidationError("That application is not one of yours.")
    with transaction.atomic():
        # Interviews, messages and timeline events cascade; contacts and the
        # company stay, since other applications may share them.
        application.delete()
