"""How an email addresses a person: the greeting line and the name used in the text (spec §1).

A formal tone uses the honorific the user gave ("Dear Ms. Richardson,"), or the title the
name itself carries ("Dr. Dana Lee" -> "Dear Dr. Lee,"). With neither, no honorific is ever
guessed from a first name: the greeting takes the neutral form the user chose on their
profile ("Dear Dana Lee," by default). A first-name tone greets by first name ("Hi Dana,").
No usable name at all gives "Hello,".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Contact.Tone values.
FORMAL = "formal"
FIRST_NAME = "first_name"

# Profile.formal_greeting values: a formal greeting when no honorific is known.
DEAR_FULL_NAME = "dear_full_name"
HELLO_FULL_NAME = "hello_full_name"
DEAR_FIRST_NAME = "dear_first_name"
NEUTRAL_FORMS: dict[str, str] = {
    DEAR_FULL_NAME: "“Dear Dana Lee,” (their full name)",
    HELLO_FULL_NAME: "“Hello Dana Lee,” (their full name)",
    DEAR_FIRST_NAME: "“Dear Dana,” (their first name)",
}
DEFAULT_NEUTRAL_FORM = DEAR_FULL_NAME

NO_NAME_GREETING = "Hello,"

# Titles a name may start with ("Dr. Dana Lee"): they are the person's own, not a guess.
_TITLES = {
    "dr": "Dr.",
    "prof": "Prof.",
    "professor": "Professor",
    "mr": "Mr.",
    "mrs": "Mrs.",
    "ms": "Ms.",
    "miss": "Miss",
    "mx": "Mx.",
}
# Words after the surname that are not part of it ("Dana Lee Jr.", "Dana Lee PhD").
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "phd", "md", "mba", "cfa", "cpa", "esq", "pe"}
# Lower-case words that start a surname ("Ludwig van Beethoven" -> "van Beethoven").
_PARTICLES = {"van", "von", "de", "del", "della", "der", "den", "di", "da", "du", "la", "le"}


@dataclass(frozen=True)
class Name:
    """A person's name in parts: the title it carries, first name, surname, full name."""

    title: str
    first: str
    last: str
    full: str


def tidy_name(name: str) -> str:
    """A name typed all in lower case, capitalised as names are ("tom becker" -> "Tom Becker",
    "dana reyes-o'neil" -> "Dana Reyes-O'Neil", "jan van der berg" -> "Jan van der Berg");
    a name with any capital is left as the user wrote it ("McDonald", "DJ", "de Vries")."""
    name = " ".join(name.split())
    if not name or any(char.isupper() for char in name):
        return name

    def capital(part: str) -> str:
        return part[:1].upper() + part[1:]

    words = []
    for index, word in enumerate(name.split(" ")):
        if index and word in _PARTICLES:
            words.append(word)
            continue
        hyphened = "-".join(
            "'".join(capital(piece) for piece in part.split("'")) for part in word.split("-")
        )
        words.append(hyphened)
    return " ".join(words)


def _key(word: str) -> str:
    return word.casefold().rstrip(".,")


def name_parts(name: str) -> Name:
    """Split a contact's name as typed: "Dr. Dana Lee, PhD" -> Dr. / Dana / Lee / Dana Lee."""
    # Credentials after a comma ("Dana Lee, PhD") are not part of the name.
    words = name.split(",")[0].split()
    title = ""
    if len(words) > 1 and _key(words[0]) in _TITLES:
        title = _TITLES[_key(words[0])]
        words = words[1:]
    while len(words) > 1 and _key(words[-1]) in _SUFFIXES:
        words = words[:-1]
    if not words:
        return Name(title="", first="", last="", full="")
    start = len(words) - 1
    # A surname particle ("van", "de") belongs to the surname, not the first name.
    while start > 1 and words[start - 1] in _PARTICLES:
        start -= 1
    return Name(title=title, first=words[0], last=" ".join(words[start:]), full=" ".join(words))


def _honorific(honorific: str) -> str:
    """The honorific as given, capitalised, without doubled punctuation ("ms.." -> "Ms.")."""
    honorific = re.sub(r"\.+$", ".", " ".join(honorific.split()).strip(" ,"))
    return honorific[:1].upper() + honorific[1:]


def addressed_name(*, name: str, honorific: str, tone: str) -> str:
    """The person as the text names them: "Ms. Lee" (formal), "Dana" (first name).

    Formal with no honorific known: the title the name carries, else the full name.
    """
    parts = name_parts(name)
    if not parts.full:
        return ""
    if tone == FIRST_NAME:
        return parts.first
    title = _honorific(honorific) or parts.title
    if title:
        return f"{title} {parts.last}"
    return parts.full


def greeting(*, name: str, honorific: str, tone: str, neutral: str = DEFAULT_NEUTRAL_FORM) -> str:
    """The greeting line of an email to this person.

    `neutral` is the user's choice (NEUTRAL_FORMS) for a formal greeting when no honorific
    is known; an unknown value falls back to the default, never to a guessed honorific.
    """
    parts = name_parts(name)
    if not parts.full:
        return NO_NAME_GREETING
    if tone == FIRST_NAME:
        return f"Hi {parts.first},"
    title = _honorific(honorific) or parts.title
    if title:
        return f"Dear {title} {parts.last},"
    if neutral == HELLO_FULL_NAME:
        return f"Hello {parts.full},"
    if neutral == DEAR_FIRST_NAME:
        return f"Dear {parts.first},"
    return f"Dear {parts.full},"
