"""Account operations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from followup.accounts.choices import country_for_time_zone
from followup.accounts.models import Profile, User


def profile_for(*, user: User) -> Profile:
    """The user's profile, created with the defaults if an admin made the user."""
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def account_signup(
    *, email: str, password: str, full_name: str, time_zone: str, phone: str = ""
) -> User:
    """Create a user and their profile together: both or neither.

    The holiday country is the one the time zone names (Europe/Berlin -> DE); a zone that
    names none (UTC) leaves it empty, so only weekends are skipped until the user picks one.
    """
    user = User.objects.create_user(email=email, password=password)
    Profile.objects.create(
        user=user,
        full_name=full_name.strip(),
        phone=phone.strip(),
        time_zone=time_zone,
        country=country_for_time_zone(time_zone),
    )
    return user


# Profile fields the profile page may change (everything but the owner and timestamps).
PROFILE_FIELDS = (
    "full_name",
    "phone",
    "signature",
    "formal_greeting",
    "bcc_copy",
    "time_zone",
    "country",
    "region",
    "send_window_start",
    "send_window_end",
    "check_in_business_days",
    "after_decision_business_days",
    "second_check_in_business_days",
    "no_news_business_days",
    "out_of_office_business_days",
    "stay_in_touch_weeks",
)


@dataclass(frozen=True)
class ProfileSaved:
    """What saving the profile did: the profile, and whether anything in it changed."""

    profile: Profile
    changed: bool


def profile_update(*, profile: Profile, email: str, changes: dict[str, Any]) -> ProfileSaved:
    """Save the sender's identity and timing, and the login email; say whether anything changed.

    A changed login email is no longer verified.

    Every setting here shapes the drafts (their text or their time): the caller re-plans them
    in the same transaction when something changed (messaging.services.facts.profile_update).
    """
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not profile settings: {', '.join(sorted(unknown))}")
    user = profile.user
    normalized = User.objects.normalize_email(email)
    with transaction.atomic():
        # Compared with the stored row: a ModelForm has already copied the new values onto
        # `profile` while validating.
        stored = Profile.objects.filter(pk=profile.pk).values(*changes).first() or {}
        changed = user.email != normalized or any(
            stored.get(name) != value for name, value in changes.items()
        )
        if user.email != normalized:
            # A new address is not verified yet: the caller sends it a link
            # (accounts.verification.verification_email_send).
            user.email = normalized
            user.email_verified_at = None
            user.save(update_fields=["email", "email_verified_at"])
        for name, value in changes.items():
            setattr(profile, name, value)
        profile.save()
    return ProfileSaved(profile=profile, changed=changed)
