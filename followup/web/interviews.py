"""Pages of the interviews app: each loads its rows and calls one domain function."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from followup.accounts.validators import available_time_zones
from followup.owned import get_owned_or_404
from followup.web.decision_dates import decision_preview_for_form
from followup.web.invitations import prefill_from_session
from interviews import selectors, task_selectors
from interviews.forms.application import ApplicationForm, CompanyRenameForm
from interviews.forms.contact import ContactForm
from interviews.forms.interview import InterviewForms
from interviews.models import Application, Company, Contact, Interview
from interviews.services import applications
from messaging import application_selectors, dashboard_selectors
from messaging.services import facts

DASHBOARD_PAGE_SIZE = 25


def _log_form_context(forms: InterviewForms, *, user: object, **extra: object) -> dict:
    """What the log/edit template needs besides the forms: the suggestion lists."""
    return {
        "form": forms.form,
        "formset": forms.formset,
        "company_names": selectors.company_names(user=user),
        "roles_by_company": selectors.open_roles_by_company(user=user),
        "time_zones": sorted(available_time_zones()),
        "decision_preview": decision_preview_for_form(forms.form, user=user),
        "date_to_confirm": forms.date_offered,
        **extra,
    }


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", selectors.SHOW_ACTIVE)
    if show not in selectors.DASHBOARD_FILTERS:
        show = selectors.SHOW_ACTIVE
    # A long search pages: the page reads as many rows at 1,000 applications as at 10.
    page = Paginator(
        application_selectors.with_next_message(
            selectors.application_list(user=request.user, show=show)
        ),
        DASHBOARD_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "interviews/dashboard.html",
        {
            "applications": page.object_list,
            "page": page,
            "counts": selectors.application_counts(user=request.user),
            "show": show,
            "board": dashboard_selectors.dashboard_for(user=request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def interview_log(request: HttpRequest) -> HttpResponse:
    application = None
    # "Log the next round" links pass the application (?application=); the form sends it back
    # in a hidden field, and the new round is attached to exactly that application.
    application_id = str(request.POST.get("application") or request.GET.get("application", ""))
    if application_id.isdigit() and len(application_id) <= 18:
        application = get_owned_or_404(
            Application.objects.select_related("company"), user=request.user, pk=int(application_id)
        )
    if request.method == "POST":
        forms = InterviewForms(request.POST, user=request.user, application=application)
        if forms.is_valid():
            try:
                interview = facts.interview_log(**forms.service_kwargs())
            except ValidationError as exc:
                forms.add_error(exc)
            else:
                messages.success(request, "Interview logged.")
                return redirect(interview.application)
    else:
        prefill = prefill_from_session(request)
        forms = InterviewForms(user=request.user, application=application, prefill=prefill)
        if prefill:
            messages.info(
                request,
                "Filled in from the invitation: check it, add what you discussed with each "
                "person, then log it."
                + (
                    " The invitation gave no time zone we could name, so its times are read "
                    "in yours: check them."
                    if prefill.get("zone_assumed")
                    else ""
                ),
            )
    return render(
        request,
        "interviews/interview_form.html",
        _log_form_context(forms, user=request.user, interview=None, application=application),
    )


@login_required
@require_http_methods(["GET", "POST"])
def interview_edit(request: HttpRequest, pk: int) -> HttpResponse:
    interview = get_owned_or_404(
        Interview.objects.select_related("application__company"),
        user=request.user,
        owner_field="application__user",
        pk=pk,
    )
    if request.method == "POST":
        forms = InterviewForms(request.POST, user=request.user, interview=interview)
        if forms.is_valid():
            try:
                facts.interview_update(interview=interview, **forms.service_kwargs())
            except ValidationError as exc:
                forms.add_error(exc)
            else:
                messages.success(request, "Interview saved.")
                return redirect(interview.application)
    else:
        forms = InterviewForms(user=request.user, interview=interview)
    return render(
        request,
        "interviews/interview_form.html",
        _log_form_context(
            forms, user=request.user, interview=interview, application=interview.application
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def interview_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; only a POST deletes."""
    interview = get_owned_or_404(
        Interview.objects.select_related("application__company"),
        user=request.user,
        owner_field="application__user",
        pk=pk,
    )
    if request.method == "POST":
        application = facts.interview_delete(interview=interview, user=request.user)
        messages.success(request, "Interview deleted.")
        return redirect(application)
    return render(
        request,
        "interviews/confirm_delete.html",
        {
            "object_label": str(interview),
            "what": "interview",
            "consequences": "Its interviewers stay in your contacts.",
            "cancelled": application_selectors.pending_message_counts(interview=interview),
            "cancel_url": interview.application.get_absolute_url(),
        },
    )


@login_required
@require_GET
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_owned_or_404(
        Application.objects.select_related("company", "main_contact"), user=request.user, pk=pk
    )
    # A long history is paged, newest first ("Older" / "Newer"): the page costs the same with
    # ten entries as with a thousand.
    timeline = Paginator(
        selectors.application_timeline(application=application), TIMELINE_PAGE_SIZE
    ).get_page(request.GET.get("timeline"))
    return render(
        request,
        "interviews/application_detail.html",
        {
            "application": application,
            "interviews": selectors.application_interviews(application=application),
            "contacts": selectors.application_contacts(application=application),
            "timeline": timeline,
            "timeline_newer": _page_link(request, "timeline", timeline, -1),
            "timeline_older": _page_link(request, "timeline", timeline, +1),
            "tasks": task_selectors.application_tasks(application_id=application.pk),
        },
    )


# Timeline entries on one page of the application page.
TIMELINE_PAGE_SIZE = 20


def _page_link(request: HttpRequest, key: str, page: Page, step: int) -> str:
    """The address of the page `step` away (?<key>=n, other parameters kept); "" at an end."""
    number = page.number + step
    if not 1 <= number <= page.paginator.num_pages:
        return ""
    query = request.GET.copy()
    query[key] = str(number)
    return f"?{query.urlencode()}#{key}"


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_owned_or_404(
        Application.objects.select_related("company"), user=request.user, pk=pk
    )
    if request.method == "POST":
        form = ApplicationForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                facts.application_update(
                    application=application, user=request.user, **form.service_kwargs()
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Application saved.")
                return redirect(application)
    else:
        form = ApplicationForm(user=request.user, initial=ApplicationForm.initial_for(application))
    return render(
        request,
        "interviews/application_form.html",
        {
            "form": form,
            "application": application,
            "company_names": selectors.company_names(user=request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; only a POST deletes."""
    application = get_owned_or_404(
        Application.objects.select_related("company"), user=request.user, pk=pk
    )
    if request.method == "POST":
        applications.application_delete(application=application, user=request.user)
        messages.success(request, f"Deleted the application for {application.role}.")
        return redirect("interviews:dashboard")
    return render(
        request,
        "interviews/confirm_delete.html",
        {
            "object_label": str(application),
            "what": "application",
            "consequences": (
                "Its interviews, its messages (drafts included) and its timeline go too. "
                "The company and its contacts stay."
            ),
            "cancelled": application_selectors.pending_message_counts(application=application),
            "cancel_url": application.get_absolute_url(),
        },
    )


@login_required
@require_GET
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_owned_or_404(Contact.objects.select_related("company"), user=request.user, pk=pk)
    return render(
        request,
        "interviews/contact_detail.html",
        {
            "contact": contact,
            "participations": selectors.contact_participations(contact=contact),
            "main_for": selectors.contact_applications_as_main(contact=contact),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_owned_or_404(Contact.objects.select_related("company"), user=request.user, pk=pk)
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid():
            try:
                facts.contact_update(
                    contact=contact, user=request.user, details=form.contact_details()
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Contact saved.")
                return redirect("interviews:contact", pk=contact.pk)
    else:
        form = ContactForm(initial=ContactForm.initial_for(contact))
    return render(request, "interviews/contact_form.html", {"form": form, "contact": contact})


@login_required
@require_http_methods(["GET", "POST"])
def contact_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; only a POST deletes."""
    contact = get_owned_or_404(Contact.objects.select_related("company"), user=request.user, pk=pk)
    if request.method == "POST":
        facts.contact_delete(contact=contact, user=request.user)
        messages.success(request, f"Deleted {contact.name}.")
        return redirect("interviews:company", pk=contact.company_id)
    return render(
        request,
        "interviews/confirm_delete.html",
        {
            "object_label": str(contact),
            "what": "contact",
            "consequences": (
                "They are removed from the interviews they were in, and no longer the main "
                "contact of any application."
            ),
            "cancelled": application_selectors.pending_message_counts(contact=contact),
            "check_ins_after": [
                (
                    application,
                    application_selectors.check_in_fallback(
                        application=application, without=contact
                    ),
                )
                for application in selectors.contact_applications_as_main(contact=contact)
                if not application.has_ended
            ],
            "cancel_url": contact.get_absolute_url(),
        },
    )


@login_required
@require_GET
def company_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "interviews/company_list.html",
        {"companies": selectors.company_list(user=request.user)},
    )


@login_required
@require_GET
def company_detail(request: HttpRequest, pk: int) -> HttpResponse:
    company = get_owned_or_404(Company, user=request.user, pk=pk)
    return render(
        request,
        "interviews/company_detail.html",
        {
            "company": company,
            "applications": company.applications.order_by("-last_activity_at"),
            "contacts": company.contacts.order_by("name"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def company_rename(request: HttpRequest, pk: int) -> HttpResponse:
    company = get_owned_or_404(Company, user=request.user, pk=pk)
    if request.method == "POST":
        form = CompanyRenameForm(request.POST)
        if form.is_valid():
            try:
                facts.company_rename(
                    company=company, user=request.user, name=form.cleaned_data["name"]
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(request, "Company renamed.")
                return redirect(company)
    else:
        form = CompanyRenameForm(initial={"name": company.name})
    return render(request, "interviews/company_form.html", {"form": form, "company": company})
