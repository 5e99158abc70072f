"""The wording checks: anxious words, excuses, comparisons, desperation, text-speak, emoji."""

from __future__ import annotations

import pytest

from followup.rules.checks import wording
from tests.builders.checks import codes, spans_text


def test_it_flags_anxious_words_with_their_spans():
    text = "I am anxiously awaiting your answer and a little worried."
    [finding] = wording.check_anxious(text)
    assert (finding.code, finding.severity) == ("anxious", "warning")
    # The longer phrase wins over its part ("anxiously").
    assert spans_text(text, finding) == ["anxiously awaiting", "worried"]


def test_it_flags_nervous_even_when_negated():
    # By design: "I was not nervous" still puts nerves in the reader's mind.
    assert codes(wording.check_anxious("I was not nervous at all.")) == ["anxious"]


def test_it_flags_an_excuse_even_once():
    text = "Sorry I was late on Tuesday."
    [finding] = wording.check_anxious(text)
    assert spans_text(text, finding) == ["Sorry I was late"]


def test_it_flags_more_than_one_apology():
    text = "Sorry for the long email. I apologize again for the mix-up."
    [finding] = wording.check_anxious(text)
    assert spans_text(text, finding) == ["Sorry", "apologize"]


def test_it_accepts_a_single_apology_and_calm_wording():
    assert wording.check_anxious("Apologies for the slow reply: I was travelling.") == []
    assert wording.check_anxious("No worries if the timeline moves.") == []


@pytest.mark.parametrize(
    "text",
    [
        "I believe I stand head and shoulders above other applicants.",
        "No other candidate will bring this energy.",
        "I am better than the rest.",
    ],
)
def test_it_flags_comparisons_with_other_candidates(text):
    assert codes(wording.check_comparisons(text)) == ["comparison"]


def test_it_does_not_flag_talk_of_other_teams_or_shoulders():
    text = "The other teams I met were great, and my shoulders relaxed by the end."
    assert wording.check_comparisons(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "This is my dream job.",
        "It would mean a lot to me.",
        "I have wanted to work for you for a long time.",
        "Please give me a chance.",
        "I am begging you.",
    ],
)
def test_it_flags_desperate_phrasing(text):
    assert codes(wording.check_desperate(text)) == ["desperate"]


def test_it_does_not_flag_measured_interest():
    text = "I would welcome the chance to contribute; I dreamt up a few ideas for the beginning."
    assert wording.check_desperate(text) == []


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Thank u for your time", "u"),
        ("I loved ur idea", "ur"),
        ("Thx again!", "Thx"),
        ("Pls let me know", "Pls"),
        ("lol.", "lol"),
        ("I'm gonna send it", "gonna"),
    ],
)
def test_it_flags_text_speak_as_whole_words(text, word):
    [finding] = wording.check_text_speak(text)
    assert spans_text(text, finding) == [word]


@pytest.mark.parametrize(
    "text",
    [
        "Thank you and your team",
        "Ursula mentioned the U.S. office",
        "Write to u.smith@acme.com or see acme.com/u/jobs",
        "A U-turn on pricing",
        "Thanks 🙂",
        "Our family 👨‍👩‍👧 and a thumbs up 👍🏽",
        "Greetings from 🇺🇸",
    ],
)
def test_it_does_not_flag_normal_words_or_a_single_emoji(text):
    assert wording.check_text_speak(text) == []


@pytest.mark.parametrize("run", ["🙏🙏", "🙂 🙂", "🎉🔥💯", "👍🏽👍🏽"])
def test_it_flags_a_run_of_emoji(run):
    text = f"Thanks so much {run}"
    [finding] = wording.check_text_speak(text)
    assert spans_text(text, finding) == [run]
