"""The form of a contact's own page."""

from __future__ import annotations

from typing import Any

from django import forms

from followup.rules.greetings import tidy_name
from interviews.forms.participants import PERSON_FIELDS, ParticipantForm
from interviews.models import Contact
from interviews.services.contacts import ContactDetails

# What the contact page edits: the person, and how and why to write to them.
_CONTACT_FIELDS = (*PERSON_FIELDS, "tone", "kind")


class ContactForm(forms.Form):
    """A contact's details."""

    name = forms.CharField(max_length=200)
    # The same fields as an interviewer row, so both pages offer the same choices.
    honorific = ParticipantForm.base_fields["honorific"]
    title = forms.CharField(label="Job title", max_length=200, required=False)
    email = forms.EmailField(label="Business email", required=False)
    phone = forms.CharField(max_length=40, required=False)
    linkedin_url = forms.URLField(label="LinkedIn URL", required=False, assume_scheme="https")
    tone = ParticipantForm.base_fields["tone"]
    kind = ParticipantForm.base_fields["kind"]

    def clean_name(self) -> str:
        return tidy_name(self.cleaned_data.get("name") or "")

    @staticmethod
    def initial_for(contact: Contact) -> dict[str, Any]:
        """The form's starting values: the contact as saved."""
        return {field: getattr(contact, field) for field in _CONTACT_FIELDS}

    def contact_details(self) -> ContactDetails:
        """The contact's details as the services take them, from valid data."""
        data = self.cleaned_data
        return ContactDetails(**{field: data[field] for field in _CONTACT_FIELDS})
