"""Your data is yours: everything of one account, to download or to delete.

The one module that knows every app's rows of a user. The exports are reads (a JSON document
of all of it, the contacts as a vCard 3.0 file); account_delete is the one write, removing
the account with every row it owns. It sits in messaging because it reads messaging's rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from followup.accounts.models import DictionaryWord, Mailbox, Profile, User
from interviews.locks import lock_applications
from interviews.models import (
    Application,
    Company,
    Contact,
    Interview,
    InterviewParticipant,
    Task,
    TimelineEvent,
)
from messaging.models import (
    BouncedAddress,
    EmailEvent,
    InboundEmail,
    Message,
    OutboxEmail,
    Reply,
)

EXPORT_FORMAT = "followup-account-export/1"


def _value(value: object) -> object:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return value


def _row(obj: models.Model, *, leave_out: tuple[str, ...] = ("user",)) -> dict[str, Any]:
    """Every column of the row (foreign keys as <name>_id), dates as ISO 8601 strings."""
    return {
        field.attname: _value(getattr(obj, field.attname))
        for field in obj._meta.concrete_fields
        if field.name not in leave_out
    }


def _rows(queryset: models.QuerySet, **kwargs: Any) -> list[dict[str, Any]]:
    return [_row(obj, **kwargs) for obj in queryset.order_by("pk")]


def account_export(*, user: User) -> dict[str, Any]:
    """All of the user's data as one JSON-ready document (no password hash, no other user's)."""
    profile = Profile.objects.filter(user=user).first()
    participants: dict[int, list[dict[str, Any]]] = {}
    for participant in InterviewParticipant.objects.filter(
        interview__application__user=user
    ).order_by("interview_id", "position", "pk"):
        participants.setdefault(participant.interview_id, []).append(
            _row(participant, leave_out=("interview",))
        )
    interviews = [
        _row(interview) | {"participants": participants.get(interview.pk, [])}
        for interview in Interview.objects.filter(application__user=user).order_by("pk")
    ]
    return {
        "format": EXPORT_FORMAT,
        "exported_at": _value(timezone.now()),
        "account": {
            "email": user.email,
            "email_verified_at": _value(user.email_verified_at),
            "date_joined": _value(user.date_joined),
            "last_login": _value(user.last_login),
        },
        "profile": _row(profile) if profile else None,
        "companies": _rows(Company.objects.filter(user=user)),
        "contacts": _rows(Contact.objects.filter(user=user)),
        "applications": _rows(Application.objects.filter(user=user)),
        "interviews": interviews,
        "messages": _rows(Message.objects.filter(user=user)),
        "replies": _rows(Reply.objects.filter(user=user)),
        "timeline": _rows(TimelineEvent.objects.filter(user=user)),
        "bounced_addresses": _rows(BouncedAddress.objects.filter(user=user)),
        "outbox_emails": _rows(OutboxEmail.objects.filter(user=user)),
        "dictionary_words": _rows(DictionaryWord.objects.filter(user=user)),
        "tasks": _rows(Task.objects.filter(user=user)),
        "inbound_emails": _rows(InboundEmail.objects.filter(user=user)),
        # The mailbox settings, never the password (encrypted or not): a download is not a
        # place for a credential.
        "mailbox": _rows(Mailbox.objects.filter(user=user), leave_out=("user", "password_token")),
        # Not the reply addresses' tokens nor the calendar feed's: they are keys, not data.
    }


def vcard_escape(text: str) -> str:
    """A vCard 3.0 text value (RFC 2426 §4): backslash, comma, semicolon and newline escaped."""
    text = text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def _fold(line: str) -> str:
    """A content line folded at 75 octets (RFC 2426 §2.6), never inside a character."""
    pieces: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode())
        if size + width > 75:
            pieces.append(current)
            current, size = " ", 1
        current += char
        size += width
    pieces.append(current)
    return "\r\n".join(pieces)


def _vcard(contact: Contact) -> list[str]:
    parts = contact.name.split()
    family = parts[-1] if len(parts) > 1 else ""
    given = " ".join(parts[:-1]) if len(parts) > 1 else contact.name.strip()
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        f"FN:{vcard_escape(contact.name)}",
        "N:" + ";".join(vcard_escape(p) for p in (family, given, "", contact.honorific, "")),
        f"ORG:{vcard_escape(contact.company.name)}",
    ]
    if contact.title:
        lines.append(f"TITLE:{vcard_escape(contact.title)}")
    if contact.email:
        lines.append(f"EMAIL;TYPE=INTERNET:{vcard_escape(contact.email)}")
    if contact.phone:
        lines.append(f"TEL;TYPE=WORK,VOICE:{vcard_escape(contact.phone)}")
    if contact.linkedin_url:
        lines.append(f"URL:{vcard_escape(contact.linkedin_url)}")
    lines.append(f"NOTE:{vcard_escape(contact.get_kind_display())}")
    lines.append("END:VCARD")
    return lines


def contacts_vcard(*, user: User, contact_ids: list[int] | None = None) -> str:
    """The user's contacts (all, or these) as one vCard 3.0 file (CRLF line ends, a card each)."""
    lines: list[str] = []
    contacts = Contact.objects.filter(user=user)
    if contact_ids is not None:
        contacts = contacts.filter(pk__in=contact_ids)
    for contact in contacts.select_related("company").order_by("pk"):
        lines.extend(_vcard(contact))
    return "".join(_fold(line) + "\r\n" for line in lines)


def account_delete(*, user: User) -> None:
    """Delete the account and every row it owns, in one transaction.

    The applications go first (locked, as every change to their messages is): their company
    is PROTECTed. Then the companies, then the user, whose CASCADE takes the profile, contacts,
    messages, replies, timeline, bounced addresses, outbox emails, webhook events and
    dictionary words.
    """
    with transaction.atomic():
        applications = list(Application.objects.filter(user=user).values_list("pk", flat=True))
        lock_applications(applications)
        Application.objects.filter(pk__in=applications).delete()
        Company.objects.filter(user=user).delete()
        # Already gone with the user's CASCADE; explicit so the intent is visible.
        EmailEvent.objects.filter(user=user).delete()
        User.objects.filter(pk=user.pk).delete()
