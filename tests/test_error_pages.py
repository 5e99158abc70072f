"""Our own 400/403/404/500 pages, each with a way back home."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.template import loader
from django.test import RequestFactory
from django.views import defaults


@pytest.mark.django_db
def test_an_unknown_url_renders_our_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    assert b"We cannot find that page" in response.content
    assert b'href="/"' in response.content


@pytest.mark.django_db
def test_a_signed_in_user_gets_the_same_404_page(owner_client):
    response = owner_client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"We cannot find that page" in response.content


def test_the_500_page_renders_without_a_request_or_database():
    # Django's server_error view renders it with an empty context and no request.
    html = loader.get_template("500.html").render()
    assert "Something broke on our side" in html
    assert 'href="/"' in html


def test_the_server_error_view_answers_500_with_our_page():
    response = defaults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert b"Something broke on our side" in response.content


def test_the_403_and_400_views_use_our_pages():
    request = RequestFactory().get("/")
    forbidden = defaults.permission_denied(request, PermissionDenied())
    assert forbidden.status_code == 403
    assert b"You cannot do that here" in forbidden.content
    bad = defaults.bad_request(request, SuspiciousOperation())
    assert bad.status_code == 400
    assert b"We could not read that request" in bad.content


@pytest.mark.django_db
def test_a_form_without_its_csrf_token_gets_the_expired_form_page(user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert b"That form has expired" in response.content
