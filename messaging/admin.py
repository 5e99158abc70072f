"""Admin for messages, bounces, ESP events and the local outbox."""

from __future__ import annotations

from django.contrib import admin

from messaging.models import BouncedAddress, EmailEvent, Message, OutboxEmail


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("__str__", "stage", "status", "to_email", "due_at", "sent_at", "user")
    list_filter = ("status", "stage", "late", "edited_by_user")
    search_fields = (
        "subject",
        "to_email",
        "to_name",
        "message_id",
        "esp_message_id",
        "user__email",
    )
    raw_id_fields = ("user", "application", "interview", "contact")
    # The sending engine's record: changed by hand it could resend a message or hide
    # that one went out (messaging.dispatch owns these).
    readonly_fields = (
        "created_at",
        "updated_at",
        "status",
        "approved_at",
        "claimed_at",
        "send_started_at",
        "sent_at",
        "esp_message_id",
        "message_id",
        "attempts",
    )
    date_hierarchy = "due_at"
    list_select_related = ("user",)


@admin.register(BouncedAddress)
class BouncedAddressAdmin(admin.ModelAdmin):
    list_display = ("email", "user", "reason", "bounced_at")
    search_fields = ("email", "user__email", "reason")
    raw_id_fields = ("user",)
    list_select_related = ("user",)


@admin.register(EmailEvent)
class EmailEventAdmin(admin.ModelAdmin):
    list_display = ("received_at", "event_type", "esp_name", "recipient", "message", "processed_at")
    list_filter = ("event_type", "esp_name")
    search_fields = ("event_id", "esp_message_id", "recipient")
    raw_id_fields = ("message",)
    readonly_fields = ("received_at",)
    date_hierarchy = "received_at"


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    list_display = ("created_at", "subject", "to", "from_email", "user")
    search_fields = ("subject", "to", "from_email", "message_id", "user__email")
    raw_id_fields = ("user",)
    readonly_fields = ("created_at",)
    date_hierarchy = "created_at"
    list_select_related = ("user",)
