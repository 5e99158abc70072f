"""Spelling that respects the user: the shipped vocabulary, personal words, and suggestions
that never turn a known term into a common word."""

from __future__ import annotations

import re

import pytest

from followup.rules.checks import spelling
from tests.builders.checks import spans_text

# Right words the check flagged in real drafts ("aws -> was"), and more of their kind.
RIGHT_WORDS = [
    "aws",
    "sql",
    "devs",
    "hubspot",
    "pagerduty",
    "cron",
    "app",
    "apps",
    "gcp",
    "saas",
    "okrs",
    "kpis",
    "salesforce",
    "zendesk",
    "figma",
    "django",
    "nextjs",
    "typescript",
    "kubernetes",
    "terraform",
    "snowflake",
    "cto",
    "vp",
    "hr",
    "standups",
    "sdks",
    "crm",
    "onboarding",
    "roadmap",
    "inbox",
    "wifi",
    "todo",
    "asap",
    "fyi",
    "linkedin",
    "greenhouse",
    "leetcode",
    "pyspark",
    "dbt",
    "webhooks",
]
# Contractions and informal-but-correct words.
RIGHT_CONTRACTIONS = ["could've", "should've", "that'll", "y'all", "o'clock", "it's", "we'd"]

# Real typos: still caught, with the word that was meant.
TYPOS = [
    ("recieve", "receive"),
    ("thnak", "thank"),
    ("definately", "definitely"),
    ("intrested", "interested"),
    ("oppurtunity", "opportunity"),
    ("teh", "the"),
    ("discusion", "discussion"),
    ("managment", "management"),
    ("apprecaite", "appreciate"),
    # A typo of a term is corrected to the term.
    ("kubernets", "kubernetes"),
    ("pagerdity", "pagerduty"),
]


@pytest.mark.parametrize("word", RIGHT_WORDS + RIGHT_CONTRACTIONS)
def test_a_known_term_or_contraction_is_never_flagged(word):
    text = f"Thank you for the chat about {word} and the team."
    assert spelling.check_spelling(text) == []


@pytest.mark.parametrize("word", RIGHT_WORDS)
def test_a_term_is_known_whatever_its_case(word):
    assert spelling.check_spelling(f"We talked about it. {word.capitalize()} came up.") == []


@pytest.mark.parametrize(("typo", "meant"), TYPOS)
def test_a_typo_is_still_caught_with_the_word_that_was_meant(typo, meant):
    text = f"I {typo} it."
    [finding] = spelling.check_spelling(text)
    assert spans_text(text, finding) == [typo]
    assert f"“{typo}” ({meant}?)" in finding.message
    assert finding.words == (typo,)


def test_no_known_term_is_ever_corrected_into_a_common_word():
    # The measured false alarms, in one draft: nothing is flagged, so nothing "corrected".
    text = (
        "At my last job the devs ran cron jobs on aws, paged through pagerduty; "
        "I moved our app's sql reports into hubspot."
    )
    assert spelling.misspellings(text) == []


def test_an_unknown_abbreviation_gets_no_common_word_as_its_fix():
    [finding] = spelling.check_spelling("The xkcd comic and the sfdc report.")
    assert finding.words == ("xkcd", "sfdc")
    assert "?" not in finding.message


def test_a_word_the_text_writes_as_an_acronym_is_known_in_lower_case_too():
    assert spelling.check_spelling("Our QWZX rollout: the qwzx team owns it.") == []


def test_the_users_own_words_are_known_in_any_case_and_in_the_plural():
    text = "We used Kagglr daily; kagglrs are fun."
    assert spelling.check_spelling(text) != []
    assert spelling.check_spelling(text, known_words=["KAGGLR"]) == []


def test_a_typo_of_the_users_own_word_is_corrected_to_it():
    [finding] = spelling.check_spelling("I tried kagle.", known_words=["kaggle"])
    assert "“kagle” (kaggle?)" in finding.message


def test_a_note_is_checked_the_same_way_with_its_own_field():
    note = "Asked about thier hubspot setup; promised my portfolo."
    [finding] = spelling.check_spelling(note, known_words=("portfolo",), field="note")
    assert (finding.field, finding.words) == ("note", ("thier",))
    assert spans_text(note, finding) == ["thier"]


def test_every_flagged_word_is_offered_once_in_order_of_appearance():
    text = "Thnak you, thnak you. I recieved it."
    [finding] = spelling.check_spelling(text)
    assert finding.words == ("thnak", "recieved")
    assert spans_text(text, finding) == ["Thnak", "thnak", "recieved"]


@pytest.mark.parametrize(
    ("typed", "kept"),
    [("HubSpot", "hubspot"), ("  PagerDuty ", "pagerduty"), ("y\u2019all", "y'all")],
)
def test_a_personal_word_is_kept_folded(typed, kept):
    assert spelling.personal_word(typed) == kept


@pytest.mark.parametrize(
    "typed",
    ["", "   ", "a", "two words", "k8s", "x" * 41, "<b>", "o'", "hub-spot", "\x00"],
)
def test_what_is_not_a_single_word_cannot_be_a_personal_word(typed):
    with pytest.raises(ValueError, match=r"\w"):
        spelling.personal_word(typed)


def test_a_word_as_long_as_the_limit_is_accepted():
    assert spelling.personal_word("x" * spelling.WORD_MAX_LENGTH) == "x" * 40


@pytest.mark.parametrize("name", spelling.VOCABULARY_FILES)
def test_every_vocabulary_line_is_a_note_or_one_checkable_word(name):
    lines = (spelling.DATA_DIR / name).read_text(encoding="utf-8").splitlines()
    terms = [line for line in lines if line.strip() and not line.startswith("#")]
    bad = [t for t in terms if not re.fullmatch(r"[^\W\d_]+(?:'[^\W\d_]+)*", t) or len(t) < 2]
    assert terms and not bad


def test_the_vocabulary_is_large_and_leaves_out_text_speak_and_bare_contractions():
    vocabulary = spelling.vocabulary()
    assert len(vocabulary) > 1000
    assert not vocabulary & {"u", "ur", "thx", "pls", "dont", "im", "ive", "alot", "pr"}
