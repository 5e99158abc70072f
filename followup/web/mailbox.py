"""The own-mailbox section of the profile: its settings, "Test connection", forgetting the password.

Every action works with and without JavaScript: with htmx the test answers with its result
to swap in; without, each POST redirects back to the profile with a message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from followup.accounts import throttle
from followup.accounts.mailbox_forms import MailboxForm
from followup.accounts.mailboxes import mailbox_forget_password, mailbox_of, mailbox_save
from followup.accounts.models import Mailbox, User
from followup.accounts.secrets import can_keep_secrets
from messaging.mailbox import mailbox_check

# Each test opens two connections to a server the user named: a few a minute is plenty for
# a person, and too few to use this server to scan anyone's ports.
TEST_PER_USER = throttle.Limit("mailbox-test-user", 10, 10 * 60)
PROFILE_SECTION = "#own-mailbox"


def mailbox_context(*, user: User, form: MailboxForm | None = None) -> dict[str, Any]:
    """What the profile page's own-mailbox section shows."""
    mailbox = mailbox_of(user=user)
    return {
        "mailbox": mailbox,
        "mailbox_form": form or MailboxForm(instance=mailbox or Mailbox(user=user)),
        "mailbox_possible": can_keep_secrets(),
    }


def _back() -> HttpResponse:
    return redirect(reverse("accounts:profile") + PROFILE_SECTION)


@sensitive_post_parameters("password")
@login_required
@require_http_methods(["GET", "POST"])
def mailbox_settings(request: HttpRequest) -> HttpResponse:
    """Save the mailbox settings; the form with its errors on a page of its own when invalid."""
    user = request.user
    if request.method == "GET":
        return _back()
    mailbox = mailbox_of(user=user) or Mailbox(user=user)
    form = MailboxForm(request.POST, instance=mailbox)
    if form.is_valid():
        saved = mailbox_save(
            user=user, changes=form.mailbox_changes(), password=form.cleaned_data["password"]
        )
        if saved.enabled:
            messages.success(
                request, "Your mailbox is saved. Test the connection to be sure it works."
            )
        else:
            messages.success(
                request, "Your mailbox is saved, and switched off: Followup sends as before."
            )
        return _back()
    return render(
        request,
        "accounts/mailbox.html",
        mailbox_context(user=user, form=form),
        status=400,
    )


@login_required
@require_POST
def mailbox_test(request: HttpRequest) -> HttpResponse:
    """Try to log in to the saved SMTP and IMAP servers and say what worked, or what failed."""
    user = request.user
    mailbox = mailbox_of(user=user)
    if mailbox is None or not mailbox.has_password:
        results = None
        problem = "Save your mailbox with its app password first, then test it."
    elif blocked := throttle.throttled(TEST_PER_USER, str(user.pk)):
        results = None
        problem = f"Too many tests in a row: try again in {blocked.minutes} minutes."
    else:
        throttle.count(TEST_PER_USER, str(user.pk))
        results, problem = mailbox_check(mailbox), ""
    if request.htmx:
        return render(
            request, "accounts/_mailbox_test.html", {"results": results, "problem": problem}
        )
    if problem:
        messages.warning(request, problem)
    for result in results or []:
        level = messages.success if result.ok else messages.error
        level(request, f"{result.what}: {result.detail}")
    return _back()


@login_required
@require_POST
def mailbox_forget(request: HttpRequest) -> HttpResponse:
    """Delete the stored app password: nothing is sent or read through the mailbox any more."""
    if mailbox_forget_password(user=request.user):
        messages.success(
            request,
            "Your app password is deleted. Followup sends as before until you enter one again; "
            "you can also revoke it in your mail account.",
        )
    else:
        messages.info(request, "No app password was stored.")
    return _back()
