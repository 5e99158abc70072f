"""Message rows: ready to send (make_message) or awaiting approval (draft), and eager Celery.

Two set-ups: sending_setup (Acme Corp, one recruiter, Dana Richardson) for the dispatcher and
the webhooks, and panel (scenario.make_panel, not planned) for the approval queue's drafts.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.utils import timezone

from followup.accounts.models import User
from interviews.models import Application, Contact
from messaging.dispatch.claims import message_claim
from messaging.dispatch.sending import message_send
from messaging.models import Message
from tests.builders.interviews import make_application, make_company, make_contact
from tests.builders.scenario import make_panel

# Tuesday 18 March 2025, 11:00 in New York (the user's zone): inside the 8-19 send window.
IN_WINDOW = dt.datetime(2025, 3, 18, 15, 0, tzinfo=dt.UTC)
# The same Tuesday, 23:00 in New York: outside it.
AT_NIGHT = dt.datetime(2025, 3, 19, 3, 0, tzinfo=dt.UTC)

# A thank-you that passes every check for Dana at Northwind Labs (scenario.make_panel).
CLEAN_BODY = (
    "Hi Dana,\n\n"
    "Thank you for meeting me yesterday about the Senior Data Engineer role. "
    "I enjoyed our talk about the migration of the billing pipeline to streaming, "
    "and I will send the architecture write-up from my last team today.\n\n"
    "I look forward to hearing about the next steps.\n\n"
    "Best regards,\nAlex Morgan"
)
CLEAN_SUBJECT = "Thank you – Senior Data Engineer interview"  # noqa: RUF001 - as drafted


def sending_setup(user: User) -> tuple[Application, Contact]:
    """An application at Acme with one recruiter who has an address."""
    company = make_company(user, "Acme Corp")
    contact = make_contact(company, "Dana Richardson", email="dana@acme.example")
    application = make_application(user, company, main_contact=contact)
    return application, contact


def make_message(
    application: Application,
    *,
    contact: Contact | None = None,
    stage: str = Message.Stage.THANK_YOU,
    status: str = Message.Status.APPROVED,
    due_at: dt.datetime | None = None,
    **fields: Any,
) -> Message:
    """A message ready for the dispatcher: approved and due a minute ago unless told otherwise."""
    now = timezone.now()
    values: dict[str, Any] = {
        "to_email": contact.email if contact else "dana@acme.example",
        "to_name": contact.name if contact else "Dana Richardson",
        "subject": "Thank you - Data Engineer interview",
        "body_text": "Dear Ms. Richardson,\n\nThank you for your time today.\n\nAlex Morgan",
        "body_html": "<p>Dear Ms. Richardson,</p><p>Thank you for your time today.</p>",
        "approved_at": now - dt.timedelta(hours=1) if status != Message.Status.DRAFT else None,
        # drafting.writing.message_draft gives every message its Message-ID; so does this helper.
        "message_id": email.utils.make_msgid(domain="followup.example"),
    } | fields
    return Message.objects.create(
        user=application.user,
        application=application,
        contact=contact,
        stage=stage,
        status=status,
        due_at=due_at or now - dt.timedelta(minutes=1),
        **values,
    )


def claim_and_send(message: Message) -> str:
    """Claim the message as the dispatcher does, then send it: the status it ends in."""
    assert message_claim(message_id=message.pk, now=timezone.now())
    return message_send(message_id=message.pk)


def panel(
    user: User, company_name: str = "Northwind Labs"
) -> tuple[Application, dict[str, Contact]]:
    """An application with a recruiter and two interviewers (scenario.make_panel), no drafts."""
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


def pestering_draft(user: User) -> Message:
    """A second check-in one day after the first was sent: too soon (a pestering block)."""
    application, people = panel(user)
    recruiter = people["recruiter"]
    now = timezone.now()
    draft(
        application,
        contact=recruiter,
        stage=Message.Stage.CHECK_IN,
        subject="Checking in",
        body_text="Hi Jordan,\n\nI wanted to check in about the role.\n\nThanks,\nAlex Morgan",
    )
    Message.objects.filter(stage=Message.Stage.CHECK_IN).update(
        status=Message.Status.SENT, sent_at=now - dt.timedelta(days=1)
    )
    return draft(
        application,
        contact=recruiter,
        stage=Message.Stage.SECOND_CHECK_IN,
        subject="Following up on the Senior Data Engineer interview",
        body_text="Hi Jordan,\n\nIs there any update on the role?\n\nThanks,\nAlex Morgan",
        due_at=now + dt.timedelta(hours=1),
    )


@contextmanager
def eager_celery() -> Iterator[None]:
    """Run .delay() and .apply_async() in this process, retries included."""
    from followup.celery import app

    # Errors are not propagated at once (that would also raise Celery's Retry out of
    # apply()); EagerResult.get() raises them instead.
    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = False
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = before
