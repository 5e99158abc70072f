"""Writing drafts and planning their times (etiquette spec §2, §4-§7).

Every message starts here as a draft with a due time; nothing is sent before the user approves
it. Re-planning (after an interview edit or any event) only rewrites or re-times what the user
has not edited by hand, and says on the timeline what changed and why.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import re
import zoneinfo
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Manager, Q, QuerySet
from django.template import Context, TemplateDoesNotExist, engines
from django.template.engine import Engine
from django.utils import timezone

from followup.accounts.services import profile_for
from interviews.models import Application, Contact, Interview, InterviewParticipant, TimelineEvent
from interviews.timeline import timeline_record
from messaging import cadence
from messaging.models import Message
from messaging.selectors import cadence_facts_for, cadence_inputs_for, current_round
from messaging.status import (
    APPROVAL_COVERS,
    local_time,
    lock_application,
    message_label,
    message_release,
    message_rewrite,
    messages_cancel,
    messages_hold,
)

Stage = Message.Stage
Status = Message.Status
PENDING = Message.PENDING_STATUSES
CHECK_INS = Message.CHECK_IN_STAGES
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
# Event-driven stages that go on a business morning (spec §6-§7); the rest go any day.
BUSINESS_DAY_STAGES = frozenset(
    {Stage.REJECTION_REPLY, Stage.WITHDRAWAL, Stage.NO_NEWS_REPLY, Stage.STAY_IN_TOUCH}
)
# An event-driven message to someone with a thank-you still to go follows it by this much.
AFTER_THANK_YOU = dt.timedelta(hours=1)
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
MESSAGE_ID_FALLBACK_DOMAIN = "followup.local"


# -- rendering -----------------------------------------------------------------------------


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


# -- context --------------------------------------------------------------------------------


def _one_detail(text: str) -> str:
    """The first line (and its first sentence) of a note, without closing punctuation."""
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    # A sentence ends after a lower-case word, not after "Dr." or "e.g.".
    line = re.split(r"(?<=[a-z0-9)]{3}[.!?])\s+(?=[A-Z])", line, maxsplit=1)[0]
    return " ".join(line.split()).rstrip(" .;,!")


def _join_names(names: Iterable[str]) -> str:
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


def _late_note(*, stage: str, interview: Interview | None, due_at: dt.datetime | None) -> bool:
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


def _context(
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
    people = people if people is not None else _participants(interview)
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
        "late_note": _late_note(stage=stage, interview=interview, due_at=due_at),
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


def _participants(interview: Interview | None) -> list[InterviewParticipant]:
    if interview is None:
        return []
    return list(interview.participants.select_related("contact").order_by("position", "pk"))


# -- phrasing and threading ----------------------------------------------------------------


def _choose_phrasing(*, application: Application, stage: str, exclude_pk: int | None) -> int:
    """A phrasing the company has seen least for this stage, so colleagues' drafts differ.

    Deterministic: the n-th message of the stage at the company starts looking at phrasing
    (company id + n) % count and takes the first one used least often.
    """
    count = phrasing_count(stage)
    if count == 0:
        raise TemplateDoesNotExist(f"emails/{stage}/1/subject.txt")
    used = list(
        Message.objects.filter(application__company_id=application.company_id, stage=stage)
        .exclude(status=Status.CANCELLED)
        .exclude(pk=exclude_pk)
        .values_list("phrasing", flat=True)
    )
    usage = Counter(used)
    start = (application.company_id + len(used)) % count
    order = [(start + offset) % count + 1 for offset in range(count)]
    return min(order, key=lambda phrasing: usage[phrasing])


def _new_message_id(application: Application) -> str:
    """Our own Message-ID, in the sender's domain so replies thread in their mail client."""
    domain = application.user.email.rpartition("@")[2].strip() or MESSAGE_ID_FALLBACK_DOMAIN
    return email.utils.make_msgid(domain=domain)


def _angle(message_id: str) -> str:
    """A Message-ID as it goes in a header: "<id@host>"."""
    message_id = message_id.strip()
    if not message_id:
        return ""
    return message_id if message_id.startswith("<") else f"<{message_id.strip('<>')}>"


def _reply_subject(subject: str) -> str:
    """ "Re: <subject>", never "Re: Re: <subject>"."""
    return "Re: " + re.sub(r"^\s*((re|aw|sv)\s*:\s*)+", "", subject, flags=re.IGNORECASE)


def _same_recipient(contact: Contact | None, to_email: str) -> Q:
    if contact is not None:
        return Q(contact=contact)
    if to_email:
        return Q(to_email__iexact=to_email)
    return Q(pk__in=[])


def _thread_parent(
    *,
    application: Application,
    stage: str,
    interview: Interview | None,
    contact: Contact | None,
    to_email: str,
    exclude_pk: int | None,
) -> Message | None:
    """The earlier message this one replies to, in the same recipient's thread.

    1. Check-in: the round's thank-you to the same person.
    2. Second check-in: the round's first check-in to them, else that thank-you.
    3. Any other stage after the thank-you: our latest SENT message to them in this
       application (none yet: a fresh subject).
    A stay-in-touch note weeks later starts a fresh conversation; a thank-you may reply in the
    scheduling thread (handled by the caller).
    """
    if stage in (Stage.THANK_YOU, Stage.STAY_IN_TOUCH):
        return None
    live = (
        Message.objects.filter(application=application)
        .filter(_same_recipient(contact, to_email))
        .exclude(status__in=Message.DEAD_STATUSES)
        .exclude(message_id="")
        .exclude(pk=exclude_pk)
    )
    if stage in CHECK_INS:
        parent_stages = [Stage.THANK_YOU]
        if stage == Stage.SECOND_CHECK_IN:
            parent_stages.insert(0, Stage.CHECK_IN)
        for parent_stage in parent_stages:
            parent = live.filter(interview=interview, stage=parent_stage).order_by("pk").first()
            if parent is not None:
                return parent
        return None
    # An event-driven message (thanks for the update, a close-out, a deadline note) replies
    # only to a message that has gone: "Re:" to one still waiting would reach them first.
    earlier = list(live.exclude(stage=Stage.STAY_IN_TOUCH).filter(status=Status.SENT))
    far_past = dt.datetime.min.replace(tzinfo=dt.UTC)
    return max(earlier, key=lambda m: (m.sent_at or m.due_at or far_past, m.pk), default=None)


def _threading(
    *,
    application: Application,
    stage: str,
    interview: Interview | None,
    contact: Contact | None,
    to_email: str,
    subject: str,
    exclude_pk: int | None,
) -> dict[str, str]:
    """Subject and thread headers: a reply in the right thread, or a fresh subject."""
    parent = _thread_parent(
        application=application,
        stage=stage,
        interview=interview,
        contact=contact,
        to_email=to_email,
        exclude_pk=exclude_pk,
    )
    if parent is not None:
        references = " ".join(filter(None, [parent.references.strip(), parent.message_id]))
        threaded = {
            "subject": _reply_subject(parent.subject),
            "in_reply_to": parent.message_id,
            "references": references,
        }
    elif stage == Stage.THANK_YOU and interview and interview.scheduling_subject.strip():
        scheduling_id = _angle(interview.scheduling_message_id)
        threaded = {
            "subject": _reply_subject(interview.scheduling_subject.strip()),
            "in_reply_to": scheduling_id,
            "references": scheduling_id,
        }
    else:
        threaded = {"subject": subject, "in_reply_to": "", "references": ""}
    max_subject = Message._meta.get_field("subject").max_length
    max_id = Message._meta.get_field("in_reply_to").max_length
    if len(threaded["in_reply_to"]) > max_id:
        # A Message-ID this long is not one a mail client made: do not thread on it.
        threaded["in_reply_to"] = threaded["references"] = ""
    threaded["subject"] = threaded["subject"][:max_subject]
    return threaded


# -- writing messages ----------------------------------------------------------------------


def _for_update(messages: QuerySet[Message] | Manager[Message]) -> QuerySet[Message]:
    """The pending ones among these messages, locked until the transaction ends.

    The caller holds the application's lock already (status.lock_application): Application
    first, then Message rows, the one order of every writer. The dispatcher claims with a
    conditional UPDATE (approved -> sending) that takes no application lock; holding the row
    lock from our read to our write means it either claims before we read (we then leave a
    "sending" message alone) or after we commit (and sees our status), never in between.
    Only pending rows are locked: re-planning never writes a "sending" or "sent" one, and the
    dispatcher records their outcome (dispatch._record) under the application's lock, after us.
    """
    return messages.filter(status__in=PENDING).select_for_update(of=("self",))


def _read_locking_pending(messages: QuerySet[Message]) -> list[Message]:
    """These messages in order: the pending ones locked (_for_update), the rest read as they are.

    A row claimed between the read and the lock comes back re-read, unlocked, as it now is.
    """
    rows = list(messages)
    locked = {m.pk: m for m in _for_update(messages.filter(pk__in=[m.pk for m in rows]))}
    moved = [m.pk for m in rows if m.status in PENDING and m.pk not in locked]
    fresh = {m.pk: m for m in messages.filter(pk__in=moved)} if moved else {}
    return [locked.get(m.pk) or fresh.get(m.pk) or m for m in rows]


@dataclass
class _Want:
    """What one message should say and to whom (before rendering)."""

    stage: str
    contact: Contact | None
    interview: Interview | None
    extra: dict = field(default_factory=dict)

    @property
    def to_email(self) -> str:
        return self.contact.email if self.contact else ""

    @property
    def to_name(self) -> str:
        return self.contact.name if self.contact else ""


def _compose(
    *,
    application: Application,
    want: _Want,
    phrasing: int,
    exclude_pk: int | None,
    due_at: dt.datetime | None,
    people: list[InterviewParticipant] | None = None,
) -> dict[str, str]:
    """The rendered fields of a message: recipient, subject, bodies and thread headers."""
    context = _context(
        application=application,
        stage=want.stage,
        interview=want.interview,
        contact=want.contact,
        people=people,
        extra=want.extra,
        due_at=due_at,
    )
    subject, text, html = render_stage(stage=want.stage, phrasing=phrasing, context=context)
    return {
        "to_email": want.to_email,
        "to_name": want.to_name,
        "body_text": text,
        "body_html": html,
        **_threading(
            application=application,
            stage=want.stage,
            interview=want.interview,
            contact=want.contact,
            to_email=want.to_email,
            subject=subject,
            exclude_pk=exclude_pk,
        ),
    }


def _create(
    *,
    application: Application,
    want: _Want,
    due_at: dt.datetime,
    late: bool = False,
    held_reason: str = "",
    why: str,
    calendar: cadence.SenderCalendar,
    people: list[InterviewParticipant] | None = None,
) -> Message:
    """Render and save a new draft (or a held one), with a "drafted" timeline entry."""
    phrasing = _choose_phrasing(application=application, stage=want.stage, exclude_pk=None)
    fields = _compose(
        application=application,
        want=want,
        phrasing=phrasing,
        exclude_pk=None,
        due_at=due_at,
        people=people,
    )
    message = Message.objects.create(
        user_id=application.user_id,
        application=application,
        interview=want.interview,
        contact=want.contact,
        stage=want.stage,
        status=Status.HELD if held_reason else Status.DRAFT,
        status_reason=held_reason,
        phrasing=phrasing,
        message_id=_new_message_id(application),
        due_at=due_at,
        late=late,
        **fields,
    )
    detail = why
    if late:
        detail += " Its ideal moment has passed, so it is due at once."
    if held_reason:
        detail += f" On hold: {held_reason}"
    timeline_record(
        application=application,
        kind=TimelineEvent.Kind.DRAFTED,
        summary=f"{message_label(message)} drafted, due {local_time(due_at, calendar)}",
        detail=detail.strip(),
        interview=want.interview,
        message=message,
    )
    return message


def _refresh(
    *,
    message: Message,
    application: Application,
    want: _Want,
    due_at: dt.datetime | None,
    late: bool | None = None,
    why: str,
    calendar: cadence.SenderCalendar,
    people: list[InterviewParticipant] | None = None,
) -> None:
    """Re-render and re-time a message the user has not edited by hand.

    1. Render with the current facts, keeping its phrasing (so a re-plan changes only what
       the facts changed).
    2. Text or recipient changed on an approved message: its approval goes
       (status.message_rewrite).
    3. Save and say on the timeline what changed and why; nothing changed, nothing written.
    """
    phrasing = message.phrasing
    if not 1 <= phrasing <= phrasing_count(want.stage):
        phrasing = _choose_phrasing(
            application=application, stage=want.stage, exclude_pk=message.pk
        )
    new_due = due_at if due_at is not None else message.due_at
    if message.time_set_by_user:
        new_due = message.due_at  # the user chose this time: only the text follows the facts
        late = None
    fields = _compose(
        application=application,
        want=want,
        phrasing=phrasing,
        exclude_pk=message.pk,
        due_at=new_due,
        people=people,
    )
    fields.update(contact_id=want.contact.pk if want.contact else None, phrasing=phrasing)
    content_changed = any(getattr(message, name) != fields[name] for name in APPROVAL_COVERS)
    other_changed = any(getattr(message, name) != value for name, value in fields.items())
    new_late = message.late if late is None else late
    retimed = new_due != message.due_at
    if not (other_changed or retimed or new_late != message.late):
        return
    old_due = message.due_at
    rewrite = message_rewrite(
        message,
        changes={**fields, "due_at": new_due, "late": new_late},
        covers=_approval_covers(old_due=old_due, new_due=new_due),
    )
    if not rewrite.saved:
        return  # claimed by the dispatcher meanwhile: not ours to change any more
    if rewrite.unapproved:
        summary = f"{message_label(message)} redrafted: it needs your approval again"
    elif content_changed:
        summary = f"{message_label(message)} redrafted"
    elif retimed:
        summary = f"{message_label(message)} rescheduled for {local_time(new_due, calendar)}"
    else:
        return  # only thread headers or the late flag moved: nothing worth a timeline line
    if content_changed and retimed:
        summary += f", due {local_time(new_due, calendar)}"
    why = _with_approval_note(why, message=message, retimed=retimed)
    timeline_record(
        application=application,
        kind=TimelineEvent.Kind.EDITED,
        summary=summary,
        detail=why,
        interview=message.interview,
        message=message,
    )


def _approval_covers(
    *, old_due: dt.datetime | None, new_due: dt.datetime | None
) -> tuple[str, ...]:
    """What takes an approval back in a re-plan: the text, and a move to an EARLIER time.

    The user approved the words; times are the cadence's job, so a later time keeps the
    approval (said on the timeline), but an earlier one would send it sooner than they agreed.
    """
    if old_due is not None and new_due is not None and new_due < old_due:
        return (*APPROVAL_COVERS, "due_at")
    return tuple(APPROVAL_COVERS)


def _with_approval_note(why: str, *, message: Message, retimed: bool) -> str:
    """The timeline detail of a re-plan, saying an approved message moved and stays approved."""
    if not retimed or message.approved_at is None:
        return why
    return f"{why} It stays approved: only its time moved, and to later, not sooner."


def _retime_event_messages(
    *, application: Application, now: dt.datetime, calendar: cadence.SenderCalendar, why: str
) -> None:
    """Move pending event messages (close-outs, thanks for an update, ...) into the window.

    A new time zone or send window can leave them at night or on a holiday: each one not set
    by hand (text or time) and not yet due moves forward into the sender's window, onto a
    business day where its stage needs one. Thank-yous and check-ins are the plan's job.
    """
    messages = _read_locking_pending(
        Message.objects.filter(
            application=application,
            status__in=PENDING,
            edited_by_user=False,
            time_set_by_user=False,
            due_at__gt=now,
        )
        .exclude(stage__in=[Stage.THANK_YOU, *CHECK_INS])
        .order_by("due_at", "pk")
    )
    for message in messages:
        if message.status not in PENDING or message.edited_by_user or message.time_set_by_user:
            continue
        old_due = message.due_at
        new_due = cadence.clamp_into_window(
            at=old_due, calendar=calendar, business_day=message.stage in BUSINESS_DAY_STAGES
        )
        if new_due == old_due:
            continue
        rewrite = message_rewrite(message, changes={"due_at": new_due})
        if not rewrite.saved:
            continue
        detail = _with_approval_note(why, message=message, retimed=True)
        timeline_record(
            application=application,
            kind=TimelineEvent.Kind.EDITED,
            summary=f"{message_label(message)} rescheduled for {local_time(new_due, calendar)}",
            detail=f"{detail} It was due {local_time(old_due, calendar)}, outside your send "
            "window or on a day off.",
            interview=message.interview,
            message=message,
        )


# -- thank-yous ----------------------------------------------------------------------------


def _thank_you_wants(
    *, application: Application, interview: Interview, people: list[InterviewParticipant]
) -> dict[int | None, _Want]:
    """Who gets a thank-you for this interview, keyed by contact id.

    1. Every interviewer with an address gets their own.
    2. Interviewers without one are thanked by name through ONE message to the main contact
       (or a recruiter/coordinator in the interview) with an address; if that person already
       gets a thank-you, the request goes into it.
    3. Nobody with an address to ask: that message is drafted to the main contact (or
       coordinator) without an address, for the user to fill in; with no such person at all,
       each interviewer's own thank-you is drafted without an address.
    """
    wants: dict[int | None, _Want] = {}
    missing: list[InterviewParticipant] = []
    for participant in people:
        if participant.contact.email:
            wants[participant.contact_id] = _Want(Stage.THANK_YOU, participant.contact, interview)
        else:
            missing.append(participant)
    if not missing:
        return wants
    coordinators = [
        p.contact
        for p in people
        if p.contact.kind in (Contact.Kind.RECRUITER, Contact.Kind.COORDINATOR)
    ]
    main = application.main_contact
    candidates = [c for c in [main, *coordinators] if c is not None]
    via = next((c for c in candidates if c.email), None) or next(iter(candidates), None)
    if via is None:
        for participant in missing:
            wants[participant.contact_id] = _Want(Stage.THANK_YOU, participant.contact, interview)
        return wants
    names = _join_names(p.contact.name for p in missing if p.contact_id != via.pk)
    want = wants.setdefault(via.pk, _Want(Stage.THANK_YOU, via, interview))
    if names:
        want.extra["pass_on_names"] = names
    return wants


def _thank_you_due(
    *,
    message: Message | None,
    interview: Interview,
    now: dt.datetime,
    calendar: cadence.SenderCalendar,
) -> tuple[dt.datetime, bool]:
    """The thank-you's due time and late flag; an existing plan stands while still right.

    A message already due at (or after) its ideal moment that has simply passed keeps its time:
    re-planning it to "now" would mark it late for no reason. One planned on time whose ideal
    moment only moved into the past through a re-plan (a new time zone or send window) goes
    at once, still not late: "late" says the interview was logged late, not that we moved it.
    """
    due = cadence.thank_you_due(interview_end=interview.ends_at, now=now, calendar=calendar)
    if due.late and message is not None and message.due_at is not None:
        ideal = cadence.thank_you_due(
            interview_end=interview.ends_at, now=interview.ends_at, calendar=calendar
        ).at
        if ideal <= message.due_at <= now:
            return message.due_at, message.late
        if not message.late:
            return due.at, False
    return due.at, due.late


def _plan_thank_yous(
    *,
    application: Application,
    interview: Interview,
    now: dt.datetime,
    reason: str = "The interview was edited.",
) -> None:
    """Draft, re-render or cancel this interview's thank-yous to match its participants.

    `reason` goes on the timeline of a re-rendered thank-you (what changed: the interview,
    the profile, a contact ...).
    """
    if application.has_ended:
        return
    calendar, _ = cadence_inputs_for(user=application.user)
    people = _participants(interview)
    wants = _thank_you_wants(application=application, interview=interview, people=people)
    existing = _read_locking_pending(
        Message.objects.filter(interview=interview, stage=Stage.THANK_YOU)
        .exclude(status=Status.CANCELLED)
        .select_related("contact")
    )
    by_contact = {m.contact_id: m for m in existing}
    why = "Planned from the interview as logged."
    # Re-planning an older round only refreshes its existing thank-yous: a new one drafted now
    # would be a late thank-you nobody asked for (or one the user already cancelled). Its
    # first planning (a round logged after a newer one) drafts them as usual.
    is_current = getattr(current_round(application=application), "pk", None) == interview.pk
    may_create = (
        is_current
        or not Message.objects.filter(interview=interview, stage=Stage.THANK_YOU).exists()
    )
    for contact_id, want in wants.items():
        message = by_contact.get(contact_id)
        due_at, late = _thank_you_due(
            message=message, interview=interview, now=now, calendar=calendar
        )
        if message is None and not may_create:
            continue
        if message is None:
            _create(
                application=application,
                want=want,
                due_at=due_at,
                late=late,
                why=why,
                calendar=calendar,
                people=people,
            )
        elif message.status in PENDING and not message.edited_by_user:
            _refresh(
                message=message,
                application=application,
                want=want,
                due_at=due_at,
                late=late,
                why=reason,
                calendar=calendar,
                people=people,
            )
    present = {p.contact_id for p in people}
    for message in existing:
        if message.contact_id in wants or message.status not in PENDING:
            continue
        if message.edited_by_user:
            continue  # the user wrote it: theirs to skip
        if message.contact_id in present or message.contact_id == getattr(
            application.main_contact, "pk", None
        ):
            reason = "Not needed any more: the interview's participants or addresses changed."
        else:
            reason = f"{message.to_name or 'This person'} is no longer listed in this interview."
        messages_cancel([message], reason=reason)


# -- check-ins and the rest of the cadence ------------------------------------------------


def _check_in_contact(
    *, application: Application, people: list[InterviewParticipant]
) -> Contact | None:
    """The main contact, else the first interviewer with an address (else whoever is known)."""
    main = application.main_contact
    if main is not None and main.email:
        return main
    with_email = next((p.contact for p in people if p.contact.email), None)
    if with_email is not None:
        return with_email
    return main or next((p.contact for p in people), None)


def _replan(*, application: Application, now: dt.datetime, reason: str) -> None:
    """Bring the application's pending check-ins in line with cadence.plan().

    1. Pending thank-yous and check-ins of a deleted interview, and check-ins of an older
       round, are cancelled (a new round restarts the cadence).
    2. Plan the current round from the facts; a stage with no due time is cancelled with the
       cadence's reason; a missing one is drafted; a pending one not edited by hand is
       re-rendered and re-timed.
    3. Held by the plan (pause, out-of-office): pending check-ins go on hold; once the hold
       ends they are released. Other held messages are released when the application is no
       longer paused.
    """
    calendar, settings = cadence_inputs_for(user=application.user)
    interview = current_round(application=application)
    _retime_event_messages(
        application=application,
        now=now,
        calendar=calendar,
        why=reason or "Re-planned for your send window.",
    )
    # 1.
    orphans = _for_update(Message.objects).filter(
        application=application,
        interview__isnull=True,
        stage__in=[Stage.THANK_YOU, *CHECK_INS],
        status__in=PENDING,
    )
    messages_cancel(orphans, reason="Its interview was deleted.")
    older = (
        _for_update(Message.objects)
        .filter(application=application, stage__in=CHECK_INS, status__in=PENDING)
        .exclude(interview=interview)
    )
    messages_cancel(
        older, reason="A new round was scheduled: the check-ins start again from that interview."
    )
    if interview is None:
        return
    # 2.
    facts = cadence_facts_for(
        application=application, now=now, calendar=calendar, settings=settings
    )
    plan = cadence.plan(facts)
    people = _participants(interview)
    contact = _check_in_contact(application=application, people=people)
    why = reason or "Planned by the follow-up cadence."
    for stage, due_at in (
        (Stage.CHECK_IN, plan.check_in),
        (Stage.SECOND_CHECK_IN, plan.second_check_in),
    ):
        message = next(
            iter(
                _read_locking_pending(
                    Message.objects.filter(interview=interview, stage=stage)
                    .exclude(status=Status.CANCELLED)
                    .order_by("pk")
                )
            ),
            None,
        )
        if due_at is None:
            if message is not None and message.status in PENDING:
                messages_cancel(
                    [message],
                    reason=plan.stopped_reason or "The cadence has no further check-in here.",
                )
            continue
        want = _Want(stage, contact, interview)
        if message is None:
            _create(
                application=application,
                want=want,
                due_at=due_at,
                held_reason=plan.held_reason if plan.held else "",
                why=why,
                calendar=calendar,
                people=people,
            )
            continue
        if message.status not in PENDING:
            continue  # sent, sending, failed or skipped: not ours to change
        if not message.edited_by_user:
            _refresh(
                message=message,
                application=application,
                want=want,
                due_at=due_at,
                why=why,
                calendar=calendar,
                people=people,
            )
        # 3.
        if plan.held:
            messages_hold([message], reason=plan.held_reason)
        elif message.status == Status.HELD:
            message_release(message, now=now, calendar=calendar, reason=why)
    if not application.paused:
        held = _for_update(
            Message.objects.filter(application=application, status=Status.HELD)
        ).exclude(stage__in=CHECK_INS)
        for message in held:
            message_release(message, now=now, calendar=calendar, reason=why)


# -- the public operations -----------------------------------------------------------------


def plan_interview(*, interview: Interview, now: dt.datetime | None = None) -> list[Message]:
    """Draft or re-plan an interview's thank-yous and the application's check-ins.

    Idempotent: running it again with unchanged facts changes nothing. Returns the pending
    thank-yous of this interview and the pending check-ins of the current round.
    """
    now = now or timezone.now()
    with transaction.atomic():
        application = lock_application(interview.application_id)
        interview = Interview.objects.get(pk=interview.pk)
        _plan_thank_yous(application=application, interview=interview, now=now)
        _replan(application=application, now=now, reason="Planned from the interview as logged.")
        current = current_round(application=application)
        return list(
            Message.objects.filter(status__in=PENDING)
            .filter(
                Q(interview=interview, stage=Stage.THANK_YOU)
                | Q(interview=current, stage__in=CHECK_INS)
            )
            .order_by("due_at", "pk")
        )


def replan_application(
    *, application: Application, now: dt.datetime | None = None, reason: str = ""
) -> None:
    """Re-plan the pending check-ins after any event (reply, outcome, pause, new round ...).

    `reason` (e.g. "They said there is no news yet.") goes on the timeline entries it writes.
    """
    now = now or timezone.now()
    with transaction.atomic():
        _replan(application=lock_application(application.pk), now=now, reason=reason)


def draft_message(
    *,
    application: Application,
    stage: str,
    contact: Contact | None = None,
    interview: Interview | None = None,
    due_at: dt.datetime,
    context: dict | None = None,
) -> Message:
    """Draft one event-driven message (rejection reply, withdrawal, no-news reply, ...).

    `contact` defaults to the check-in recipient; `context` adds template values such as
    deadline (a date), ask_feedback (bool) or hook (the stay-in-touch slot).
    """
    with transaction.atomic():
        application = lock_application(application.pk)
        interview = interview or current_round(application=application)
        people = _participants(interview)
        if contact is None:
            contact = _check_in_contact(application=application, people=people)
        calendar, _ = cadence_inputs_for(user=application.user)
        want = _Want(stage, contact, interview, dict(context or {}))
        due_at = _after_pending_thank_you(
            application=application, want=want, due_at=due_at, calendar=calendar
        )
        return _create(
            application=application,
            want=want,
            due_at=due_at,
            why="Drafted for your approval.",
            calendar=calendar,
            people=people,
        )


def _after_pending_thank_you(
    *,
    application: Application,
    want: _Want,
    due_at: dt.datetime,
    calendar: cadence.SenderCalendar,
) -> dt.datetime:
    """`due_at`, or later: at least AFTER_THANK_YOU after a pending thank-you to the same person.

    A note about the decision (or a thanks for their update) that reached them before our
    thank-you for the interview would read backwards.
    """
    thank_yous = (
        Message.objects.filter(application=application, stage=Stage.THANK_YOU, status__in=PENDING)
        .filter(_same_recipient(want.contact, want.to_email))
        .exclude(due_at__isnull=True)
        .values_list("due_at", flat=True)
    )
    latest = max(thank_yous, default=None)
    if latest is None or due_at >= latest + AFTER_THANK_YOU:
        return due_at
    return cadence.clamp_into_window(
        at=latest + AFTER_THANK_YOU, calendar=calendar, business_day=False
    )


def replan_for(
    *,
    applications: Iterable[Application] = (),
    interviews: Iterable[Interview] = (),
    reason: str,
    now: dt.datetime | None = None,
) -> int:
    """Re-plan what is pending around these applications and interviews; returns approvals lost.

    1. each open application given: its check-ins, its current round, and every interview with
       a pending thank-you not edited by hand;
    2. each interview given: only if it is its application's current round or has such a
       thank-you (an old round whose thank-yous are gone gets no new, late one);
    3. one transaction per application, so a long re-plan never holds every row at once;
       only when called outside any transaction (after the caller's commit): inside one,
       every application it locks stays locked until the caller's transaction ends.
    4. every pending message not set by hand moves into the sender's current window (event
       messages of ended applications too: _retime_event_messages).
    An approved message that re-rendering changed, or that moved EARLIER, needs approval
    again; one moved later stays approved (said on the timeline). The number that lost
    their approval is returned, for the page to say so.
    """
    now = now or timezone.now()
    given = {application.pk for application in applications}
    asked: dict[int, set[int]] = {pk: set() for pk in given}
    for interview in interviews:
        asked.setdefault(interview.application_id, set()).add(interview.pk)
    lost = 0
    for application_id in sorted(asked):
        with transaction.atomic():
            application = lock_application(application_id)
            pending = Message.objects.filter(application=application, status__in=PENDING)
            if application.has_ended:
                # An ended application plans nothing more, but its close-outs still move
                # into the sender's (new) window.
                if application_id in given:
                    calendar, _ = cadence_inputs_for(user=application.user)
                    _retime_event_messages(
                        application=application, now=now, calendar=calendar, why=reason
                    )
                continue
            plannable = set(
                pending.filter(
                    stage=Stage.THANK_YOU, edited_by_user=False, interview__isnull=False
                ).values_list("interview_id", flat=True)
            )
            current = current_round(application=application)
            if current is not None:
                plannable.add(current.pk)
            plan = plannable if application_id in given else plannable & asked[application_id]
            if application_id not in given and not plan:
                continue
            approved = set(pending.filter(approved_at__isnull=False).values_list("pk", flat=True))
            # Thank-yous first (the check-ins are planned around them), then the check-ins
            # once, for the whole application.
            for interview in Interview.objects.filter(pk__in=plan).order_by("pk"):
                _plan_thank_yous(
                    application=application, interview=interview, now=now, reason=reason
                )
            _replan(application=application, now=now, reason=reason)
            lost += pending.filter(pk__in=approved, approved_at__isnull=True).count()
    return lost
