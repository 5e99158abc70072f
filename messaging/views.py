"""Actions on an application's messages, and the outbox: each loads rows and calls one function."""

from __future__ import annotations

import nh3
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from followup.accounts.services import profile_for
from followup.owned import get_owned_or_404
from interviews.models import Application
from messaging.forms import OutcomeForm, OwnEmailForm, ReplyForm, UndoOutcomeForm
from messaging.models import Message, OutboxEmail
from messaging.services import holds, outcomes, own_emails, replies
from messaging.services.refusals import ActionRefused


def redirect_back(request: HttpRequest, *, default: str) -> HttpResponseRedirect:
    """Back to where the action was taken: a safe `next` (this site only), else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = default
    return HttpResponseRedirect(target)


def _back(request: HttpRequest, application: Application) -> HttpResponseRedirect:
    return redirect_back(request, default=f"{application.get_absolute_url()}#messages")


def _form_errors(request: HttpRequest, form) -> None:
    """A POST-only action's invalid form: its errors as flash messages."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


# Approving, unapproving, skipping and editing one message: messaging/queue_views.py (the
# application page's panel posts there with a `next` back to the page).


# -- the application's events ----------------------------------------------------------------------

REPLY_DONE = {
    "reply": "Noted: the automatic check-ins stop.",
    "no_news": "Noted: a short thank-you for the update is drafted, and the next check-in waits.",
    "out_of_office": "Noted: the check-ins wait until they are back.",
}

OUTCOME_DONE = {
    "offer": "Congratulations! The check-ins stop.",
    "rejected": (
        "Noted. A short close-out is drafted for your approval, and a stay-in-touch note for later."
    ),
    "accepted_elsewhere": (
        "Congratulations! Pending messages are cancelled and a withdrawal note is drafted "
        "for your approval."
    ),
    "other_offer": "A note telling them your deadline is drafted for your approval.",
    "accepted": "Congratulations! Nothing more goes out automatically.",
}


def _owned_application(request: HttpRequest, pk: int) -> Application:
    return get_owned_or_404(Application, user=request.user, pk=pk)


@login_required
@require_POST
def application_reply(request: HttpRequest, pk: int) -> HttpResponse:
    application = _owned_application(request, pk)
    form = ReplyForm(request.POST, time_zone=profile_for(user=request.user).time_zone)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(request, application)
    data = form.cleaned_data
    try:
        replies.application_reply(
            application=application,
            user=request.user,
            kind=data["kind"],
            detail=data["detail"],
            return_date=data["return_date"],
        )
    except ActionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, REPLY_DONE[data["kind"]])
    return _back(request, application)


@login_required
@require_POST
def application_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    application = _owned_application(request, pk)
    form = OutcomeForm(request.POST, time_zone=profile_for(user=request.user).time_zone)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(request, application)
    data = form.cleaned_data
    try:
        outcomes.application_outcome(
            application=application,
            outcome=data["outcome"],
            user=request.user,
            deadline=data["deadline"],
            at_once=data["at_once"],
        )
    except ActionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, OUTCOME_DONE[data["outcome"]])
    return _back(request, application)


@login_required
@require_POST
def application_pause(request: HttpRequest, pk: int) -> HttpResponse:
    application = _owned_application(request, pk)
    try:
        holds.application_pause(application=application, user=request.user)
    except ActionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.info(request, "Paused: nothing goes out until you resume.")
    return _back(request, application)


@login_required
@require_POST
def application_resume(request: HttpRequest, pk: int) -> HttpResponse:
    application = _owned_application(request, pk)
    holds.application_resume(application=application, user=request.user)
    messages.info(
        request, "Resumed: anything that fell due goes out at the next send-window start."
    )
    return _back(request, application)


# -- the local outbox (messaging.outbox keeps what the embedded default sends) ---------------


# Emails on one page of the outbox: the page costs about the same with ten kept as with
# a thousand.
OUTBOX_PAGE_SIZE = 25


@login_required
def outbox(request: HttpRequest) -> HttpResponse:
    """The user's emails kept by the local outbox backend, newest first."""
    rows = OutboxEmail.objects.filter(user=request.user).only("pk", "to", "subject", "created_at")
    page = Paginator(rows, OUTBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "messaging/outbox.html", {"page": page})


@login_required
def outbox_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One outbox email: headers, text, and the HTML sanitised in a sandboxed frame."""
    row = get_owned_or_404(OutboxEmail, user=request.user, pk=pk)
    # Sanitised (no scripts, styles or event handlers) and then shown in an iframe
    # sandbox without scripts: two fences around mail we wrote but still treat as data.
    safe_html = nh3.clean(row.body_html) if row.body_html else ""
    # The message it was sent for (same Message-ID), to link back to its application.
    sent_for = (
        Message.objects.filter(user=request.user, message_id=row.message_id)
        .select_related("application__company")
        .first()
        if row.message_id
        else None
    )
    return render(
        request,
        "messaging/outbox_detail.html",
        {
            "row": row,
            "safe_html": safe_html,
            "reply_to": row.headers.get("Reply-To", ""),
            "sent_for": sent_for,
        },
    )


@login_required
@require_POST
def application_undo(request: HttpRequest, pk: int) -> HttpResponse:
    """Take the outcome back (to an open stage), or replace it with the right one."""
    application = _owned_application(request, pk)
    form = UndoOutcomeForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(request, application)
    then = form.cleaned_data["then"] or None
    try:
        outcomes.outcome_undo(
            application=application, user=request.user, stage=form.cleaned_data["stage"], then=then
        )
    except ActionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            OUTCOME_DONE[then]
            if then
            else "Taken back. What it stopped is planned again: check the drafts below.",
        )
    return _back(request, application)


@login_required
@require_http_methods(["GET", "POST"])
def application_write(request: HttpRequest, pk: int) -> HttpResponse:
    """Write an email by hand on an application; it joins the approval queue."""
    application = get_owned_or_404(
        Application.objects.select_related("company"), user=request.user, pk=pk
    )
    recipients = own_emails.own_email_recipients(application=application)
    form = OwnEmailForm(request.POST or None, recipients=recipients)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        subject = (
            data["subject"]
            or own_emails.own_email_thread(application=application, contact=data["contact"])[
                "subject"
            ]
        )
        try:
            message = own_emails.own_email_draft(
                application=application,
                user=request.user,
                contact=data["contact"],
                subject=subject,
                body=data["body"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, "Your email waits in the queue: read it over there and approve it."
            )
            return HttpResponseRedirect(f"{reverse('messaging:queue')}#message-{message.pk}")
    return render(
        request,
        "messaging/write.html",
        {"application": application, "form": form, "recipients": recipients},
        status=400 if request.method == "POST" else 200,
    )
