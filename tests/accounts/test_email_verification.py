"""Email verification: a new or changed address is confirmed by a signed link before approving."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from followup.accounts.models import User
from followup.accounts.verification import verification_token
from messaging.models import Message
from messaging.services.approval import message_approve
from messaging.services.refusals import ActionRefused
from tests.builders.accounts import make_user
from tests.builders.forms import profile_data, signup_data
from tests.builders.messages import draft, panel

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _verification_on(settings, request):
    settings.FOLLOWUP_REQUIRE_EMAIL_VERIFICATION = True
    # A cache of this test's own: parallel workers share Redis, and the counters live there.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": request.node.nodeid,
        }
    }
    yield
    cache.clear()


def _link(email: mail.EmailMessage) -> str:
    found = re.search(r"https?://[^\s]+/verify/[^\s]+/", email.body)
    assert found, email.body
    return found.group(0).split("testserver", 1)[1]


@pytest.fixture
def unverified(db) -> User:
    return make_user("casey@example.com", verified=False)


def test_sign_up_sends_a_link_that_verifies_the_address(client):
    client.post(reverse("accounts:signup"), signup_data())

    user = User.objects.get(email="jordan@example.com")
    assert user.email_verified_at is None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["jordan@example.com"]
    assert "Confirm" in mail.outbox[0].subject

    response = client.get(_link(mail.outbox[0]), follow=True)
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.email_verified_at is not None
    assert "confirmed" in response.content.decode()


def test_the_link_works_in_a_browser_that_is_not_logged_in(client, unverified):
    response = client.get(
        reverse("accounts:verify_email_link", args=[verification_token(unverified)])
    )
    assert response.status_code in (200, 302)
    unverified.refresh_from_db()
    assert unverified.email_verified_at is not None


def test_an_unverified_user_cannot_approve_and_is_told_why(unverified):
    application, _people = panel(unverified)
    message = draft(application)

    with pytest.raises(ActionRefused, match="Confirm your email address"):
        message_approve(message=message, user=unverified)
    message.refresh_from_db()
    assert message.status == Message.Status.DRAFT


def test_with_verification_off_an_unverified_user_can_approve(settings, unverified):
    settings.FOLLOWUP_REQUIRE_EMAIL_VERIFICATION = False
    application, _people = panel(unverified)
    message = message_approve(message=draft(application), user=unverified)
    assert message.status == Message.Status.APPROVED


def test_with_verification_off_sign_up_sends_no_link(settings, client):
    settings.FOLLOWUP_REQUIRE_EMAIL_VERIFICATION = False
    client.post(reverse("accounts:signup"), signup_data())
    assert mail.outbox == []


def test_an_expired_link_does_not_verify(client, unverified):
    token = verification_token(unverified)
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        response = client.get(reverse("accounts:verify_email_link", args=[token]))
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    unverified.refresh_from_db()
    assert unverified.email_verified_at is None


def test_a_tampered_link_does_not_verify(client, unverified):
    token = verification_token(unverified)
    response = client.get(reverse("accounts:verify_email_link", args=[token[:-2] + "xx"]))
    assert response.status_code == 400
    unverified.refresh_from_db()
    assert unverified.email_verified_at is None


def test_a_link_for_the_old_address_does_not_verify_the_new_one(client, unverified):
    token = verification_token(unverified)
    User.objects.filter(pk=unverified.pk).update(email="new@example.com")
    response = client.get(reverse("accounts:verify_email_link", args=[token]))
    assert response.status_code == 400
    unverified.refresh_from_db()
    assert unverified.email_verified_at is None


def test_changing_the_login_email_unverifies_it_and_sends_a_new_link(user, owner_client):
    assert user.email_verified_at is not None
    response = owner_client.post(
        reverse("accounts:profile"), profile_data(email="alex.new@example.com")
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "alex.new@example.com"
    assert user.email_verified_at is None
    assert [m.to for m in mail.outbox] == [["alex.new@example.com"]]

    owner_client.get(_link(mail.outbox[0]))
    user.refresh_from_db()
    assert user.email_verified_at is not None


def test_saving_the_profile_without_changing_the_email_keeps_it_verified(user, owner_client):
    owner_client.post(reverse("accounts:profile"), profile_data(full_name="Alex M. Morgan"))
    user.refresh_from_db()
    assert user.email_verified_at is not None
    assert mail.outbox == []


def test_the_page_says_what_is_missing_and_sends_the_link_again(client, unverified):
    client.force_login(unverified)
    page = client.get(reverse("accounts:verify_email"))
    assert page.status_code == 200
    assert "casey@example.com" in page.content.decode()
    assert "Send the link again" in page.content.decode()

    response = client.post(reverse("accounts:verify_email"))
    assert response.status_code == 302
    assert len(mail.outbox) == 1


def test_the_profile_page_shows_the_banner_while_unverified(client, unverified):
    client.force_login(unverified)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "not confirmed" in page
    assert reverse("accounts:verify_email") in page


def test_sending_the_link_again_is_rate_limited(client, unverified):
    client.force_login(unverified)
    for _ in range(3):
        client.post(reverse("accounts:verify_email"))
    response = client.post(reverse("accounts:verify_email"))
    assert response.status_code == 429
    assert "Too many" in response.content.decode()
    assert len(mail.outbox) == 3


def test_a_verified_user_is_told_so(owner_client):
    page = owner_client.get(reverse("accounts:verify_email")).content.decode()
    assert "is confirmed" in page
