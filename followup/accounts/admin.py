"""Admin for accounts: users are found and created by email; the profile sits inline."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from followup.accounts.models import Mailbox, Profile, User


class UserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("A user with this email address already exists.")
        return email


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    extra = 0
    max_num = 1
    fieldsets = (
        (None, {"fields": ("full_name", "phone", "signature", "formal_greeting")}),
        (
            "Where and when",
            {"fields": ("time_zone", "country", "region", "send_window_start", "send_window_end")},
        ),
        (
            "Follow-up timing",
            {
                "classes": ("collapse",),
                "fields": (
                    "check_in_business_days",
                    "after_decision_business_days",
                    "second_check_in_business_days",
                    "no_news_business_days",
                    "out_of_office_business_days",
                    "stay_in_touch_weeks",
                ),
            },
        ),
    )


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    inlines = [ProfileInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Name", {"fields": ("first_name", "last_name")}),
        (
            "Permissions",
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ("email", "full_name", "time_zone", "is_staff", "is_active", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active")
    search_fields = ("email", "profile__full_name")
    ordering = ("email",)
    list_select_related = ("profile",)

    @admin.display(description="Full name", ordering="profile__full_name")
    def full_name(self, user: User) -> str:
        profile = getattr(user, "profile", None)
        return profile.full_name if profile else ""

    @admin.display(description="Time zone", ordering="profile__time_zone")
    def time_zone(self, user: User) -> str:
        profile = getattr(user, "profile", None)
        return profile.time_zone if profile else ""


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "full_name", "time_zone", "country", "region", "updated_at")
    list_filter = ("country",)
    search_fields = ("user__email", "full_name")
    raw_id_fields = ("user",)
    list_select_related = ("user",)


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    """Own-mailbox settings, to see why polling fails; the password is never shown or set here."""

    list_display = ("user", "enabled", "imap_host", "last_polled_at", "last_error")
    list_filter = ("enabled",)
    search_fields = ("user__email", "imap_host", "smtp_host")
    raw_id_fields = ("user",)
    list_select_related = ("user",)
    exclude = ("password_token",)
    readonly_fields = (
        "uidvalidity",
        "last_seen_uid",
        "last_polled_at",
        "last_error",
        "last_error_at",
    )
