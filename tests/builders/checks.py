"""A clean thank-you as the pure checks see it (DraftFacts), and ways to read their findings."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from followup.rules.checks import DraftFacts, Finding

# The people, company and role the clean template names, and its sender.
NAMES = ("Priya Raman", "Tom Becker", "Acme", "Senior Data Engineer", "Alex Morgan")

TEMPLATE = """Dear Priya,

Thank you for taking the time to talk with me yesterday about the Senior Data Engineer \
role at Acme. I especially enjoyed hearing about how your team is migrating the nightly \
batch jobs to a streaming pipeline, and it made me even more excited about the position.

My experience building event-driven systems at Northwind lines up well with what you \
described, and I would love to help the team get there.

Please let me know if there is anything else I can send. I look forward to hearing about \
next steps.

Best regards,
Alex Morgan
+1 555 0100"""

MONDAY = dt.datetime(2026, 3, 2, 8, 0, tzinfo=ZoneInfo("America/New_York"))


def draft_facts(**overrides: object) -> DraftFacts:
    """The clean thank-you to Priya at Acme (TEMPLATE), with some facts changed."""
    values: dict[str, object] = {
        "stage": "thank_you",
        "to_email": "priya@acme.com",
        "subject": "Thank you \u2013 Senior Data Engineer interview",
        "body": TEMPLATE,
        "known_names": NAMES,
        "details": ("migrating the nightly batch jobs to streaming",),
    }
    return DraftFacts(**(values | overrides))


def codes(findings: list[Finding]) -> list[str]:
    """The findings' codes, in order."""
    return [f.code for f in findings]


def spans_text(text: str, finding: Finding) -> list[str]:
    """The parts of `text` a finding points at."""
    return [text[start:end] for start, end in finding.spans]
