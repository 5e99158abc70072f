from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    """Values every page's layout needs: whether mail goes to the local outbox."""
    return {"uses_local_outbox": settings.EMAIL_BACKEND == "messaging.outbox.OutboxEmailBackend"}
