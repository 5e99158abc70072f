"""Beside each note of the log form: the sentence the email will make of it (issue 9).

Live as the user types (htmx POST of the whole form, debounced); the rules are in
followup.rules.phrasing, shared with the email templates, so the preview is what the draft says.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from followup.accounts.dictionary import dictionary_words
from followup.rules.phrasing import FIELD_KINDS, note_preview
from interviews.models import Application, Contact
from messaging.drafting.rendering import LINK_PLACEHOLDER

_MAX_NOTE = 2000  # as the form's longest note field
_MAX_NAME = 200


def _digits(value: object) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) <= 18 else None


def _company(request: HttpRequest, data: QueryDict) -> str:
    """The application's company (?application=), else the company typed on the form."""
    application_id = _digits(request.GET.get("application"))
    if application_id is not None:
        application = (
            Application.objects.filter(user=request.user, pk=application_id)
            .select_related("company")
            .first()
        )
        if application is not None:
            return application.company.name
    return str(data.get("company", "")).strip()[:_MAX_NAME]


def _recipient(request: HttpRequest, data: QueryDict, *, row: str) -> tuple[str, str]:
    """The row's person (a contact picked, else the name typed) and their company's name."""
    contact_id = _digits(data.get(f"{row}-contact"))
    if contact_id is not None:
        contact = (
            Contact.objects.filter(user=request.user, pk=contact_id)
            .select_related("company")
            .first()
        )
        if contact is not None:
            return contact.name, contact.company.name if contact.company_id else ""
    return str(data.get(f"{row}-name", "")).strip()[:_MAX_NAME], ""


@login_required
@require_http_methods(["GET", "POST"])
def note_preview_view(request: HttpRequest) -> HttpResponse:
    """The preview of the note named by `preview` ("participants-0-discussed")."""
    data = request.POST if request.method == "POST" else request.GET
    field = str(data.get("preview", ""))[:100]
    row, _, name = field.rpartition("-")
    kind = FIELD_KINDS.get(name)
    if kind is None or not row:
        return render(request, "interviews/_note_preview.html", {"preview": None})
    company = _company(request, data)
    recipient, recipient_company = _recipient(request, data, row=row)
    preview = note_preview(
        str(data.get(field, ""))[:_MAX_NOTE],
        kind=kind,
        company=company,
        recipient_name=recipient,
        # As the draft decides it: anyone not at another company works there, and with no
        # company typed yet there is no name to use instead of "your".
        recipient_at_company=not company
        or not recipient_company
        or recipient_company.casefold() == company.casefold(),
        link=LINK_PLACEHOLDER,
        known_words=dictionary_words(user=request.user),
    )
    return render(request, "interviews/_note_preview.html", {"preview": preview})
