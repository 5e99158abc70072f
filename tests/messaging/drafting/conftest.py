"""Fixtures of the drafting tests: the clock an hour after the panel interview, and a sender
whose profile carries a signature."""

from __future__ import annotations

import pytest
import time_machine

from followup.accounts.models import Profile
from tests.builders.scenario import LOGGED


@pytest.fixture
def sender(user):
    Profile.objects.filter(user=user).update(signature="linkedin.com/in/alex-morgan")
    return user


@pytest.fixture(autouse=True)
def _an_hour_after_the_panel_interview():
    """Every drafting test runs on the day of the default interview, after it ended."""
    with time_machine.travel(LOGGED, tick=False):
        yield
