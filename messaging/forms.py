"""Forms of the messaging app: editing a draft, approving, skipping, and logging what happened."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

# A due time typed a little before "now" still means "as soon as possible", not an error:
# the same grace approval gives a due time (one constant, kept in dispatch).
from followup.rules.limits import PAST_DUE_GRACE
from interviews.models import Contact
from messaging.models import Message

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
# How far ahead a user may schedule a message: a year (and a day, for "same date next year").
MAX_AHEAD = dt.timedelta(days=366)
# The most text a message body may hold: a long email is a few thousand characters.
MAX_BODY_CHARS = 20_000


def send_time_error(due_at: dt.datetime, *, now: dt.datetime) -> ValidationError | None:
    """Why a user-entered send time cannot be used (in the past, or over a year ahead), if so."""
    if due_at < now - PAST_DUE_GRACE:
        return ValidationError("Pick a time from now on.", code="past")
    if due_at > now + MAX_AHEAD:
        return ValidationError("Pick a time within the next year.", code="too_far")
    return None


def wall_time_to_utc(value: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """A naive date and time read on the user's wall clock, as a UTC instant; one for every form.

    A time the clocks skip (the spring-forward gap, e.g. 02:30 in Berlin on 31 March 2030) is
    refused with a field error rather than moved silently. A time the clocks show twice (the
    autumn's repeated hour, e.g. 02:30 in Berlin on 27 October 2030) means the first one,
    before the clocks go back: the earlier of the two, so a message is never later than meant.
    """
    if value.tzinfo is not None:
        raise ValueError("wall_time_to_utc takes a naive wall-clock time (WallDateTimeField).")
    aware = value.replace(tzinfo=zone, fold=0)  # fold=0: the first of a repeated time
    try:
        round_trip = aware.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None)
    except OverflowError:
        # At the very ends of the calendar (year 1 or 9999) it has no UTC instant at all.
        raise ValidationError("That date is out of range.", code="out_of_range") from None
    if round_trip != value:
        raise ValidationError(
            "That time does not exist in your time zone (the clocks change then).",
            code="no_such_time",
        )
    return aware.astimezone(dt.UTC)


class WallDateTimeField(forms.DateTimeField):
    """A date and time as typed, NAIVE: read in no zone, for wall_time_to_utc to place.

    Django's DateTimeField reads it in the active zone and refuses a skipped or repeated time
    with a vague message; the form converts in the user's own zone instead.
    """

    def to_python(self, value: Any) -> dt.datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=None)  # its wall-clock reading
        if isinstance(value, dt.date):
            return dt.datetime(value.year, value.month, value.day)
        # BaseTemporalField tries each input format and never applies a zone.
        return forms.fields.BaseTemporalField.to_python(self, value)


def _local_today(time_zone: str) -> dt.date:
    """Today's date where the user is."""
    return timezone.now().astimezone(zoneinfo.ZoneInfo(time_zone)).date()


class MessageEditForm(forms.Form):
    """The recipient, subject, text and send time of a message that has not gone out."""

    to_email = forms.EmailField(label="To", max_length=254)
    subject = forms.CharField(max_length=300)
    body_text = forms.CharField(
        label="Text",
        widget=forms.Textarea(attrs={"rows": 14}),
        strip=False,
        max_length=MAX_BODY_CHARS,
    )
    due_at = WallDateTimeField(
        label="Send at",
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )

    def __init__(self, *args: Any, message: Message, time_zone: str, **kwargs: Any) -> None:
        self.message = message
        self.zone = zoneinfo.ZoneInfo(time_zone)
        kwargs.setdefault(
            "initial",
            {
                "to_email": message.to_email,
                "subject": message.subject,
                "body_text": message.body_text,
                "due_at": message.due_at.astimezone(self.zone).replace(tzinfo=None)
                if message.due_at
                else None,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["due_at"].help_text = f"Your time zone: {time_zone}."

    def clean_subject(self) -> str:
        subject = self.cleaned_data["subject"].strip()
        if "\n" in subject or "\r" in subject:
            raise ValidationError("The subject must fit on one line.", code="subject_newline")
        return subject

    def clean_body_text(self) -> str:
        body = self.cleaned_data["body_text"].replace("\r\n", "\n")
        if not body.strip():
            raise ValidationError("The email needs some text.", code="empty_body")
        return body

    def clean_due_at(self) -> dt.datetime:
        due_at = wall_time_to_utc(self.cleaned_data["due_at"], self.zone)
        error = send_time_error(due_at, now=timezone.now())
        if error is not None:
            raise error
        return due_at


class ApproveForm(forms.Form):
    """Approve a message; the checkbox overrides a pestering block, nothing else."""

    override_pestering = forms.BooleanField(
        required=False, label="Send anyway: I know this is more often than advised"
    )


class SkipForm(forms.Form):
    """Skip a message, with the reason kept on the timeline."""

    reason = forms.CharField(max_length=300, required=False, label="Why skip it? (optional)")

    def clean_reason(self) -> str:
        return self.cleaned_data["reason"].strip() or "Skipped by you."


class ReplyForm(forms.Form):
    """What the company answered: a real reply, "no news yet", or an out-of-office message."""

    KIND_CHOICES = [
        ("reply", "They replied"),
        ("no_news", "They said no news yet"),
        ("out_of_office", "Out of office"),
    ]

    kind = forms.ChoiceField(choices=KIND_CHOICES)
    return_date = forms.DateField(
        required=False,
        label="Back on (optional)",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    detail = forms.CharField(
        max_length=1000,
        required=False,
        label="What they said (optional)",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, time_zone: str = "UTC", **kwargs: Any) -> None:
        self.time_zone = time_zone
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        return_date = data.get("return_date")
        if return_date and data.get("kind") != "out_of_office":
            data["return_date"] = None
        elif return_date and return_date < _local_today(self.time_zone):
            self.add_error("return_date", "That date has passed: leave it empty instead.")
        elif return_date and return_date > _local_today(self.time_zone) + MAX_AHEAD:
            self.add_error("return_date", "Pick a return date within the next year.")
        return data


class OutcomeForm(forms.Form):
    """A decision: an offer, a rejection, another offer, or you accepted elsewhere."""

    OUTCOME_CHOICES = [
        ("offer", "Offer received"),
        ("rejected", "Rejected"),
        ("accepted_elsewhere", "Accepted another offer"),
        ("other_offer", "Another offer: tell them my deadline"),
        ("accepted", "I accepted their offer"),
    ]

    outcome = forms.ChoiceField(choices=OUTCOME_CHOICES)
    deadline = forms.DateField(
        required=False,
        label="My deadline",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    at_once = forms.BooleanField(required=False, label="Send at once")

    def __init__(self, *args: Any, time_zone: str = "UTC", **kwargs: Any) -> None:
        self.time_zone = time_zone
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        outcome, deadline = data.get("outcome"), data.get("deadline")
        if outcome == "other_offer":
            if deadline is None:
                self.add_error("deadline", "Give the date you must answer the other offer by.")
            elif deadline < _local_today(self.time_zone):
                self.add_error("deadline", "That date has passed.")
            elif deadline > _local_today(self.time_zone) + MAX_AHEAD:
                # The deadline goes into the email they read: a date years away is a typo.
                self.add_error("deadline", "Pick a deadline within the next year: check the year.")
        else:
            data["deadline"] = None
        if outcome not in ("accepted_elsewhere", "other_offer"):
            data["at_once"] = False
        return data


class UndoOutcomeForm(forms.Form):
    """Take an outcome back: the open stage to return to, and the outcome it should have been."""

    STAGE_CHOICES = [
        ("interviewing", "Interviewing"),
        ("applied", "Applied, no interview yet"),
    ]
    THEN_CHOICES = [
        ("offer", "Offer received"),
        ("rejected", "Rejected"),
        ("accepted_elsewhere", "Accepted another offer"),
    ]

    stage = forms.ChoiceField(choices=STAGE_CHOICES, initial="interviewing", required=False)
    then = forms.ChoiceField(choices=THEN_CHOICES, required=False)

    def clean_stage(self) -> str:
        return self.cleaned_data.get("stage") or "interviewing"


class OwnEmailForm(forms.Form):
    """An email the user writes on an application: to one of its people, in its thread."""

    contact = forms.ModelChoiceField(queryset=None, label="To", empty_label=None)
    subject = forms.CharField(
        max_length=300,
        required=False,
        help_text="Leave it empty to reply in your last conversation with them.",
    )
    body = forms.CharField(
        label="Email", max_length=20000, widget=forms.Textarea(attrs={"rows": 12})
    )

    def __init__(self, *args: Any, recipients: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = Contact.objects.filter(pk__in=[c.pk for c in recipients])
        self.fields["contact"].label_from_instance = lambda c: f"{c.name} <{c.email}>"
