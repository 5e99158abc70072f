"""Fixtures of own-mailbox mode: an encryption key, loopback servers allowed, eager Celery."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from tests.builders.messages import eager_celery

# The key the tests' passwords are encrypted with (a fresh one per run).
KEY = Fernet.generate_key().decode()


@pytest.fixture(autouse=True)
def _mailbox_settings(settings):
    settings.FOLLOWUP_FIELD_ENCRYPTION_KEYS = [KEY]
    # The test servers listen on 127.0.0.1, which production refuses.
    settings.FOLLOWUP_MAILBOX_PRIVATE_HOSTS = True
    with eager_celery():
        yield
