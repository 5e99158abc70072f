"""A fact changed, so the drafts follow: logging or editing an interview, an application, a
contact, a company or the profile.

Each operation writes through the interviews or accounts service and re-plans the pending
drafts in the same transaction: either the new facts and the drafts that follow from them
are saved together, or neither is. The views call these, never the plain writes below them.
Lock order, as everywhere: Company, then Application rows (by pk), then their Messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from followup.accounts import services as accounts
from followup.accounts.models import Profile, User
from interviews.locks import lock_application
from interviews.models import Application, Company, Contact, Interview
from interviews.services import applications, contacts, interviews
from interviews.services.contacts import ContactDetails
from interviews.services.interviews import InterviewDetails, ParticipantInput
from messaging.drafting.planning import plan_interview, replan_application, replan_for
from messaging.models import Message
from messaging.services.contact_changes import (
    contact_deleted_replan,
    contact_messages_cancel,
    contact_messages_readdress,
)
from messaging.services.outcomes import application_outcome, application_reopen
from messaging.services.refusals import ActionRefused
from messaging.side_tasks import interview_side_tasks_plan

# Stages the application page's outcome actions set: choosing one in the edit form does the
# same (application_outcome), so "Rejected" drafts the close-out either way.
OUTCOME_FOR_STAGE = {
    Application.Stage.OFFER: "offer",
    Application.Stage.ACCEPTED: "accepted",
    Application.Stage.REJECTED: "rejected",
    Application.Stage.WITHDRAWN: "accepted_elsewhere",
}


def interview_log(
    *,
    user: User,
    details: InterviewDetails,
    participants: Sequence[ParticipantInput],
    company_name: str = "",
    role: str = "",
    job_url: str = "",
    main_contact: Contact | None = None,
    new_main_contact: ContactDetails | None = None,
    application: Application | None = None,
) -> Interview:
    """Log an interview (interviews.services.interviews.interview_log) and draft its follow-ups.

    The next round of an ended application reopens it first: its close-outs no longer fit
    (application_reopen cancels them). The reopen does not re-plan: plan_interview does, once
    the new round is saved, or the old round's check-ins would be drafted only to be cancelled.
    """
    with transaction.atomic():
        if application is not None and application.user_id == user.pk:
            application = lock_application(application.pk)
            if application.has_ended:
                application = application_reopen(
                    application=application,
                    user=user,
                    reason="Reopened: a new round was logged.",
                    replan=False,
                )
        interview = interviews.interview_log(
            user=user,
            company_name=company_name,
            role=role,
            job_url=job_url,
            details=details,
            participants=participants,
            main_contact=main_contact,
            new_main_contact=new_main_contact,
            application=application,
        )
        plan_interview(interview=interview)
        interview_side_tasks_plan(interview=interview)
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
    """Save an edited interview and re-plan its thank-yous and the application's check-ins."""
    with transaction.atomic():
        interview = interviews.interview_update(
            interview=interview,
            user=user,
            details=details,
            participants=participants,
            main_contact=main_contact,
            new_main_contact=new_main_contact,
        )
        plan_interview(interview=interview)
        interview_side_tasks_plan(interview=interview)
    return interview


def interview_delete(*, interview: Interview, user: User) -> Application:
    """Delete an interview: what was planned for it is cancelled, the rest re-planned."""
    with transaction.atomic():
        application = interviews.interview_delete(interview=interview, user=user)
        replan_application(application=application, reason="An interview was deleted.")
    return application


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
    """Save the application's own fields, then its stage, then re-plan what mentions them.

    1. The fields (company name, role, link, notes, main contact) through the interviews
       service, which also says which stage the user asked for (a stale form is refused).
    2. An outcome stage (offer, accepted, rejected, withdrawn) goes through the outcome
       action, which cancels and drafts what that outcome calls for; back from an ended stage
       to an open one is a reopen; any other change re-plans the check-ins for the stage.
    3. Drafts name the company, role and recipient: a change to them re-renders the drafts
       (hand-edited ones keep their text) and sends check-ins to the new main contact.
    Returns the application as saved.
    """
    with transaction.atomic():
        saved = applications.application_update(
            application=application,
            user=user,
            company_name=company_name,
            role=role,
            job_url=job_url,
            stage=stage,
            notes=notes,
            main_contact=main_contact,
            stage_seen=stage_seen,
        )
        application = _stage_change(application=saved.application, user=user, stage=saved.stage)
        if saved.reasons:
            replan_for(applications=[application], reason=" ".join(saved.reasons))
    return application


def _stage_change(*, application: Application, user: User, stage: str) -> Application:
    """Step 2 of application_update: the stage the user chose, with what it means."""
    previous = application.stage
    if stage == previous:
        return application
    if stage in OUTCOME_FOR_STAGE:
        try:
            application_outcome(
                application=application, outcome=OUTCOME_FOR_STAGE[stage], user=user
            )
        except ActionRefused as exc:
            raise ValidationError(
                {"stage": f"{exc} Set it back to Interviewing first if that was a mistake."}
            ) from exc
    elif previous in Application.ENDED_STAGES and stage not in Application.ENDED_STAGES:
        application_reopen(
            application=application, user=user, reason="Changed by you.", stage=stage
        )
    else:
        applications.application_stage_set(
            application=application, stage=stage, why="Changed by you."
        )
        replan_application(
            application=application,
            reason=f"The stage changed from {Application.Stage(previous).label} "
            f"to {application.get_stage_display()}.",
        )
    application.refresh_from_db()
    return application


def company_rename(*, company: Company, user: User, name: str) -> Company:
    """Rename a company for all its applications; their drafts are written again with it."""
    with transaction.atomic():
        old = applications.company_rename(company=company, user=user, name=name)
        if old:
            replan_for(
                applications=list(company.applications.order_by("pk")),
                reason=f"The company was renamed from {old} to {company.name}.",
            )
    return company


def contact_update(*, contact: Contact, user: User, details: ContactDetails) -> Contact:
    """Save a contact's details; what is pending to them follows (new name, tone, address)."""
    with transaction.atomic():
        old_email = Contact.objects.values_list("email", flat=True).get(pk=contact.pk)
        contact = contacts.contact_update(contact=contact, user=user, details=details)
        replan_for(
            applications=list(Application.objects.filter(main_contact=contact).order_by("pk")),
            interviews=[p.interview for p in contact.participations.select_related("interview")],
            reason=f"{contact.name}'s details changed.",
        )
        contact_messages_readdress(contact=contact, old_email=old_email)
    return contact


def contact_delete(*, contact: Contact, user: User) -> None:
    """Delete a contact: what was pending to them is cancelled, the rest re-planned without them."""
    if contact.user_id != user.pk:
        raise ValidationError("That contact is not one of yours.")
    with transaction.atomic():
        rounds, main_of = contact_messages_cancel(contact=contact)
        name = contact.name
        contacts.contact_delete(contact=contact, user=user)
        contact_deleted_replan(interviews=rounds, applications=main_of, name=name)


@dataclass(frozen=True)
class ProfileSaved:
    """What saving the profile did: the profile, and how many approvals its new details cost."""

    profile: Profile
    approvals_lost: int = 0


def profile_update(*, profile: Profile, email: str, changes: dict[str, Any]) -> ProfileSaved:
    """Save the sender's identity and timing, then re-plan the drafts they shape.

    Open applications: check-ins are re-timed (time zone, window, holidays, cadence numbers)
    and thank-yous re-rendered (name, phone, signature, email) and re-timed. Ended ones that
    still have emails waiting (a close-out, a stay-in-touch note): those move into the new
    send window; nothing new is planned for them. Drafts edited by hand keep their text.
    """
    with transaction.atomic():
        saved = accounts.profile_update(profile=profile, email=email, changes=changes)
        if not saved.changed:
            return ProfileSaved(profile=saved.profile)
        user = saved.profile.user
        affected = (
            Application.objects.filter(user=user)
            .filter(
                ~Q(stage__in=Application.ENDED_STAGES)
                | Q(messages__status__in=Message.PENDING_STATUSES)
            )
            .distinct()
            .order_by("pk")
        )
        lost = replan_for(applications=list(affected), reason="Your profile changed.")
    return ProfileSaved(profile=saved.profile, approvals_lost=lost)
