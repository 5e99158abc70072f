"""Forms of accounts: sign-up, log-in, password and the profile page."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Div, Field, Fieldset, Layout, Row, Submit
from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinValueValidator

from followup.accounts.choices import (
    country_choices,
    region_choices,
    region_names,
    time_zone_choices,
)
from followup.accounts.models import SIGNATURE_MAX_LENGTH, Profile, User
from followup.accounts.services import PROFILE_FIELDS
from followup.rules import greetings
from followup.rules.greetings import tidy_name

EMAIL_TAKEN = "An account with this email address already exists."


def _email_is_taken(email: str, *, exclude: User | None = None) -> bool:
    users = User.objects.filter(email__iexact=email)
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    return users.exists()


def _helper(*layout: Any, submit: str) -> FormHelper:
    helper = FormHelper()
    helper.layout = Layout(*layout, Submit("submit", submit, css_class="btn-primary"))
    return helper


# An email address is at most 254 characters (RFC 5321); no password of a person is longer
# than this, and a longer one would only make the hasher work for an attacker.
EMAIL_MAX_LENGTH = 254
PASSWORD_MAX_LENGTH = 4096


class SignupForm(forms.Form):
    """A new account: who you are, your time zone, and a password typed twice."""

    full_name = forms.CharField(
        max_length=200,
        help_text="As it should appear under your emails.",
        widget=forms.TextInput(attrs={"autocomplete": "name", "autofocus": True}),
    )
    # The sign-off gives name, phone and email (spec §2). Optional here, so nobody is stopped
    # at the door; until it is given, a banner on every page says it is missing.
    phone = forms.CharField(
        label="Phone number",
        max_length=40,
        required=False,
        help_text="Under your name in every email, so they can call you back. You can add it "
        "later on your profile.",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    email = forms.EmailField(
        max_length=254,
        help_text="You log in with it, and replies to your follow-ups come here.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    time_zone = forms.ChoiceField(
        choices=time_zone_choices,
        initial="UTC",
        help_text="Emails go out during business hours in this time zone.",
    )
    password1 = forms.CharField(
        label="Password",
        max_length=PASSWORD_MAX_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again",
        max_length=PASSWORD_MAX_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            "full_name",
            "phone",
            "email",
            Field("time_zone", css_class="js-guess-time-zone"),
            "password1",
            "password2",
            submit="Create my account",
        )

    def clean_full_name(self) -> str:
        # The sign-off shows it as given: "alex morgan" typed in a hurry becomes "Alex Morgan".
        return tidy_name(self.cleaned_data.get("full_name") or "")

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"])
        if _email_is_taken(email):
            raise ValidationError(EMAIL_TAKEN, code="email_taken")
        return email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "The two passwords do not match.")
        elif password1:
            # Checked against a user that is not saved, so "similar to your email" works.
            candidate = User(email=cleaned.get("email") or "")
            try:
                password_validation.validate_password(password1, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


def _cap_passwords(form: forms.Form, *names: str) -> None:
    """Refuse absurdly long passwords in Django's own forms before they reach the hasher."""
    for name in names:
        form.fields[name].validators.append(MaxLengthValidator(PASSWORD_MAX_LENGTH))


class LoginForm(auth_forms.AuthenticationForm):
    """Log in with the email address and password."""

    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": "That email and password do not match an account. Check both and "
        "try again.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Email"
        self.fields["username"].widget = forms.EmailInput(
            attrs={"autocomplete": "email", "autofocus": True, "maxlength": EMAIL_MAX_LENGTH}
        )
        # Django sets max_length on the username after building the field, which adds no
        # validator: without these, any length reaches the database and the password hasher.
        self.fields["username"].validators.append(MaxLengthValidator(EMAIL_MAX_LENGTH))
        _cap_passwords(self, "password")
        self.helper = _helper("username", "password", submit="Log in")


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _cap_passwords(self, "old_password", "new_password1", "new_password2")
        self.helper = _helper(
            "old_password", "new_password1", "new_password2", submit="Change password"
        )


class PasswordResetForm(auth_forms.PasswordResetForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("email", submit="Send me a reset link")


class SetPasswordForm(auth_forms.SetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _cap_passwords(self, "new_password1", "new_password2")
        self.helper = _helper("new_password1", "new_password2", submit="Set my new password")


_TIMING_HELP = {
    "check_in_business_days": (
        "Business days after the interview before a polite status check-in, when they "
        "named no decision date."
    ),
    "after_decision_business_days": (
        "Business days to wait after the decision date they gave before checking in."
    ),
    "second_check_in_business_days": (
        "Business days after an unanswered check-in before the second and last one."
    ),
    "no_news_business_days": (
        "Business days to wait after a “no news yet” reply before asking again."
    ),
    "out_of_office_business_days": (
        "Business days to pause after an out-of-office reply that gives no return date."
    ),
    "stay_in_touch_weeks": ("Weeks after a close-out before a friendly stay-in-touch note."),
}


class ProfileForm(forms.ModelForm):
    """Who you send as, when emails may go out, and how patient the follow-ups are."""

    email = forms.EmailField(
        max_length=254,
        help_text="Your login, and where replies come back to.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    time_zone = forms.ChoiceField(choices=time_zone_choices)
    country = forms.ChoiceField(
        choices=country_choices,
        required=False,
        help_text="Its public holidays do not count as business days.",
    )

    class Meta:
        model = Profile
        fields = PROFILE_FIELDS
        labels = {
            "full_name": "Full name",
            "formal_greeting": "Formal greeting without a Ms./Mr./Dr.",
            "send_window_start": "Send no earlier than",
            "send_window_end": "Send no later than",
            "check_in_business_days": "First check-in after (business days)",
            "after_decision_business_days": "After the decision date (business days)",
            "second_check_in_business_days": "Second check-in after (business days)",
            "no_news_business_days": "After a “no news yet” reply (business days)",
            "out_of_office_business_days": "Out-of-office pause (business days)",
            "stay_in_touch_weeks": "Stay in touch after (weeks)",
        }
        help_texts = {
            "send_window_start": "Local time in your time zone.",
            "send_window_end": "An email due later waits until the window opens again.",
            "region": "Optional: a state or region code, for its own holidays.",
            **_TIMING_HELP,
        }
        widgets = {
            "signature": forms.Textarea(attrs={"rows": 3}),
            "send_window_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "send_window_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "phone": forms.TextInput(attrs={"autocomplete": "tel"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].initial = self.instance.user.email
        # Every email is signed with it, so the page does not accept it empty.
        self.fields["full_name"].required = True
        self.fields["region"].widget.attrs["list"] = "region-choices"
        # A page that sends no choice (an older form, a script) keeps the default form.
        self.fields["formal_greeting"].required = False
        signature = self.fields["signature"]
        signature.max_length = SIGNATURE_MAX_LENGTH
        signature.validators.append(MaxLengthValidator(SIGNATURE_MAX_LENGTH))
        signature.widget.attrs["maxlength"] = str(SIGNATURE_MAX_LENGTH)
        for name in _TIMING_HELP:
            # The model allows 1 and up; the positive-integer field alone would say "≥ 0"
            # for -3 and the model "≥ 1" for 0: one bound, one message.
            field = self.fields[name]
            field.min_value = 1
            field.validators = [
                v for v in field.validators if not isinstance(v, MinValueValidator)
            ] + [MinValueValidator(1)]
            field.widget.attrs["min"] = "1"
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(
                "You, as your emails sign off",
                Row(
                    Column("full_name", css_class="col-md-6"), Column("email", css_class="col-md-6")
                ),
                Row(
                    Column("phone", css_class="col-md-6"),
                    Column("formal_greeting", css_class="col-md-6"),
                ),
                "signature",
                "bcc_copy",
            ),
            Fieldset(
                "Where and when you send",
                Row(
                    Column("time_zone", css_class="col-md-6"),
                    Column("send_window_start", css_class="col-6 col-md-3"),
                    Column("send_window_end", css_class="col-6 col-md-3"),
                ),
                Row(
                    Column("country", css_class="col-md-6"),
                    Column("region", css_class="col-md-6"),
                ),
                HTML(
                    '<datalist id="region-choices">{% for code, name in region_choices %}'
                    '<option value="{{ code }}">{{ name }}</option>{% endfor %}'
                    "</datalist>"
                ),
            ),
            Fieldset(
                "Follow-up timing",
                HTML(
                    '<p class="text-body-secondary small">How long Followup waits before it '
                    "drafts each kind of follow-up. Business days skip weekends and the public "
                    "holidays of your country.</p>"
                ),
                Div(
                    *(
                        Column(name, css_class="col-md-6 col-lg-4")
                        for name in _TIMING_HELP  # same order as the help texts above
                    ),
                    css_class="row",
                ),
            ),
            Submit("submit", "Save profile", css_class="btn-primary"),
        )

    def region_choices(self) -> list[tuple[str, str]]:
        """The regions of the country on screen, for the region field's suggestions."""
        country = self.data.get("country") if self.is_bound else self.instance.country
        return region_choices(str(country or ""))

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"])
        if _email_is_taken(email, exclude=self.instance.user):
            raise ValidationError(EMAIL_TAKEN, code="email_taken")
        return email

    def clean_full_name(self) -> str:
        return tidy_name(self.cleaned_data.get("full_name") or "")

    def clean_formal_greeting(self) -> str:
        return self.cleaned_data.get("formal_greeting") or greetings.DEFAULT_NEUTRAL_FORM

    def clean_region(self) -> str:
        """Accept any capitalisation of a known code and store the code as the calendar has it."""
        region = self.cleaned_data.get("region", "").strip()
        country = self.cleaned_data.get("country", "")
        for code in region_names(country):
            if code.lower() == region.lower():
                return code
        # Unknown codes are reported by Profile.clean (validate_region), with the valid ones.
        return region

    def profile_changes(self) -> dict[str, Any]:
        """The cleaned profile settings, for services.profile_update."""
        return {name: self.cleaned_data[name] for name in PROFILE_FIELDS}
