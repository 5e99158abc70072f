"""What the log form shows beside a note: the sentence it becomes, the slot, the spelling."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from followup.rules.checks.spelling import check_spelling
from followup.rules.phrasing.cleaning import phrase_for
from followup.rules.phrasing.frames import FORM_HINTS, preview_sentences
from followup.rules.phrasing.shapes import Kind, Phrase

# The log form's note fields, and the kind of note each holds.
FIELD_KINDS: dict[str, Kind] = {
    "discussed": "discussed",
    "questions": "question",
    "promised": "promised",
    "added_point": "added_point",
}


@dataclass(frozen=True)
class Segment:
    """A run of a previewed sentence; a slot is shown highlighted."""

    text: str
    slot: bool = False


@dataclass(frozen=True)
class NotePreview:
    """The preview of one note: its sentences in parts, why it is a slot, spelling warnings."""

    phrase: Phrase
    # (where the sentence goes, its parts): ("Thank-you", (Segment(...), ...)).
    sentences: tuple[tuple[str, tuple[Segment, ...]], ...]
    hint: str
    spelling: tuple[str, ...]
    # "Spelling put right: “aproach” → “approach”." when the phrase corrected a typo.
    corrected: str = ""


def _segments(sentence: str, slots: tuple[str, ...]) -> tuple[Segment, ...]:
    """The sentence split around every slot it holds (the note's own and the link slot)."""
    parts: list[Segment] = []
    rest = sentence
    while rest:
        found = [(rest.find(slot), slot) for slot in slots if slot and slot in rest]
        if not found:
            parts.append(Segment(rest))
            break
        at, slot = min(found)
        if at:
            parts.append(Segment(rest[:at]))
        parts.append(Segment(slot, slot=True))
        rest = rest[at + len(slot) :]
    return tuple(parts)


def note_preview(
    note: str,
    *,
    kind: Kind,
    company: str,
    recipient_name: str = "",
    recipient_at_company: bool = True,
    link: str = "",
    known_words: Collection[str] = (),
) -> NotePreview:
    """The preview for a note as typed so far (`known_words`: the user's own dictionary)."""
    phrase = phrase_for(
        note,
        kind=kind,
        company=company,
        recipient_name=recipient_name,
        recipient_at_company=recipient_at_company,
        known_words=known_words,
    )
    slots = (phrase.text if phrase.is_slot else "", link)
    sentences = tuple(
        (where, _segments(sentence, slots))
        for where, sentence in preview_sentences(phrase, link=link)
    )
    # Spelling as the email will have it (typos put right); a slot's note as typed.
    checked = note if phrase.is_slot else phrase.text
    findings = (
        check_spelling(checked, known_names=[company, recipient_name], known_words=known_words)
        if checked
        else []
    )
    fixed = phrase.corrected
    return NotePreview(
        phrase=phrase,
        sentences=sentences,
        hint=FORM_HINTS[kind],
        spelling=tuple(finding.message for finding in findings),
        corrected=(
            "Spelling put right in the email: "
            + ", ".join(f"“{typo}” → “{word}”" for typo, word in fixed)
            + "."
            if fixed
            else ""
        ),
    )
