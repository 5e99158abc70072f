"""Users and their profiles: the default user is Alex Morgan in New York."""

from __future__ import annotations

from django.utils import timezone

from followup.accounts.models import Profile, User

PASSWORD = "correct-horse-battery-staple"


def make_user(email: str, *, verified: bool = True, **profile: object) -> User:
    """A user with PASSWORD and a profile (Alex Morgan, +1 555 0100, New York unless told).

    The address is verified unless told (verified=False): approving needs it.
    """
    user = User.objects.create_user(
        email=email, password=PASSWORD, email_verified_at=timezone.now() if verified else None
    )
    Profile.objects.create(
        user=user,
        **{"full_name": "Alex Morgan", "phone": "+1 555 0100", "time_zone": "America/New_York"}
        | profile,
    )
    return user


def set_profile(user: User, **fields: object) -> None:
    """Change the profile's rows directly, without the re-planning a saved profile does."""
    Profile.objects.filter(user=user).update(**fields)
