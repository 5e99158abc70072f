from django.contrib.auth import views as auth_views
from django.urls import path

from followup.web import accounts as views
from followup.web import dictionary
from followup.web import mailbox as mailbox_views

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("profile/export/", views.export_json, name="export_json"),
    path("profile/export/contacts.vcf", views.export_vcard, name="export_vcard"),
    path("profile/delete/", views.account_delete_view, name="delete"),
    path("profile/mailbox/", mailbox_views.mailbox_settings, name="mailbox"),
    path("profile/mailbox/test/", mailbox_views.mailbox_test, name="mailbox_test"),
    path("profile/mailbox/forget/", mailbox_views.mailbox_forget, name="mailbox_forget"),
    path("profile/dictionary/", dictionary.dictionary, name="dictionary"),
    path("profile/dictionary/remove/", dictionary.dictionary_remove, name="dictionary_remove"),
    path("verify/", views.verify_email, name="verify_email"),
    path("verify/<str:token>/", views.verify_email_link, name="verify_email_link"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
