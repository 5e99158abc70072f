"""The Unmatched replies page: inbound emails no application matched, assigned or discarded."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from followup.owned import get_owned_or_404
from interviews.models import Application
from messaging.models import InboundEmail
from messaging.services.refusals import ActionRefused
from messaging.webhooks.unmatched import unmatched_assign, unmatched_discard, unmatched_for

PAGE_SIZE = 25
ASSIGNED = {
    "reply": "Taken as their reply: the automatic check-ins stop.",
    "out_of_office": "Taken as an out-of-office reply: the check-ins wait until they are back.",
    "automatic": "Assigned. It is an automatic email, so nothing changed.",
    "": "Assigned. Nothing changed.",
}


class AssignForm(forms.Form):
    """Which of the user's applications an unmatched email answers."""

    application = forms.ModelChoiceField(
        queryset=Application.objects.none(),
        empty_label="Choose an application",
        error_messages={
            "required": "Choose the application it answers.",
            "invalid_choice": "Choose one of your applications.",
        },
    )

    def __init__(self, *args: object, user: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["application"]
        field.queryset = (
            Application.objects.filter(user=user)
            .select_related("company")
            .order_by("-last_activity_at", "-pk")
        )
        field.label_from_instance = lambda a: f"{a.role} at {a.company.name}"


def _list_url() -> str:
    return reverse("messaging:unmatched")


@login_required
def unmatched(request: HttpRequest) -> HttpResponse:
    """The user's unmatched inbound emails, newest first, each with its assign form."""
    page = Paginator(unmatched_for(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    # The choices once for the page (one query), not once for each email's form.
    choices = list(AssignForm(user=request.user).fields["application"].choices)
    return render(request, "messaging/unmatched.html", {"page": page, "choices": choices})


@login_required
@require_POST
def unmatched_assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    inbound = get_owned_or_404(InboundEmail, user=request.user, pk=pk)
    form = AssignForm(request.POST, user=request.user)
    if not form.is_valid():
        for error in form.errors.get("application", []):
            messages.error(request, error)
        return HttpResponseRedirect(_list_url())
    application = form.cleaned_data["application"]
    try:
        kind = unmatched_assign(inbound_id=inbound.pk, application=application, user=request.user)
    except ActionRefused as refused:
        messages.error(request, str(refused))
        return HttpResponseRedirect(_list_url())
    messages.success(request, ASSIGNED.get(kind, ASSIGNED[""]))
    return HttpResponseRedirect(application.get_absolute_url())


@login_required
@require_POST
def unmatched_discard_view(request: HttpRequest, pk: int) -> HttpResponse:
    inbound = get_owned_or_404(InboundEmail, user=request.user, pk=pk)
    try:
        unmatched_discard(inbound_id=inbound.pk, user=request.user)
    except ActionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.info(request, "Discarded: it changes nothing.")
    return HttpResponseRedirect(_list_url())
