"""Helpers for the sending tests: approved, due messages and an eager Celery."""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.utils import timezone

from followup.accounts.models import User
from interviews.models import Application, Contact
from messaging.models import Message
from tests.interviews.helpers import make_application, make_company, make_contact


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
