"""Views of accounts: sign-up, log-in, passwords, the profile page, export and deletion."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from followup.accounts import throttle
from followup.accounts.forms import (
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    ProfileForm,
    SetPasswordForm,
    SignupForm,
)
from followup.accounts.services import account_signup, profile_for
from followup.accounts.verification import (
    email_verify,
    needs_verification,
    verification_email_send,
    verification_required,
)
from followup.web.mailbox import mailbox_context
from messaging.account_data import account_delete, account_export, contacts_vcard
from messaging.services.facts import profile_update


def too_many(
    request: HttpRequest, throttled: throttle.Throttled, *, what: str, advice: str = ""
) -> HttpResponse:
    """The page of a limit reached: what, and when to try again (429, with Retry-After)."""
    response = render(
        request,
        "accounts/throttled.html",
        {"what": what, "minutes": throttled.minutes, "advice": advice},
        status=429,
    )
    response["Retry-After"] = str(throttled.retry_after)
    return response


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: Mapping[str, object] | None = None,
) -> HttpResponse:
    """django-axes' AXES_LOCKOUT_CALLABLE: too many failed log-ins for this address here."""
    cool_off = getattr(settings, "AXES_COOLOFF_TIME", None)
    if isinstance(cool_off, dt.timedelta):
        seconds = int(cool_off.total_seconds())
    else:
        seconds = int(float(cool_off or 0.25) * 3600)  # Axes reads a number as hours
    return too_many(
        request,
        throttle.Throttled(limit=throttle.Limit("login", 0, seconds), retry_after=seconds),
        what="Too many failed log-ins for this email address from your network",
        advice="Forgot your password? Ask for a reset link meanwhile: it arrives by email.",
    )


def _link_for(request: HttpRequest) -> Callable[[str], str]:
    return lambda token: request.build_absolute_uri(
        reverse("accounts:verify_email_link", args=[token])
    )


@sensitive_post_parameters("password1", "password2")
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    ip = throttle.client_ip(request)
    if request.method == "POST" and (blocked := throttle.throttled(throttle.SIGNUP_PER_IP, ip)):
        return too_many(request, blocked, what="Too many new accounts from your network")
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = account_signup(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            full_name=form.cleaned_data["full_name"],
            phone=form.cleaned_data["phone"],
            time_zone=form.cleaned_data["time_zone"],
        )
        throttle.count(throttle.SIGNUP_PER_IP, ip)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        if verification_required():
            verification_email_send(user=user, link_for=_link_for(request))
            messages.success(
                request,
                format_html(
                    "Welcome to Followup. We emailed a link to {}: open it to confirm your "
                    "address, so that your follow-ups can be approved. Meanwhile, log your "
                    "first interview.",
                    user.email,
                ),
            )
        else:
            messages.success(
                request, "Welcome to Followup. Log your first interview to get started."
            )
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/signup.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def verify_email(request: HttpRequest) -> HttpResponse:
    """Whether the login email is confirmed; POST sends the link again (a few times an hour)."""
    user = request.user
    if request.method == "POST" and needs_verification(user):
        key = str(user.pk)
        if blocked := throttle.throttled(throttle.VERIFICATION_PER_USER, key):
            return too_many(
                request,
                blocked,
                what="Too many new links asked for",
                advice="Check your spam folder, or that the address on your profile is right.",
            )
        throttle.count(throttle.VERIFICATION_PER_USER, key)
        verification_email_send(user=user, link_for=_link_for(request))
        messages.success(request, f"We sent a new link to {user.email}.")
        return redirect("accounts:verify_email")
    return render(
        request,
        "accounts/verify_email.html",
        {"needs_verification": needs_verification(user), "required": verification_required()},
    )


@require_GET
def verify_email_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link of the verification email; it works without being logged in."""
    user = email_verify(token)
    if user is None:
        return render(request, "accounts/verify_email_invalid.html", status=400)
    messages.success(request, f"Thank you: {user.email} is confirmed.")
    if request.user.is_authenticated and request.user.pk == user.pk:
        return redirect("accounts:verify_email")
    return redirect(settings.LOGIN_URL)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    current = profile_for(user=request.user)
    email_before = request.user.email
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=current)
    if request.method == "POST" and form.is_valid():
        saved = profile_update(
            profile=current, email=form.cleaned_data["email"], changes=form.profile_changes()
        )
        user = saved.profile.user
        if user.email != email_before and verification_required():
            verification_email_send(user=user, link_for=_link_for(request))
            messages.info(
                request,
                f"Your login email is now {user.email}: open the link we sent there to "
                "confirm it. Until then nothing new can be approved.",
            )
        if saved.approvals_lost:
            # Re-rendered with the new details, these need a fresh look before they can go.
            count = saved.approvals_lost
            messages.warning(
                request,
                format_html(
                    "Saved. {} approved {} changed with your new details and {} approval "
                    'again: <a href="{}" class="alert-link">review the queue</a>.',
                    count,
                    "email" if count == 1 else "emails",
                    "needs" if count == 1 else "need",
                    reverse("messaging:queue"),
                ),
            )
        else:
            messages.success(request, "Your profile is saved.")
        return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "region_choices": form.region_choices(),
            "needs_verification": needs_verification(request.user),
            **mailbox_context(user=request.user),
        },
    )


def _attachment(content: str, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def export_json(request: HttpRequest) -> HttpResponse:
    """Everything of the account as one JSON document, downloaded."""
    document = json.dumps(account_export(user=request.user), indent=2, ensure_ascii=False)
    return _attachment(
        document,
        content_type="application/json; charset=utf-8",
        filename=f"followup-export-{timezone.localdate():%Y-%m-%d}.json",
    )


@login_required
@require_GET
def export_vcard(request: HttpRequest) -> HttpResponse:
    """The contacts as one vCard 3.0 file, downloaded."""
    return _attachment(
        contacts_vcard(user=request.user),
        content_type="text/vcard; charset=utf-8",
        filename="followup-contacts.vcf",
    )


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label="Your password", strip=False, widget=forms.PasswordInput(attrs={"autofocus": True})
    )

    def __init__(self, *args: object, user: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):  # type: ignore[attr-defined]
            raise forms.ValidationError("That is not your password: nothing was deleted.")
        return password


@sensitive_post_parameters("password")
@login_required
@require_http_methods(["GET", "POST"])
def account_delete_view(request: HttpRequest) -> HttpResponse:
    """Delete the account with all its data, once the password is given again."""
    form = AccountDeleteForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        account_delete(user=request.user)
        logout(request)
        messages.success(request, "Your account and all its data are deleted.")
        return redirect(settings.LOGIN_URL)
    return render(request, "accounts/delete.html", {"form": form})


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Log out on POST; a GET (a typed or bookmarked link) asks first, with a button that POSTs."""

    http_method_names = ["get", "post", "options"]

    def get(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect(settings.LOGIN_URL)
        return render(request, "registration/logout_confirm.html")


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, "Your password is changed.")
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        """Each request emails a stranger's inbox: a few per address, a few more per network.

        Counted whether or not an account has the address, so the answer tells nothing.
        """
        ip = throttle.client_ip(request)
        address = str(request.POST.get("email", ""))[:254]
        for limit, key in ((throttle.RESET_PER_IP, ip), (throttle.RESET_PER_ADDRESS, address)):
            if blocked := throttle.throttled(limit, key):
                return too_many(request, blocked, what="Too many password reset requests")
        throttle.count(throttle.RESET_PER_IP, ip)
        if address:
            throttle.count(throttle.RESET_PER_ADDRESS, address)
        return super().post(request, *args, **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")
