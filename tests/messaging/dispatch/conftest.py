"""Fixtures of the dispatch tests: a locmem mailbox and the sending set-up."""

from __future__ import annotations

import pytest
from django.core import mail

from tests.builders.messages import sending_setup


@pytest.fixture
def locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "Followup <send@followup.example>"
    settings.FOLLOWUP_SEND_AS_USER = False
    mail.outbox = []
    return mail.outbox


@pytest.fixture
def setup(user):
    return sending_setup(user)
