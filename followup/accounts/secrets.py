"""Secrets kept for a user (a mailbox's app password): encrypted at rest, read only to use them.

Fernet (AES-128-CBC with an HMAC, pyca/cryptography) with the keys of
FOLLOWUP_FIELD_ENCRYPTION_KEYS: the first encrypts, every one decrypts, so a key is rotated
by putting the new one in front. Kept as explicit functions instead of a self-decrypting
model field on purpose: the plaintext is never an attribute of a model, so no form, admin
page, export or log line can show it by accident, and a wrong key is an error that says so,
never a ciphertext quietly passed on as the password.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

NO_KEY = (
    "This Followup server has no encryption key for passwords "
    "(FOLLOWUP_FIELD_ENCRYPTION_KEY), so it cannot keep your mailbox's password. "
    "Ask its administrator to set one."
)
UNREADABLE = (
    "The stored password can no longer be read (the server's encryption key changed): "
    "enter your app password again."
)


class SecretsUnavailable(Exception):
    """No key is configured: nothing can be encrypted or decrypted."""


class SecretUnreadable(Exception):
    """The stored token was encrypted with a key this server no longer has (or was altered)."""


def can_keep_secrets() -> bool:
    """Whether a key is configured, so a password can be stored at all."""
    return bool(settings.FOLLOWUP_FIELD_ENCRYPTION_KEYS)


def _fernet() -> MultiFernet:
    keys = settings.FOLLOWUP_FIELD_ENCRYPTION_KEYS
    if not keys:
        raise SecretsUnavailable(NO_KEY)
    return MultiFernet([Fernet(key) for key in keys])


def secret_encrypt(plaintext: str) -> str:
    """The text encrypted with the current key, as ASCII for a text column."""
    return _fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def secret_decrypt(token: str) -> str:
    """The text a token holds; SecretUnreadable when no configured key opens it."""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError, ValueError):
        # Not chained: nothing of the token travels into a traceback or a log.
        raise SecretUnreadable(UNREADABLE) from None


def secret_rotate(token: str) -> str:
    """The token encrypted again with the current (first) key; SecretUnreadable as above."""
    try:
        return _fernet().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError, ValueError):
        raise SecretUnreadable(UNREADABLE) from None
