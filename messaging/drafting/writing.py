"""One message at a time: drafted, redrafted with the current facts, or moved into the window.

Every function here writes under the application's lock, which the caller holds already
(interviews.locks.lock_application), and says on the timeline what it changed and why.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Manager, QuerySet
from django.template import TemplateDoesNotExist

from followup.rules import stages
from followup.rules.calendar import SenderCalendar, clamp_into_window, local_time_label
from interviews.models import Application, Contact, Interview, InterviewParticipant, TimelineEvent
from interviews.timeline import timeline_record
from messaging.drafting.rendering import phrasing_count, render_stage, template_context
from messaging.drafting.threads import new_message_id, thread_headers
from messaging.models import Message
from messaging.status import APPROVAL_COVERS, message_label, message_rewrite

Stage = Message.Stage
Status = Message.Status
PENDING = Message.PENDING_STATUSES
CHECK_INS = Message.CHECK_IN_STAGES


# -- reading pending rows -------------------------------------------------------------------


def pending_for_update(messages: QuerySet[Message] | Manager[Message]) -> QuerySet[Message]:
    """The pending ones among these messages, locked until the transaction ends.

    The caller holds the application's lock already (interviews.locks.lock_application):
    Application first, then Message rows, the one order of every writer. The dispatcher claims
    with a conditional UPDATE (approved -> sending) that takes no application lock; holding the
    row lock from our read to our write means it either claims before we read (we then leave a
    "sending" message alone) or after we commit (and sees our status), never in between.
    Only pending rows are locked: re-planning never writes a "sending" or "sent" one, and the
    dispatcher records their outcome under the application's lock, after us.
    """
    return messages.filter(status__in=PENDING).select_for_update(of=("self",))


def read_locking_pending(messages: QuerySet[Message]) -> list[Message]:
    """These messages in order: the pending ones locked (pending_for_update), the rest as they are.

    A row claimed between the read and the lock comes back re-read, unlocked, as it now is.
    """
    rows = list(messages)
    locked = {m.pk: m for m in pending_for_update(messages.filter(pk__in=[m.pk for m in rows]))}
    moved = [m.pk for m in rows if m.status in PENDING and m.pk not in locked]
    fresh = {m.pk: m for m in messages.filter(pk__in=moved)} if moved else {}
    return [locked.get(m.pk) or fresh.get(m.pk) or m for m in rows]


# -- composing ------------------------------------------------------------------------------


@dataclass
class MessageSpec:
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


def _least_used_phrasing(*, application: Application, stage: str, exclude_pk: int | None) -> int:
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


def _message_fields(
    *,
    application: Application,
    spec: MessageSpec,
    phrasing: int,
    exclude_pk: int | None,
    due_at: dt.datetime | None,
    people: list[InterviewParticipant] | None = None,
) -> dict[str, str]:
    """The rendered fields of a message: recipient, subject, bodies and thread headers."""
    context = template_context(
        application=application,
        stage=spec.stage,
        interview=spec.interview,
        contact=spec.contact,
        people=people,
        extra=spec.extra,
        due_at=due_at,
    )
    subject, text, html = render_stage(stage=spec.stage, phrasing=phrasing, context=context)
    return {
        "to_email": spec.to_email,
        "to_name": spec.to_name,
        "body_text": text,
        "body_html": html,
        **thread_headers(
            application=application,
            stage=spec.stage,
            interview=spec.interview,
            contact=spec.contact,
            to_email=spec.to_email,
            subject=subject,
            exclude_pk=exclude_pk,
        ),
    }


# -- drafting and redrafting ----------------------------------------------------------------


def message_draft(
    *,
    application: Application,
    spec: MessageSpec,
    due_at: dt.datetime,
    late: bool = False,
    held_reason: str = "",
    why: str,
    calendar: SenderCalendar,
    people: list[InterviewParticipant] | None = None,
) -> Message:
    """Render and save a new draft (or a held one), with a "drafted" timeline entry."""
    phrasing = _least_used_phrasing(application=application, stage=spec.stage, exclude_pk=None)
    fields = _message_fields(
        application=application,
        spec=spec,
        phrasing=phrasing,
        exclude_pk=None,
        due_at=due_at,
        people=people,
    )
    message = Message.objects.create(
        user_id=application.user_id,
        application=application,
        interview=spec.interview,
        contact=spec.contact,
        stage=spec.stage,
        status=Status.HELD if held_reason else Status.DRAFT,
        status_reason=held_reason,
        phrasing=phrasing,
        message_id=new_message_id(application),
        due_at=due_at,
        late=late,
        **fields,
    )
    detail = why
    if late:
        detail += (
            " Its ideal moment has passed, so it goes at the first moment your send window allows."
        )
    if held_reason:
        detail += f" On hold: {held_reason}"
    timeline_record(
        application=application,
        kind=TimelineEvent.Kind.DRAFTED,
        summary=f"{message_label(message)} drafted, due {local_time_label(due_at, calendar)}",
        detail=detail.strip(),
        interview=spec.interview,
        message=message,
    )
    return message


def message_redraft(
    *,
    message: Message,
    application: Application,
    spec: MessageSpec,
    due_at: dt.datetime | None,
    late: bool | None = None,
    why: str,
    calendar: SenderCalendar,
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
    if not 1 <= phrasing <= phrasing_count(spec.stage):
        phrasing = _least_used_phrasing(
            application=application, stage=spec.stage, exclude_pk=message.pk
        )
    new_due = due_at if due_at is not None else message.due_at
    if message.time_set_by_user:
        new_due = message.due_at  # the user chose this time: only the text follows the facts
        late = None
    fields = _message_fields(
        application=application,
        spec=spec,
        phrasing=phrasing,
        exclude_pk=message.pk,
        due_at=new_due,
        people=people,
    )
    fields.update(contact_id=spec.contact.pk if spec.contact else None, phrasing=phrasing)
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
        covers=_replan_approval_covers(old_due=old_due, new_due=new_due),
    )
    if not rewrite.saved:
        return  # claimed by the dispatcher meanwhile: not ours to change any more
    if rewrite.unapproved:
        summary = f"{message_label(message)} redrafted: it needs your approval again"
    elif content_changed:
        summary = f"{message_label(message)} redrafted"
    elif retimed:
        summary = f"{message_label(message)} rescheduled for {local_time_label(new_due, calendar)}"
    else:
        return  # only thread headers or the late flag moved: nothing worth a timeline line
    if content_changed and retimed:
        summary += f", due {local_time_label(new_due, calendar)}"
    why = _with_approval_note(why, message=message, retimed=retimed)
    timeline_record(
        application=application,
        kind=TimelineEvent.Kind.EDITED,
        summary=summary,
        detail=why,
        interview=message.interview,
        message=message,
    )


# -- approvals and times in a re-plan -------------------------------------------------------


def _replan_approval_covers(
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


def event_messages_retime(
    *, application: Application, now: dt.datetime, calendar: SenderCalendar, why: str
) -> None:
    """Move pending event messages (close-outs, thanks for an update, ...) into the window.

    A new time zone or send window can leave them at night or on a holiday: each one not set
    by hand (text or time) and not yet due moves forward into the sender's window, onto a
    business day where its stage needs one. Thank-yous and check-ins are the plan's job.
    """
    messages = read_locking_pending(
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
        new_due = clamp_into_window(
            at=old_due,
            calendar=calendar,
            business_day=message.stage in stages.BUSINESS_DAY_STAGES,
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
            summary=f"{message_label(message)} rescheduled for "
            f"{local_time_label(new_due, calendar)}",
            detail=f"{detail} It was due {local_time_label(old_due, calendar)}, outside your "
            "send window or on a day off.",
            interview=message.interview,
            message=message,
        )
