"""The wording checks: anxious words, apologies and excuses, owned mistakes, comparisons,
pleading, text-speak and emoji, shouting. The corpus figures: test_checks_wording_corpus."""

from __future__ import annotations

import pytest

from followup.rules import checks
from followup.rules.checks import wording
from tests.builders.checks import TEMPLATE, codes, draft_facts, spans_text


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
    # "again" is part of what reads as grovelling, so it is highlighted with the apology.
    assert spans_text(text, finding) == ["Sorry", "apologize again"]


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


# --- Variants people actually write (issue 9): each points at the words that trigger it ---


@pytest.mark.parametrize(
    ("text", "code", "spans"),
    [
        # The examples the fixed phrases used to miss.
        (
            "Apologies again for my late arrival.",
            "apology",
            ["Apologies again for my late arrival", "Apologies again"],
        ),
        ("It would be a dream come true.", "desperate", ["dream come true"]),
        (
            "I would stand out among the other people you interviewed.",
            "comparison",
            ["I would stand out among", "the other people you interviewed"],
        ),
        # One of each family.
        ("Waiting has me on pins and needles.", "anxious", ["on pins and needles"]),
        ("I can't stop thinking about the panel.", "anxious", ["can't stop thinking"]),
        ("My train was delayed this morning.", "apology", ["My train was delayed"]),
        ("I wasn\u2019t at my best on Tuesday.", "apology", ["wasn\u2019t at my best"]),
        ("I blanked on the last question.", "mistake", ["I blanked"]),
        ("I should have mentioned my Go work.", "mistake", ["I should have mentioned"]),
        ("I forgot to mention my AWS work.", "mistake", ["I forgot to"]),
        ("I misspoke about the dates.", "mistake", ["I misspoke"]),
        ("I messed it up.", "mistake", ["I messed it up"]),
        ("I'm better than the others.", "comparison", ["I'm better than the others"]),
        ("Please, please reply.", "desperate", ["Please, please"]),
        ("I really need this job.", "desperate", ["need this job"]),
        ("I will do whatever it takes.", "desperate", ["I will do whatever it takes"]),
        ("Thx, ttyl", "text_speak", ["Thx", "ttyl"]),
        ("Thanks sooo much", "text_speak", ["sooo"]),
        ("Great chatting w/ you", "text_speak", ["w/"]),
        ("I am SO excited", "shouting", ["SO"]),
        ("THANK YOU for your time", "shouting", ["THANK YOU"]),
        ("It was AMAZING.", "shouting", ["AMAZING"]),
        ("Thanks again!!", "shouting", ["!!"]),
        ("Any news?!", "shouting", ["?!"]),
        ("Great to meet you! Talk soon!", "shouting", ["!", "!"]),
    ],
)
def test_it_points_at_the_words_that_trigger_it(text, code, spans):
    found = [f for f in wording.check_wording(text) if f.code == code]
    assert [part for f in found for part in spans_text(text, f)] == spans


@pytest.mark.parametrize(
    "text",
    [
        "Apologies for the slow reply: I was travelling.",
        "I'm sorry to hear the launch slipped. Sorry for the long email.",
        "I'm afraid I won't be available on Friday.",
        "Please let me know if there is anything else I can send.",
        "Please keep me in mind for future roles.",
        "Thanks for choosing me for the final round.",
        "I'd like to add that I led the GDPR work.",
        "The product stands out from competitors; I enjoyed the rest of the team.",
        "I have received another offer and need to give an answer by Friday.",
    ],
)
def test_it_leaves_everyday_follow_up_wording_alone(text):
    assert wording.check_wording(text) == []


@pytest.mark.parametrize(
    "opening",
    [
        "I'm sorry this note reaches you later than I intended.",
        "Please forgive how long this note has taken to reach you.",
        "This note is later than I would have liked, but my thanks are no less sincere.",
    ],
)
def test_the_late_thank_you_openings_we_write_are_not_excuses(opening):
    assert wording.check_wording(TEMPLATE.replace("Thank you for taking", f"{opening} Thank")) == []


@pytest.mark.parametrize(
    "text",
    [
        "Our SQL work on AWS impressed the CEO, the IT team and HR.",
        "It was great to meet the U.S. team at 10 AM EST.",
        "I use SOLID principles and worked on HIPAA and NASDAQ systems.",
        "My B2B and CI/CD work at AT&T",
        "Thank you for your time today!",
        "The DDD workshop at www.example.com was great.",
    ],
)
def test_acronyms_and_a_single_exclamation_are_not_shouting(text):
    assert wording.check_shouting(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "The R and Python notebooks, and the R&D group",
        "Ty Burrell mentioned the roadmap, and Im Soo-jin the budget",
        "See https://example.com/demo?user=u&id=42",
        "I visited the NP clinic and BC office",
    ],
)
def test_capitalised_names_and_links_are_not_text_speak(text):
    assert wording.check_text_speak(text) == []


def test_text_speak_words_stay_exported_for_the_spelling_check():
    assert {"u", "ur", "thx", "pls", "lol", "btw", "gonna"} <= set(wording.TEXT_SPEAK_WORDS)


def test_check_draft_runs_every_wording_check():
    body = TEMPLATE + "\nI'm SO nervous, I know I messed up!! I beat the other applicants lol"
    found = set(codes(checks.check_draft(draft_facts(body=body))))
    assert {"anxious", "mistake", "comparison", "text_speak", "shouting"} <= found


def test_the_pattern_notation_reads_alternatives_apostrophes_and_exceptions():
    pattern, unless = wording.compile_patterns(
        ["# a note", "can't stop worrying | {sorry} again", "unless no worries"]
    )
    assert pattern.search("I can\u2019t  stop worrying").group() == "can\u2019t  stop worrying"
    assert pattern.search("Apologies again").group() == "Apologies again"
    assert pattern.search("scan't stop worrying") is None
    assert unless.search("No worries at all")


def test_the_preview_marks_exactly_the_trigger_words():
    text = "This is my dream job, and I really need this job!! Thx."
    marked = checks.highlight(text, wording.check_wording(text))
    assert marked == (
        'This is my <mark class="check-warning">dream job</mark>, and I really '
        '<mark class="check-warning">need this job</mark><mark class="check-warning">!!</mark> '
        '<mark class="check-warning">Thx</mark>.'
    )
