"""Accounts: users sign in with their email; the profile is who they send as."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower

from followup.accounts.validators import validate_country, validate_region, validate_time_zone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        # Emails are unique regardless of case (see the constraint on User), so
        # "Alex@Example.com" logs in the account that signed up as alex@example.com.
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A job seeker. The email is the login; there is no separate username."""

    username = None  # type: ignore[assignment]
    email = models.EmailField("email address", unique=True)
    # When the owner of the address proved they read it (the link of accounts.verification);
    # empty for a new or changed address. Approving waits for it
    # (FOLLOWUP_REQUIRE_EMAIL_VERIFICATION).
    email_verified_at = models.DateTimeField(null=True, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email


def _business_days(default: int, maximum: int = 60) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        default=default, validators=[MinValueValidator(1), MaxValueValidator(maximum)]
    )


# The shortest send window the profile accepts.
MIN_SEND_WINDOW = dt.timedelta(hours=1)
# The longest signature: a few lines under the name, not a second letter.
SIGNATURE_MAX_LENGTH = 1000


class Profile(models.Model):
    """The sender's identity and the cadence settings drafts are planned with.

    The cadence defaults are those of the etiquette spec (docs: §2, §4-§7).
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    full_name = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    signature = models.TextField(
        blank=True, help_text="Added under your name in every email, e.g. a LinkedIn link."
    )
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    country = models.CharField(
        max_length=3,
        default="US",
        blank=True,
        validators=[validate_country],
        help_text="Its public holidays are not business days.",
    )
    region = models.CharField(
        max_length=40, blank=True, help_text="State or region code for regional holidays."
    )
    send_window_start = models.TimeField(default=dt.time(8, 0))
    send_window_end = models.TimeField(default=dt.time(19, 0))

    # Cadence settings (etiquette spec defaults).
    check_in_business_days = _business_days(10)
    after_decision_business_days = _business_days(2)
    second_check_in_business_days = _business_days(5)
    no_news_business_days = _business_days(7)
    out_of_office_business_days = _business_days(5)
    stay_in_touch_weeks = models.PositiveSmallIntegerField(
        default=6, validators=[MinValueValidator(1), MaxValueValidator(26)]
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(send_window_start__lt=models.F("send_window_end")),
                name="accounts_profile_send_window_order",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.user.email

    def clean(self) -> None:
        super().clean()
        start, end = self.send_window_start, self.send_window_end
        if start and end:
            if start >= end:
                raise ValidationError(
                    {"send_window_end": "The send window must end after it starts."}
                )
            # Cadence slots land on the window's start; a sliver of a window leaves a queue
            # of emails no room to go out in (QA R1b N15).
            length = dt.datetime.combine(dt.date.min, end) - dt.datetime.combine(dt.date.min, start)
            if length < MIN_SEND_WINDOW:
                raise ValidationError(
                    {
                        "send_window_end": "The send window must be at least one hour long "
                        f"(it opens at {start:%H:%M})."
                    }
                )
        validate_region(country=self.country, region=self.region)

    @property
    def display_name(self) -> str:
        return self.full_name or self.user.email
