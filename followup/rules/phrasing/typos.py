"""Typos put right in a phrase where the dictionary has one clear answer ("aproach")."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from spellchecker import SpellChecker

from followup.rules.checks.spelling import check_spelling


@functools.cache
def dictionary() -> SpellChecker:
    """The English dictionary, loaded once per process."""
    return SpellChecker(language="en", distance=1)


# A typo is corrected only when one word is far likelier than any other at one edit.
_TYPO_MIN_LENGTH = 3
_TYPO_SURE_LENGTH = 5
_TYPO_MARGIN = 20


def correct_typos(
    text: str, *, names: list[str], known_words: Iterable[str] = ()
) -> tuple[str, tuple[tuple[str, str], ...]]:
    """ "aproach" -> "approach" where the dictionary has one clear answer; the fixes made.

    A word in the user's own dictionary (`known_words`) is theirs: never "corrected".
    """
    english = dictionary()
    fixes: list[tuple[str, str]] = []
    for finding in check_spelling(text, known_names=names, known_words=known_words):
        for start, end in reversed(finding.spans):
            typo = text[start:end]
            if len(typo) < _TYPO_MIN_LENGTH or not typo.isalpha() or not typo.islower():
                continue
            # A short word has many neighbours: only a far likelier one ("teh" -> "the") wins.
            margin = _TYPO_MARGIN if len(typo) >= _TYPO_SURE_LENGTH else _TYPO_MARGIN * 5
            ranked = sorted(
                english.candidates(typo) or (),
                key=lambda w: english.word_frequency[w],
                reverse=True,
            )
            if not ranked or ranked[0] == typo:
                continue
            best = english.word_frequency[ranked[0]]
            runner_up = english.word_frequency[ranked[1]] if len(ranked) > 1 else 0
            if best >= margin * max(runner_up, 1) or (len(ranked) == 1 and len(typo) > 3):
                text = text[:start] + ranked[0] + text[end:]
                fixes.append((typo, ranked[0]))
    return text, tuple(reversed(fixes))
