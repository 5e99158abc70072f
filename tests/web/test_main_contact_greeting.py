"""The main contact typed in on the log page is greeted like an interviewer: tone and honorific."""

from __future__ import annotations

import pytest
from django.urls import reverse

from interviews.models import Contact
from messaging.models import Message
from tests.builders.forms import log_data

pytestmark = pytest.mark.django_db


def log(client, **main):
    data = log_data({"name": "Dana Richardson", "email": "dana@acme.example"}, **main)
    return client.post(reverse("interviews:log"), data)


def test_the_log_page_offers_tone_and_honorific_for_a_new_main_contact(owner_client):
    html = owner_client.get(reverse("interviews:log")).text

    assert 'name="main_honorific"' in html
    assert 'name="main_tone"' in html


def test_a_new_main_contacts_tone_and_honorific_are_saved(owner_client):
    response = log(
        owner_client,
        main_name="Riley Park",
        main_email="riley@acme.example",
        main_honorific="Mx.",
        main_tone="formal",
    )

    assert response.status_code == 302
    riley = Contact.objects.get(name="Riley Park")
    assert (riley.honorific, riley.tone, riley.kind) == ("Mx.", "formal", "recruiter")


def test_a_first_name_main_contact_is_greeted_by_first_name(owner_client):
    log(
        owner_client,
        main_name="Riley Park",
        main_email="riley@acme.example",
        main_tone="first_name",
        main_kind="coordinator",
    )

    riley = Contact.objects.get(name="Riley Park")
    assert (riley.tone, riley.kind) == ("first_name", "coordinator")
    assert riley.greeting_name == "Riley"
    to_riley = Message.objects.filter(contact=riley)
    assert to_riley.exists()
    assert all(m.body_text.startswith("Hi Riley,\n") for m in to_riley)


def test_an_honorific_without_a_name_asks_for_the_name(owner_client):
    response = log(owner_client, main_honorific="Ms.")

    assert response.status_code == 200
    assert "Enter this person&#x27;s name too." in response.text or (
        "Enter this person's name too." in response.text
    )


def test_names_typed_in_lower_case_are_saved_capitalised(owner_client, user):
    response = owner_client.post(
        reverse("interviews:log"),
        log_data(
            {"name": "tom becker", "email": "tom@acme.example"},
            main_name="dana reyes-o'neil",
            main_email="dana@acme.example",
        ),
    )

    assert response.status_code == 302
    assert set(Contact.objects.values_list("name", flat=True)) == {
        "Tom Becker",
        "Dana Reyes-O'Neil",
    }
