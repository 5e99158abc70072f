"""Warnings about spelling (etiquette §8): words no dictionary knows, names excepted."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path

from spellchecker import SpellChecker

from followup.rules.checks.findings import WARNING, Finding
from followup.rules.checks.wording import TEXT_SPEAK_WORDS

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

# Titles whose full stop does not end a sentence (for the proper-noun rule).
TITLE_ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "mx", "dr", "prof", "st", "mt"})

_WORD_RE = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")
_URLISH_RE = re.compile(r"://|^www\.|@|/|\w\.\w{2,}")
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


@functools.cache
def _spellchecker() -> SpellChecker:
    """The English dictionary, loaded once per process (distance 1 keeps suggestions fast)."""
    return SpellChecker(language="en", distance=1)


@functools.cache
def _extra_words() -> frozenset[str]:
    """Our additions to the dictionary (messaging/data/extra_words.txt)."""
    return read_word_file(DATA_DIR / "extra_words.txt")


def read_word_file(path: Path) -> frozenset[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().lower() for line in lines if line.strip() and not line.startswith("#")
    )


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


def _is_known_spelling(word: str, dictionary: SpellChecker) -> bool:
    if word in _extra_words() or dictionary.known([word]):
        return True
    # British spellings: the dictionary knows "color" but not always "colour".
    for pattern, replacement in _AMERICAN_SPELLINGS:
        american = pattern.sub(replacement, word)
        if american != word and dictionary.known([american]):
            return True
    return False


def check_spelling(
    text: str, *, known_names: Iterable[str] = (), field: str = "body"
) -> list[Finding]:
    """Warn about words the dictionary does not know.

    Skipped: the given names (people, company, role), acronyms (SQL), words with
    inner capitals (GitHub), capitalised words mid-sentence (proper nouns), single
    letters, and whole tokens that hold a digit, an address or a URL.
    """
    names = {
        w.lower() for name in known_names for w in _WORD_RE.findall(name.replace("\u2019", "'"))
    }
    names |= {re.sub(r"'s$", "", n) for n in names}
    dictionary = _spellchecker()
    unknown: list[tuple[str, int, int]] = []
    for token in re.finditer(r"\S+", text):
        if any(c.isdigit() for c in token.group()) or _URLISH_RE.search(token.group()):
            continue
        for match in _WORD_RE.finditer(token.group()):
            word = match.group().replace("\u2019", "'")
            core = re.sub(r"'s$", "", word, flags=re.IGNORECASE)
            start = token.start() + match.start()
            if len(core) < 2 or core.isupper() or any(c.isupper() for c in core[1:]):
                continue
            lower = core.lower()
            # Names are fine; text-speak has its own, clearer warning.
            if lower in names or word.lower() in names or lower in _TEXT_SPEAK_SET:
                continue
            if core[0].isupper() and not _starts_sentence(text, start):
                continue
            if not _is_known_spelling(lower, dictionary) and not _is_known_spelling(
                word.lower(), dictionary
            ):
                unknown.append((match.group(), start, start + len(match.group())))
    if not unknown:
        return []
    described = []
    for word in dict.fromkeys(w.lower() for w, _, _ in unknown):
        suggestion = dictionary.correction(word) if len(described) < 4 else None
        described.append(f"“{word}” ({suggestion}?)" if suggestion else f"“{word}”")
    shown = ", ".join(described[:4])
    if len(described) > 4:
        shown += f" and {len(described) - 4} more"
    return [
        Finding(
            code="spelling",
            severity=WARNING,
            message=f"Check the spelling of {shown}.",
            spans=tuple((start, end) for _, start, end in unknown),
            field=field,
        )
    ]
