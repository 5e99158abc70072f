"""Why a service said no: the text is for the user, as it stands."""

from __future__ import annotations

from collections.abc import Iterable

from followup.rules import checks


class ActionRefused(Exception):
    """The action does not fit the message's or application's state; the text is for the user."""


class ApprovalBlocked(ActionRefused):
    """Checks found errors (or an un-overridden pestering block): approval must wait."""

    def __init__(self, findings: Iterable[checks.Finding]) -> None:
        self.findings = [f for f in findings if f.severity in (checks.ERROR, checks.BLOCK)]
        # Only pestering can be overridden: offer the checkbox when nothing else blocks.
        self.needs_pestering_override = bool(self.findings) and all(
            f.severity == checks.BLOCK for f in self.findings
        )
        lines = " ".join(f.message for f in self.findings)
        super().__init__(f"Not approved yet. {lines}")
