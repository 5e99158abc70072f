from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from messaging.webhook_views import webhook_urlpatterns


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers and bookmark tools still ask for /favicon.ico whatever the <link> says."""
    # Resolved per request: the hashed static name exists only after collectstatic.
    return HttpResponsePermanentRedirect(static("favicon.svg"))


urlpatterns = [
    path("", include("followup.web.interview_urls")),
    path("accounts/", include("followup.web.account_urls")),
    path("messages/", include("messaging.urls")),
    path("admin/", admin.site.urls),
    path("favicon.ico", favicon),
]

if settings.ANYMAIL.get("WEBHOOK_SECRET"):
    # ESP webhooks (delivery, bounce, inbound), e.g. anymail/postmark/tracking/, guarded by
    # basic auth from ANYMAIL_WEBHOOK_SECRET; events land in messaging.receivers. Without a
    # secret anyone could post fake bounces or replies, so there are no such URLs at all.
    # Only the configured ESP's (not all of anymail.urls): another ESP's URL is a 404, not a
    # view that answers strangers' posts with a 500.
    urlpatterns.append(
        path("anymail/", include((webhook_urlpatterns(settings.EMAIL_BACKEND), "anymail")))
    )
