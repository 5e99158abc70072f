"""Email verification: a signed, expiring link proves the user reads their login address.

Until it is followed, nothing can be approved (messaging.services.approval): a stranger
cannot sign up with someone else's address and send follow-ups that look like theirs. The
link names the account and (a digest of) the address, so a link sent to an old address
does not verify a new one, and it expires after VERIFICATION_MAX_AGE.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone

from followup.accounts.models import User

VERIFICATION_MAX_AGE = dt.timedelta(days=7)
_SALT = "followup.accounts.verify-email"

NOT_VERIFIED = (
    "Confirm your email address first: open the link we emailed to {email}. "
    "Nothing can be approved until then. No email? Ask for a new link on your profile page."
)


def verification_required() -> bool:
    """FOLLOWUP_REQUIRE_EMAIL_VERIFICATION (on unless the operator turned it off)."""
    return bool(getattr(settings, "FOLLOWUP_REQUIRE_EMAIL_VERIFICATION", True))


def needs_verification(user: User) -> bool:
    """The user must still follow a link before approving."""
    return verification_required() and user.email_verified_at is None


def _address_digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:24]


def verification_token(user: User) -> str:
    """The signed, timestamped token of the user's current address."""
    return signing.TimestampSigner(salt=_SALT).sign(f"{user.pk}:{_address_digest(user.email)}")


def email_verify(token: str) -> User | None:
    """Mark the address of a valid, unexpired token verified; the user, or None if not valid."""
    try:
        value = signing.TimestampSigner(salt=_SALT).unsign(token, max_age=VERIFICATION_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one too
        return None
    pk, _, digest = value.partition(":")
    user = User.objects.filter(pk=pk).first() if pk.isdigit() else None
    if user is None or _address_digest(user.email) != digest:
        return None
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        # Only while the address is still the one the link was for (a change meanwhile wins).
        User.objects.filter(pk=user.pk, email=user.email).update(
            email_verified_at=user.email_verified_at
        )
    return user


def verification_email_send(*, user: User, link_for: Callable[[str], str]) -> None:
    """Email the user a link to verify their address; `link_for(token)` makes it absolute.

    Through EMAIL_BACKEND like every email of the app: in the embedded default it lands in
    the outbox, shown to the user it is addressed to.
    """
    context = {
        "user": user,
        "link": link_for(verification_token(user)),
        "days": VERIFICATION_MAX_AGE.days,
    }
    subject = render_to_string("accounts/email/verify_email_subject.txt", context).strip()
    body = render_to_string("accounts/email/verify_email.txt", context)
    send_mail(subject, body, None, [user.email])
