"""The personal dictionary: words the user told the spelling check are right.

Nothing about the checks is stored: every draft is checked when it is shown or approved
(messaging.check_facts reads these words), so a word added here counts in all of the user's
drafts at once.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from followup.accounts.models import DictionaryWord, User
from followup.rules.checks import spelling

# A dictionary, not a second vocabulary: enough for a career's tools and names.
DICTIONARY_MAX_WORDS = 1000


class DictionaryRefused(Exception):
    """Why a word was not added, in the words the user sees."""


def dictionary_words(*, user: User) -> frozenset[str]:
    """The user's words, folded, for the spelling check."""
    return frozenset(DictionaryWord.objects.filter(user=user).values_list("word", flat=True))


def dictionary_word_add(*, user: User, word: str) -> tuple[DictionaryWord, bool]:
    """Add a word (folded); adding one already there is no change. Returns (row, created).

    Raises DictionaryRefused for what is not a single word, or when the dictionary is full.
    """
    try:
        folded = spelling.personal_word(word)
    except ValueError as exc:
        raise DictionaryRefused(str(exc)) from exc
    existing = DictionaryWord.objects.filter(user=user, word=folded).first()
    if existing is not None:
        return existing, False
    if DictionaryWord.objects.filter(user=user).count() >= DICTIONARY_MAX_WORDS:
        raise DictionaryRefused(
            f"Your dictionary is full ({DICTIONARY_MAX_WORDS:,} words): remove some you no "
            "longer need first."
        )
    try:
        # The same word added twice at once (two tabs): the unique constraint keeps one.
        with transaction.atomic():
            return DictionaryWord.objects.create(user=user, word=folded), True
    except IntegrityError:
        return DictionaryWord.objects.get(user=user, word=folded), False


def dictionary_word_remove(*, user: User, word: str) -> bool:
    """Remove the user's word (matched folded); whether there was one."""
    try:
        folded = spelling.personal_word(word)
    except ValueError:
        return False  # never added, so not there (and never sent to the database as is)
    deleted, _ = DictionaryWord.objects.filter(user=user, word=folded).delete()
    return bool(deleted)
