"""Log an interview from its invitation: read the .ics, then open the log form filled in."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from followup.accounts.services import profile_for
from followup.rules.invitations import Invitation, InvitationError, invitations_in
from followup.rules.mail_domains import company_name_guess
from interviews.forms.invitation import InvitationForm, prefill_for
from interviews.models import Contact
from messaging.reply_addresses import inbound_address
from messaging.webhooks.invitations import (
    forwarded_invitation_data,
    forwarded_invitation_used,
    forwarded_invitations,
)

# Where the chosen invitation waits for the log form (one request later), and the choices.
SESSION_PREFILL = "invitation_prefill"
SESSION_CHOICES = "invitation_choices"


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    """Dates and times as the form's inputs write them, so the session can hold them."""
    return {
        key: value.isoformat(timespec="minutes")
        if isinstance(value, dt.time)
        else value.isoformat()
        if isinstance(value, dt.date)
        else value
        for key, value in values.items()
    }


def _stored(invitation: Invitation) -> dict[str, Any]:
    initial, rows = prefill_for(invitation)
    when = invitation.starts_at
    return {
        "label": f"{invitation.subject or 'Untitled'}: {when:%a %-d %b %Y, %H:%M} "
        f"({invitation.time_zone})",
        "initial": _plain(initial),
        "rows": rows,
        "zone_assumed": invitation.zone_assumed,
        "recurring": invitation.recurring,
    }


def _to_log_form(request: HttpRequest, stored: dict[str, Any]) -> HttpResponse:
    request.session[SESSION_PREFILL] = stored
    request.session.pop(SESSION_CHOICES, None)
    url = reverse("interviews:log") + "?invitation=1"
    application = str(request.GET.get("application", ""))
    if application.isdigit() and len(application) <= 18:
        url += f"&application={application}"
    return redirect(url)


@login_required
@require_http_methods(["GET", "POST"])
def invitation_import(request: HttpRequest) -> HttpResponse:
    choices = request.session.get(SESSION_CHOICES) or []
    if request.method == "POST" and "forwarded" in request.POST:
        return _from_forwarded(request, str(request.POST["forwarded"]))
    if request.method == "POST" and "choice" in request.POST:
        choice = str(request.POST["choice"])
        if choice.isdigit() and int(choice) < len(choices):
            return _to_log_form(request, choices[int(choice)])
    form = InvitationForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    if request.method == "POST" and "choice" not in request.POST and form.is_valid():
        try:
            stored = _read(request, form.cleaned_data["content"])
        except InvitationError as exc:
            form.add_error(None, str(exc))
        else:
            if len(stored) == 1:
                return _to_log_form(request, stored[0])
            request.session[SESSION_CHOICES] = stored
            choices = stored
    elif request.method == "GET":
        request.session.pop(SESSION_CHOICES, None)
        choices = []
    failed = request.method == "POST" and (form.errors or "choice" in request.POST)
    return _page(request, form, choices, status=400 if failed else 200)


def _page(
    request: HttpRequest, form: InvitationForm, choices: list, *, status: int = 200, error: str = ""
) -> HttpResponse:
    return render(
        request,
        "interviews/invitation_import.html",
        {
            "form": form,
            "choices": choices,
            "forwarded": forwarded_invitations(user=request.user),
            "inbound_address": inbound_address(),
            "error": error,
        },
        status=status,
    )


def _read(request: HttpRequest, content: bytes) -> list[dict[str, Any]]:
    """The invitations in a calendar file, stored for the session (InvitationError if none)."""
    found = invitations_in(
        content,
        own_addresses={request.user.email},
        user_zone=profile_for(user=request.user).time_zone,
        now=timezone.now(),
    )
    return [_known_people(request.user, _stored(invitation)) for invitation in found]


def _known_people(user: Any, stored: dict[str, Any]) -> dict[str, Any]:
    """People already in the user's contacts are picked, not typed again; the company is the
    one they work at, else a guess from the organizer's business address."""
    initial, rows = stored["initial"], stored["rows"]
    addresses = {row["email"].lower() for row in rows} | {initial.get("main_email", "").lower()} - {
        ""
    }
    known = {
        contact.email.lower(): contact
        for contact in Contact.objects.filter(user=user, email__in=list(addresses))
        .select_related("company")
        .order_by("pk")
    }
    for row in rows:
        contact = known.get(row["email"].lower())
        if contact is not None:
            row["contact"] = contact.pk
    organizer = known.get(initial.get("main_email", "").lower())
    if organizer is not None:
        initial["main_contact"] = organizer.pk
        for key in ("main_name", "main_email", "main_kind"):
            initial.pop(key, None)
    company = next((c.company.name for c in known.values()), "")
    emails = [initial.get("main_email", "")] + [row["email"] for row in rows]
    company = company or next((g for g in map(company_name_guess, emails) if g), "")
    if company:
        initial.setdefault("company", company)
    return stored


def _from_forwarded(request: HttpRequest, pk: str) -> HttpResponse:
    """An invitation the user forwarded to Followup: read it like an upload, once."""
    inbound = None
    if pk.isdigit() and len(pk) <= 18:
        inbound = next(
            (i for i in forwarded_invitations(user=request.user) if i.pk == int(pk)), None
        )
    form = InvitationForm()
    if inbound is None:
        return _page(
            request, form, [], status=400, error="That forwarded invitation is no longer here."
        )
    try:
        stored = _read(request, forwarded_invitation_data(inbound))
    except InvitationError as exc:
        return _page(request, form, [], status=400, error=str(exc))
    forwarded_invitation_used(inbound)
    if len(stored) == 1:
        return _to_log_form(request, stored[0])
    request.session[SESSION_CHOICES] = stored
    return _page(request, form, stored)


def prefill_from_session(request: HttpRequest) -> dict[str, Any] | None:
    """The invitation the import page chose, once (the log form's GET takes it)."""
    if request.GET.get("invitation") != "1":
        return None
    stored = request.session.pop(SESSION_PREFILL, None)
    return stored if isinstance(stored, dict) else None
