"""Builders for the approval-queue tests: drafts at a company, ready or not."""

from __future__ import annotations

import datetime as dt
import email.utils
from typing import Any

from django.utils import timezone

from interviews.models import Application, Contact
from messaging.models import Message
from tests.messaging.factories import make_panel

# A thank-you that passes every check for Dana at Northwind Labs (make_panel).
CLEAN_BODY = (
    "Hi Dana,\n\n"
    "Thank you for meeting me yesterday about the Senior Data Engineer role. "
    "I enjoyed our talk about the migration of the billing pipeline to streaming, "
    "and I will send the architecture write-up from my last team today.\n\n"
    "I look forward to hearing about the next steps.\n\n"
    "Best regards,\nAlex Morgan"
)
CLEAN_SUBJECT = "Thank you – Senior Data Engineer interview"  # noqa: RUF001 - as drafted


def panel(user, company_name: str = "Northwind Labs") -> tuple[Application, dict[str, Contact]]:
    """An application with a recruiter and two interviewers (tests.messaging.factories)."""
    application, _interview, people = make_panel(user, company_name=company_name)
    return application, people


def draft(
    application: Application,
    *,
    contact: Contact | None = None,
    stage: str = Message.Stage.THANK_YOU,
    due_at: dt.datetime | None = None,
    save: bool = True,
    **fields: Any,
) -> Message:
    """A draft awaiting approval (by default a clean thank-you due in an hour).

    Pass interview=None for a second thank-you to the same person (one per interview).
    """
    interview = fields.pop("interview", application.interviews.first())
    if contact is None:
        contact = application.interviews.first().participants.first().contact
    values: dict[str, Any] = {
        "to_email": contact.email,
        "to_name": contact.name,
        "subject": CLEAN_SUBJECT,
        "body_text": CLEAN_BODY,
        "body_html": "<p>" + CLEAN_BODY.replace("\n\n", "</p><p>") + "</p>",
        # drafting.writing.message_draft gives every message its Message-ID; so does this builder.
        "message_id": email.utils.make_msgid(domain="followup.example"),
    } | fields
    message = Message(
        user=application.user,
        application=application,
        interview=interview,
        contact=contact,
        stage=stage,
        status=Message.Status.DRAFT,
        due_at=due_at or timezone.now() + dt.timedelta(hours=1),
        **values,
    )
    if save:
        message.save()
    return message
