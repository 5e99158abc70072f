"""Every contact gets a greeting: tone x honorific known or not x neutral form x name shape."""

from __future__ import annotations

import pytest

from followup.rules import greetings
from followup.rules.greetings import (
    DEAR_FIRST_NAME,
    DEAR_FULL_NAME,
    FIRST_NAME,
    FORMAL,
    HELLO_FULL_NAME,
    addressed_name,
    greeting,
    name_parts,
)

NEUTRALS = (DEAR_FULL_NAME, HELLO_FULL_NAME, DEAR_FIRST_NAME)

# name -> (first name, surname, full name, title the name carries)
SHAPES = {
    "Dana Lee": ("Dana", "Lee", "Dana Lee", ""),
    "Lee": ("Lee", "Lee", "Lee", ""),
    "Dr. Dana Lee": ("Dana", "Lee", "Dana Lee", "Dr."),
    "Mary-Jane O'Neil": ("Mary-Jane", "O'Neil", "Mary-Jane O'Neil", ""),
    "Priya": ("Priya", "Priya", "Priya", ""),
    "  Dana   Lee  ": ("Dana", "Lee", "Dana Lee", ""),
    "Dana Lee, PhD": ("Dana", "Lee", "Dana Lee", ""),
    "Dana Lee Jr.": ("Dana", "Lee", "Dana Lee", ""),
    "Ludwig van Beethoven": ("Ludwig", "van Beethoven", "Ludwig van Beethoven", ""),
    "prof Ada Lovelace": ("Ada", "Lovelace", "Ada Lovelace", "Prof."),
}


def expected(name: str, *, honorific: str, tone: str, neutral: str) -> str:
    """The rule written out once more, plainly, for the table below."""
    if not name.strip():
        return "Hello,"
    first, last, full, title = SHAPES[name]
    if tone == FIRST_NAME:
        return f"Hi {first},"
    if honorific or title:
        return f"Dear {honorific or title} {last},"
    return {
        DEAR_FULL_NAME: f"Dear {full},",
        HELLO_FULL_NAME: f"Hello {full},",
        DEAR_FIRST_NAME: f"Dear {first},",
    }[neutral]


CASES = [
    (name, tone, honorific, neutral)
    for name in [*SHAPES, "", "   "]
    for tone in (FORMAL, FIRST_NAME)
    for honorific in ("", "Ms.", "Mx.")
    for neutral in NEUTRALS
]


@pytest.mark.parametrize(("name", "tone", "honorific", "neutral"), CASES)
def test_every_combination_has_the_expected_greeting(name, tone, honorific, neutral):
    result = greeting(name=name, honorific=honorific, tone=tone, neutral=neutral)

    assert result == expected(name, honorific=honorific, tone=tone, neutral=neutral)
    assert result.endswith(",") and not result.endswith(",,")
    assert "  " not in result and ".." not in result


# The table's exact lines, spelled out: the examples a reader checks first.
@pytest.mark.parametrize(
    ("name", "tone", "honorific", "neutral", "line"),
    [
        ("Dana Lee", FORMAL, "Ms.", DEAR_FULL_NAME, "Dear Ms. Lee,"),
        ("Dana Lee", FORMAL, "", DEAR_FULL_NAME, "Dear Dana Lee,"),
        ("Dana Lee", FORMAL, "", HELLO_FULL_NAME, "Hello Dana Lee,"),
        ("Dana Lee", FORMAL, "", DEAR_FIRST_NAME, "Dear Dana,"),
        ("Dana Lee", FIRST_NAME, "Ms.", DEAR_FULL_NAME, "Hi Dana,"),
        ("Lee", FORMAL, "", DEAR_FULL_NAME, "Dear Lee,"),
        ("Lee", FORMAL, "Mr.", DEAR_FULL_NAME, "Dear Mr. Lee,"),
        ("Dr. Dana Lee", FORMAL, "", HELLO_FULL_NAME, "Dear Dr. Lee,"),
        ("Dr. Dana Lee", FORMAL, "Dr.", DEAR_FULL_NAME, "Dear Dr. Lee,"),
        ("Dr. Dana Lee", FIRST_NAME, "", DEAR_FULL_NAME, "Hi Dana,"),
        ("Mary-Jane O'Neil", FORMAL, "Ms.", DEAR_FULL_NAME, "Dear Ms. O'Neil,"),
        ("Mary-Jane O'Neil", FIRST_NAME, "", DEAR_FULL_NAME, "Hi Mary-Jane,"),
        ("Mary-Jane O'Neil", FORMAL, "", DEAR_FULL_NAME, "Dear Mary-Jane O'Neil,"),
        ("", FORMAL, "Ms.", DEAR_FULL_NAME, "Hello,"),
        ("", FIRST_NAME, "", DEAR_FULL_NAME, "Hello,"),
        ("Dana Lee", FORMAL, "Ms..", DEAR_FULL_NAME, "Dear Ms. Lee,"),
        ("Dana Lee", FORMAL, " Ms ", DEAR_FULL_NAME, "Dear Ms Lee,"),
        ("Dana Lee", FORMAL, "dr.", DEAR_FULL_NAME, "Dear Dr. Lee,"),
    ],
)
def test_the_examples(name, tone, honorific, neutral, line):
    assert greeting(name=name, honorific=honorific, tone=tone, neutral=neutral) == line


@pytest.mark.parametrize("first_name", ["Dana", "Mary", "John", "Alex"])
def test_no_honorific_is_ever_guessed_from_a_first_name(first_name):
    for neutral in NEUTRALS:
        line = greeting(name=f"{first_name} Lee", honorific="", tone=FORMAL, neutral=neutral)
        assert not any(title in line for title in ("Mr", "Ms", "Mrs", "Miss", "Mx"))


def test_an_unknown_neutral_form_falls_back_to_the_full_name():
    assert greeting(name="Dana Lee", honorific="", tone=FORMAL, neutral="") == "Dear Dana Lee,"
    assert greeting(name="Dana Lee", honorific="", tone=FORMAL, neutral="x") == "Dear Dana Lee,"


def test_the_default_neutral_form_is_the_full_name():
    assert greetings.DEFAULT_NEUTRAL_FORM == DEAR_FULL_NAME
    assert greeting(name="Dana Lee", honorific="", tone=FORMAL) == "Dear Dana Lee,"


@pytest.mark.parametrize(
    ("name", "tone", "honorific", "named"),
    [
        ("Dana Lee", FORMAL, "Ms.", "Ms. Lee"),
        ("Dana Lee", FORMAL, "", "Dana Lee"),
        ("Dr. Dana Lee", FORMAL, "", "Dr. Lee"),
        ("Dana Lee", FIRST_NAME, "Ms.", "Dana"),
        ("Lee", FIRST_NAME, "", "Lee"),
        ("", FORMAL, "Ms.", ""),
    ],
)
def test_the_name_in_the_text_follows_the_tone(name, tone, honorific, named):
    assert addressed_name(name=name, honorific=honorific, tone=tone) == named


def test_name_parts_of_an_empty_name_are_empty():
    assert name_parts("  ") == greetings.Name(title="", first="", last="", full="")


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("tom becker", "Tom Becker"),
        ("dana reyes-o'neil", "Dana Reyes-O'Neil"),
        ("jan van der berg", "Jan van der Berg"),
        ("  priya   shah ", "Priya Shah"),
        ("McDonald", "McDonald"),
        ("danah boyd", "Danah Boyd"),
        ("de Vries", "de Vries"),
        ("", ""),
    ],
)
def test_a_name_typed_in_lower_case_is_capitalised(typed, kept):
    assert greetings.tidy_name(typed) == kept
