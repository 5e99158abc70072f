"""Warnings about wording (etiquette §8): anxious words and excuses, comparisons with other
candidates, pleading, text-speak.

Word lists match whole words, case-insensitively, and report the character spans to
highlight. Negation is deliberately not understood: "I was not nervous" still flags
"nervous", because naming the nerves at all draws attention to them; the user can override
a warning.
"""

from __future__ import annotations

import re

from followup.rules import limits
from followup.rules.checks.findings import WARNING, Finding, phrase_finding, phrase_re

# --- Word lists (lowercase; whole words; "'" also matches a curly apostrophe) ---

ANXIOUS_WORDS = (
    "anxiously awaiting",
    "anxiously waiting",
    "anxiously await",
    "anxious",
    "anxiously",
    "nervous",
    "nervously",
    "nerves",
    "worried",
    "worry",
    "worrying",
    "afraid",
    "scared",
    "stressed",
    "panicked",
)
APOLOGY_WORDS = (
    "sorry",
    "apologize",
    "apologise",
    "apologized",
    "apologised",
    "apologizing",
    "apologising",
    "apology",
    "apologies",
)
# More than this many apologies in one message reads as grovelling.
EXCUSE_PHRASES = (
    "sorry I was late",
    "sorry for being late",
    "apologies for being late",
    "apologize for being late",
    "apologise for being late",
    "I was running late",
    "I was late",
    "my mind went blank",
    "I blanked",
    "I was tired",
    "I was not at my best",
    "I wasn't at my best",
    "I was not prepared",
    "I wasn't prepared",
    "I was unprepared",
    "I had a bad day",
    "excuse my",
)
COMPARISON_PHRASES = (
    "other applicants",
    "other applicant",
    "other candidates",
    "other candidate",
    "other interviewees",
    "the rest of the candidates",
    "the rest of the applicants",
    "head and shoulders above",
    "no other candidate",
    "no other applicant",
    "better than the rest",
    "better than the others",
    "better than anyone else",
    "the best candidate",
    "stand out from the crowd",
)
DESPERATE_PHRASES = (
    "would mean a lot to me",
    "would mean so much to me",
    "would mean the world to me",
    "dream job",
    "dream company",
    "dream role",
    "wanted to work for you for a long time",
    "wanted to work for you for years",
    "wanted to work here for a long time",
    "wanted to work here for years",
    "always wanted to work for",
    "always wanted to work at",
    "always wanted to work here",
    "please give me a chance",
    "just give me a chance",
    "give me a chance",
    "I need this job",
    "I really need this job",
    "I will do anything",
    "I'll do anything",
    "begging",
    "beg",
    "I beg you",
    "desperate",
    "desperately",
)
TEXT_SPEAK_WORDS = (
    "u",
    "ur",
    "thx",
    "thnx",
    "thanx",
    "pls",
    "plz",
    "lol",
    "btw",
    "imo",
    "imho",
    "tbh",
    "idk",
    "omg",
    "ttyl",
    "gonna",
    "wanna",
    "gotta",
    "cuz",
    "b4",
    "gr8",
)
# Titles whose full stop does not end a sentence (for the proper-noun rule).


# One emoji: a skin tone, variation selector or keycap may follow, and several
# joined by zero-width joiners (a family) or two regional indicators (a flag)
# count as one.
# Regional indicators and skin tones are left out of the base so that a flag or a
# toned emoji cannot be split into two by backtracking.
_EMOJI_BASE = (
    "[\U0001f000-\U0001f1e5\U0001f200-\U0001f3fa\U0001f400-\U0001faff"
    "\u2300-\u23ff\u2600-\u27bf\u2b00-\u2bff\u3030\u303d]"
)
_EMOJI_MODIFIERS = "[\U0001f3fb-\U0001f3ff\ufe0f\u20e3]*"
_EMOJI = (
    f"(?:[\U0001f1e6-\U0001f1ff]{{2}}"
    f"|{_EMOJI_BASE}{_EMOJI_MODIFIERS}(?:\u200d{_EMOJI_BASE}{_EMOJI_MODIFIERS})*)"
)
EMOJI_RUN_RE = re.compile(f"{_EMOJI}(?:[ \t]*{_EMOJI})+")


_ANXIOUS_RE = phrase_re(ANXIOUS_WORDS)
_APOLOGY_RE = phrase_re(APOLOGY_WORDS)
_EXCUSE_RE = phrase_re(EXCUSE_PHRASES)
_COMPARISON_RE = phrase_re(COMPARISON_PHRASES)
_DESPERATE_RE = phrase_re(DESPERATE_PHRASES)
_TEXT_SPEAK_RE = phrase_re(TEXT_SPEAK_WORDS)
_TEXT_SPEAK_SET = frozenset(TEXT_SPEAK_WORDS)


def check_anxious(text: str, *, field: str = "body") -> list[Finding]:
    """Warn about anxious words, excuses and more than one apology."""
    findings = phrase_finding(
        _ANXIOUS_RE,
        text,
        code="anxious",
        field=field,
        message="Anxious wording ({words}): a calm, confident tone makes a better impression.",
    )
    findings += phrase_finding(
        _EXCUSE_RE,
        text,
        code="anxious",
        field=field,
        message="An excuse ({words}) draws attention to a slip; leave it out and look ahead.",
    )
    apologies = list(_APOLOGY_RE.finditer(text))
    if len(apologies) > limits.MAX_APOLOGIES:
        findings.append(
            Finding(
                code="anxious",
                severity=WARNING,
                message=(f"The message apologises {len(apologies)} times; once at most is plenty."),
                spans=tuple(m.span() for m in apologies),
                field=field,
            )
        )
    return findings


def check_comparisons(text: str, *, field: str = "body") -> list[Finding]:
    """Warn when the writer compares themselves with other candidates."""
    return phrase_finding(
        _COMPARISON_RE,
        text,
        code="comparison",
        field=field,
        message=(
            "Comparing yourself with other candidates ({words}): you have not met them, "
            "so speak to your own fit instead."
        ),
    )


def check_desperate(text: str, *, field: str = "body") -> list[Finding]:
    """Warn about pleading or overbearing phrases."""
    return phrase_finding(
        _DESPERATE_RE,
        text,
        code="desperate",
        field=field,
        message="Pleading wording ({words}): keep your interest warm but measured.",
    )


def check_text_speak(text: str, *, field: str = "body") -> list[Finding]:
    """Warn about chat abbreviations (u, thx, pls) and strings of emoji."""
    findings = phrase_finding(
        _TEXT_SPEAK_RE,
        text,
        code="text_speak",
        field=field,
        message="Chat shorthand ({words}): write the words out in full.",
    )
    runs = list(EMOJI_RUN_RE.finditer(text))
    if runs:
        findings.append(
            Finding(
                code="text_speak",
                severity=WARNING,
                message="A string of emoji looks casual for this email; words carry it better.",
                spans=tuple(m.span() for m in runs),
                field=field,
            )
        )
    return findings
