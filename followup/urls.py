from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("interviews.urls")),
    path("accounts/", include("followup.accounts.urls")),
    path("messages/", include("messaging.urls")),
    path("admin/", admin.site.urls),
    # ESP webhooks (delivery, bounce, inbound), e.g. anymail/postmark/tracking/, guarded by
    # basic auth from ANYMAIL_WEBHOOK_SECRET; events land in messaging.webhooks.
    path("anymail/", include("anymail.urls")),
]
