"""Warnings about spelling (etiquette §8): words no dictionary knows, known terms excepted.

Known, besides pyspellchecker's English dictionary: the shipped vocabulary of tools,
products, languages, job titles, acronyms and contractions (data/vocabulary_*.txt and
data/extra_words.txt), the names of the draft's people, company and role, and the user's
own dictionary. A known term is never flagged, so it is never "corrected" into a common
word ("aws" -> "was").

The one entry point for any text, a draft's body or a note on the log form:
check_spelling(text, known_names=..., known_words=<the user's dictionary>, field=...).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from spellchecker import SpellChecker

from followup.rules.checks.findings import WARNING, Finding
from followup.rules.checks.wording import TEXT_SPEAK_WORDS

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
# The shipped vocabulary, one term a line (see the notes at the top of each file).
VOCABULARY_FILES = (
    "extra_words.txt",
    "vocabulary_tech.txt",
    "vocabulary_business.txt",
    "vocabulary_common.txt",
)
# The longest word a personal dictionary keeps (longer is not a word but a paste).
WORD_MAX_LENGTH = 40
# How many misspelt words the warning names (the rest are counted) and suggests fixes for.
SHOWN_WORDS = 4

# Titles whose full stop does not end a sentence (for the proper-noun rule).
TITLE_ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "mx", "dr", "prof", "st", "mt"})

_WORD_RE = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")
_URLISH_RE = re.compile(r"://|^www\.|@|/|\w\.\w{2,}")
_VOWELS = frozenset("aeiouy")
_AMERICAN_SPELLINGS = (
    (re.compile(r"our(s|ed|ing|ite|ites|able|ful)?$"), r"or\1"),
    (re.compile(r"is(e|es|ed|ing|ation|ations)$"), r"iz\1"),
    (re.compile(r"ys(e|es|ed|ing)$"), r"yz\1"),
    (re.compile(r"tre(s)?$"), r"ter\1"),
    (re.compile(r"ence$"), "ense"),
    (re.compile(r"ll(ed|ing|er|ers)$"), r"l\1"),
    (re.compile(r"ogue(s)?$"), r"og\1"),
)

_TEXT_SPEAK_SET = frozenset(TEXT_SPEAK_WORDS)


@dataclass(frozen=True)
class Misspelling:
    """A word no dictionary knows: where it is, and the likely word if there is one."""

    word: str  # folded (see fold), as the personal dictionary would keep it
    start: int
    end: int
    suggestion: str | None = None


def fold(word: str) -> str:
    """The form words are compared in: case-folded, with a straight apostrophe."""
    return word.strip().replace("\u2019", "'").casefold()


def read_word_file(path: Path) -> frozenset[str]:
    """The words of a word list: one a line, lines starting with # left out, case-folded."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(fold(line) for line in lines if line.strip() and not line.startswith("#"))


@functools.cache
def vocabulary() -> frozenset[str]:
    """Every shipped term (data/VOCABULARY_FILES), folded."""
    terms: set[str] = set()
    for name in VOCABULARY_FILES:
        terms |= read_word_file(DATA_DIR / name)
    return frozenset(terms)


@functools.cache
def _spellchecker() -> SpellChecker:
    """The English dictionary, loaded once per process (distance 1 keeps suggestions fast).

    The vocabulary joins it at the lowest frequency, so a typo of a term ("kubernets") can
    be corrected to it but a common word always wins over a term as a suggestion.
    """
    checker = SpellChecker(language="en", distance=1)
    checker.word_frequency.load_words(vocabulary())
    return checker


def personal_word(word: str) -> str:
    """The form a word takes in a personal dictionary, or ValueError saying what is wrong.

    Only what the check could flag can be added: one word of letters, with apostrophes
    inside ("o'clock"), up to WORD_MAX_LENGTH letters.
    """
    folded = fold(word)
    if not folded:
        raise ValueError("Type the word to add.")
    if len(folded) > WORD_MAX_LENGTH:
        raise ValueError(f"A word can be at most {WORD_MAX_LENGTH} letters long.")
    if not _WORD_RE.fullmatch(folded) or len(folded) < 2:
        raise ValueError(
            "Only a single word can be added: letters, with an apostrophe inside if it has one."
        )
    return folded


def _starts_sentence(text: str, start: int) -> bool:
    """Whether the word at `start` begins a sentence or a line (so its capital proves nothing)."""
    i = start - 1
    while i >= 0 and (text[i].isspace() or text[i] in "\"'\u201c\u2018([*-"):
        if text[i] == "\n":
            return True
        i -= 1
    if i < 0:
        return True
    if text[i] in "!?:;":
        return True
    if text[i] == ".":
        before = re.search(r"([^\W\d_]+)$", text[:i])
        return not (before and before.group(1).lower() in TITLE_ABBREVIATIONS)
    return False


def _in_dictionary(word: str, dictionary: SpellChecker) -> bool:
    if dictionary.known([word]):
        return True
    # British spellings: the dictionary knows "color" but not always "colour".
    for pattern, replacement in _AMERICAN_SPELLINGS:
        american = pattern.sub(replacement, word)
        if american != word and dictionary.known([american]):
            return True
    return False


def _is_term(word: str, terms: frozenset[str] | set[str]) -> bool:
    """A term, or its plural ("devs", "SDKs" -> "sdks"): terms are nouns more often than not."""
    if word in terms:
        return True
    return (word.endswith("s") and word[:-1] in terms) or (
        word.endswith("es") and word[:-2] in terms
    )


def _written_as_terms(text: str) -> set[str]:
    """Words the text itself writes as terms (SQL, GitHub): their lower-case form is one too."""
    return {
        fold(word)
        for word in _WORD_RE.findall(text)
        if len(word) > 1 and (word.isupper() or any(c.isupper() for c in word[1:]))
    }


def _suggestion(word: str, dictionary: SpellChecker, own: set[str]) -> str | None:
    """The likely word, if there is one worth offering.

    A word without a vowel is an abbreviation far more often than a typo: no common word is
    offered for it ("crm" -> "cry"). The user's own words come first: they typed them before.
    """
    if not (set(word) & _VOWELS):
        return None
    near_own = sorted(own & dictionary.edit_distance_1(word))
    if near_own:
        return near_own[0]
    correction = dictionary.correction(word)
    return correction if correction and correction != word else None


def misspellings(
    text: str, *, known_names: Iterable[str] = (), known_words: Iterable[str] = ()
) -> list[Misspelling]:
    """Each word of `text` that no dictionary knows, in order, with a suggestion for the
    first SHOWN_WORDS different ones.

    Skipped: the given names (people, company, role) and known words (the user's dictionary),
    the vocabulary and its plurals, acronyms (SQL) and words with inner capitals (GitHub) and
    their lower-case forms in the same text, capitalised words mid-sentence (proper nouns),
    single letters, text-speak (the wording check warns about it), and whole tokens that hold
    a digit, an address or a URL.
    """
    names = {fold(w) for name in known_names for w in _WORD_RE.findall(name)}
    names |= {re.sub(r"'s$", "", n) for n in names}
    own = {fold(w) for w in known_words}
    terms = vocabulary() | names | own | _written_as_terms(text)
    dictionary = _spellchecker()
    found: list[Misspelling] = []
    for token in re.finditer(r"\S+", text):
        if any(c.isdigit() for c in token.group()) or _URLISH_RE.search(token.group()):
            continue
        for match in _WORD_RE.finditer(token.group()):
            written = match.group()
            word = fold(written)
            core = re.sub(r"'s$", "", word)
            start = token.start() + match.start()
            if len(core) < 2 or written.isupper() or any(c.isupper() for c in written[1:]):
                continue
            if core in _TEXT_SPEAK_SET or _is_term(core, terms) or word in terms:
                continue
            if written[0].isupper() and not _starts_sentence(text, start):
                continue
            if _in_dictionary(core, dictionary) or _in_dictionary(word, dictionary):
                continue
            found.append(Misspelling(word=word, start=start, end=start + len(written)))
    suggested: dict[str, str | None] = {}
    for item in found:
        if item.word not in suggested and len(suggested) < SHOWN_WORDS:
            suggested[item.word] = _suggestion(item.word, dictionary, own)
    return [
        Misspelling(item.word, item.start, item.end, suggested.get(item.word)) for item in found
    ]


def check_spelling(
    text: str,
    *,
    known_names: Iterable[str] = (),
    known_words: Iterable[str] = (),
    field: str = "body",
) -> list[Finding]:
    """One warning naming the words no dictionary knows (see misspellings), or nothing.

    The finding's `words` are the flagged words, folded: what "Add to my dictionary" adds.
    """
    found = misspellings(text, known_names=known_names, known_words=known_words)
    if not found:
        return []
    suggestions: dict[str, str | None] = {}
    for item in found:
        suggestions.setdefault(item.word, item.suggestion)
    described = [
        f"“{word}” ({suggestion}?)" if suggestion else f"“{word}”"
        for word, suggestion in suggestions.items()
    ]
    shown = ", ".join(described[:SHOWN_WORDS])
    if len(described) > SHOWN_WORDS:
        shown += f" and {len(described) - SHOWN_WORDS} more"
    return [
        Finding(
            code="spelling",
            severity=WARNING,
            message=f"Check the spelling of {shown}.",
            spans=tuple((item.start, item.end) for item in found),
            field=field,
            words=tuple(suggestions),
        )
    ]
