"""Findings: which of them stop approval, and how they are marked in the text."""

from __future__ import annotations

import re

from followup.rules import checks
from followup.rules.checks import Finding
from tests.builders.checks import draft_facts


def test_only_errors_and_unoverridden_blocks_stop_approval():
    warning = Finding("anxious", "warning", "Anxious wording.")
    block = Finding("pestering", "block", "Too soon.")
    error = Finding("placeholder", "error", "Fill in the slot.")
    assert not checks.has_blocking([warning])
    assert checks.has_blocking([warning, block])
    assert not checks.has_blocking([warning, block], pestering_overridden=True)
    assert checks.has_blocking([error, block], pestering_overridden=True)


def test_highlight_escapes_the_text_and_marks_the_spans():
    body = "<script>alert('x')</script> I am nervous & keen"
    html = checks.highlight(body, checks.check_draft(draft_facts(body=body, details=())))
    # The only markup left is ours ("<script>" itself is flagged as a leftover slot).
    without_marks = re.sub(r'<mark class="check-(error|warning)">|</mark>', "", html)
    assert "<" not in without_marks
    assert (
        without_marks == "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; I am nervous &amp; keen"
    )
    assert '<mark class="check-warning">nervous</mark> &amp; keen' in html


def test_highlight_merges_overlaps_under_the_most_serious_severity_and_keeps_to_its_field():
    text = "Hi [Name] there"
    findings = [
        Finding("spelling", "warning", "", spans=((3, 9),)),
        Finding("placeholder", "error", "", spans=((4, 8),)),
        Finding("text_speak", "warning", "", spans=((0, 2),), field="subject"),
    ]
    assert checks.highlight(text, findings) == 'Hi <mark class="check-error">[Name]</mark> there'
    assert checks.highlight(text, findings, field="subject") == (
        '<mark class="check-warning">Hi</mark> [Name] there'
    )
