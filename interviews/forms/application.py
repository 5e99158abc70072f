"""Forms of an application's own page: its fields, and renaming its company."""

from __future__ import annotations

from typing import Any

from django import forms

from followup.accounts.models import User
from interviews import selectors
from interviews.forms.widgets import ContactChoiceField, listed
from interviews.models import Application, Contact


class ApplicationForm(forms.Form):
    """An application's own fields."""

    company = forms.CharField(max_length=200, widget=listed("company-options"))
    role = forms.CharField(max_length=200)
    job_url = forms.URLField(
        label="Job posting URL", max_length=500, required=False, assume_scheme="https"
    )
    stage = forms.ChoiceField(
        choices=Application.Stage.choices,
        help_text="Offer, Accepted, Rejected or Withdrawn works like the matching button on the "
        "application page: the check-ins stop, and a rejection or withdrawal drafts its "
        "close-out note for your approval.",
    )
    main_contact = ContactChoiceField(
        queryset=Contact.objects.none(),
        required=False,
        empty_label="— none —",
        help_text="The recruiter or coordinator check-ins go to.",
    )
    notes = forms.CharField(
        max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    # The stage shown when the form opened: a stage changed meanwhile is not undone.
    stage_seen = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["main_contact"].queryset = selectors.contact_choices(user=user)

    @staticmethod
    def initial_for(application: Application) -> dict[str, Any]:
        """The form's starting values: the application as saved."""
        return {
            "company": application.company.name,
            "role": application.role,
            "job_url": application.job_url,
            "stage": application.stage,
            "stage_seen": application.stage,
            "main_contact": application.main_contact_id,
            "notes": application.notes,
        }

    def service_kwargs(self) -> dict[str, Any]:
        """The keyword arguments application_update takes, from valid data."""
        data = dict(self.cleaned_data)
        data["company_name"] = data.pop("company")
        data["stage_seen"] = data.get("stage_seen") or None
        return data


class CompanyRenameForm(forms.Form):
    """A company's new name."""

    name = forms.CharField(
        max_length=200,
        help_text="Renames it for all its applications; its contacts stay with it.",
    )
