"""Warnings about wording (etiquette §8): anxious words, apologies and excuses, admitted
mistakes, comparisons with other candidates, pleading, text-speak, shouting.

Each family of phrasing is a list of patterns in data/wording_<family>.txt (see
`compile_patterns` for their notation), so a family grows by adding a line, not code. A
finding's spans cover exactly the words that matched, for the queue to highlight.
Negation is deliberately not understood: "I was not nervous" still flags "nervous",
because naming the nerves at all draws attention to them; the user can override a warning.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from followup.rules import limits
from followup.rules.checks.findings import (
    WARNING,
    WORD_END,
    WORD_START,
    Finding,
    matches_finding,
    phrase_re,
    quoted,
)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

# Stand-ins the pattern files use, so each line stays readable.
_FAMILIES = {
    # Words of apology (counted: more than limits.MAX_APOLOGIES in one message is too many).
    "sorry": r"(?:sorry|apolog(?:y|ies|i[sz]e[sd]?|i[sz]ing|etic(?:ally)?)|forgive|pardon)",
    # An intensifier: "so sorry", "really need".
    "very": r"(?:so|very|really|truly|terribly|deeply|extremely|incredibly|awfully|sincerely"
    r"|genuinely|so\s+very|really\s+really)",
    # Up to five words within one sentence (a gap between the words that matter).
    "gap": r"(?:[^\s.!?;]+\s+){0,5}?",
    "longgap": r"(?:[^\s.!?;]+\s+){0,9}?",
    # An adverb, maybe: "I (totally) forgot".
    "adv": r"(?:(?:\w+ly|really|just|totally|completely|kind\s+of|sort\s+of|also|then|now)\s+)?",
    # A self-reference as a subject.
    "i": r"(?:I(?:['\u2019](?:m|d|ll|ve)|\s+(?:am|would|will|have))?)",
}


def compile_patterns(lines: list[str]) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """The pattern of a family file's lines, and the pattern of its exceptions.

    Notation, one pattern a line (lines starting with # are notes):
    - a regular expression, matched case-insensitively as whole words;
    - " | " separates alternatives, a space matches any run of white space, and ' a
      straight or curly apostrophe;
    - {sorry}, {very}, {gap}, {longgap}, {adv}, {i} stand for the _FAMILIES above;
    - a line starting with "unless " is an exception: a match overlapping one is dropped
      ("no worries" is not anxious, "sorry to hear" is not an apology).
    """
    found: list[str] = []
    unless: list[str] = []
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        target = found
        if line.startswith("unless "):
            target, line = unless, line.removeprefix("unless ").strip()
        for part in line.split(" | "):
            regex = part.strip().replace("'", "['\u2019]").replace(" ", r"\s+")
            for name, family in _FAMILIES.items():
                regex = regex.replace("{" + name + "}", family)
            target.append(regex)

    def joined(parts: list[str]) -> re.Pattern[str] | None:
        if not parts:
            return None
        # Longer patterns first, so a phrase wins over a word inside it.
        body = "|".join(f"(?:{part})" for part in sorted(parts, key=len, reverse=True))
        return re.compile(f"{WORD_START}(?:{body}){WORD_END}", re.IGNORECASE)

    return joined(found), joined(unless)


def _lines(name: str) -> list[str]:
    return (DATA_DIR / f"wording_{name}.txt").read_text(encoding="utf-8").splitlines()


def _words(name: str) -> tuple[str, ...]:
    return tuple(
        line.strip().lower() for line in _lines(name) if line.strip() and not line.startswith("#")
    )


@functools.cache
def _family(name: str) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    return compile_patterns(_lines(name))


# A web or email address: what is inside one is not wording ("?user=u&id=4", "sooo.com").
# Each starts where a token does, so a long token costs one pass, not one per letter.
_LINK_RE = re.compile(
    r"(?<!\S)(?:https?://|www\.)\S+"
    r"|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|(?<![\w.-])[\w-]+(?:\.[\w-]+)+/\S*"
)


def _apart(matches: list[re.Match[str]], spans: list[tuple[int, int]]) -> list[re.Match[str]]:
    """The matches that overlap none of `spans`."""
    return [m for m in matches if not any(s < m.end() and m.start() < e for s, e in spans)]


def family_matches(name: str, text: str) -> list[re.Match[str]]:
    """The matches of data/wording_<name>.txt in `text`, exceptions and links left out."""
    pattern, unless = _family(name)
    if pattern is None:
        return []
    excepted = [m.span() for m in unless.finditer(text)] if unless else []
    excepted += [m.span() for m in _LINK_RE.finditer(text)]
    return _apart(list(pattern.finditer(text)), excepted)


# --- Text-speak: whole words, and the shapes chat gives words ---

# Spelling imports this list so it does not flag the same words twice.
TEXT_SPEAK_WORDS = _words("text_speak")
# These are words or names in capitals ("R", "NP", "BC", "COS" the shop): only their
# lowercase form is text-speak, or with a capital first letter unless that is a name too.
_LOWERCASE_ONLY = frozenset({"r", "ty", "np", "bc", "cos", "ya", "msg", "k", "def", "im"})
_ALSO_NAMES = frozenset({"ty", "ya", "im"})  # Ty Burrell, Ya Chen, Im Soo-jin
_TEXT_SPEAK_RE = phrase_re(w for w in TEXT_SPEAK_WORDS if w not in _LOWERCASE_ONLY)
_TEXT_SPEAK_LOWER_RE = re.compile(
    f"{WORD_START}(?<!&)(?:"
    + "|".join(
        f"[{w[0].upper()}{w[0]}]{w[1:]}" if len(w) > 1 and w not in _ALSO_NAMES else w
        for w in sorted(_LOWERCASE_ONLY, key=len, reverse=True)
    )
    + f")(?!&){WORD_END}"
)
# Words that follow a "2" or "4" standing for "to" or "for" ("wait 2 hear", "4 the chance").
_AFTER_TO_OR_FOR = (
    "hear|meet|see|talk|chat|you|u|ur|your|me|the|join|learn|get|everything|being|taking"
    "|today|this|that|it"
)
_TEXT_SPEAK_SHAPES_RE = re.compile(
    # "w/", "w/o", "b/c" for with, without, because.
    r"(?<![\w/])(?:w/o|w/|b/c)(?=\s)"
    # "2" and "4" for to and for, after a word (not "SOC 2", "Q4").
    rf"|(?<=[a-z]\s)[24](?=\s+(?:{_AFTER_TO_OR_FOR})\b)"
    # "ty" (thank you) before what follows a thanks; "Ty" alone is a name.
    rf"|{WORD_START}ty(?=\s+(?:so|for|again|very)\b)"
    # A casual word said twice: "cool cool", "ok ok".
    rf"|{WORD_START}(cool|ok|okay|kk|yeah|yep|nice)[,\s]+\1{WORD_END}"
    # A lowercase letter held three times or more: "sooo", "pleaseee" (not "DDD", "III").
    rf"|{WORD_START}[^\W\d_]*((?-i:[a-z]))\2\2[^\W\d_]*{WORD_END}",
    re.IGNORECASE,
)
_NOT_HELD = frozenset({"www"})

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

# --- Shouting: words in capitals, runs of exclamation marks ---

# A word in capitals, not part of a longer token ("B2B", "CI/CD", "AT&T", "U.S.").
_CAPS_WORD_RE = re.compile(
    r"(?<![\w'\u2019/&.-])[A-Z]+(?:['\u2019][A-Z]+)?(?![\w'\u2019/&-])(?!\.\w)"
)
# Capital words next to each other on a line, maybe with commas between.
_CAPS_GAP_RE = re.compile(r"[ \t]*,?[ \t]+")
# Everyday words that in capitals read as raised voice ("SO", "LOVE"); short capital words
# not listed are taken for acronyms ("SQL", "AWS", "CEO", "IT", "US").
_SHOUTED_WORDS = frozenset(_words("shouted"))
# Capital words of five letters or more that are names, not shouting ("NASDAQ", "HIPAA").
_LONG_ACRONYMS = frozenset(_words("acronyms"))
_EXCLAMATIONS_RE = re.compile(r"[!?]*![!?]*(?!=)")


def _shouted(word: str) -> bool:
    """Whether one word in capitals reads as shouting on its own."""
    lower = word.lower().replace("\u2019", "'")
    if len(lower) >= 5:
        return lower not in _LONG_ACRONYMS and bool(re.search("[aeiouy]", lower))
    return len(lower) >= 2 and lower in _SHOUTED_WORDS


def _caps_spans(text: str) -> list[tuple[int, int]]:
    """Spans of shouted capitals: a run with an everyday word in it, or a shouted word."""
    runs: list[list[re.Match[str]]] = []
    for match in _CAPS_WORD_RE.finditer(text):
        if runs and _CAPS_GAP_RE.fullmatch(text, runs[-1][-1].end(), match.start()):
            runs[-1].append(match)
        else:
            runs.append([match])
    spans = []
    for run in runs:
        words = [m.group().lower() for m in run]
        if len(run) > 1 and any(w in _SHOUTED_WORDS or w in {"i", "a"} for w in words):
            spans.append((run[0].start(), run[-1].end()))
        else:
            spans += [m.span() for m in run if _shouted(m.group())]
    return spans


# --- The checks ---


def check_anxious(text: str, *, field: str = "body") -> list[Finding]:
    """Warn about negative or anxious wording: nerves, apologies and excuses, owned mistakes."""
    findings = matches_finding(
        family_matches("anxious", text),
        code="anxious",
        field=field,
        message="Anxious wording ({words}): a calm, confident tone makes a better impression.",
    )
    findings += check_apologies(text, field=field)
    findings += matches_finding(
        family_matches("mistake", text),
        code="mistake",
        field=field,
        message=(
            "Owning up to a slip ({words}) puts the weak moment first; add the point "
            "positively instead (“One more thing I would like to add: …”)."
        ),
    )
    return findings


def check_apologies(text: str, *, field: str = "body") -> list[Finding]:
    """Warn about excuses and grovelling, and about apologising more than once."""
    findings = matches_finding(
        family_matches("apology", text),
        code="apology",
        field=field,
        message="An apology or excuse ({words}) draws attention to a slip; leave it out "
        "and look ahead.",
    )
    apologies = family_matches("apology_words", text)
    again = family_matches("apology_again", text)
    if len(apologies) > limits.MAX_APOLOGIES or again:
        spans = sorted(
            {m.span() for m in again}
            | {
                m.span()
                for m in apologies
                if not any(a.start() <= m.start() and m.end() <= a.end() for a in again)
            }
        )
        said = quoted(text[s:e] for s, e in spans)
        findings.append(
            Finding(
                code="apology",
                severity=WARNING,
                message=(
                    f"The message apologises {len(apologies)} times ({said}); once at most "
                    "is plenty."
                    if len(apologies) > limits.MAX_APOLOGIES
                    else f"Apologising again ({said}) reads as grovelling; once is plenty."
                ),
                spans=tuple(spans),
                field=field,
            )
        )
    return findings


def check_comparisons(text: str, *, field: str = "body") -> list[Finding]:
    """Warn when the writer compares themselves with other candidates."""
    return matches_finding(
        family_matches("comparison", text),
        code="comparison",
        field=field,
        message=(
            "Comparing yourself with other candidates ({words}): you have not met them, "
            "so speak to your own fit instead."
        ),
    )


def check_desperate(text: str, *, field: str = "body") -> list[Finding]:
    """Warn about pleading, over-eager or overbearing phrases."""
    return matches_finding(
        family_matches("desperate", text),
        code="desperate",
        field=field,
        message="Pleading wording ({words}): keep your interest warm but measured.",
    )


def check_text_speak(text: str, *, field: str = "body") -> list[Finding]:
    """Warn about chat abbreviations (u, thx, pls), held letters ("sooo") and emoji strings."""
    matches = list(_TEXT_SPEAK_RE.finditer(text)) + list(_TEXT_SPEAK_LOWER_RE.finditer(text))
    matches += [
        m for m in _TEXT_SPEAK_SHAPES_RE.finditer(text) if m.group().lower() not in _NOT_HELD
    ]
    matches = _apart(matches, [m.span() for m in _LINK_RE.finditer(text)])
    findings = matches_finding(
        sorted(matches, key=lambda m: m.start()),
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


def check_shouting(text: str, *, field: str = "body") -> list[Finding]:
    """Warn about words in capitals (not acronyms) and more than one exclamation mark."""
    findings = []
    caps = _caps_spans(text)
    if caps:
        findings.append(
            Finding(
                code="shouting",
                severity=WARNING,
                message=(
                    f"Capitals ({quoted(text[s:e] for s, e in caps)}) read as shouting; "
                    "let the words carry the emphasis."
                ),
                spans=tuple(caps),
                field=field,
            )
        )
    marks = list(_EXCLAMATIONS_RE.finditer(text))
    if len(marks) > 1 or any(len(m.group()) > 1 for m in marks):
        findings.append(
            Finding(
                code="shouting",
                severity=WARNING,
                message=(
                    f"Exclamation marks ({quoted(m.group() for m in marks)}): one in an "
                    "email at most keeps the tone professional."
                ),
                spans=tuple(m.span() for m in marks),
                field=field,
            )
        )
    return findings


def check_wording(text: str, *, field: str = "body") -> list[Finding]:
    """Every wording check on one text (the subject or the body)."""
    return (
        check_anxious(text, field=field)
        + check_comparisons(text, field=field)
        + check_desperate(text, field=field)
        + check_text_speak(text, field=field)
        + check_shouting(text, field=field)
    )
