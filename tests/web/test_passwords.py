"""Passwords: change it signed in, or reset it by an emailed link; strangers learn nothing."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from messaging.models import OutboxEmail
from tests.builders.accounts import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-long-passphrase-42"


def test_it_changes_the_password_when_the_old_one_is_right(owner_client, user):
    response = owner_client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # Still logged in: Django keeps the session valid after its own password change.
    assert owner_client.get(reverse("accounts:profile")).status_code == 200


def test_it_keeps_the_password_when_the_old_one_is_wrong(owner_client, user):
    response = owner_client.post(
        reverse("accounts:password_change"),
        {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_change_needs_a_login(client):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def _reset_link(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/[^\s]+/)", body)
    assert match, body
    return match.group(1)


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_a_reset_link_by_email_sets_a_new_password(client, user):
    response = client.post(reverse("accounts:password_reset"), {"email": "ALEX@example.com"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")

    [email] = mail.outbox
    assert email.to == ["alex@example.com"]
    assert email.subject == "Choose a new Followup password"
    assert "Alex Morgan" in email.body

    form_page = client.get(_reset_link(email.body), follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done["Location"] == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)

    # The link works once.
    again = client.get(_reset_link(email.body), follow=True)
    assert not again.context["validlink"]


@override_settings(EMAIL_BACKEND="messaging.outbox.OutboxEmailBackend")
def test_in_the_embedded_default_the_reset_email_lands_in_the_local_outbox(client, user):
    client.post(reverse("accounts:password_reset"), {"email": "alex@example.com"})
    stored = OutboxEmail.objects.get()
    assert stored.to == "alex@example.com"
    assert stored.user == user
    assert "/accounts/password/reset/" in stored.body_text


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_an_unknown_address_gets_the_same_answer_and_no_email(client, user):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_the_reset_pages_render(client):
    for name in (
        "accounts:password_reset",
        "accounts:password_reset_done",
        "accounts:password_reset_complete",
    ):
        assert client.get(reverse(name)).status_code == 200
    bad = client.get(reverse("accounts:password_reset_confirm", args=["MQ", "bad-token"]))
    assert bad.status_code == 200
    assert b"does not work any more" in bad.content


def test_an_absurdly_long_new_password_is_refused_with_a_form_error(owner_client, user):
    long = "Correct-Horse-" + "x" * 60_000
    response = owner_client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": long, "new_password2": long},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["new_password1"]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
