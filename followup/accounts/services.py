"""Account operations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q

from followup.accounts.choices import country_for_time_zone
from followup.accounts.models import Profile, User


def profile_for(*, user: User) -> Profile:
    """The user's profile, created with the defaults if an admin made the user."""
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def account_signup(*, email: str, password: str, full_name: str, time_zone: str) -> User:
    """Create a user and their profile together: both or neither.

    The holiday country is the one the time zone names (Europe/Berlin -> DE); a zone that
    names none (UTC) leaves it empty, so only weekends are skipped until the user picks one.
    """
    user = User.objects.create_user(email=email, password=password)
    Profile.objects.create(
        user=user,
        full_name=full_name.strip(),
        time_zone=time_zone,
        country=country_for_time_zone(time_zone),
    )
    return user


# Profile fields the profile page may change (everything but the owner and timestamps).
PROFILE_FIELDS = (
    "full_name",
    "phone",
    "signature",
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


def _replan_applications(*, user: User) -> int:
    """Re-plan the pending drafts of the user's applications with the profile as it is now.

    Open applications: check-ins are re-timed (time zone, window, holidays, cadence
    numbers) and thank-yous re-rendered (name, phone, signature, email) and re-timed.
    Ended ones that still have emails waiting (a close-out, a stay-in-touch note): those
    move into the new send window; nothing new is planned for them. Drafts edited by hand
    keep their text. Returns how many approved messages need approval again.
    """
    # Imported here: messaging builds on accounts, not the other way round.
    from interviews.models import Application
    from messaging.drafting import replan_for
    from messaging.models import Message

    applications = (
        Application.objects.filter(user=user)
        .filter(
            ~Q(stage__in=Application.ENDED_STAGES)
            | Q(messages__status__in=Message.PENDING_STATUSES)
        )
        .distinct()
        .order_by("pk")
    )
    return replan_for(applications=list(applications), reason="Your profile changed.")


@dataclass(frozen=True)
class ProfileSaved:
    """What saving the profile did: the profile, and approvals its new details cost."""

    profile: Profile
    approvals_lost: int = 0


def profile_update(*, profile: Profile, email: str, changes: dict[str, Any]) -> ProfileSaved:
    """Save the sender's identity and timing, and the login email; then re-plan the drafts.

    Every setting here shapes the drafts (their text or their time), so a change re-plans
    the pending drafts (see _replan_applications): after the save, one application at a time
    (each in its own transaction), so the save never waits on, or rolls back with, a re-plan.
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
            user.email = normalized
            user.save(update_fields=["email"])
        for name, value in changes.items():
            setattr(profile, name, value)
        profile.save()
    lost = _replan_applications(user=user) if changed else 0
    return ProfileSaved(profile=profile, approvals_lost=lost)
