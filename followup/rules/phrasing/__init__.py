"""Notes as the user typed them, turned into phrases that fit the emails (issue 9).

`phrase_for` cleans one note (what was discussed, asked, promised, a point to add) into a
Phrase with its grammatical shape, or into a slot the user must fill when no clean phrase can
be made; `sentence_for` gives the sentence each email template uses for it. The email
templates and the log form's preview both read the sentences from here, so they never differ.
"""

from __future__ import annotations

from followup.rules.phrasing.cleaning import phrase_for
from followup.rules.phrasing.frames import (
    FORM_HINTS,
    SLOT_TEXT,
    preview_sentences,
    sentence_for,
)
from followup.rules.phrasing.preview import FIELD_KINDS, NotePreview, Segment, note_preview
from followup.rules.phrasing.shapes import KINDS, Kind, Phrase, Shape

__all__ = [
    "FIELD_KINDS",
    "FORM_HINTS",
    "KINDS",
    "SLOT_TEXT",
    "Kind",
    "NotePreview",
    "Phrase",
    "Segment",
    "Shape",
    "note_preview",
    "phrase_for",
    "preview_sentences",
    "sentence_for",
]
