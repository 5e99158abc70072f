"""What a check reports (a Finding with its severity and spans), and the helpers checks share.

Severity decides what the approval flow does with a finding:
- "error": blocks approval (placeholders, empty recipient or subject, bounced, a line break
  in a header);
- "block": blocks unless the user overrides it (pestering; the override is recorded);
- "warning": shown beside the text; the user may approve anyway.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

ERROR = "error"
BLOCK = "block"
WARNING = "warning"
# Order in which check_draft lists findings: what stops approval comes first.
SEVERITY_ORDER = {ERROR: 0, BLOCK: 1, WARNING: 2}

# A word boundary that keeps "U" in "U.S.", "ur" in "ur-text" or in an address
# or URL from counting as a word of its own.
WORD_START = r"(?<![\w@/'\u2019-])(?<!\w\.)"
WORD_END = r"(?![\w@/])(?![.'\u2019-]\w)"


@dataclass(frozen=True)
class Finding:
    """One problem a check found, with where to highlight it."""

    code: str
    severity: str
    message: str
    spans: tuple[tuple[int, int], ...] = ()
    field: str = "body"
    # The words the user may accept as they are (spelling: "Add to my dictionary").
    words: tuple[str, ...] = ()


def phrase_re(phrases: Iterable[str]) -> re.Pattern[str]:
    """One case-insensitive whole-word pattern; longer phrases win over their parts."""
    parts = []
    for phrase in sorted(set(phrases), key=len, reverse=True):
        words = [re.escape(word).replace("'", "['\u2019]") for word in phrase.split()]
        parts.append(r"\s+".join(words))
    return re.compile(f"{WORD_START}(?:{'|'.join(parts)}){WORD_END}", re.IGNORECASE)


def quoted(words: Iterable[str], limit: int = 4) -> str:
    """'"a", "b" and 2 more' for a message, each word once (ignoring case), as first written."""
    first: dict[str, str] = {}
    for word in words:
        first.setdefault(word.lower(), word)
    unique = list(first.values())
    shown = ", ".join(f"“{word}”" for word in unique[:limit])
    if len(unique) > limit:
        shown += f" and {len(unique) - limit} more"
    return shown


def phrase_finding(
    pattern: re.Pattern[str], text: str, *, code: str, message: str, field: str
) -> list[Finding]:
    """A warning listing every match of `pattern`, or nothing."""
    return matches_finding(list(pattern.finditer(text)), code=code, message=message, field=field)


def matches_finding(
    matches: list[re.Match[str]], *, code: str, message: str, field: str
) -> list[Finding]:
    """One warning naming ({words} in `message`) and pointing at every match, or nothing."""
    if not matches:
        return []
    words = quoted(" ".join(m.group().split()) for m in matches)
    return [
        Finding(
            code=code,
            severity=WARNING,
            message=message.format(words=words),
            spans=tuple(m.span() for m in matches),
            field=field,
        )
    ]


def normalise(text: str) -> str:
    """Lowercase words separated by single spaces, punctuation dropped."""
    return " ".join(re.findall(r"\w+", text.lower()))


def has_blocking(findings: Iterable[Finding], *, pestering_overridden: bool = False) -> bool:
    """Whether approval must wait: any error, or a block the user has not overridden."""
    return any(
        f.severity == ERROR or (f.severity == BLOCK and not pestering_overridden) for f in findings
    )


def highlight(text: str, findings: Iterable[Finding], field: str = "body") -> str:
    """HTML-escaped `text` with <mark> around the findings' spans for `field`.

    Overlapping spans merge into one mark that takes the most serious severity.
    Only our own markup is unescaped, so the result is safe to mark_safe.
    """
    spans: list[tuple[int, int, int, str]] = []
    for finding in findings:
        if finding.field != field:
            continue
        rank = SEVERITY_ORDER.get(finding.severity, len(SEVERITY_ORDER))
        for start, end in finding.spans:
            start, end = max(0, start), min(len(text), end)
            if start < end:
                spans.append((start, end, rank, finding.severity))
    spans.sort()
    merged: list[list] = []
    for start, end, rank, severity in spans:
        if merged and start < merged[-1][1]:
            last = merged[-1]
            last[1] = max(last[1], end)
            if rank < last[2]:
                last[2], last[3] = rank, severity
        else:
            merged.append([start, end, rank, severity])
    out = []
    position = 0
    for start, end, _, severity in merged:
        out.append(html.escape(text[position:start]))
        out.append(f'<mark class="check-{severity}">{html.escape(text[start:end])}</mark>')
        position = end
    out.append(html.escape(text[position:]))
    return "".join(out)
