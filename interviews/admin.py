"""Admin for companies, contacts, applications, interviews and timelines."""

from __future__ import annotations

from django.contrib import admin
from django.db import models

from interviews.models import (
    Application,
    Company,
    Contact,
    Interview,
    InterviewParticipant,
    TimelineEvent,
)

# Typed links without a scheme become https:// (Django 6's default, chosen now).
URL_FIELDS_HTTPS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS_HTTPS
    list_display = ("name", "user", "website", "created_at")
    search_fields = ("name", "user__email")
    raw_id_fields = ("user",)
    list_select_related = ("user",)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS_HTTPS
    list_display = ("name", "company", "title", "email", "kind", "tone", "user")
    list_filter = ("kind", "tone")
    search_fields = ("name", "email", "title", "company__name", "user__email")
    raw_id_fields = ("user",)
    autocomplete_fields = ("company",)
    list_select_related = ("company", "user")


class InterviewInline(admin.TabularInline):
    model = Interview
    extra = 0
    fields = ("round_number", "round_name", "starts_at", "ends_at", "time_zone", "format")
    show_change_link = True


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS_HTTPS
    list_display = ("role", "company", "user", "stage", "paused", "last_activity_at")
    list_filter = ("stage", "paused")
    search_fields = ("role", "company__name", "user__email")
    raw_id_fields = ("user",)
    autocomplete_fields = ("company", "main_contact")
    date_hierarchy = "last_activity_at"
    list_select_related = ("company", "user")
    inlines = [InterviewInline]


class InterviewParticipantInline(admin.TabularInline):
    model = InterviewParticipant
    extra = 0
    autocomplete_fields = ("contact",)
    fields = ("contact", "position", "discussed", "questions", "promised", "added_point")


@admin.register(Interview)
class InterviewAdmin(admin.ModelAdmin):
    list_display = ("__str__", "starts_at", "format", "decision_date", "owner")
    list_filter = ("format", "another_round_expected")
    search_fields = (
        "round_name",
        "application__role",
        "application__company__name",
        "application__user__email",
    )
    autocomplete_fields = ("application",)
    date_hierarchy = "starts_at"
    list_select_related = ("application__company", "application__user")
    inlines = [InterviewParticipantInline]

    @admin.display(description="Owner", ordering="application__user__email")
    def owner(self, interview: Interview) -> str:
        return interview.application.user.email


@admin.register(TimelineEvent)
class TimelineEventAdmin(admin.ModelAdmin):
    list_display = ("happened_at", "kind", "summary", "application", "user")
    list_filter = ("kind",)
    search_fields = ("summary", "detail", "application__role", "user__email")
    raw_id_fields = ("user", "application", "interview", "message")
    date_hierarchy = "happened_at"
    list_select_related = ("application__company", "user")
