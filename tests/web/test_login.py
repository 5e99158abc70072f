"""Logging in by email in any case, back to the page that asked; logging out only by POST."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.builders.accounts import PASSWORD

pytestmark = pytest.mark.django_db


def test_it_logs_in_with_email_and_password(client, user):
    response = client.post(
        reverse("accounts:login"), {"username": "alex@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("interviews:dashboard")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_email_is_matched_whatever_its_case(client, user):
    response = client.post(
        reverse("accounts:login"), {"username": "Alex@EXAMPLE.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_wrong_password_shows_a_clear_error(client, user):
    response = client.post(
        reverse("accounts:login"), {"username": "alex@example.com", "password": "wrong"}
    )
    assert response.status_code == 200
    assert b"do not match an account" in response.content
    assert "_auth_user_id" not in client.session


def test_it_returns_to_the_page_that_asked_for_a_login(client, user):
    response = client.post(
        reverse("accounts:login") + "?next=/accounts/profile/",
        {"username": "alex@example.com", "password": PASSWORD, "next": "/accounts/profile/"},
    )
    assert response["Location"] == "/accounts/profile/"


def test_log_out_is_a_post_and_ends_the_session(owner_client):
    response = owner_client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in owner_client.session


def test_a_logged_in_user_skips_the_login_page(owner_client):
    response = owner_client.get(reverse("accounts:login"))
    assert response.status_code == 302


def test_a_get_on_log_out_asks_first_with_a_button_that_posts(owner_client):
    response = owner_client.get(reverse("accounts:logout"))

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<form method="post" action="{reverse("accounts:logout")}"' in html
    assert "csrfmiddlewaretoken" in html
    assert "_auth_user_id" in owner_client.session


def test_a_get_on_log_out_when_logged_out_goes_to_the_login_page(client):
    response = client.get(reverse("accounts:logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")


@pytest.mark.parametrize("field", ["username", "password"])
def test_an_absurdly_long_login_field_gets_a_form_error_not_a_server_error(client, user, field):
    data = {"username": "alex@example.com", "password": PASSWORD}
    data[field] = "a" * 60_000 + ("@example.com" if field == "username" else "")

    response = client.post(reverse("accounts:login"), data)

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert "_auth_user_id" not in client.session
