"""The quality checks a draft passes before it can be approved (etiquette spec §8), by theme.

Every check is a pure function of plain data: the caller loads the rows and passes strings,
dates and sets, and gets back Findings. `draft.check_draft` runs them all; the themes:
`content` (errors and what the draft says), `wording`, `spelling`, `sending` (limits).
"""

from __future__ import annotations

from followup.rules.checks.draft import DraftFacts, check_draft
from followup.rules.checks.findings import (
    BLOCK,
    ERROR,
    SEVERITY_ORDER,
    WARNING,
    Finding,
    has_blocking,
    highlight,
)

__all__ = [
    "BLOCK",
    "ERROR",
    "SEVERITY_ORDER",
    "WARNING",
    "DraftFacts",
    "Finding",
    "check_draft",
    "has_blocking",
    "highlight",
]
