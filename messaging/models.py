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
    # Set together with Status.UNCONFIRMED (the ESP may have taken it, never said so), and
    # cleared when it settles; kept for the code that still reads the flag (is_interrupted).
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
            # Read by the reconciliation (messaging.dispatch.reconcile): sends the ESP never
            # confirmed, the oldest first.
            models.Index(
                fields=["send_started_at"],
                name="messaging_msg_unconfirmed",
                condition=models.Q(status="unconfirmed"),
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


class CalendarFeed(models.Model):
    """A user's secret calendar address (messaging.calendar_feed): whoever knows it can read."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    # secrets.token_urlsafe(32): 43 characters, unguessable; regenerating replaces it.
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"


class ReplyAddress(models.Model):
    """The Reply-To address of an application's emails: its token names the application.

    Unguessable (not the user's id, not sequential) and lower-case (mail systems may lower-case
    the local part), so a plain "Reply" reaches Followup from any address, forwarded or not
    (messaging.reply_addresses).
    """

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="reply_address"
    )
    token = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "reply addresses"

    def __str__(self) -> str:
        return self.token


class InboundEmail(models.Model):
    """An inbound email of a user's: the application it answers, and its forward to them.

    One per stored inbound event that has an owner (messaging.webhooks.inbound); an email
    no application matched waits here, unmatched, until the user assigns or discards it.
    """

    class State(models.TextChoices):
        MATCHED = "matched", "Matched"
        UNMATCHED = "unmatched", "Unmatched"
        DISCARDED = "discarded", "Discarded"
        # Not a reply: a calendar invitation the user forwarded, for "Log from an invitation".
        INVITATION = "invitation", "Forwarded invitation"

    class Route(models.TextChoices):
        TOKEN = "token", "its reply address"
        THREAD = "thread", "our email it answers"
        CONTACT = "contact", "the sender, one of your contacts"
        COMPANY = "company", "the sender's company"
        BY_HAND = "by_hand", "assigned by you"

    class Forward(models.TextChoices):
        NONE = "", "Not forwarded (already in your mailbox)"
        PENDING = "pending", "To be forwarded"
        SENDING = "sending", "Being forwarded"
        SENT = "sent", "Forwarded to you"
        FAILED = "failed", "Could not be forwarded"
        SKIPPED = "skipped", "Not forwarded again (same absence)"

    event = models.OneToOneField(EmailEvent, on_delete=models.CASCADE, related_name="inbound")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbound_emails"
    )
    application = models.ForeignKey(
        Application,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_emails",
    )
    state = models.CharField(max_length=20, choices=State.choices)
    route = models.CharField(max_length=20, choices=Route.choices, blank=True)
    # What it was taken as: a reply kind (messaging.Reply.Kind), "automatic", or "" (nothing).
    kind = models.CharField(max_length=20, blank=True)
    sender = models.CharField(max_length=300)
    sender_name = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=500, blank=True)
    snippet = models.CharField(max_length=500, blank=True)
    received_at = models.DateTimeField()
    return_date = models.DateField(null=True, blank=True)

    # The forward to the user (messaging.forwarding): claimed pending -> sending before the
    # mail service is called, so a forward goes out once however often its task runs.
    forward_status = models.CharField(
        max_length=20, choices=Forward.choices, blank=True, default=Forward.NONE
    )
    forward_attempts = models.PositiveSmallIntegerField(default=0)
    forward_started_at = models.DateTimeField(null=True, blank=True)
    forwarded_at = models.DateTimeField(null=True, blank=True)
    forward_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [
            # Read by the Unmatched replies page and its navigation count.
            models.Index(
                fields=["user", "received_at"],
                name="messaging_inbound_unmatched",
                condition=models.Q(state="unmatched"),
            ),
            # Read by the requeue_forwards beat task: forwards whose task was lost.
            models.Index(
                fields=["created_at"],
                name="messaging_inbound_to_forward",
                condition=models.Q(forward_status="pending"),
            ),
            # Read when an auto-reply arrives: was this absence already forwarded?
            models.Index(fields=["application", "sender"], name="messaging_inbound_app_sender"),
        ]

    def __str__(self) -> str:
        return f"{self.sender}: {self.subject}"
