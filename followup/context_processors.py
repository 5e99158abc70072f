from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from messaging.queue_selectors import drafts_awaiting_count


def site(request: HttpRequest) -> dict[str, object]:
    """Values every page's layout needs: whether mail goes to the local outbox."""
    return {"uses_local_outbox": settings.EMAIL_BACKEND == "messaging.outbox.OutboxEmailBackend"}


def queue(request: HttpRequest) -> dict[str, object]:
    """The navigation's count of drafts awaiting approval (one COUNT, signed-in users only)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"queue_count": drafts_awaiting_count(user=user)}
