"""The personal dictionary: "Add to my dictionary" on a spelling warning, for the owner only,
counted in every draft at once; the page that lists and removes the words."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from followup.accounts import dictionary
from followup.accounts.dictionary import dictionary_word_add, dictionary_words
from followup.accounts.models import DictionaryWord
from messaging import queue_selectors
from messaging.account_data import account_export
from messaging.drafting.planning import plan_interview
from messaging.models import Message
from tests.builders.forms import HTMX
from tests.builders.messages import CLEAN_BODY, draft, panel
from tests.builders.queries import thank_yous
from tests.builders.scenario import make_panel

pytestmark = pytest.mark.django_db

QUEUE = reverse("messaging:queue")
PAGE = reverse("accounts:dictionary")
REMOVE = reverse("accounts:dictionary_remove")
# A tool no dictionary knows, in an otherwise clean thank-you.
BODY = CLEAN_BODY.replace("from my last team", "from my last team on zyntrax")


@pytest.fixture
def drafts(user) -> list[Message]:
    """Two drafts (to two interviewers) that both use the unknown word."""
    application, people = panel(user)
    return [
        draft(application, contact=people["dana"], body_text=BODY),
        draft(application, contact=people["richardson"], body_text=BODY.replace("Dana", "Maria")),
    ]


def add_url(message: Message) -> str:
    return reverse("messaging:queue_add_word", args=[message.pk])


def spelling_words(user, message: Message) -> list[tuple[str, ...]]:
    """The words each spelling warning of the draft names, as the queue shows it now."""
    item = queue_selectors.queue_item(user=user, message=message)
    return [f.words for f in item.findings if f.code == "spelling"]


# -- the button and the endpoint ------------------------------------------------------------------


def test_a_spelling_warning_offers_to_add_each_word(owner_client, drafts):
    page = owner_client.get(QUEUE).content.decode()

    assert "Add “zyntrax” to my dictionary" in page
    assert f'action="{add_url(drafts[0])}"' in page


def test_adding_a_word_clears_it_from_every_draft_at_once(owner_client, user, drafts):
    assert [spelling_words(user, m) for m in drafts] == [[("zyntrax",)], [("zyntrax",)]]

    response = owner_client.post(add_url(drafts[0]), {"word": "Zyntrax", "next": QUEUE})

    assert response.status_code == 302
    assert response["Location"] == QUEUE
    assert dictionary_words(user=user) == {"zyntrax"}
    assert [spelling_words(user, m) for m in drafts] == [[], []]
    page = owner_client.get(QUEUE).content.decode()
    assert "Added “zyntrax” to your dictionary" in page
    assert "Add “zyntrax” to my dictionary" not in page


def test_with_htmx_the_card_and_the_other_open_cards_come_back_checked_again(
    owner_client, user, drafts
):
    first, second = drafts

    response = owner_client.post(
        add_url(first), {"word": "zyntrax", "ids": [first.pk, second.pk]}, **HTMX
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<article") == 2
    assert f'id="draft-{first.pk}"' in html
    assert "Added “zyntrax” to your dictionary" in html
    # The other card replaces its old self out of band, unless it is being edited.
    assert f'hx-swap-oob="outerHTML:#draft-{second.pk}:not([data-editing])"' in html
    assert "Check the spelling" not in html
    assert "Add “zyntrax”" not in html


def test_the_htmx_answer_leaves_out_ids_that_are_not_the_users_open_drafts(
    owner_client, outsider, drafts
):
    other = draft(panel(outsider)[0], body_text=BODY)

    response = owner_client.post(
        add_url(drafts[0]), {"word": "zyntrax", "ids": [drafts[0].pk, other.pk, "x"]}, **HTMX
    )

    assert response.status_code == 200
    assert response.content.decode().count("<article") == 1
    assert spelling_words(outsider, other) == [("zyntrax",)]


def test_adding_a_word_twice_keeps_one(owner_client, user, drafts):
    for word in ("zyntrax", "ZYNTRAX"):
        owner_client.post(add_url(drafts[0]), {"word": word})

    assert list(DictionaryWord.objects.filter(user=user).values_list("word", flat=True)) == [
        "zyntrax"
    ]


@pytest.mark.parametrize(
    ("word", "error"),
    [
        ("", "Type the word to add."),
        ("two words", "Only a single word can be added"),
        ("x" * 41, "at most 40 letters"),
    ],
)
def test_what_is_not_a_word_is_refused_on_the_card_and_nothing_is_added(
    owner_client, user, drafts, word, error
):
    response = owner_client.post(add_url(drafts[0]), {"word": word}, **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert error in html
    assert 'role="alert"' in html
    assert not DictionaryWord.objects.exists()


def test_without_javascript_a_refusal_is_a_message_on_the_page_it_came_from(owner_client, drafts):
    response = owner_client.post(add_url(drafts[0]), {"word": "a b", "next": QUEUE}, follow=True)

    assert response.redirect_chain == [(QUEUE, 302)]
    assert "Only a single word can be added" in response.content.decode()
    assert not DictionaryWord.objects.exists()


def test_a_full_dictionary_says_so(owner_client, user, drafts, monkeypatch):
    monkeypatch.setattr(dictionary, "DICTIONARY_MAX_WORDS", 1)
    dictionary_word_add(user=user, word="kagglr")

    response = owner_client.post(add_url(drafts[0]), {"word": "zyntrax"}, **HTMX)

    assert "Your dictionary is full" in response.content.decode()
    assert dictionary_words(user=user) == {"kagglr"}


def test_another_users_draft_is_a_404_and_adds_nothing(outsider_client, drafts):
    response = outsider_client.post(add_url(drafts[0]), {"word": "zyntrax"})

    assert response.status_code == 404
    assert not DictionaryWord.objects.exists()


def test_a_stranger_is_sent_to_log_in(client, drafts):
    response = client.post(add_url(drafts[0]), {"word": "zyntrax"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not DictionaryWord.objects.exists()


@pytest.mark.parametrize("url", ["add", PAGE, REMOVE])
def test_every_dictionary_change_needs_the_csrf_token(user, drafts, url):
    dictionary_word_add(user=user, word="kagglr")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.post(add_url(drafts[0]) if url == "add" else url, {"word": "zyntrax"})

    assert response.status_code == 403
    assert dictionary_words(user=user) == {"kagglr"}


def test_a_word_is_only_ever_the_users_own(owner_client, user, outsider, drafts):
    other = draft(panel(outsider)[0], body_text=BODY)

    owner_client.post(add_url(drafts[0]), {"word": "zyntrax"})

    assert dictionary_words(user=outsider) == frozenset()
    assert spelling_words(outsider, other) == [("zyntrax",)]


def test_the_live_check_while_editing_knows_the_users_words(owner_client, user, drafts):
    dictionary_word_add(user=user, word="zyntrax")
    url = reverse("messaging:queue_check", args=[drafts[0].pk])

    response = owner_client.post(url, {"body_text": BODY + "\nAlso zyntrax and kagglr."}, **HTMX)

    html = response.content.decode()
    assert "“kagglr”" in html
    assert "“zyntrax”" not in html
    # The live check sits inside the edit form: no second form (button) inside it.
    assert "Add “kagglr” to my dictionary" not in html


def test_a_draft_dealt_with_meanwhile_still_takes_the_word(owner_client, user, drafts):
    Message.objects.filter(pk=drafts[0].pk).update(status=Message.Status.SKIPPED)

    response = owner_client.post(add_url(drafts[0]), {"word": "zyntrax"}, **HTMX)

    assert response.status_code == 200
    assert "data-done" in response.content.decode()
    assert dictionary_words(user=user) == {"zyntrax"}


# -- the dictionary page --------------------------------------------------------------------------


def test_the_profile_page_links_the_dictionary(owner_client):
    assert f'href="{PAGE}"' in owner_client.get(reverse("accounts:profile")).content.decode()


def test_the_page_lists_the_users_words_only(owner_client, user, outsider):
    for word in ("zyntrax", "Kagglr"):
        dictionary_word_add(user=user, word=word)
    dictionary_word_add(user=outsider, word="outsiderword")

    html = owner_client.get(PAGE).content.decode()

    assert html.index("kagglr") < html.index("zyntrax")
    assert "outsiderword" not in html


def test_a_word_can_be_added_on_the_page(owner_client, user):
    response = owner_client.post(PAGE, {"word": " Kagglr "}, follow=True)

    assert response.redirect_chain == [(PAGE, 302)]
    assert dictionary_words(user=user) == {"kagglr"}
    assert "Added “kagglr” to your dictionary." in response.content.decode()


def test_a_refused_word_comes_back_with_the_reason(owner_client, user):
    response = owner_client.post(PAGE, {"word": "two words"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Only a single word can be added" in html
    assert 'value="two words"' in html
    assert not DictionaryWord.objects.exists()


def test_removing_a_word_flags_it_again_in_the_drafts(owner_client, user, drafts):
    dictionary_word_add(user=user, word="zyntrax")
    assert spelling_words(user, drafts[0]) == []

    response = owner_client.post(REMOVE, {"word": "Zyntrax"}, follow=True)

    assert response.redirect_chain == [(PAGE, 302)]
    assert "Removed “Zyntrax” from your dictionary." in response.content.decode()
    assert dictionary_words(user=user) == frozenset()
    assert spelling_words(user, drafts[0]) == [("zyntrax",)]


def test_removing_touches_only_the_users_own_words(outsider_client, user):
    dictionary_word_add(user=user, word="zyntrax")

    response = outsider_client.post(REMOVE, {"word": "zyntrax"}, follow=True)

    assert "That word was not in your dictionary." in response.content.decode()
    assert dictionary_words(user=user) == {"zyntrax"}


@pytest.mark.parametrize(
    "word",
    ["", " ", "\x00", "x" * 70_000, "<script>alert(1)</script>", "a\r\nBcc: v@example.com", "١٢"],
)
def test_no_word_a_client_sends_is_a_server_error(owner_client, drafts, word):
    for url in (PAGE, REMOVE, add_url(drafts[0])):
        for headers in ({}, HTMX):
            response = owner_client.post(url, {"word": word, "ids": ["1", "x"]}, **headers)
            assert response.status_code < 500, (url, word)
    assert not DictionaryWord.objects.exists()


def test_the_export_holds_the_words(user, outsider):
    dictionary_word_add(user=user, word="zyntrax")
    dictionary_word_add(user=outsider, word="outsiderword")

    words = account_export(user=user)["dictionary_words"]

    assert [w["word"] for w in words] == ["zyntrax"]


def test_a_drafted_thank_you_keeps_the_users_own_words_as_typed(user):
    dictionary_word_add(user=user, word="hevo")
    _, interview, people = make_panel(user)
    interview.participants.filter(contact=people["dana"]).update(discussed="the hevo pipelines")

    plan_interview(interview=interview)

    body = thank_yous(interview)["Dana Whitfield"].body_text
    assert "hevo pipelines" in body and "hero" not in body
