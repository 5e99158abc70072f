"""The email templates and the text that goes into them (etiquette spec §2, §4-§7).

One stage has several phrasings under templates/emails/<stage>/<n>/; each is rendered with
the same context: greeting, interview date, one specific detail, the sender's sign-off ...
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
import zoneinfo
from collections.abc import Callable, Iterable

from django.template import Context, TemplateDoesNotExist, engines
from django.template.engine import Engine
from django.utils import timezone

from followup.accounts.dictionary import dictionary_words
from followup.accounts.models import Profile
from followup.accounts.services import profile_for
from followup.rules import greetings, phrasing
from followup.rules.calendar import month_first
from interviews.models import Application, Contact, Interview, InterviewParticipant
from messaging.models import Message

Stage = Message.Stage
# The slot a stay-in-touch note needs filled before it can be approved (the placeholder check).
HOOK_PLACEHOLDER = "[Hook: what they shipped or announced]"
# Nothing can be attached to an email: a promised item goes as a link the user pastes here. The
# placeholder check blocks approval until they do (or rewrite the sentence).
LINK_PLACEHOLDER = "[Paste the link here]"
# A late thank-you apologises only when it goes out at least this long after the interview:
# the next day, even past noon, is still prompt enough to need no excuse.
LATE_NOTE_AFTER = dt.timedelta(days=2)
# Sign-off lines a signature may start with; the template already closes the message.
_CLOSING_LINE_RE = re.compile(
    r"^(best|best regards|kind regards|regards|warm regards|many thanks|thanks|thank you|"
    r"cheers|sincerely|yours sincerely|yours truly|all the best|best wishes|with thanks)[,.!]?$",
    re.IGNORECASE,
)
_SIGNATURE_LABEL_RE = re.compile(
    r"^(name|phone|tel|telephone|mobile|mob|cell|m|t|p|email|e-mail|mail|e)\s*[:.]\s*",
    re.IGNORECASE,
)


# -- templates ------------------------------------------------------------------------------


def _engine() -> Engine:
    return engines["django"].engine


@functools.cache
def phrasing_count(stage: str) -> int:
    """How many phrasings templates/emails/<stage>/<n>/ holds (n = 1, 2, ...)."""
    count = 0
    while True:
        try:
            _engine().get_template(f"emails/{stage}/{count + 1}/subject.txt")
        except TemplateDoesNotExist:
            return count
        count += 1


def _one_full_stop(text: str) -> str:
    """A value's own full stop ("Acme Co.", "Sr.") before the template's: one, not "Co..".

    Runs of three or more dots are an ellipsis the user wrote and stay; one followed by the
    template's full stop ("so...." or "so…."), is the ellipsis alone. Closing HTML tags between
    the two stops ("Co.</b>.") do not hide the doubling.
    """
    text = re.sub(r"(?<!\.)\.((?:</[a-z]+>)*)\.(?!\.)", r".\1", text)
    text = re.sub(r"(?<!\.)(\.\.\.|\u2026)((?:</[a-z]+>)*)\.(?!\.)", r"\1\2", text)
    return text


def _tidy_text(text: str) -> str:
    """Plain text as a person would type it: no stray spaces, one blank line between paragraphs."""
    text = _one_full_stop(re.sub(r"[ \t]{2,}", " ", text))
    text = re.sub(r" +([.,;:?!])(?=\s|$)", r"\1", text)
    lines = [line.strip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def _tidy_html(html: str) -> str:
    html = _one_full_stop(re.sub(r"[ \t]{2,}", " ", html))
    html = re.sub(r" +([.,;:?!])(?=[\s<]|$)", r"\1", html)
    html = re.sub(r"<p>\s*</p>", "", html)
    return re.sub(r"\n{2,}", "\n", html.strip())


def render_stage(*, stage: str, phrasing: int, context: dict) -> tuple[str, str, str]:
    """Render one phrasing of a stage: (subject, text body, HTML body).

    The subject and the text body are plain text (autoescape off: an "&" stays an "&"); the
    HTML body is escaped.
    """
    base = f"emails/{stage}/{phrasing}/"
    engine = _engine()

    def render(name: str, *, autoescape: bool) -> str:
        return engine.get_template(base + name).render(Context(context, autoescape=autoescape))

    subject = _one_full_stop(" ".join(render("subject.txt", autoescape=False).split()))
    text = _tidy_text(render("body.txt", autoescape=False))
    html = _tidy_html(render("body.html", autoescape=True))
    return subject, text, html


# -- text -----------------------------------------------------------------------------------


def joined_names(names: Iterable[str]) -> str:
    """ "Dana", "Dana and Lee", "Dana, Lee and Priya"."""
    names = [name for name in names if name]
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def long_date(day: dt.date, *, country: str, today: dt.date | None = None) -> str:
    """A date as the sender's country writes it: "Tuesday, November 24" or "Tuesday 24 November".

    The one date format of every email template (interview date, offer deadline, ...).
    A date in another year than `today` (default: now) carries its year.
    """
    today = today or timezone.now().date()
    year = "" if day.year == today.year else f" {day.year}"
    if month_first(country):
        return f"{day:%A}, {day:%B} {day.day}{',' if year else ''}{year}"
    return f"{day:%A} {day.day} {day:%B}{year}"


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


# Marks some people put before their name in a signature ("— Alex", "-- Alex Morgan").
_SIGNATURE_DASHES = "-\u2013\u2014~ "
# The separators of a signature line's parts, kept so that what is left reads as written.
_SIGNATURE_PARTS_RE = re.compile(r"(\s*[|\u2022\u00b7,;]\s*|\s+[-\u2013\u2014]\s+)")


@dataclasses.dataclass(frozen=True)
class SignOff:
    """The name line under the closing, and the signature lines that follow it."""

    name: str
    signature: str


def sign_off(*, signature: str, name: str, phone: str, email: str) -> SignOff:
    """The sign-off's name line and the user's signature, with nothing said twice.

    The sign-off already ends with name, phone and email; a signature written for other mail
    clients often starts with the same (and a "Best regards," the template has too).
    1. A line, or a part of one ("Alex Morgan | +1 555 0100", "Tel: ...", "— Alex"), that
       only repeats the name (full or first), phone or email is dropped.
    2. A first line that is the name with credentials ("Alex Morgan, CFA") becomes the name
       line itself, so the name is printed once and as the user writes it.
    """
    first_name = name.split()[0] if name.split() else ""
    names = {n.casefold() for n in (name, first_name) if n}

    def repeats(part: str) -> bool:
        part = _SIGNATURE_LABEL_RE.sub("", part.strip().lstrip(_SIGNATURE_DASHES)).strip()
        if not part:
            return True
        folded = part.casefold().removeprefix("mailto:")
        if folded in names or (email and folded == email.casefold()):
            return True
        # A phone number written another way ("(555) 0100" vs "555-0100") is still the number.
        return bool(phone) and not re.search(r"[^\W\d_]", part) and _digits(part) == _digits(phone)

    name_line = name
    kept: list[str] = []
    for line in signature.strip().splitlines():
        stripped = line.strip()
        if not kept and not stripped:
            continue
        if stripped and _CLOSING_LINE_RE.match(stripped):
            continue
        pieces = _SIGNATURE_PARTS_RE.split(stripped)
        parts, separators = pieces[::2], ["", *pieces[1::2]]
        if name and not kept and name_line == name and stripped:
            credentials = stripped.lstrip(_SIGNATURE_DASHES)
            if (
                credentials.casefold().startswith(name.casefold() + ",")
                and len(parts) > 1
                and not any(repeats(p) or re.search(r"[@\d/]", p) for p in parts[1:])
            ):
                name_line = credentials
                continue
        # Each part kept with the separator written before it ("Lead | Berlin" stays so).
        left = ""
        for separator, part in zip(separators, parts, strict=True):
            if not repeats(part):
                left += (separator if left else "") + part
        if stripped and not left:
            continue
        kept.append(line.rstrip() if left == stripped else left)
    return SignOff(name=name_line, signature="\n".join(kept).strip())


def signature_lines(*, signature: str, name: str, phone: str, email: str) -> str:
    """The user's signature without what only repeats the name, phone or email above it."""
    return sign_off(signature=signature, name=name, phone=phone, email=email).signature


def _greeting(contact: Contact | None, *, neutral: str) -> str:
    """ "Dear Ms. Richardson," / "Hi Dana," / the user's neutral form (rules.greetings)."""
    if contact is None:
        return greetings.NO_NAME_GREETING
    return greetings.greeting(
        name=contact.name, honorific=contact.honorific, tone=contact.tone, neutral=neutral
    )


def _interview_date(interview: Interview | None, *, country: str) -> str:
    if interview is None:
        return ""
    try:
        zone = zoneinfo.ZoneInfo(interview.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = dt.UTC
    return long_date(interview.starts_at.astimezone(zone).date(), country=country)


def needs_late_note(*, stage: str, interview: Interview | None, due_at: dt.datetime | None) -> bool:
    """Whether a thank-you goes out so long after the interview that it should say so."""
    if stage != Stage.THANK_YOU or interview is None or due_at is None:
        return False
    return due_at - interview.ends_at >= LATE_NOTE_AFTER


def _phrase_maker(
    *, application: Application, contact: Contact | None
) -> Callable[[str, phrasing.Kind], phrasing.Phrase]:
    """Notes to phrases for this reader: their name is never pasted, their company is "your"."""
    at_company = contact is None or contact.company_id == application.company_id
    # The user's own dictionary: their words are never "corrected" into others.
    known = dictionary_words(user=application.user)
    return lambda note, kind: phrasing.phrase_for(
        note,
        kind=kind,
        company=application.company.name,
        recipient_name=contact.name if contact else "",
        recipient_at_company=at_company,
        known_words=known,
    )


_NO_PHRASE = {kind: phrasing.Phrase(kind=kind, text="", shape="empty") for kind in phrasing.KINDS}


def _detail_for(
    *,
    interview: Interview | None,
    contact: Contact | None,
    people: list[InterviewParticipant],
    own_only: bool,
    phrase: Callable[[str, phrasing.Kind], phrasing.Phrase],
) -> tuple[phrasing.Phrase, phrasing.Phrase, str]:
    """One specific detail: the recipient's own, else (unless `own_only`) a colleague's, named.

    Returns the discussed and question phrases and the colleague's name ("" for the reader's
    own). A colleague's clean detail is preferred over a slot of the reader's own.
    """
    none = (_NO_PHRASE["discussed"], _NO_PHRASE["question"], "")
    if interview is None:
        return none
    own = next((p for p in people if contact and p.contact_id == contact.pk), None)
    candidates = ([own] if own else []) + (
        [] if own and own_only else [p for p in people if p is not own]
    )
    fallback = none
    for participant in candidates:
        detail = phrase(participant.discussed, "discussed")
        question = phrase(participant.questions, "question")
        if detail.is_empty and question.is_empty:
            continue
        detail_with = "" if participant is own else participant.contact.name
        # Someone else's question reads oddly as "your question": keep only discussions.
        if detail_with and detail.is_empty:
            continue
        found = (detail, question, detail_with)
        # "... from Grace Kim that Grace's team ..." names her twice: a last resort only.
        names_them = detail_with and _names(detail_with) & _names(detail.text)
        if own_only or (not detail.is_empty and not detail.is_slot and not names_them):
            return found
        # Only a question or a slot of the recipient's own: the check-in templates speak of a
        # discussion, so prefer a colleague's clean one, named, and keep this as the fallback.
        if fallback is none or (fallback[0].is_empty and not detail.is_empty):
            fallback = found
    return fallback


def _names(text: str) -> set[str]:
    return {word.casefold() for word in re.findall(r"[^\W\d_]{3,}", text)}


def note_sentences(
    *,
    stage: str,
    phrases: dict[str, phrasing.Phrase],
    detail_with: str = "",
    link: str = LINK_PLACEHOLDER,
) -> dict[str, dict[str, str]]:
    """{note: {phrasing number: sentence}}: what templates/emails/<stage>/<n>/ say of each note.

    Templates read `sentences.detail.1` (phrasing 1) and so on; an empty note says nothing.
    """
    return {
        key: {
            str(n): phrasing.sentence_for(
                phrase, stage=stage, phrasing=n, who=detail_with, link=link
            )
            for n in (1, 2, 3)
        }
        for key, phrase in phrases.items()
    }


# -- the template context -------------------------------------------------------------------


def interview_participants(interview: Interview | None) -> list[InterviewParticipant]:
    """An interview's participants with their contacts, in the order they were listed."""
    if interview is None:
        return []
    return list(interview.participants.select_related("contact").order_by("position", "pk"))


def _sign_off_context(*, profile: Profile, email: str) -> dict[str, str]:
    """The sign-off's keys: signed_name (the name line) and signature (what follows it)."""
    signed = sign_off(
        signature=profile.signature, name=profile.display_name, phone=profile.phone, email=email
    )
    return {"signed_name": signed.name, "signature": signed.signature}


def template_context(
    *,
    application: Application,
    stage: str,
    interview: Interview | None,
    contact: Contact | None,
    people: list[InterviewParticipant] | None = None,
    extra: dict | None = None,
    due_at: dt.datetime | None = None,
) -> dict:
    """What every stage's templates may use; `extra` (e.g. deadline, hook) goes on top."""
    profile = profile_for(user=application.user)
    people = people if people is not None else interview_participants(interview)
    own = next((p for p in people if contact and p.contact_id == contact.pk), None)
    # Met in any round (a stay-in-touch note weeks later may not name this round's people).
    met = own is not None or (
        contact is not None
        and InterviewParticipant.objects.filter(
            interview__application=application, contact=contact
        ).exists()
    )
    sender_email = application.user.email
    phrase = _phrase_maker(application=application, contact=contact)
    # A thank-you to an interviewer speaks of their own conversation only.
    detail, question, detail_with = _detail_for(
        interview=interview,
        contact=contact,
        people=people,
        own_only=stage == Stage.THANK_YOU,
        phrase=phrase,
    )
    added = phrase(own.added_point, "added_point") if own else _NO_PHRASE["added_point"]
    promised = phrase(own.promised, "promised") if own else _NO_PHRASE["promised"]
    context: dict = {
        "greeting": _greeting(contact, neutral=profile.formal_greeting),
        "recipient_name": contact.name if contact else "",
        "recipient_interviewed": own is not None,
        "recipient_met": met,
        "late_note": needs_late_note(stage=stage, interview=interview, due_at=due_at),
        "role": application.role,
        "company": application.company.name,
        "interview_date": _interview_date(interview, country=profile.country),
        "added_point": added.text,
        "promised": promised.text,
        "link_slot": LINK_PLACEHOLDER,
        "pass_on_names": "",
        "sender_name": profile.display_name,
        "sender_phone": profile.phone,
        "sender_email": sender_email,
        **_sign_off_context(profile=profile, email=sender_email),
        "ask_feedback": True,
        "deadline": "",
        "hook": HOOK_PLACEHOLDER,
        "detail": detail.text,
        "question": question.text,
        "detail_with": detail_with,
        "sentences": note_sentences(
            stage=stage,
            phrases={
                "detail": detail,
                "question": question,
                "added_point": added,
                "promised": promised,
            },
            detail_with=detail_with,
        ),
    }
    for key, value in (extra or {}).items():
        context[key] = (
            long_date(value, country=profile.country) if isinstance(value, dt.date) else value
        )
    return context
