"""What a cleaned note is: its text and grammatical shape, which decide the sentence it fits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["discussed", "question", "promised", "added_point"]
KINDS: tuple[Kind, ...] = ("discussed", "question", "promised", "added_point")

# gerund  "migrating the reports to dbt"        (goes after "about")
# noun    "the Kafka migration"                  (goes after "about")
# clause  "how your team tests data quality"     (a wh-clause: goes after "about")
# that    "your team is moving to Snowflake"     (a statement: goes after "hearing that")
# list    "dbt, Airflow and data contracts"      (goes after "about")
# task    "walking you through a DCF"            (a question that set a task: "I enjoyed ...")
# slot    no clean phrase: the text is a bracketed slot the user must fill
# empty   nothing noted
Shape = Literal["gerund", "noun", "clause", "that", "list", "task", "slot", "empty"]


@dataclass(frozen=True)
class Phrase:
    """One note made ready for a sentence, or the slot that replaces it."""

    kind: Kind
    text: str
    shape: Shape
    # Why the note became a slot, or what was changed (shown on the log form).
    reason: str = ""
    # A point that admitted a slip ("should have said ...") rewritten as a plain addition.
    reworded: bool = False
    # A promised item in the plural takes "here are".
    plural: bool = False
    # Typos put right where the dictionary had one clear answer: (as typed, as written).
    corrected: tuple[tuple[str, str], ...] = ()

    @property
    def is_slot(self) -> bool:
        return self.shape == "slot"

    @property
    def is_empty(self) -> bool:
        return self.shape == "empty"
