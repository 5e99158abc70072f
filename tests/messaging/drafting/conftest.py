"""Fixtures of the drafting tests: a sender whose profile carries a signature."""

from __future__ import annotations

import pytest

from followup.accounts.models import Profile


@pytest.fixture
def sender(user):
    Profile.objects.filter(user=user).update(signature="linkedin.com/in/alex-morgan")
    return user
