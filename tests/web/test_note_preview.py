"""The log form's note preview: the sentence a note becomes, its slot, its spelling (issue 9)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from followup.accounts.models import DictionaryWord
from tests.builders.interviews import make_application, make_company, make_contact

pytestmark = pytest.mark.django_db

URL = reverse("interviews:note_preview")


def preview(client, note: str, field: str = "discussed", query: str = "", **form: str) -> str:
    data = {"preview": f"people-0-{field}", f"people-0-{field}": note, **form}
    response = client.post(URL + query, data)
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_the_sentence_a_note_becomes_with_the_company_as_your(owner_client):
    html = preview(
        owner_client,
        "we talked about how they test data quality",
        company="Acme",
        **{"people-0-name": "Priya Shah"},
    )
    assert "I especially enjoyed our conversation about how your team tests data quality." in html
    assert "especially after our conversation about how your team tests data quality" in html
    assert "note-slot" not in html


def test_a_note_to_self_shows_the_highlighted_slot_and_what_to_write(owner_client):
    html = preview(owner_client, "sql test, window functions. went ok i think", company="Acme")
    assert '<mark class="note-slot">[Say in a few words what you discussed]</mark>' in html
    assert "It reads as a note to yourself." in html
    assert "we talked about" in html  # the hint of the shape that works best


def test_a_promised_item_shows_the_link_slot(owner_client):
    html = preview(owner_client, "send my portfolio link", field="promised", company="Acme")
    assert (
        'As promised, here is my portfolio: <mark class="note-slot">[Paste the link here]' in html
    )


def test_it_shows_the_spelling_warnings_of_the_note(owner_client):
    html = preview(owner_client, "the qwzrtv rollout", company="Acme")
    assert "Check the spelling of" in html and "qwzrtv" in html


def test_the_company_comes_from_the_users_own_application_only(owner_client, user, outsider):
    theirs = make_application(outsider, make_company(outsider, "Globex"))
    mine = make_application(user, make_company(user, "Initech"))

    html = preview(owner_client, "Globex's roadmap", query=f"?application={theirs.pk}")
    assert "Globex&#x27;s roadmap" in html  # not "your roadmap": Globex is not known here
    html = preview(owner_client, "Initech's roadmap", query=f"?application={mine.pk}")
    assert "our conversation about your roadmap" in html


def test_the_picked_contacts_name_is_never_pasted(owner_client, user):
    dana = make_contact(make_company(user, "Acme"), "Dana Whitfield")
    html = preview(
        owner_client, "Dana's migration plan", company="Acme", **{"people-0-contact": str(dana.pk)}
    )
    assert "Dana" not in html.split("It names")[0].split("In the email:")[1]
    assert "It names the person you are writing to." in html


@pytest.mark.parametrize(
    "data",
    [{}, {"preview": "nonsense"}, {"preview": "people-0-DELETE"}, {"preview": "-discussed"}],
)
def test_anything_else_answers_an_empty_preview(owner_client, data):
    response = owner_client.post(URL + "?application=abc", data)
    assert response.status_code == 200
    assert "In the email" not in response.content.decode()


def test_the_users_own_words_are_neither_corrected_nor_flagged(owner_client, user):
    assert "the hero pipelines" in preview(owner_client, "the hevo pipelines", company="Acme")
    DictionaryWord.objects.create(user=user, word="hevo")

    html = preview(owner_client, "the hevo pipelines", company="Acme")

    assert "the hevo pipelines" in html
    assert "Check the spelling" not in html and "put right" not in html


def test_with_no_company_typed_yet_the_reader_is_your_team(owner_client):
    html = preview(owner_client, "how they test data quality")

    assert "how your team tests data quality" in html
