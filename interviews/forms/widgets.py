"""Inputs and fields several interviews forms share: date and time boxes, contact pickers."""

from __future__ import annotations

from typing import Any

from django import forms

from interviews.models import Contact


def date_input() -> forms.DateInput:
    """The browser's date picker, reading and showing ISO dates."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def time_input() -> forms.TimeInput:
    """The browser's time picker, reading and showing hours and minutes."""
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def listed(list_id: str, **attrs: str) -> forms.TextInput:
    """A text box that suggests the values of a <datalist> but accepts anything."""
    return forms.TextInput(attrs={"list": list_id, "autocomplete": "off", **attrs})


class ContactSelect(forms.Select):
    """A contact picker whose options carry their company, so the page can filter them."""

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        contact = getattr(option["value"], "instance", None)
        if contact is not None:
            option["attrs"]["data-company"] = contact.company.name.lower()
        return option


class ContactChoiceField(forms.ModelChoiceField):
    """A choice of the user's contacts, each shown with their job title and company."""

    widget = ContactSelect

    def label_from_instance(self, obj: Contact) -> str:
        extra = ", ".join(part for part in (obj.title, obj.company.name) if part)
        return f"{obj.name} — {extra}" if extra else obj.name
