"""Fixtures of the page tests: one object of each kind the pages take, all the user's."""

from __future__ import annotations

import datetime as dt

import pytest

from interviews.models import Task
from messaging.models import Message, OutboxEmail
from tests.builders.scenario import planned
from tests.builders.webhooks import make_unmatched


@pytest.fixture
def owned(user) -> dict[str, object]:
    """One object of each kind, all the user's."""
    application, people = planned(user)
    return {
        "application": application,
        "interview": application.interviews.get(),
        "contact": people["dana"],
        "company": application.company,
        "message": Message.objects.filter(application=application).first(),
        "outbox": OutboxEmail.objects.create(user=user, from_email="a@b.example", to="c@d.example"),
        "inbound": make_unmatched(user),
        "task": Task.objects.create(user=user, title="Call Dana", due_on=dt.date(2026, 1, 5)),
    }
