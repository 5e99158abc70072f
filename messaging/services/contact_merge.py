"""Merging two entries for one person: their history joined, what is pending planned again.

The same recruiter is often logged twice (typed into two interviews, once with an address,
once without). Merging keeps one contact: the other's interviews, messages, replies and tasks
move to it, pending messages included, its blank details are filled from the other, and the
other is deleted. Only where both entries have a thank-you for one interview does one give
way, so no person gets two thank-yous for one interview.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from followup.accounts.models import User
from interviews.locks import lock_applications
from interviews.models import Application, Contact, InterviewParticipant, Task, TimelineEvent
from interviews.timeline import timeline_record
from messaging.drafting.planning import replan_for
from messaging.models import Message, Reply
from messaging.services.contact_changes import contact_messages_readdress
from messaging.status import messages_cancel

Kind = TimelineEvent.Kind
# Details copied from the merged entry when the kept one has none.
FILLED_FIELDS = ("email", "honorific", "title", "phone", "linkedin_url")
# The notes of one conversation, joined when both entries were in the same interview.
NOTE_FIELDS = ("discussed", "questions", "promised", "added_point")


def merge_candidates(*, contact: Contact) -> list[Contact]:
    """Other entries at the same company that look like the same person (name or address)."""
    same = Q(name__iexact=contact.name.strip())
    if contact.email:
        same |= Q(email__iexact=contact.email)
    return list(
        Contact.objects.filter(same, user_id=contact.user_id, company_id=contact.company_id)
        .exclude(pk=contact.pk)
        .order_by("name", "pk")
    )


def contacts_merge(*, keep: Contact, other: Contact, user: User) -> Contact:
    """Merge `other` into `keep` (both the user's, at one company); returns `keep` re-read.

    Everything of the other's moves to the kept entry, pending messages included (a close-out
    or an email the user wrote is never lost to a merge); only where both entries have a
    thank-you for the same interview does one give way (_thank_you_clashes). Pending messages
    then take the kept entry's name and address, and what is planned is re-planned.
    """
    if keep.user_id != user.pk or other.user_id != user.pk:
        raise ValidationError("Those contacts are not yours.")
    if keep.pk == other.pk:
        raise ValidationError("Choose another entry to merge into this one.")
    if keep.company_id != other.company_id:
        raise ValidationError(
            "They are listed at different companies: merge only two entries for one person "
            "at one company."
        )
    with transaction.atomic():
        affected = list(
            Application.objects.filter(
                Q(main_contact__in=[keep, other])
                | Q(messages__contact=other)
                | Q(interviews__participants__contact=other)
            )
            .distinct()
            .order_by("pk")
        )
        lock_applications([application.pk for application in affected])
        keep = Contact.objects.select_for_update().get(pk=keep.pk)
        other = Contact.objects.select_for_update().get(pk=other.pk)
        changed = [f for f in FILLED_FIELDS if not getattr(keep, f) and getattr(other, f)]
        for name in changed:
            setattr(keep, name, getattr(other, name))
        if changed:
            keep.save(update_fields=changed)
        _thank_you_clashes(keep=keep, other=other)
        Message.objects.filter(contact=other).update(contact=keep)
        interviews = _participations_move(keep=keep, other=other)
        Application.objects.filter(main_contact=other).update(main_contact=keep)
        Reply.objects.filter(contact=other).update(contact=keep)
        _tasks_move(keep=keep, other=other)
        other_name, other_email = other.name, other.email
        other.delete()
        # Pending messages the other's address was on now go to the kept entry's.
        contact_messages_readdress(contact=keep, old_email=other_email)
        for application in affected:
            timeline_record(
                application=application,
                kind=Kind.NOTE,
                summary=f"Contacts merged: {other_name} into {keep.name}",
                detail="Their interviews, messages and replies are now under one entry.",
            )
        replan_for(
            applications=affected,
            interviews=interviews,
            reason=f"{other_name} and {keep.name} were merged into one contact.",
        )
    keep.refresh_from_db()
    return keep


def _thank_you_clashes(*, keep: Contact, other: Contact) -> None:
    """One live thank-you per person and interview: where both entries have one, one goes.

    A pending one gives way to one already sent; of two pending ones, the one the user
    edited stays; of two already sent (both thanked), the other's keeps its text and loses
    its link to the person.
    """
    live = (
        Message.objects.filter(stage=Message.Stage.THANK_YOU, contact__in=[keep, other])
        .exclude(status=Message.Status.CANCELLED)
        .exclude(interview=None)
        .select_related("application", "interview")
    )
    by_interview: dict[int, dict[int, Message]] = {}
    for message in live:
        by_interview.setdefault(message.interview_id, {})[message.contact_id] = message
    pending = Message.PENDING_STATUSES
    cancel, unlink = [], []
    for pair in by_interview.values():
        if len(pair) < 2:
            continue
        ours, theirs = pair[keep.pk], pair[other.pk]
        if ours.status in pending and theirs.status in pending:
            cancel.append(ours if theirs.edited_by_user and not ours.edited_by_user else theirs)
        elif theirs.status in pending:
            cancel.append(theirs)
        elif ours.status in pending:
            cancel.append(ours)
        else:
            unlink.append(theirs.pk)
    if cancel:
        messages_cancel(
            cancel, reason=f"{other.name} and {keep.name} are one person: one thank-you each."
        )
    Message.objects.filter(pk__in=unlink).update(contact=None)


def _tasks_move(*, keep: Contact, other: Contact) -> None:
    """The other's tasks follow the person; a LinkedIn task they both have is kept once."""
    for task in Task.objects.filter(contact=other):
        task.contact = keep
        if task.key == f"linkedin:{other.pk}":
            mine = f"linkedin:{keep.pk}"
            if Task.objects.filter(user_id=task.user_id, key=mine).exists():
                task.delete()
                continue
            task.key = mine
        task.save(update_fields=["contact", "key"])


def _participations_move(*, keep: Contact, other: Contact) -> list:
    """The other's interviews become the kept one's; in an interview both were in, one row
    with both sets of notes. Returns the interviews touched, for re-planning."""
    interviews = []
    kept_rows = {p.interview_id: p for p in InterviewParticipant.objects.filter(contact=keep)}
    for row in InterviewParticipant.objects.filter(contact=other).select_related("interview"):
        interviews.append(row.interview)
        mine = kept_rows.get(row.interview_id)
        if mine is None:
            row.contact = keep
            row.save(update_fields=["contact"])
            continue
        for name in NOTE_FIELDS:
            theirs, ours = getattr(row, name).strip(), getattr(mine, name).strip()
            if theirs and theirs not in ours:
                joined = f"{ours}\n{theirs}" if ours else theirs
                limit = InterviewParticipant._meta.get_field(name).max_length
                setattr(mine, name, joined[:limit] if limit else joined)
        mine.save()
        row.delete()
    return interviews
