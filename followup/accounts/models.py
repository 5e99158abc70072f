"""Accounts: users sign in with their email; the profile is who they send as."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower

from followup.accounts.validators import validate_country, validate_region, validate_time_zone
from followup.rules import greetings
from followup.rules.checks import spelling


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
# The longest word of a personal dictionary (the spelling check's own limit).
DICTIONARY_WORD_MAX_LENGTH = spelling.WORD_MAX_LENGTH


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
    # How a formal email greets someone whose honorific you did not give: never a guess.
    formal_greeting = models.CharField(
        max_length=20,
        choices=list(greetings.NEUTRAL_FORMS.items()),
        default=greetings.DEFAULT_NEUTRAL_FORM,
        help_text="For a formal contact whose Ms./Mr./Dr. you did not enter: no title is guessed.",
    )
    # A BCC of every email Followup sends for the user, to their own mailbox: their own record,
    # where a forwarded reply threads under it (messaging.reply_addresses.bcc_for).
    bcc_copy = models.BooleanField(
        "Send me a copy of every email",
        default=True,
        help_text="A copy (BCC) of each email Followup sends for you goes to your own address.",
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

    @property
    def identity_missing(self) -> list[str]:
        """What the sign-off lacks (spec §2: full name, phone and email), in the page's words.

        The email is the login, so it is never missing.
        """
        missing = []
        if not self.full_name.strip():
            missing.append("your full name")
        if not self.phone.strip():
            missing.append("your phone number")
        return missing


class DictionaryWord(models.Model):
    """A word the user told the spelling check is right ("Add to my dictionary").

    Kept folded (followup.rules.checks.spelling.personal_word), so "HubSpot" and "hubspot"
    are one word; the accounts.dictionary services are the only writers.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="dictionary_words")
    word = models.CharField(max_length=DICTIONARY_WORD_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "word"], name="accounts_dictionaryword_user_word_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.word


LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class Mailbox(models.Model):
    """Own-mailbox mode: the user's own SMTP server sends, their IMAP inbox is read for replies.

    For a user with no ESP and no domain (a free-mail address an ESP may not send for).
    The app password is stored encrypted (accounts.secrets), never shown back; the sending
    and reading live in messaging.mailbox and messaging.mailbox_polling.
    """

    class Security(models.TextChoices):
        SSL = "ssl", "SSL/TLS from the start"
        STARTTLS = "starttls", "STARTTLS"
        # Only for a server on this machine (a mail bridge on localhost): never over a network.
        NONE = "none", "None (this machine only)"

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="mailbox")
    enabled = models.BooleanField(
        default=True, help_text="Send through this mailbox and read its inbox for replies."
    )
    smtp_host = models.CharField("SMTP server", max_length=253)
    smtp_port = models.PositiveIntegerField(
        "SMTP port", default=587, validators=[MinValueValidator(1), MaxValueValidator(65535)]
    )
    smtp_security = models.CharField(
        "SMTP security", max_length=10, choices=Security.choices, default=Security.STARTTLS
    )
    imap_host = models.CharField("IMAP server", max_length=253)
    imap_port = models.PositiveIntegerField(
        "IMAP port", default=993, validators=[MinValueValidator(1), MaxValueValidator(65535)]
    )
    imap_security = models.CharField(
        "IMAP security", max_length=10, choices=Security.choices, default=Security.SSL
    )
    username = models.CharField(max_length=254, help_text="Usually your full email address.")
    # Fernet token of the app password (accounts.secrets); empty: none stored. Never a form
    # field, never exported, never shown back.
    password_token = models.TextField(blank=True, editable=False)

    # Reading the inbox (messaging.mailbox_polling): where the last poll stopped.
    uidvalidity = models.BigIntegerField(null=True, blank=True, editable=False)
    last_seen_uid = models.BigIntegerField(default=0, editable=False)
    last_polled_at = models.DateTimeField(null=True, blank=True, editable=False)
    # What went wrong last, in plain words (shown on the profile); empty once it works again.
    last_error = models.CharField(max_length=500, blank=True, editable=False)
    last_error_at = models.DateTimeField(null=True, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # Read by the poll_mailboxes beat task: the mailboxes to read.
            models.Index(
                fields=["last_polled_at"],
                name="accounts_mailbox_enabled",
                condition=models.Q(enabled=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.username} ({self.smtp_host})"

    def clean(self) -> None:
        super().clean()
        errors = {}
        for prefix in ("smtp", "imap"):
            host = getattr(self, f"{prefix}_host", "").strip().lower().strip("[]")
            security = getattr(self, f"{prefix}_security")
            if security == self.Security.NONE and host not in LOOPBACK_HOSTS:
                errors[f"{prefix}_security"] = (
                    "Without encryption your password would cross the network readable: "
                    "choose SSL/TLS or STARTTLS (None is only for a server on this machine)."
                )
        if errors:
            raise ValidationError(errors)

    @property
    def has_password(self) -> bool:
        return bool(self.password_token)
