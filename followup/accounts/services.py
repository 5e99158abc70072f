"""Account operations."""

from __future__ import annotations

from followup.accounts.models import Profile, User


def profile_for(*, user: User) -> Profile:
    """The user's profile, created with the defaults if an admin made the user."""
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile
