"""Prints the wording checks' figures on the corpus after a run that included its tests."""

from __future__ import annotations

from tests.rules.wording_corpus import figures, report

CORPUS_TESTS = "test_checks_wording_corpus.py"


def pytest_terminal_summary(terminalreporter):
    reports = [r for rs in terminalreporter.stats.values() for r in rs if hasattr(r, "nodeid")]
    if not any(CORPUS_TESTS in r.nodeid for r in reports):
        return
    terminalreporter.section("wording checks on the test corpus")
    for line in report(figures()):
        terminalreporter.write_line(line)
