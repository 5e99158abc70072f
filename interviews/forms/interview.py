"""The log/edit interview page: the interview's own form and the bundle with its interviewers."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import dateformat, timezone

from followup.accounts.models import User
from followup.accounts.services import profile_for
from followup.accounts.validators import validate_time_zone
from followup.rules.greetings import tidy_name
from followup.rules.timing_words import TimingReading
from interviews import selectors
from interviews.decision_words import read_decision_words
from interviews.forms.participants import (
    NOTE_FIELDS,
    ParticipantEditFormSet,
    ParticipantFormSet,
)
from interviews.forms.widgets import ContactChoiceField, date_input, listed, time_input
from interviews.models import Application, Company, Contact, Interview
from interviews.services.contacts import ContactDetails
from interviews.services.interviews import DUPLICATE_INTERVIEW_ERROR, InterviewDetails
from interviews.validation import (
    interview_details_errors,
    scheduling_message_id_error,
    scheduling_subject_error,
)

# The interview's fields an edit form starts from as they are (date and times are converted).
_EDITED_AS_SAVED = (
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


class InterviewForm(forms.Form):
    """The interview's own fields; with `application` (editing) company and role are fixed."""

    company = forms.CharField(
        max_length=200,
        widget=listed("company-options"),
        help_text="Pick one of yours or type a new name.",
    )
    role = forms.CharField(
        max_length=200,
        widget=listed("role-options"),
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
    date = forms.DateField(widget=date_input())
    start_time = forms.TimeField(label="Started", widget=time_input())
    end_time = forms.TimeField(label="Ended", widget=time_input())
    time_zone = forms.CharField(
        max_length=64,
        validators=[validate_time_zone],
        widget=listed("time-zone-options"),
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
        widget=date_input(),
        help_text="The date they said you would hear back, if they gave one.",
    )
    decision_words = forms.CharField(
        label="What they said",
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "“We'll let you know by Friday”"}),
    )
    # The words the page last offered a date for: saving them again with the date left empty
    # keeps it empty (the user declined it; the default check-in applies).
    decision_words_checked = forms.CharField(
        max_length=300, required=False, widget=forms.HiddenInput
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
    # Greeted like an interviewer: the same honorific and tone fields (forms.participants).
    main_honorific = forms.CharField(
        label="Their honorific",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "Ms., Dr."}),
        help_text="Leave empty if you don't know it: no title is guessed.",
    )
    main_tone = forms.ChoiceField(
        label="How to greet them",
        choices=Contact.Tone.choices,
        initial=Contact.Tone.FORMAL,
        required=False,
    )
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
        # Words that read as a date the user has not seen yet: the page asks before saving.
        self.date_to_confirm: TimingReading | None = None
        # With the application known, only its company's people can be its main contact.
        self.fields["main_contact"].queryset = selectors.contact_choices(
            user=user, company=application.company if application is not None else None
        )
        if application is not None:
            for name in ("company", "role", "job_url"):
                del self.fields[name]

    def clean_main_name(self) -> str:
        return tidy_name(self.cleaned_data.get("main_name") or "")

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
        self._clean_moments(data)
        self._clean_new_main_contact(data)
        self._check_decision_words(data)
        return data

    def _check_decision_words(self, data: dict[str, Any]) -> None:
        """Words that read as a date, with no date given: never guessed silently.

        The date is offered for confirmation (InterviewForms.is_valid) unless the user was
        already offered it for these same words and left the date empty.
        """
        words = (data.get("decision_words") or "").strip()
        if not words or data.get("decision_date") or not data.get("date"):
            return
        if words == (data.get("decision_words_checked") or "").strip():
            return
        reading = read_decision_words(
            profile=profile_for(user=self.user), words=words, interview_day=data["date"]
        )
        if reading.read:
            self.date_to_confirm = reading

    def _clean_moments(self, data: dict[str, Any]) -> None:
        """Add starts_at and ends_at to `data` when date, times and zone make a valid interview."""
        zone_name = data.get("time_zone")
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if not (zone_name and day and start and end):
            return
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
        if not (starts_at and ends_at):
            return
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

    def _clean_new_main_contact(self, data: dict[str, Any]) -> None:
        """A main contact is picked or typed in, not both, and a typed one has a name."""
        if data.get("main_contact") and data.get("main_name"):
            self.add_error(
                "main_name", "Pick a main contact from the list or enter a new one, not both."
            )
        elif not data.get("main_name") and (
            data.get("main_email") or data.get("main_title") or data.get("main_honorific")
        ):
            self.add_error("main_name", "Enter this person's name too.")

    def matching_company(self) -> Company | None:
        """The existing company the interviewers belong to (None for a new one)."""
        if self.application is not None:
            return self.application.company
        name = (getattr(self, "cleaned_data", None) or {}).get("company") or ""
        return selectors.company_by_name(user=self.user, name=name)

    def interview_details(self) -> InterviewDetails:
        """The interview's fields as the services take them, from valid data."""
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
        """The typed-in main contact, if one was entered."""
        data = self.cleaned_data
        if not data.get("main_name"):
            return None
        return ContactDetails(
            name=data["main_name"],
            email=data.get("main_email") or "",
            title=data.get("main_title") or "",
            honorific=data.get("main_honorific") or "",
            tone=data.get("main_tone") or Contact.Tone.FORMAL,
            kind=data.get("main_kind") or Contact.Kind.RECRUITER,
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
        prefill: dict[str, Any] | None = None,
    ) -> None:
        self.user = user
        self.interview = interview
        # The date the decision words read as, when this page offers it for confirmation.
        self.date_offered: TimingReading | None = None
        # Editing: the interview's application; "log the next round": the one it is for.
        fixed_application = interview.application if interview is not None else application
        self.application = fixed_application
        if interview is not None:
            form_initial, rows = self._initial_from_interview(interview)
            formset_class = ParticipantEditFormSet
        else:
            form_initial, rows = self._initial_for_new(application), []
            formset_class = ParticipantFormSet
            if prefill:  # an invitation read by followup.web.invitations
                form_initial |= prefill.get("initial", {})
                rows = list(prefill.get("rows", []))
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
        """Today in the user's zone, and for a next round its application's company and role."""
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
        """The saved interview as the form's initial data and one row per interviewer."""
        zone = zoneinfo.ZoneInfo(interview.time_zone)
        starts, ends = interview.starts_at.astimezone(zone), interview.ends_at.astimezone(zone)
        initial: dict[str, Any] = {field: getattr(interview, field) for field in _EDITED_AS_SAVED}
        initial |= {"date": starts.date(), "start_time": starts.time(), "end_time": ends.time()}
        # Words saved with no date: the user was offered the date they read as and kept none
        # (the default check-in applies); editing again does not ask again for the same words.
        if interview.decision_words and interview.decision_date is None:
            initial["decision_words_checked"] = interview.decision_words
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
        if self.form.date_to_confirm is not None:
            self._offer_decision_date(self.form.date_to_confirm)
            return False
        return True

    def _offer_decision_date(self, reading: TimingReading) -> None:
        """Show the page again with the date the words read as filled in, not saved yet.

        Only here, with everything else valid, is the date offered (date_offered): a page
        shown again for another error says nothing about a date it did not fill in.
        """
        self.date_offered = reading
        data = self.form.data.copy()
        data["decision_date"] = reading.day.isoformat() if reading.day else ""
        data["decision_words_checked"] = reading.words.strip()
        self.form.data = data

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
