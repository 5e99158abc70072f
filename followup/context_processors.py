from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from followup.accounts.models import Profile
from followup.accounts.services import profile_for
from followup.rules.calendar import zone_named
from messaging.queue_selectors import nav_counts


def site(request: HttpRequest) -> dict[str, object]:
    """Values every page's layout needs: whether mail goes to the local outbox."""
    return {"uses_local_outbox": settings.EMAIL_BACKEND == "messaging.outbox.OutboxEmailBackend"}


def _profile(user) -> Profile:
    # The reverse one-to-one is cached on the user: the navigation's name reads the same row.
    try:
        return user.profile
    except Profile.DoesNotExist:
        return profile_for(user=user)


def attention(request: HttpRequest) -> dict[str, object]:
    """What needs the signed-in user's attention, for the navigation and the page's banner.

    queue_count: drafts due by the end of tomorrow on their clock (overdue too);
    failed_count: sends that failed (the Failed tab); unconfirmed_count: sends the mail
    service never confirmed (the Not confirmed tab);
    identity_missing: what the sign-off still lacks. The profile and one aggregate query,
    whatever the number of messages.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    profile = _profile(user)
    try:
        zone = zone_named(profile.time_zone)
    except ValueError:
        zone = zone_named("UTC")
    counts = nav_counts(user=user, zone=zone)
    return {
        "queue_count": counts.due_soon,
        "failed_count": counts.failed,
        "unconfirmed_count": counts.unconfirmed,
        "identity_missing": profile.identity_missing,
    }
