"""An invitation (.ics) as the "Log interview" form's starting values, and the upload form."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from followup.rules.invitations import MAX_BYTES, Invitation, Person
from interviews.models import Contact, Interview

_URL = re.compile(r"^https?://", re.IGNORECASE)


class InvitationForm(forms.Form):
    """Upload the .ics file, or paste its text (what "Show original" gives in a mail client)."""

    file = forms.FileField(label="Invitation file (.ics)", required=False)
    text = forms.CharField(
        label="Or paste the invitation",
        required=False,
        max_length=MAX_BYTES,
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "BEGIN:VCALENDAR …"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_BYTES:
                raise ValidationError("This file is too large to be an invitation (over 1 MB).")
            data["content"] = upload.read()
        elif data.get("text", "").strip():
            data["content"] = data["text"].encode("utf-8", "surrogateescape")
        else:
            raise ValidationError("Choose the invitation file, or paste its text.")
        return data


def _name(person: Person) -> str:
    """A name to start from: the calendar's, else one read from the address ("dana.lee")."""
    if person.name:
        return person.name
    local = person.email.split("@", 1)[0]
    parts = [part for part in re.split(r"[._-]+", local) if part.isalpha()]
    return " ".join(part.capitalize() for part in parts) or person.email


def prefill_for(invitation: Invitation) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The log form's initial values and one interviewer row per attendee."""
    starts, ends = invitation.starts_at, invitation.ends_at
    link = invitation.video_link
    place = invitation.location if not _URL.match(invitation.location) else ""
    if link:
        kind = Interview.Format.VIDEO
    elif place:
        kind = Interview.Format.IN_PERSON
    else:
        kind = Interview.Format.VIDEO
    initial: dict[str, Any] = {
        "date": starts.date(),
        "start_time": starts.time().replace(second=0, microsecond=0),
        "end_time": ends.time().replace(second=0, microsecond=0),
        "time_zone": invitation.time_zone,
        "format": kind,
        "location": (link or place)[:500],
        "notes": invitation.notes,
        "scheduling_subject": invitation.subject[:300],
        # Google's UIDs are addresses ("…@google.com"), usable as a thread id; others are not.
        "scheduling_message_id": f"<{invitation.uid}>" if "@" in invitation.uid else "",
    }
    if invitation.organizer is not None:
        initial |= {
            "main_name": _name(invitation.organizer),
            "main_email": invitation.organizer.email,
            "main_kind": Contact.Kind.COORDINATOR,
        }
    rows = [
        {"name": _name(person), "email": person.email, "kind": Contact.Kind.INTERVIEWER}
        for person in invitation.attendees
    ]
    return initial, rows
