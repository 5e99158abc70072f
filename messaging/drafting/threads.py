"""Email threads: our Message-IDs, "Re:" subjects, and the earlier message a draft replies to."""

from __future__ import annotations

import datetime as dt
import email.utils
import re

from django.db.models import Q

from interviews.models import Application, Contact, Interview
from messaging.models import Message

Stage = Message.Stage
Status = Message.Status
CHECK_INS = Message.CHECK_IN_STAGES
MESSAGE_ID_FALLBACK_DOMAIN = "followup.local"


def new_message_id(application: Application) -> str:
    """Our own Message-ID, in the sender's domain so replies thread in their mail client."""
    domain = application.user.email.rpartition("@")[2].strip() or MESSAGE_ID_FALLBACK_DOMAIN
    return email.utils.make_msgid(domain=domain)


def _angle(message_id: str) -> str:
    """A Message-ID as it goes in a header: "<id@host>"."""
    message_id = message_id.strip()
    if not message_id:
        return ""
    return message_id if message_id.startswith("<") else f"<{message_id.strip('<>')}>"


def _reply_subject(subject: str) -> str:
    """ "Re: <subject>", never "Re: Re: <subject>"."""
    return "Re: " + re.sub(r"^\s*((re|aw|sv)\s*:\s*)+", "", subject, flags=re.IGNORECASE)


def recipient_filter(*, contact: Contact | None, to_email: str) -> Q:
    """Messages to this contact, else to this address (any case); with neither, none."""
    if contact is not None:
        return Q(contact=contact)
    if to_email:
        return Q(to_email__iexact=to_email)
    return Q(pk__in=[])


def _thread_parent(
    *,
    application: Application,
    stage: str,
    interview: Interview | None,
    contact: Contact | None,
    to_email: str,
    exclude_pk: int | None,
) -> Message | None:
    """The earlier message this one replies to, in the same recipient's thread.

    1. Check-in: the round's thank-you to the same person.
    2. Second check-in: the round's first check-in to them, else that thank-you.
    3. Any other stage after the thank-you: our latest SENT message to them in this
       application (none yet: a fresh subject).
    A stay-in-touch note weeks later starts a fresh conversation; a thank-you may reply in the
    scheduling thread (handled by the caller).
    """
    if stage in (Stage.THANK_YOU, Stage.STAY_IN_TOUCH):
        return None
    live = (
        Message.objects.filter(application=application)
        .filter(recipient_filter(contact=contact, to_email=to_email))
        .exclude(status__in=Message.DEAD_STATUSES)
        .exclude(message_id="")
        .exclude(pk=exclude_pk)
    )
    if stage in CHECK_INS:
        parent_stages = [Stage.THANK_YOU]
        if stage == Stage.SECOND_CHECK_IN:
            parent_stages.insert(0, Stage.CHECK_IN)
        for parent_stage in parent_stages:
            parent = live.filter(interview=interview, stage=parent_stage).order_by("pk").first()
            if parent is not None:
                return parent
        return None
    # An event-driven message (thanks for the update, a close-out, a deadline note) replies
    # only to a message that has gone: "Re:" to one still waiting would reach them first.
    earlier = list(live.exclude(stage=Stage.STAY_IN_TOUCH).filter(status=Status.SENT))
    far_past = dt.datetime.min.replace(tzinfo=dt.UTC)
    return max(earlier, key=lambda m: (m.sent_at or m.due_at or far_past, m.pk), default=None)


def thread_headers(
    *,
    application: Application,
    stage: str,
    interview: Interview | None,
    contact: Contact | None,
    to_email: str,
    subject: str,
    exclude_pk: int | None,
) -> dict[str, str]:
    """Subject and thread headers: a reply in the right thread, or a fresh subject."""
    parent = _thread_parent(
        application=application,
        stage=stage,
        interview=interview,
        contact=contact,
        to_email=to_email,
        exclude_pk=exclude_pk,
    )
    if parent is not None:
        references = " ".join(filter(None, [parent.references.strip(), parent.message_id]))
        threaded = {
            "subject": _reply_subject(parent.subject),
            "in_reply_to": parent.message_id,
            "references": references,
        }
    elif stage == Stage.THANK_YOU and interview and interview.scheduling_subject.strip():
        scheduling_id = _angle(interview.scheduling_message_id)
        threaded = {
            "subject": _reply_subject(interview.scheduling_subject.strip()),
            "in_reply_to": scheduling_id,
            "references": scheduling_id,
        }
    else:
        threaded = {"subject": subject, "in_reply_to": "", "references": ""}
    max_subject = Message._meta.get_field("subject").max_length
    max_id = Message._meta.get_field("in_reply_to").max_length
    if len(threaded["in_reply_to"]) > max_id:
        # A Message-ID this long is not one a mail client made: do not thread on it.
        threaded["in_reply_to"] = threaded["references"] = ""
    threaded["subject"] = threaded["subject"][:max_subject]
    return threaded
