"""Admin for messages, bounces, ESP events, inbound emails and the local outbox."""

from __future__ import annotations

from django.contrib import admin

from messaging.models import BouncedAddress, EmailEvent, InboundEmail, Message, OutboxEmail
from messaging.tasks import process_email_event


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


class FailedListFilter(admin.SimpleListFilter):
    """Events whose processing failed: not retried by themselves, they wait to be read here."""

    title = "failed"
    parameter_name = "failed"

    def lookups(self, request, model_admin):
        return [("yes", "Failed"), ("no", "Not failed")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(failed_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(failed_at__isnull=True)
        return queryset


@admin.register(EmailEvent)
class EmailEventAdmin(admin.ModelAdmin):
    list_display = (
        "received_at",
        "event_type",
        "esp_name",
        "recipient",
        "user",
        "message",
        "processed_at",
        "failed_at",
        "failure",
    )
    list_filter = (FailedListFilter, "event_type", "esp_name")
    search_fields = ("event_id", "esp_message_id", "recipient", "user__email", "failure")
    raw_id_fields = ("message", "user")
    readonly_fields = ("received_at", "processed_at", "failed_at", "failure")
    date_hierarchy = "received_at"
    list_select_related = ("user", "message")
    actions = ["process_again"]

    @admin.action(description="Process the selected failed events again")
    def process_again(self, request, queryset):
        # Once the cause is fixed: clear the failure, and the task tries it once more (a
        # second failure is recorded again). Processed events are left alone.
        ids = list(
            queryset.filter(failed_at__isnull=False, processed_at__isnull=True).values_list(
                "pk", flat=True
            )
        )
        EmailEvent.objects.filter(pk__in=ids).update(failed_at=None, failure="")
        for pk in ids:
            process_email_event.delay_on_commit(pk)
        self.message_user(request, f"{len(ids)} event(s) sent to be processed again.")


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    list_display = ("created_at", "subject", "to", "from_email", "user")
    search_fields = ("subject", "to", "from_email", "message_id", "user__email")
    raw_id_fields = ("user",)
    readonly_fields = ("created_at",)
    date_hierarchy = "created_at"
    list_select_related = ("user",)


@admin.register(InboundEmail)
class InboundEmailAdmin(admin.ModelAdmin):
    """Inbound emails with an owner: what each was matched to, and its forward to the user."""

    list_display = ("received_at", "user", "sender", "subject", "state", "route", "forward_status")
    list_filter = ("state", "route", "forward_status")
    search_fields = ("sender", "subject", "user__email")
    raw_id_fields = ("user", "application", "event")
    list_select_related = ("user",)
    readonly_fields = ("created_at",)
