"""What is pending to a contact follows the contact: a new address, or their deletion.

Called by messaging.services.facts inside the contact's own transaction; every application
the change writes to is locked first (interviews.locks), in pk order.
"""

from __future__ import annotations

from interviews.locks import lock_applications
from interviews.models import Application, Contact, Interview, TimelineEvent
from interviews.timeline import timeline_record
from messaging.drafting.planning import replan_for
from messaging.models import Message
from messaging.status import message_label, message_rewrite, messages_cancel

Kind = TimelineEvent.Kind


def contact_messages_readdress(*, contact: Contact, old_email: str) -> None:
    """Give what is pending to this person their new name and address, where re-planning did not.

    1. a pending message to them that re-planning does not write (a close-out, a reply to
       their news, one edited by hand) takes the new name and address; its approval, if the
       address changed, is needed again (messaging.status.message_rewrite); a hand-edited
       text stays as the user wrote it;
    2. a message whose recipient the user typed by hand (not the contact's old address)
       keeps it: the timeline says where it still goes.
    """
    pending = Message.objects.filter(contact=contact, status__in=Message.PENDING_STATUSES)
    locked = lock_applications(pending.values_list("application_id", flat=True))
    messages = (
        pending.filter(application__in=[application.pk for application in locked])
        .select_for_update(of=("self",))
        .select_related("application")
        .order_by("pk")
    )
    for message in messages:
        _readdress(message, contact=contact, old_email=old_email)


def _readdress(message: Message, *, contact: Contact, old_email: str) -> None:
    """contact_messages_readdress for one locked pending message."""
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


def contact_messages_cancel(*, contact: Contact) -> tuple[list[Interview], list[Application]]:
    """Cancel every pending message to this person; return what to re-plan once they are gone.

    In the delete's transaction. Every application the delete writes to is locked first: those
    with messages to them (cancelled, or their contact cleared) and those they are the main
    contact of (cleared too).
    """
    applications = list(Application.objects.filter(main_contact=contact).order_by("pk"))
    locked = lock_applications(
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


def contact_deleted_replan(
    *, interviews: list[Interview], applications: list[Application], name: str
) -> None:
    """Re-plan without them: other thank-yous stop naming them, check-ins go to someone else.

    After the delete, in its transaction: each application they were the main contact of
    says on its timeline who the check-ins go to now.
    """
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
