"""Browsers find our icon: every page names it, and /favicon.ico leads to it."""

from __future__ import annotations

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_every_page_names_the_favicon(owner_client):
    response = owner_client.get(reverse("messaging:queue"))

    assert 'rel="icon"' in response.text
    assert "favicon.svg" in response.text


def test_the_favicon_address_leads_to_our_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
