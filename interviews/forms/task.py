"""The user's own task: what, by when, and for which application if any."""

from __future__ import annotations

from django import forms

from followup.accounts.models import User
from interviews.forms.widgets import date_input
from interviews.models import Application


class TaskForm(forms.Form):
    title = forms.CharField(label="Task", max_length=200)
    due_on = forms.DateField(label="Due", widget=date_input())
    application = forms.ModelChoiceField(
        queryset=Application.objects.none(),
        required=False,
        empty_label="Not about one application",
    )
    detail = forms.CharField(
        label="Notes", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = (
            Application.objects.filter(user=user)
            .exclude(stage__in=Application.ENDED_STAGES)
            .select_related("company")
            .order_by("company__name", "role")
        )
        self.fields["application"].label_from_instance = lambda app: (
            f"{app.company.name}: {app.role}"
        )
