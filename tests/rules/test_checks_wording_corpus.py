"""The wording checks on a corpus written for the tests (tests/rules/wording_corpus/):
each category catches at least 90% of its sentences, and at most 3% of clean sentences
get any wording warning. The figures are printed at the end of the run."""

from __future__ import annotations

import pytest

from tests.rules import wording_corpus as corpus


@pytest.fixture(scope="module")
def figures() -> corpus.Figures:
    return corpus.figures()


def test_each_category_has_enough_sentences():
    for category in corpus.CATEGORIES:
        assert len(corpus.sentences(category)) >= 40, category
    assert len(corpus.sentences("clean")) >= 200


@pytest.mark.parametrize("category", corpus.CATEGORIES)
def test_each_category_catches_at_least_ninety_percent(figures, category):
    assert figures.recall(category) >= corpus.MIN_RECALL, figures.missed[category]


def test_clean_sentences_get_at_most_three_percent_false_warnings(figures):
    # Also in the run's summary (tests/rules/conftest.py); here for `pytest -s` and -rA.
    print("\n".join(corpus.report(figures)))
    assert figures.false_warning_rate <= corpus.MAX_FALSE_WARNINGS, figures.flagged_clean
