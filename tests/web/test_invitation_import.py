"""Logging an interview from its invitation: the .ics read, the log form filled, nothing saved."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from interviews.models import Interview
from tests.builders.interviews import make_company, make_contact
from tests.rules.test_invitations import OUTLOOK, event, ics

pytestmark = pytest.mark.django_db

IMPORT = reverse("interviews:invitation_import")


def upload(client, data: bytes, name: str = "invite.ics", **extra):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, data, "text/calendar")}, **extra)


def test_an_outlook_invitation_fills_in_the_log_form(owner_client, user):
    response = upload(owner_client, OUTLOOK)

    assert response.status_code == 302
    assert response["Location"] == reverse("interviews:log") + "?invitation=1"
    form = owner_client.get(response["Location"]).content.decode()
    assert 'value="2026-12-10"' in form
    assert 'value="10:00"' in form and 'value="11:00"' in form
    assert 'value="America/Los_Angeles"' in form
    assert 'value="Dana Richardson"' in form  # the organizer, as the coordinator
    assert 'value="Lee Chen"' in form and 'value="Mary-Jane O&#x27;Neil"' in form
    assert "alex@example.com" not in form.split("people-")[1]  # the user is no interviewer
    assert "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc" in form
    assert "We will cover the pipeline design." in form
    assert "Filled in from the invitation" in form
    assert not Interview.objects.exists()  # nothing saved until the form is sent


def test_the_prefill_is_used_once(owner_client, user):
    location = upload(owner_client, OUTLOOK)["Location"]
    owner_client.get(location)

    again = owner_client.get(location).content.decode()

    assert "Filled in from the invitation" not in again


def test_pasted_text_works_too(owner_client, user):
    response = owner_client.post(IMPORT, {"text": OUTLOOK.decode()})

    assert response.status_code == 302


def test_a_file_with_several_meetings_asks_which(owner_client, user):
    data = ics(
        *event("DTSTART:20261211T150000Z", "DTEND:20261211T160000Z", "SUMMARY:Onsite", uid="b"),
        *event("DTSTART:20261210T150000Z", "DTEND:20261210T160000Z", "SUMMARY:Screen", uid="a"),
    )

    page = upload(owner_client, data).content.decode()
    assert "which one is the interview?" in page
    assert page.index("Screen") < page.index("Onsite")

    response = owner_client.post(IMPORT, {"choice": "1"})
    assert response.status_code == 302
    form = owner_client.get(response["Location"]).content.decode()
    assert 'value="Onsite"' in form


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.4 not a calendar", "not a calendar invitation"),
        (ics(), "no meeting"),
    ],
)
def test_a_file_that_is_no_invitation_is_refused_and_nothing_saved(
    owner_client, user, data, message
):
    response = upload(owner_client, data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Interview.objects.exists()


def test_nothing_given_says_what_to_do(owner_client, user):
    response = owner_client.post(IMPORT, {})

    assert response.status_code == 400
    assert b"Choose the invitation file, or paste its text." in response.content


def test_a_forged_choice_is_refused(owner_client, user):
    response = owner_client.post(IMPORT, {"choice": "7"})

    assert response.status_code == 400


def test_people_already_in_the_contacts_are_picked_and_their_company_used(owner_client, user):
    lee = make_contact(make_company(user, "Acme Corporation"), "Lee Chen", email="lee@acme.example")

    location = upload(owner_client, OUTLOOK)["Location"]
    response = owner_client.get(location)

    rows = response.context["formset"].initial
    assert any(row.get("contact") == lee.pk for row in rows)
    assert response.context["form"].initial["company"] == "Acme Corporation"


def test_the_company_is_guessed_from_the_organizers_business_address(owner_client, user):
    response = owner_client.get(upload(owner_client, OUTLOOK)["Location"])

    assert response.context["form"].initial["company"] == "Acme"  # dana@acme.example
