"""The wording corpus: sentences written for the tests, one file a warning category, and
clean sentences from real-sounding follow-ups; with the figures the checks reach on it.

Each category file holds sentences its check must flag (its finding code is the file's
name); clean.txt holds sentences no wording check may flag. One sentence a line, lines
starting with # are notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from followup.rules.checks.wording import check_wording

CORPUS_DIR = Path(__file__).resolve().parent
# File name = the finding code its sentences must raise.
CATEGORIES = ("anxious", "apology", "mistake", "comparison", "desperate", "text_speak", "shouting")
MIN_RECALL = 0.90
MAX_FALSE_WARNINGS = 0.03


def sentences(name: str) -> list[str]:
    """The sentences of one corpus file."""
    lines = (CORPUS_DIR / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@dataclass(frozen=True)
class Figures:
    """How the wording checks do on the corpus: what each category catches and misses."""

    caught: dict[str, int]
    missed: dict[str, list[str]]
    clean_total: int
    flagged_clean: list[str]

    def recall(self, category: str) -> float:
        total = self.caught[category] + len(self.missed[category])
        return self.caught[category] / total

    @property
    def false_warning_rate(self) -> float:
        return len(self.flagged_clean) / self.clean_total


def figures() -> Figures:
    """Run the wording checks on every corpus sentence."""
    caught: dict[str, int] = {}
    missed: dict[str, list[str]] = {}
    for category in CATEGORIES:
        caught[category], missed[category] = 0, []
        for sentence in sentences(category):
            if category in {f.code for f in check_wording(sentence)}:
                caught[category] += 1
            else:
                missed[category].append(sentence)
    clean = sentences("clean")
    flagged = [sentence for sentence in clean if check_wording(sentence)]
    return Figures(caught=caught, missed=missed, clean_total=len(clean), flagged_clean=flagged)


def report(result: Figures) -> list[str]:
    """The figures as lines for the test run's output."""
    lines = []
    for category in CATEGORIES:
        total = result.caught[category] + len(result.missed[category])
        lines.append(
            f"recall {category:<11} {result.caught[category]:>3}/{total:<3} "
            f"{result.recall(category):6.1%}  (at least {MIN_RECALL:.0%})"
        )
    lines.append(
        f"false warnings on clean sentences {len(result.flagged_clean)}/{result.clean_total} "
        f"{result.false_warning_rate:.1%}  (at most {MAX_FALSE_WARNINGS:.0%})"
    )
    lines += [f"  missed ({c}): {s}" for c in CATEGORIES for s in result.missed[c]]
    lines += [f"  flagged clean: {s}" for s in result.flagged_clean]
    return lines
