"""Emails the user writes themselves on an application: checked, approved and sent like ours.

An own email goes to one of the application's people, in its thread (a reply to the latest
message to them, or to the scheduling email), and waits in the approval queue with the same
checks; the pestering limit counts it (stages.FOLLOW_UP_STAGES). Re-planning never rewrites
it: it is the user's text from the start.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape, linebreaks

from followup.accounts.models import User
from followup.rules.calendar import clamp_into_window, local_time_label
from interviews.locks import lock_application
from interviews.models import Application, Contact, TimelineEvent
from interviews.selectors import application_contacts, current_round
from interviews.timeline import timeline_record
from messaging import selectors
from messaging.drafting.threads import new_message_id, thread_headers
from messaging.models import Message
from messaging.services.locking import require_owner

Stage = Message.Stage


def own_email_recipients(*, application: Application) -> list[Contact]:
    """Who an own email on this application may go to: its people with an address."""
    return [contact for contact in application_contacts(application=application) if contact.email]


def own_email_thread(*, application: Application, contact: Contact) -> dict[str, str]:
    """The subject and thread headers an own email to `contact` starts from: a reply to our
    latest sent message to them, else a fresh subject naming the role and company."""
    return thread_headers(
        application=application,
        stage=Stage.OWN_EMAIL,
        interview=current_round(application=application),
        contact=contact,
        to_email=contact.email,
        subject=f"{application.role} at {application.company.name}",
        exclude_pk=None,
    )


def own_email_draft(
    *,
    application: Application,
    user: User,
    contact: Contact,
    subject: str,
    body: str,
    now: dt.datetime | None = None,
) -> Message:
    """Save the user's email as a draft for the approval queue, due at the next send moment."""
    require_owner(application, user)
    if contact.pk not in {c.pk for c in own_email_recipients(application=application)}:
        raise ValidationError({"contact": "Choose one of this application's people with an email."})
    subject = " ".join(subject.split())
    body = body.strip()
    if not subject:
        raise ValidationError({"subject": "Give the email a subject."})
    if not body:
        raise ValidationError({"body": "Write the email first."})
    now = now or timezone.now()
    with transaction.atomic():
        application = lock_application(application.pk)
        calendar, _ = selectors.cadence_inputs_for(user=user)
        due_at = clamp_into_window(at=now, calendar=calendar, business_day=True)
        thread = own_email_thread(application=application, contact=contact)
        message = Message.objects.create(
            user=user,
            application=application,
            interview=current_round(application=application),
            contact=contact,
            stage=Stage.OWN_EMAIL,
            status=Message.Status.DRAFT,
            to_email=contact.email,
            to_name=contact.name,
            subject=subject[: Message._meta.get_field("subject").max_length],
            body_text=body,
            body_html=linebreaks(escape(body)),
            edited_by_user=True,
            message_id=new_message_id(application),
            in_reply_to=thread["in_reply_to"],
            references=thread["references"],
            due_at=due_at,
        )
        timeline_record(
            application=application,
            kind=TimelineEvent.Kind.DRAFTED,
            summary=f"Your email to {contact.name} waits for approval, due "
            f"{local_time_label(due_at, calendar)}",
            message=message,
        )
    return message
