"""The interviewer rows of the log/edit page: one form per person and the formset of them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from followup.accounts.models import User
from followup.rules.greetings import tidy_name
from interviews import selectors
from interviews.forms.widgets import ContactChoiceField
from interviews.models import Company, Contact
from interviews.services.contacts import ContactDetails
from interviews.services.interviews import ParticipantInput

# The fields that describe a new person (as opposed to what was said with them).
PERSON_FIELDS = ("name", "honorific", "title", "email", "phone", "linkedin_url")
NOTE_FIELDS = ("discussed", "questions", "promised", "added_point")


class ParticipantForm(forms.Form):
    """One interviewer: an existing contact or a new person, and what to mention to them."""

    contact = ContactChoiceField(
        queryset=Contact.objects.none(),
        required=False,
        label="Existing contact",
        empty_label="— a new person —",
    )
    name = forms.CharField(max_length=200, required=False)
    honorific = forms.CharField(
        max_length=20, required=False, widget=forms.TextInput(attrs={"placeholder": "Ms., Dr."})
    )
    title = forms.CharField(label="Job title", max_length=200, required=False)
    email = forms.EmailField(label="Business email", required=False)
    phone = forms.CharField(max_length=40, required=False)
    linkedin_url = forms.URLField(label="LinkedIn URL", required=False, assume_scheme="https")
    tone = forms.ChoiceField(
        label="How to greet them", choices=Contact.Tone.choices, initial=Contact.Tone.FORMAL
    )
    kind = forms.ChoiceField(
        label="Their role", choices=Contact.Kind.choices, initial=Contact.Kind.INTERVIEWER
    )
    discussed = forms.CharField(
        label="What you discussed",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="A project, problem or remark: the thank-you mentions it.",
    )
    questions = forms.CharField(
        label="Questions or concerns they raised",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    promised = forms.CharField(label="What you promised to send", max_length=300, required=False)
    added_point = forms.CharField(label="A point to add", max_length=300, required=False)
    is_main = forms.BooleanField(
        label="Main contact", required=False, help_text="Check-ins go to them."
    )

    def __init__(
        self, *args: Any, user: User, company: Company | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = selectors.contact_choices(user=user, company=company)

    def clean_name(self) -> str:
        # "tom becker" typed in a hurry greets as "Hi Tom,", not "Hi tom,".
        return tidy_name(self.cleaned_data.get("name") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        contact = data.get("contact")
        typed_person = any(data.get(field) for field in PERSON_FIELDS)
        if contact and typed_person:
            self.add_error(
                "contact",
                "Pick an existing contact or fill in a new person, not both: clear one of them.",
            )
        elif not contact and not data.get("name") and "name" not in self.errors:
            self.add_error("name", "Enter the interviewer's name, or pick an existing contact.")
        return data

    def participant_input(self) -> ParticipantInput:
        """The row as the services take it, from valid data."""
        data = self.cleaned_data
        new_contact = None
        if not data.get("contact"):
            new_contact = ContactDetails(
                **{field: data.get(field) or "" for field in PERSON_FIELDS},
                tone=data["tone"],
                kind=data["kind"],
            )
        return ParticipantInput(
            contact=data.get("contact"),
            new_contact=new_contact,
            is_main=bool(data.get("is_main")),
            **{field: data.get(field) or "" for field in NOTE_FIELDS},
        )


def _works_at(contact: Contact, company: Company | None) -> bool:
    return company is not None and contact.company_id == company.pk


def _not_at(company: Company | None, typed_name: str) -> str:
    name = company.name if company is not None else " ".join(typed_name.split())
    return f"That person is not at {name or 'this company'}."


class BaseParticipantFormSet(forms.BaseFormSet):
    """The interviewers: at least one, each person once, at most one main contact."""

    def __init__(
        self, *args: Any, user: User, fixed_company: Company | None = None, **kwargs: Any
    ) -> None:
        self.user = user
        # The company new rows are matched against, and its name as typed (for a new
        # company, None and the typed name); set before validating.
        self.company: Company | None = None
        self.company_name = ""
        # A known company (next round, editing): the pickers list only its people.
        super().__init__(*args, form_kwargs={"user": user, "company": fixed_company}, **kwargs)

    def live_forms(self) -> list[ParticipantForm]:
        """The rows that name someone and were not removed."""
        return [
            form
            for form in self.forms
            if not (self.can_delete and self._should_delete_form(form))
            and getattr(form, "cleaned_data", None)
            and (form.cleaned_data.get("contact") or form.cleaned_data.get("name"))
        ]

    def _person(self, data: dict[str, Any]) -> tuple[tuple[object, ...], str, str]:
        """(identity key, field to flag, name to show) for the person a row describes."""
        contact = data.get("contact")
        if contact is not None:
            return ("contact", contact.pk), "contact", contact.name
        name, email = " ".join(data["name"].split()), data.get("email") or ""
        match = selectors.contact_match(
            user=self.user, company=self.company, name=name, email=email
        )
        if match is not None:
            return ("contact", match.pk), ("email" if email else "name"), match.name
        return ("new", name.lower(), email.lower()), "name", name

    def clean(self) -> None:
        if any(self.errors):
            return
        for form in self.live_forms():
            # The picker only offers the company's people; a tampered choice is refused here.
            contact = form.cleaned_data.get("contact")
            if contact is not None and not _works_at(contact, self.company):
                form.add_error("contact", _not_at(self.company, self.company_name))
        if any(self.errors):
            return
        seen: dict[tuple[object, ...], int] = {}
        for number, form in enumerate(self.live_forms(), start=1):
            key, field, shown = self._person(form.cleaned_data)
            if key in seen:
                form.add_error(
                    field, f"{shown} is already in this interview (interviewer {seen[key]})."
                )
            else:
                seen[key] = number
        if not seen:
            raise ValidationError("Add at least one interviewer.", code="no_interviewers")
        if sum(1 for form in self.live_forms() if form.cleaned_data.get("is_main")) > 1:
            raise ValidationError("Mark only one person as the main contact.", code="two_mains")


# Three rows, so several interviewers can be logged without JavaScript; formset.js removes the
# surplus empty ones (its "Add an interviewer" button adds rows), and empty rows are ignored.
LOG_EXTRA_ROWS = 3
ParticipantFormSet = forms.formset_factory(
    ParticipantForm,
    formset=BaseParticipantFormSet,
    extra=LOG_EXTRA_ROWS,
    can_delete=True,
    max_num=30,
)
ParticipantEditFormSet = forms.formset_factory(
    ParticipantForm, formset=BaseParticipantFormSet, extra=0, can_delete=True, max_num=30
)
