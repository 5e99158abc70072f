"""Forms of the interviews app: field mapping and validation only; saving is in services."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import dateformat, timezone

from followup.accounts.models import User
from followup.accounts.validators import validate_time_zone
from interviews import selectors
from interviews.models import Application, Company, Contact, Interview
from interviews.services.contacts import ContactDetails
from interviews.services.interviews import (
    DUPLICATE_INTERVIEW_ERROR,
    InterviewDetails,
    ParticipantInput,
)
from interviews.validation import (
    interview_details_errors,
    scheduling_message_id_error,
    scheduling_subject_error,
)

# The fields that describe a new person (as opposed to what was said with them).
PERSON_FIELDS = ("name", "honorific", "title", "email", "phone", "linkedin_url")
NOTE_FIELDS = ("discussed", "questions", "promised", "added_point")


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _listed(list_id: str, **attrs: str) -> forms.TextInput:
    """A text box that suggests the values of a <datalist> but accepts anything."""
    return forms.TextInput(attrs={"list": list_id, "autocomplete": "off", **attrs})


def local_datetime(day: dt.date, time: dt.time, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """The moment a wall time names in `zone`; a ValidationError if DST skips or repeats it."""
    naive = dt.datetime.combine(day, time)
    earlier = naive.replace(tzinfo=zone, fold=0)
    later = naive.replace(tzinfo=zone, fold=1)
    if earlier.utcoffset() == later.utcoffset():
        return earlier
    shown = f"{time:%H:%M} on {dateformat.format(day, 'j M Y')}"
    round_trip = earlier.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != naive:
        raise ValidationError(
            f"{shown} does not exist in {zone.key}: the clocks jump forward that night. "
            "Check the time in your calendar.",
            code="nonexistent_time",
        )
    raise ValidationError(
        f"{shown} happens twice in {zone.key}: the clocks go back that night. "
        "Enter the time in UTC instead (time zone “UTC”).",
        code="ambiguous_time",
    )


class ContactSelect(forms.Select):
    """A contact picker whose options carry their company, so the page can filter them."""

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        contact = getattr(option["value"], "instance", None)
        if contact is not None:
            option["attrs"]["data-company"] = contact.company.name.lower()
        return option


class ContactChoiceField(forms.ModelChoiceField):
    widget = ContactSelect

    def label_from_instance(self, obj: Contact) -> str:
        extra = ", ".join(part for part in (obj.title, obj.company.name) if part)
        return f"{obj.name} — {extra}" if extra else obj.name


class InterviewForm(forms.Form):
    """The interview's own fields; with `application` (editing) company and role are fixed."""

    company = forms.CharField(
        max_length=200,
        widget=_listed("company-options"),
        help_text="Pick one of yours or type a new name.",
    )
    role = forms.CharField(
        max_length=200,
        widget=_listed("role-options"),
        help_text="An open application with the same company and role gets this interview.",
    )
    job_url = forms.URLField(
        label="Job posting URL", max_length=500, required=False, assume_scheme="https"
    )
    round_number = forms.IntegerField(
        label="Round",
        min_value=1,
        max_value=50,
        required=False,
        help_text="Leave blank to number it after the earlier rounds.",
    )
    round_name = forms.CharField(
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "Phone screen, Technical, Final…"}),
    )
    date = forms.DateField(widget=_date_input())
    start_time = forms.TimeField(label="Started", widget=_time_input())
    end_time = forms.TimeField(label="Ended", widget=_time_input())
    time_zone = forms.CharField(
        max_length=64,
        validators=[validate_time_zone],
        widget=_listed("time-zone-options"),
        help_text="The zone the times above are in.",
    )
    format = forms.ChoiceField(
        choices=Interview.Format.choices,
        initial=Interview.Format.VIDEO,
        widget=forms.RadioSelect,
    )
    location = forms.CharField(label="Location or link", max_length=500, required=False)
    decision_date = forms.DateField(
        label="Decision expected by",
        required=False,
        widget=_date_input(),
        help_text="The date they said you would hear back, if they gave one.",
    )
    decision_words = forms.CharField(
        label="What they said",
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "“We'll let you know by Friday”"}),
    )
    another_round_expected = forms.BooleanField(label="Another round expected", required=False)
    next_step = forms.CharField(max_length=300, required=False)
    notes = forms.CharField(
        max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    scheduling_subject = forms.CharField(
        label="Scheduling email subject",
        max_length=300,
        required=False,
        help_text="Lets the thank-you reply in the same thread.",
    )
    scheduling_message_id = forms.CharField(
        label="Scheduling email Message-ID",
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "<CAF…@mail.example.com>"}),
    )
    main_contact = ContactChoiceField(
        queryset=Contact.objects.none(),
        required=False,
        label="Main contact from your contacts",
        empty_label="—",
    )
    main_name = forms.CharField(label="Or a new person: name", max_length=200, required=False)
    main_email = forms.EmailField(label="Their email", required=False)
    main_title = forms.CharField(label="Their job title", max_length=200, required=False)
    main_kind = forms.ChoiceField(
        label="Their role in the process",
        choices=[
            (Contact.Kind.RECRUITER, Contact.Kind.RECRUITER.label),
            (Contact.Kind.COORDINATOR, Contact.Kind.COORDINATOR.label),
        ],
        initial=Contact.Kind.RECRUITER,
        required=False,
    )

    def __init__(
        self, *args: Any, user: User, application: Application | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.application = application
        # With the application known, only its company's people can be its main contact.
        self.fields["main_contact"].queryset = selectors.contact_choices(
            user=user, company=application.company if application is not None else None
        )
        if application is not None:
            for name in ("company", "role", "job_url"):
                del self.fields[name]

    def clean_scheduling_subject(self) -> str:
        subject = self.cleaned_data["scheduling_subject"]
        if error := scheduling_subject_error(subject):
            raise ValidationError(error, code="subject_line_break")
        return subject

    def clean_scheduling_message_id(self) -> str:
        """The Message-ID as it goes in a header, <…@…>; a pasted "Message-ID:" label is dropped."""
        value = self.cleaned_data["scheduling_message_id"]
        value = re.sub(r"^message-id:\s*", "", value, flags=re.IGNORECASE)
        if error := scheduling_message_id_error(value):
            raise ValidationError(error, code="message_id")
        if not value:
            return ""
        value = f"<{value.strip('<>')}>"
        if len(value) > Interview._meta.get_field("scheduling_message_id").max_length:
            raise ValidationError(
                "That Message-ID is too long to be one: leave it empty.", code="message_id"
            )
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        zone_name = data.get("time_zone")
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if zone_name and day and start and end:
            zone = zoneinfo.ZoneInfo(zone_name)
            starts_at = ends_at = None
            try:
                starts_at = local_datetime(day, start, zone)
            except ValidationError as exc:
                self.add_error("start_time", exc)
            try:
                ends_at = local_datetime(day, end, zone)
            except ValidationError as exc:
                self.add_error("end_time", exc)
            if starts_at and ends_at:
                # The interview rules the services check too (interviews.validation); the
                # subject and Message-ID have their own clean_ methods above.
                errors = interview_details_errors(
                    starts_at=starts_at,
                    ends_at=ends_at,
                    time_zone=zone_name,
                    decision_date=data.get("decision_date"),
                )
                for field, message in errors.items():
                    self.add_error(field, message)
                if not errors:
                    data["starts_at"], data["ends_at"] = starts_at, ends_at
        if data.get("main_contact") and data.get("main_name"):
            self.add_error(
                "main_name", "Pick a main contact from the list or enter a new one, not both."
            )
        elif not data.get("main_name") and (data.get("main_email") or data.get("main_title")):
            self.add_error("main_name", "Enter this person's name too.")
        return data

    def matching_company(self) -> Company | None:
        """The existing company the interviewers belong to (None for a new one)."""
        if self.application is not None:
            return self.application.company
        name = (getattr(self, "cleaned_data", None) or {}).get("company") or ""
        return selectors.company_by_name(user=self.user, name=name)

    def interview_details(self) -> InterviewDetails:
        data = self.cleaned_data
        return InterviewDetails(
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            time_zone=data["time_zone"],
            round_number=data.get("round_number"),
            round_name=data["round_name"],
            format=data["format"],
            location=data["location"],
            decision_date=data.get("decision_date"),
            decision_words=data["decision_words"],
            another_round_expected=data["another_round_expected"],
            next_step=data["next_step"],
            notes=data["notes"],
            scheduling_subject=data["scheduling_subject"],
            scheduling_message_id=data["scheduling_message_id"],
        )

    def new_main_contact(self) -> ContactDetails | None:
        data = self.cleaned_data
        if not data.get("main_name"):
            return None
        return ContactDetails(
            name=data["main_name"],
            email=data.get("main_email") or "",
            title=data.get("main_title") or "",
            kind=data.get("main_kind") or Contact.Kind.RECRUITER,
        )


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


class InterviewForms:
    """The log/edit page's form and its interviewer formset, validated together."""

    prefix = "people"

    def __init__(
        self,
        data: Any = None,
        *,
        user: User,
        interview: Interview | None = None,
        application: Application | None = None,
    ) -> None:
        self.user = user
        self.interview = interview
        # Editing: the interview's application; "log the next round": the one it is for.
        fixed_application = interview.application if interview is not None else application
        self.application = fixed_application
        if interview is not None:
            form_initial, rows = self._initial_from_interview(interview)
            formset_class = ParticipantEditFormSet
        else:
            form_initial, rows = self._initial_for_new(application), []
            formset_class = ParticipantFormSet
        self.form = InterviewForm(
            data, user=user, application=fixed_application, initial=form_initial
        )
        self.formset = formset_class(
            data,
            user=user,
            fixed_company=fixed_application.company if fixed_application is not None else None,
            initial=rows,
            prefix=self.prefix,
        )

    def _initial_for_new(self, application: Application | None) -> dict[str, Any]:
        zone_name = getattr(getattr(self.user, "profile", None), "time_zone", "") or "UTC"
        initial: dict[str, Any] = {
            "time_zone": zone_name,
            "date": timezone.localdate(timezone=zoneinfo.ZoneInfo(zone_name)),
        }
        if application is not None:
            initial |= {
                "company": application.company.name,
                "role": application.role,
                "job_url": application.job_url,
                "round_number": selectors.next_round_number(application=application),
            }
        return initial

    @staticmethod
    def _initial_from_interview(
        interview: Interview,
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        zone = zoneinfo.ZoneInfo(interview.time_zone)
        starts, ends = interview.starts_at.astimezone(zone), interview.ends_at.astimezone(zone)
        initial: dict[str, Any] = {
            field: getattr(interview, field)
            for field in (
                "round_number",
                "round_name",
                "time_zone",
                "format",
                "location",
                "decision_date",
                "decision_words",
                "another_round_expected",
                "next_step",
                "notes",
                "scheduling_subject",
                "scheduling_message_id",
            )
        }
        initial |= {"date": starts.date(), "start_time": starts.time(), "end_time": ends.time()}
        main_id = interview.application.main_contact_id
        rows = []
        for participant in interview.participants.select_related("contact"):
            row = {field: getattr(participant, field) for field in NOTE_FIELDS}
            row |= {"contact": participant.contact_id, "is_main": participant.contact_id == main_id}
            rows.append(row)
        # A main contact who was not in this interview shows in the picker instead.
        if main_id and not any(row["is_main"] for row in rows):
            initial["main_contact"] = main_id
        return initial, rows

    def is_valid(self) -> bool:
        form_valid = self.form.is_valid()
        company = self.form.matching_company()
        typed = (getattr(self.form, "cleaned_data", None) or {}).get("company") or ""
        self.formset.company, self.formset.company_name = company, typed
        formset_valid = self.formset.is_valid()
        if not (form_valid and formset_valid):
            return False
        marked = any(form.cleaned_data.get("is_main") for form in self.formset.live_forms())
        data = self.form.cleaned_data
        if marked and (data.get("main_contact") or data.get("main_name")):
            self.form.add_error(
                "main_contact",
                "You marked an interviewer as the main contact and chose one here too: keep one.",
            )
            return False
        if self.interview is None and self._already_logged(company):
            self.form.add_error("date", DUPLICATE_INTERVIEW_ERROR)
            return False
        return True

    def _already_logged(self, company: Company | None) -> bool:
        """Whether the application this goes to already has an interview at this start."""
        data = self.form.cleaned_data
        if "starts_at" not in data:
            return False
        application = self.application or selectors.open_application(
            user=self.user, company=company, role=data.get("role") or ""
        )
        if application is None:
            return False
        existing = selectors.interview_at(application=application, starts_at=data["starts_at"])
        return existing is not None

    def service_kwargs(self) -> dict[str, Any]:
        """The keyword arguments interview_log / interview_update take, from valid data."""
        data = self.form.cleaned_data
        kwargs: dict[str, Any] = {
            "user": self.user,
            "details": self.form.interview_details(),
            "participants": [form.participant_input() for form in self.formset.live_forms()],
            "main_contact": data.get("main_contact"),
            "new_main_contact": self.form.new_main_contact(),
        }
        if self.interview is None and self.application is not None:
            kwargs["application"] = self.application
        elif self.interview is None:
            kwargs |= {
                "company_name": data["company"],
                "role": data["role"],
                "job_url": data.get("job_url") or "",
            }
        return kwargs

    def add_error(self, error: ValidationError) -> None:
        """Show a service's refusal on the form: on its field when it names one we have."""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.form.add_error(field if field in self.form.fields else None, errors)
        else:
            self.form.add_error(None, error)


class ApplicationForm(forms.Form):
    """An application's own fields."""

    company = forms.CharField(max_length=200, widget=_listed("company-options"))
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


class ContactForm(forms.Form):
    """A contact's details."""

    name = forms.CharField(max_length=200)
    honorific = ParticipantForm.base_fields["honorific"]
    title = forms.CharField(label="Job title", max_length=200, required=False)
    email = forms.EmailField(label="Business email", required=False)
    phone = forms.CharField(max_length=40, required=False)
    linkedin_url = forms.URLField(label="LinkedIn URL", required=False, assume_scheme="https")
    tone = ParticipantForm.base_fields["tone"]
    kind = ParticipantForm.base_fields["kind"]

    @staticmethod
    def initial_for(contact: Contact) -> dict[str, Any]:
        return {field: getattr(contact, field) for field in (*PERSON_FIELDS, "tone", "kind")}

    def contact_details(self) -> ContactDetails:
        data = self.cleaned_data
        return ContactDetails(**{field: data[field] for field in (*PERSON_FIELDS, "tone", "kind")})


class CompanyRenameForm(forms.Form):
    """A company's new name."""

    name = forms.CharField(
        max_length=200,
        help_text="Renames it for all its applications; its contacts stay with it.",
    )
