"""Writes of contacts: who is who at a company, reused across applications and rounds."""

from __future__ import annotations

from dataclasses import dataclass, fields

from django.core.exceptions import ValidationError
from django.db import transaction

from followup.accounts.models import User
from interviews import selectors
from interviews.models import (
    Company,
    Contact,
    TimelineEvent,
)

Kind = TimelineEvent.Kind


@dataclass(frozen=True)
class ContactDetails:
    """What we know about a person at a company."""

    name: str
    honorific: str = ""
    title: str = ""
    email: str = ""
    phone: str = ""
    linkedin_url: str = ""
    tone: str = Contact.Tone.FORMAL
    kind: str = Contact.Kind.INTERVIEWER


def _fill_blanks(contact: Contact, details: ContactDetails) -> None:
    """Add what a reused contact is missing; never overwrite what the user entered before."""
    changed = []
    for field in ("honorific", "title", "email", "phone", "linkedin_url"):
        value = getattr(details, field)
        if value and not getattr(contact, field):
            setattr(contact, field, value)
            changed.append(field)
    if changed:
        contact.save(update_fields=changed)


def contact_for(*, user: User, company: Company, details: ContactDetails) -> Contact:
    """Reuse the existing contact this person matches, or create them."""
    match = selectors.contact_match(
        user=user, company=company, name=details.name, email=details.email
    )
    if match is not None:
        _fill_blanks(match, details)
        return match
    values = {field.name: getattr(details, field.name) for field in fields(ContactDetails)}
    values["name"] = " ".join(details.name.split())
    return Contact.objects.create(user=user, company=company, **values)


def contact_update(*, contact: Contact, user: User, details: ContactDetails) -> Contact:
    """Save a contact's details (drafts to them follow through messaging.services.facts)."""
    if contact.user_id != user.pk:
        raise ValidationError("That contact is not one of yours.")
    with transaction.atomic():
        for field in fields(ContactDetails):
            setattr(contact, field.name, getattr(details, field.name))
        contact.name = " ".join(contact.name.split())
        contact.full_clean(exclude=["user", "company"])
        contact.save()
    return contact


def contact_delete(*, contact: Contact, user: User) -> None:
    """Delete a contact: they leave their interviews; the company keeps its other people."""
    if contact.user_id != user.pk:
        raise ValidationError("That contact is not one of yours.")
    with transaction.atomic():
        contact.delete()
