"""The account services: sign-up writes the user and the profile together, or neither."""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from followup.accounts.models import Profile, User
from followup.accounts.services import account_signup
from tests.builders.accounts import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_service_leaves_no_user_behind_when_the_profile_fails(monkeypatch):
    def fail(**kwargs: object) -> None:
        raise IntegrityError("profile insert failed")

    monkeypatch.setattr(Profile.objects, "create", fail)
    with pytest.raises(IntegrityError):
        account_signup(
            email="half@example.com", password=PASSWORD, full_name="Half", time_zone="UTC"
        )
    assert not User.objects.filter(email="half@example.com").exists()
