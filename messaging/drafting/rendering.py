"""The email templates and the text that goes into them (etiquette spec §2, §4-§7).

One stage has several phrasings under templates/emails/<stage>/<n>/; each is rendered with
the same context: greeting, interview date, one specific detail, the sender's sign-off ...
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo
from collections.abc import Iterable

from django.template import Context, TemplateDoesNotExist, engines
from django.template.engine import Engine
from django.utils import timezone

from followup.accounts.services import profile_for
from interviews.models import Application, Contact, Interview, InterviewParticipant
from messaging.models import Message

Stage = Message.Stage
# The slot a stay-in-touch note needs filled before it can be approved (the placeholder check).
HOOK_PLACEHOLDER = "[Hook: what they shipped or announced]"
# Nothing can be attached to an email: a promised item goes as a link the user pastes here. The
# placeholder check blocks approval until they do (or rewrite the sentence).
LINK_PLACEHOLDER = "[Paste the link here]"
# Countries that write the month before the day ("Tuesday, November 24"); the rest of the
# English-speaking world writes "Tuesday 24 November". US territories follow the US.
MONTH_FIRST_COUNTRIES = frozenset({"US", "AS", "GU", "MP", "PR", "UM", "VI"})
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


def _tidy_text(text: str) -> str:
    """Plain text as a person would type it: no stray spaces, one blank line between paragraphs."""
    text = re.sub(r"[ \t]{2,}", " ", text)
    text = re.sub(r" +([.,;:?!])(?=\s|$)", r"\1", text)
    lines = [line.strip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def _tidy_html(html: str) -> str:
    html = re.sub(r"[ \t]{2,}", " ", html)
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

    subject = " ".join(render("subject.txt", autoescape=False).split())
    text = _tidy_text(render("body.txt", autoescape=False))
    html = _tidy_html(render("body.html", autoescape=True))
    return subject, text, html


# -- text -----------------------------------------------------------------------------------


def _one_detail(text: str) -> str:
    """The first line (and its first sentence) of a note, without closing punctuation."""
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    # A sentence ends after a lower-case word, not after "Dr." or "e.g.".
    line = re.split(r"(?<=[a-z0-9)]{3}[.!?])\s+(?=[A-Z])", line, maxsplit=1)[0]
    return " ".join(line.split()).rstrip(" .;,!")


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
    if country.upper() in MONTH_FIRST_COUNTRIES:
        return f"{day:%A}, {day:%B} {day.day}{',' if year else ''}{year}"
    return f"{day:%A} {day.day} {day:%B}{year}"


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def signature_lines(*, signature: str, name: str, phone: str, email: str) -> str:
    """The user's signature without lines that only repeat the name, phone or email above it.

    The sign-off already ends with name, phone and email; a signature written for other mail
    clients often starts with the same (and a "Best regards," the template has too). A line
    counts as a repeat when every part of it ("Alex Morgan | +1 555 0100", "Tel: ...") is one.
    """

    def repeats(part: str) -> bool:
        part = _SIGNATURE_LABEL_RE.sub("", part.strip()).strip()
        if not part:
            return True
        folded = part.casefold().removeprefix("mailto:")
        if (name and folded == name.casefold()) or (email and folded == email.casefold()):
            return True
        # A phone number written another way ("(555) 0100" vs "555-0100") is still the number.
        return bool(phone) and not re.search(r"[^\W\d_]", part) and _digits(part) == _digits(phone)

    kept = []
    for line in signature.strip().splitlines():
        stripped = line.strip()
        if not kept and not stripped:
            continue
        parts = re.split(r"\s*[|\u2022\u00b7,;]\s*|\s+[-\u2013\u2014]\s+", stripped)
        if stripped and (all(repeats(p) for p in parts) or _CLOSING_LINE_RE.match(stripped)):
            continue
        kept.append(line.rstrip())
    return "\n".join(kept).strip()


def _greeting(contact: Contact | None) -> str:
    """ "Dear Ms. Richardson," for a formal tone, "Hi Dana," for first names."""
    if contact is None or not contact.greeting_name:
        return "Hello,"
    if contact.tone == Contact.Tone.FIRST_NAME:
        return f"Hi {contact.greeting_name},"
    return f"Dear {contact.greeting_name},"


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


def _detail_for(
    *,
    interview: Interview | None,
    contact: Contact | None,
    people: list[InterviewParticipant],
    own_only: bool,
) -> dict[str, str]:
    """One specific detail: the recipient's own, else (unless `own_only`) a colleague's, named."""
    if interview is None:
        return {"detail": "", "question": "", "detail_with": ""}
    own = next((p for p in people if contact and p.contact_id == contact.pk), None)
    candidates = ([own] if own else []) + (
        [] if own and own_only else [p for p in people if p is not own]
    )
    fallback = {"detail": "", "question": "", "detail_with": ""}
    for participant in candidates:
        detail, question = _one_detail(participant.discussed), _one_detail(participant.questions)
        if detail or question:
            detail_with = "" if participant is own else participant.contact.name
            # Someone else's question reads oddly as "your question": keep only discussions.
            if detail_with and not detail:
                continue
            found = {"detail": detail, "question": question, "detail_with": detail_with}
            if detail or own_only:
                return found
            # Only a question of the recipient's own: the check-in templates speak of a
            # discussion, so prefer a colleague's, named, and keep this one as the fallback.
            fallback = fallback if fallback["question"] else found
    return fallback


# -- the template context -------------------------------------------------------------------


def interview_participants(interview: Interview | None) -> list[InterviewParticipant]:
    """An interview's participants with their contacts, in the order they were listed."""
    if interview is None:
        return []
    return list(interview.participants.select_related("contact").order_by("position", "pk"))


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
    context: dict = {
        "greeting": _greeting(contact),
        "recipient_name": contact.name if contact else "",
        "recipient_interviewed": own is not None,
        "recipient_met": met,
        "late_note": needs_late_note(stage=stage, interview=interview, due_at=due_at),
        "role": application.role,
        "company": application.company.name,
        "interview_date": _interview_date(interview, country=profile.country),
        "added_point": _one_detail(own.added_point) if own else "",
        "promised": _one_detail(own.promised) if own else "",
        "link_slot": LINK_PLACEHOLDER,
        "pass_on_names": "",
        "sender_name": profile.display_name,
        "sender_phone": profile.phone,
        "sender_email": sender_email,
        "signature": signature_lines(
            signature=profile.signature,
            name=profile.display_name,
            phone=profile.phone,
            email=sender_email,
        ),
        "ask_feedback": True,
        "deadline": "",
        "hook": HOOK_PLACEHOLDER,
        # A thank-you to an interviewer speaks of their own conversation only.
        **_detail_for(
            interview=interview,
            contact=contact,
            people=people,
            own_only=stage == Stage.THANK_YOU,
        ),
    }
    for key, value in (extra or {}).items():
        context[key] = (
            long_date(value, country=profile.country) if isinstance(value, dt.date) else value
        )
    return context
