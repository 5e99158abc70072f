"""Own-mailbox mode, the account side: storing a user's mailbox settings and app password.

Connecting, sending and reading the inbox are messaging's (messaging.mailbox,
messaging.mailbox_polling); this module only keeps the settings, the password encrypted.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from followup.accounts.models import Mailbox, User
from followup.accounts.secrets import SecretUnreadable, secret_encrypt, secret_rotate

# The settings the profile page may change (the password goes its own way).
MAILBOX_FIELDS = (
    "enabled",
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "imap_host",
    "imap_port",
    "imap_security",
    "username",
)


def mailbox_of(*, user: User) -> Mailbox | None:
    """The user's mailbox settings, if they gave any."""
    return Mailbox.objects.filter(user=user).first()


def _inbox_identity(mailbox: Mailbox) -> tuple[str, str]:
    return (mailbox.imap_host.strip().lower(), mailbox.username.strip().lower())


@transaction.atomic
def mailbox_save(*, user: User, changes: dict[str, Any], password: str = "") -> Mailbox:
    """Store the user's mailbox settings; a password given replaces the stored one.

    An empty password keeps the stored one (the page never shows it back). Another inbox
    (server or username) is read from its recent mail on, not from where the old one stopped.
    The last error is cleared: it was about the settings before.
    """
    mailbox = Mailbox.objects.select_for_update().filter(user=user).first() or Mailbox(user=user)
    inbox_before = _inbox_identity(mailbox) if mailbox.pk else None
    for name in MAILBOX_FIELDS:
        if name in changes:
            setattr(mailbox, name, changes[name])
    if password:
        mailbox.password_token = secret_encrypt(password)
    if inbox_before != _inbox_identity(mailbox):
        mailbox.uidvalidity = None
        mailbox.last_seen_uid = 0
    mailbox.last_error = ""
    mailbox.last_error_at = None
    mailbox.save()
    return mailbox


def mailbox_forget_password(*, user: User) -> bool:
    """Delete the stored app password (nothing is sent or read until a new one is given)."""
    return bool(
        Mailbox.objects.filter(user=user).exclude(password_token="").update(password_token="")
    )


def mailbox_passwords_rotate() -> tuple[int, int]:
    """Encrypt every stored password again with the first key; (rotated, unreadable).

    After a new key was put in front of FOLLOWUP_FIELD_ENCRYPTION_KEY: once this ran, the
    old keys can be removed. A password no key opens stays as it is (its owner is asked
    for it again when it is used).
    """
    rotated = unreadable = 0
    for pk in Mailbox.objects.exclude(password_token="").values_list("pk", flat=True):
        with transaction.atomic():
            mailbox = Mailbox.objects.select_for_update().filter(pk=pk).first()
            if mailbox is None or not mailbox.password_token:
                continue
            try:
                token = secret_rotate(mailbox.password_token)
            except SecretUnreadable:
                unreadable += 1
                continue
            Mailbox.objects.filter(pk=pk).update(password_token=token)
            rotated += 1
    return rotated, unreadable
