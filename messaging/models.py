"""Messages the engine drafts, the user approves and the dispatcher sends."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from followup.rules import stages
from interviews.models import Application, Contact, Interview, OwnedQuerySet


class Message(models.Model):
    Stage = models.TextChoices("Stage", stages.choices(stages.MESSAGE_STAGES))
    Status = models.TextChoices("Status", stages.choices(stages.MESSAGE_STATUSES))

    # The sets every module reads, defined once in rules.stages.
    PENDING_STATUSES = stages.PENDING_STATUSES
    DEAD_STATUSES = stages.DEAD_STATUSES
    CHECK_IN_STAGES = stages.CHECK_IN_STAGES
    CLOSE_OUT_STAGES = stages.CLOSE_OUT_STAGES

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages"
    )
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="messages")
    interview = models.ForeignKey(
        Interview, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    stage = models.CharField(max_length=30, choices=Stage.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)

    to_email = models.EmailField("to", blank=True)
    to_name = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    phrasing = models.PositiveSmallIntegerField(
        default=0, help_text="Which of the stage's template phrasings drafted this."
    )
    edited_by_user = models.BooleanField(
        default=False, help_text="Edited by hand: re-planning leaves it alone."
    )
    # Only a changed send time: re-planning keeps the time but still re-renders the text.
    time_set_by_user = models.BooleanField(
        default=False, help_text="Send time chosen by hand: re-planning keeps it."
    )
    late = models.BooleanField(
        "past the next-morning moment",
        default=False,
        help_text=(
            "Planned after the moment it should ideally have gone (for a thank-you, the "
            "morning after the interview), so it was due at once."
        ),
    )

    due_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Set in its own committed UPDATE right before the ESP is called (messaging.dispatch):
    # a stale claim with this set may have reached the ESP, so it is never resent on its own.
    send_started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    status_reason = models.CharField(max_length=500, blank=True)
    # A send interrupted after the ESP may have taken it (messaging.dispatch): failed, but
    # it may have arrived. Cleared when a delivery report proves it sent or the user retries.
    outcome_unknown = models.BooleanField(default=False)
    pestering_override_at = models.DateTimeField(null=True, blank=True)

    # Threading: our own Message-ID, and the thread we reply in.
    message_id = models.CharField("Message-ID", max_length=300, blank=True)
    in_reply_to = models.CharField("In-Reply-To", max_length=300, blank=True)
    references = models.TextField("References", blank=True)

    esp_message_id = models.CharField("ESP message id", max_length=300, blank=True, db_index=True)
    delivery_status = models.CharField(max_length=30, blank=True)
    delivery_detail = models.CharField(max_length=500, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [
            # Read by the dispatch beat task: approved messages whose time has come.
            models.Index(
                fields=["due_at"],
                name="messaging_msg_approved_due",
                condition=models.Q(status="approved"),
            ),
            # Read by the recovery sweep: claims left by a crashed worker.
            models.Index(
                fields=["claimed_at"],
                name="messaging_msg_sending_claim",
                condition=models.Q(status="sending"),
            ),
            # The queue page: a user's drafts awaiting approval.
            models.Index(fields=["user", "status", "due_at"], name="messaging_msg_user_status"),
            models.Index(fields=["application", "stage"], name="messaging_msg_app_stage"),
        ]
        constraints = [
            # Re-planning an interview twice must never draft a second thank-you to one person
            # (drafting.thank_yous); a cancelled one may be drafted anew.
            models.UniqueConstraint(
                fields=["interview", "contact"],
                condition=models.Q(stage="thank_you") & ~models.Q(status="cancelled"),
                name="messaging_msg_one_thank_you",
            ),
            # One first and one second check-in per interview round (drafting.planning).
            models.UniqueConstraint(
                fields=["interview", "stage"],
                condition=models.Q(stage__in=["check_in", "second_check_in"])
                & ~models.Q(status="cancelled"),
                name="messaging_msg_one_check_in",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} to {self.to_name or self.to_email or '?'}"


class Reply(models.Model):
    """Something the company sent back, as logged; the cadence reads these (messaging.selectors)."""

    Kind = models.TextChoices("Kind", stages.choices(stages.REPLY_KINDS))

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="replies"
    )
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="replies")
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    received_at = models.DateTimeField()
    return_date = models.DateField(
        null=True, blank=True, help_text="Out of office: the date they said they are back."
    )
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "replies"
        ordering = ["-received_at", "-pk"]
        indexes = [
            # Read by messaging.selectors.cadence_facts_for: an application's replies of a round.
            models.Index(fields=["application", "received_at"], name="messaging_reply_app_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.received_at:%Y-%m-%d}"


class BouncedAddress(models.Model):
    """An address the ESP reported as undeliverable: nothing more goes to it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bounced_addresses"
    )
    email = models.EmailField()
    reason = models.CharField(max_length=500, blank=True)
    bounced_at = models.DateTimeField()

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "bounced addresses"
        constraints = [
            models.UniqueConstraint(fields=["user", "email"], name="messaging_bounce_once"),
        ]

    def __str__(self) -> str:
        return self.email


class EmailEvent(models.Model):
    """An ESP webhook event (delivery, bounce, inbound reply), stored once by its id."""

    event_id = models.CharField(max_length=300, unique=True)
    esp_name = models.CharField(max_length=50, blank=True)
    event_type = models.CharField(max_length=50)
    esp_message_id = models.CharField(max_length=300, blank=True, db_index=True)
    recipient = models.CharField(max_length=300, blank=True)
    payload = models.JSONField(default=dict)
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    # Whose event it is, once processing ties it to a message or an application: deleting
    # the user deletes the payloads that hold their correspondents' mail.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="email_events",
    )
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    # Processing raised (or never ran within the sweep's window): not retried any more, shown
    # in the admin until someone processes it again (messaging.webhooks.processing).
    failed_at = models.DateTimeField(null=True, blank=True)
    failure = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            # Read by the requeue_email_events beat task: events still waiting to be processed.
            models.Index(
                fields=["received_at"],
                name="messaging_event_unprocessed",
                condition=models.Q(processed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class OutboxEmail(models.Model):
    """An email the embedded default 'sent': kept here instead of leaving the machine."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outbox",
    )
    from_email = models.CharField(max_length=300)
    to = models.TextField(help_text="Recipients, one per line.")
    subject = models.CharField(max_length=500, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    headers = models.JSONField(default=dict)
    message_id = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"
