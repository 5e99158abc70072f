"""The Contacts page: everyone across applications, searchable; a card or all as vCard; merging."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods

from followup.owned import get_owned_or_404
from interviews.models import Contact
from messaging.account_data import contacts_vcard
from messaging.contact_selectors import contact_directory
from messaging.services.contact_merge import contacts_merge, merge_candidates


@login_required
@require_GET
def contact_list(request: HttpRequest) -> HttpResponse:
    query = str(request.GET.get("q", ""))[:200]
    page, rows = contact_directory(
        user=request.user, query=query, page_number=request.GET.get("page", 1)
    )
    return render(
        request, "interviews/contact_list.html", {"page": page, "rows": rows, "query": query}
    )


def _vcard_response(body: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/vcard; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def contacts_vcard_all(request: HttpRequest) -> HttpResponse:
    return _vcard_response(contacts_vcard(user=request.user), "contacts.vcf")


@login_required
@require_GET
def contact_vcard(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_owned_or_404(Contact, user=request.user, pk=pk)
    body = contacts_vcard(user=request.user, contact_ids=[contact.pk])
    return _vcard_response(body, f"{slugify(contact.name) or 'contact'}.vcf")


@login_required
@require_http_methods(["GET", "POST"])
def contact_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Pick the duplicate entry (GET), merge it into this one (POST)."""
    keep = get_owned_or_404(Contact.objects.select_related("company"), user=request.user, pk=pk)
    candidates = merge_candidates(contact=keep)
    error = ""
    if request.method == "POST":
        other_id = str(request.POST.get("other", ""))
        if not other_id.isdigit() or len(other_id) > 18:
            error = "Choose the entry to merge into this one."
        else:
            other = Contact.objects.filter(user=request.user, pk=int(other_id)).first()
            if other is None:
                raise Http404("No such contact.")
            other_label = f"{other.name} ({other.email or 'no email'})"
            other_email = other.email
            try:
                kept = contacts_merge(keep=keep, other=other, user=request.user)
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                note = f"Merged {other_label} into {kept.name} ({kept.email or 'no email'})."
                if other_email and kept.email and other_email.lower() != kept.email.lower():
                    note += f" Emails now go to {kept.email}; {other_email} is no longer used."
                messages.success(request, note)
                return redirect(kept)
    return render(
        request,
        "interviews/contact_merge.html",
        {"contact": keep, "candidates": candidates, "error": error},
        status=400 if error else 200,
    )
