from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.mark.django_db
def test_healthz_answers_a_container_probe_by_ip_over_plain_http(client, settings):
    # Production settings: strict hosts and an HTTPS redirect must not fail the probe.
    settings.ALLOWED_HOSTS = ["followup.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/healthz/", HTTP_HOST="172.18.0.5:8000")
    assert response.status_code == 200
    assert response.content == b"ok"
    # Every other page still gets the host check.
    assert client.get("/accounts/login/", HTTP_HOST="172.18.0.5:8000").status_code == 400


@pytest.mark.django_db
def test_healthz_needs_no_login(client):
    assert client.head("/healthz/").status_code == 200
