"""Forms of the approval queue; editing reuses messaging.forms.MessageEditForm."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from followup.rules.calendar import SenderCalendar
from messaging.forms import (
    DATETIME_LOCAL,
    MessageEditForm,
    WallDateTimeField,
    send_time_error,
    wall_time_to_utc,
)
from messaging.services.editing import SNOOZE_PRESETS, snooze_preset_time

# One POST of "approve all shown" carries at most this many ids (a page holds 100).
MAX_IDS = 500


class QueueEditForm(MessageEditForm):
    """The edit form, with each field re-checking the draft as the user types (htmx)."""

    def __init__(self, *args: Any, check_url: str, findings_target: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        live = {
            "hx-post": check_url,
            "hx-trigger": "keyup changed delay:500ms, change",
            "hx-target": findings_target,
            "hx-include": "closest form",
            "hx-swap": "innerHTML",
        }
        for name in ("to_email", "subject", "body_text", "due_at"):
            self.fields[name].widget.attrs.update(live)
        self.fields["body_text"].widget.attrs["rows"] = 12


class RetryForm(MessageEditForm):
    """Fix a failed message: recipient, subject and text; it goes again as soon as approved."""

    override_pestering = forms.BooleanField(
        required=False, label="Send anyway: I know this is more often than advised"
    )

    def __init__(self, *args: Any, interrupted: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["due_at"]
        if interrupted:
            # The send may have arrived (Message.outcome_unknown): the user checks first.
            self.fields["confirmed_not_delivered"] = forms.BooleanField(
                required=True,
                label="I checked: it did not arrive",
                error_messages={
                    "required": "Tick this once you know it did not arrive, so they do not "
                    "get it twice."
                },
            )


class SendAgainForm(forms.Form):
    """Send a message the mail service never confirmed again: it may arrive twice."""

    accept_second_copy = forms.BooleanField(
        required=True,
        label="I know they may get it twice: send it again",
        error_messages={
            "required": "Tick this to send it again: the first one may already have reached "
            "them, so they may get two copies."
        },
    )


class SnoozeForm(forms.Form):
    """Move a draft later: a preset, or a time of the user's choosing (their own clock)."""

    preset = forms.ChoiceField(choices=list(SNOOZE_PRESETS.items()), required=False)
    until = WallDateTimeField(
        required=False,
        label="Or pick a time",
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )

    def __init__(self, *args: Any, calendar: SenderCalendar, **kwargs: Any) -> None:
        self.calendar = calendar
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        now = timezone.now()
        if data.get("preset"):
            data["due_at"] = snooze_preset_time(
                preset=data["preset"], now=now, calendar=self.calendar
            )
        elif data.get("until"):
            # Read on the user's wall clock, as the edit form does (a DST-gap time is refused).
            try:
                due_at = wall_time_to_utc(data["until"], self.calendar.zone)
            except ValidationError as exc:
                self.add_error("until", exc)
            else:
                error = send_time_error(due_at, now=now)
                if error is not None:
                    self.add_error("until", error)
                else:
                    data["due_at"] = due_at
        elif not self.has_error("until"):
            raise ValidationError("Pick when it should come back.", code="missing")
        return data


class IdsForm(forms.Form):
    """The ids of the drafts shown on the page, for "approve all shown"."""

    confirmed = forms.BooleanField(required=False)

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.ids: list[int] = []
        if data is not None:
            # Anything that is not a whole number is dropped, never an error page.
            raw = data.getlist("ids") if hasattr(data, "getlist") else data.get("ids", [])
            # (more than 18 digits would overflow a bigint column).
            numbers = [int(v) for v in map(str, raw) if v.isdigit() and len(v) <= 18]
            self.ids = list(dict.fromkeys(numbers))[:MAX_IDS]
