"""What the company answered, and how the cadence changes to fit (etiquette spec §7)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from followup.accounts.models import User
from followup.rules import actions, cadence, stages
from followup.rules.calendar import (
    SenderCalendar,
    local_time_label,
    next_business_morning,
)
from interviews.locks import lock_application
from interviews.models import Application, Contact, TimelineEvent
from interviews.timeline import timeline_record
from messaging import selectors
from messaging.drafting.planning import draft_message, replan_application
from messaging.models import Message, Reply
from messaging.services.locking import pending_messages, require_owner
from messaging.services.outcomes import application_reopen
from messaging.services.refusals import ActionRefused
from messaging.status import (
    message_label,
    messages_cancel,
    messages_hold,
)

Kind = TimelineEvent.Kind
Stage = Message.Stage
Status = Message.Status


def application_reply(
    *,
    application: Application,
    user: User,
    kind: str,
    at: dt.datetime | None = None,
    detail: str = "",
    return_date: dt.date | None = None,
    contact: Contact | None = None,
) -> Reply:
    """Log what the company answered and change the cadence to fit (spec §7).

    - "reply": any real answer stops the automatic check-ins (pending ones cancelled);
    - "no_news": thank them for the update (drafted for the next business morning) and move
      the next check-in to at least N business days after their message;
    - "out_of_office": not a reply: hold the check-ins until the return date (or N business
      days), then they go out as planned from there (applications_end_holds releases them).
    A kind the application no longer admits (rules.actions: "no news yet" after an offer or
    a decision) is refused with ActionRefused, before anything is written.
    """
    if kind not in stages.REPLY_KIND_VALUES:
        raise ValueError(f"Unknown reply kind: {kind!r}")
    require_owner(application, user)
    if contact is not None and contact.user_id != user.pk:
        raise PermissionDenied("Not yours.")
    now = timezone.now()
    at = at or now
    with transaction.atomic():
        application = lock_application(application.pk)
        refused = actions.action_refused(action=kind, stage=application.stage)
        if refused:
            raise ActionRefused(refused)
        reply = Reply.objects.create(
            user_id=application.user_id,
            application=application,
            contact=contact,
            kind=kind,
            received_at=at,
            return_date=return_date if kind == stages.OUT_OF_OFFICE else None,
            detail=detail,
        )
        if application.stage == Application.Stage.QUIET and kind in (stages.REPLY, stages.NO_NEWS):
            application = application_reopen(
                application=application,
                user=user,
                reason="They wrote back after all: the application is no longer quiet.",
            )
        heard = _Heard(reply=reply, contact=contact, now=now)
        if application.has_ended:
            # Logged for the record only: nothing is planned for an application that ended.
            timeline_record(
                application=application,
                kind=Kind.OUT_OF_OFFICE if kind == stages.OUT_OF_OFFICE else Kind.REPLY,
                summary=f"{Reply.Kind(kind).label}{heard.who}",
                detail=detail,
                at=at,
            )
        elif kind == stages.REPLY:
            _real_reply(application, heard=heard)
        elif kind == stages.NO_NEWS:
            _no_news(application, heard=heard)
        else:
            _out_of_office(application, heard=heard)
    return reply


@dataclass(frozen=True)
class _Heard:
    """What the company said, as logged, and when we heard it."""

    reply: Reply
    contact: Contact | None
    now: dt.datetime

    @property
    def who(self) -> str:
        return f" from {self.contact.name}" if self.contact else ""

    def detail_with(self, why: str) -> str:
        return " ".join(p for p in (self.reply.detail, why) if p)


def _real_reply(application: Application, *, heard: _Heard) -> None:
    """Any real answer stops the automatic check-ins: pending ones are cancelled."""
    calendar, _ = selectors.cadence_inputs_for(user=application.user)
    at = heard.reply.received_at
    why = f"They replied on {local_time_label(at, calendar)}: the automatic check-ins stop."
    timeline_record(
        application=application,
        kind=Kind.REPLY,
        summary=f"They replied{heard.who}",
        detail=heard.detail_with(why),
        at=at,
    )
    pending = pending_messages(application, *Message.CHECK_IN_STAGES)
    messages_cancel(pending, reason=why, at=heard.now)
    replan_application(application=application, now=heard.now, reason=why)


def _no_news(application: Application, *, heard: _Heard) -> None:
    """Thank them for the update; the next check-in waits N more business days (spec §7)."""
    calendar, settings = selectors.cadence_inputs_for(user=application.user)
    at, now = heard.reply.received_at, heard.now
    floor = cadence.after_no_news_reply_due(reply_at=at, calendar=calendar, settings=settings)
    why = "They said there is no news yet: a short thank-you for the update is drafted"
    if _cadence_goes_on(application, now=now):
        why += (
            f", and the next check-in waits until {local_time_label(floor, calendar)} "
            "at the earliest"
        )
    why += "."
    timeline_record(
        application=application,
        kind=Kind.REPLY,
        summary=f"“No news yet”{heard.who}",
        detail=heard.detail_with(why),
        at=at,
    )
    # Their latest word is what the thanks answers: an unsent earlier one is replaced.
    messages_cancel(
        pending_messages(application, Stage.NO_NEWS_REPLY),
        reason="Replaced: they wrote again with no news.",
        at=now,
    )
    draft_message(
        application=application,
        stage=Stage.NO_NEWS_REPLY,
        contact=heard.contact,
        due_at=next_business_morning(after=max(at, now), calendar=calendar),
    )
    replan_application(application=application, now=now, reason="They said there is no news yet.")
    _check_ins_not_before(application, first=floor, calendar=calendar, settings=settings, why=why)


def _cadence_goes_on(application: Application, *, now: dt.datetime) -> bool:
    """Whether a check-in is still to come (a real reply or an outcome stops them)."""
    facts = selectors.cadence_facts_for(application=application, now=now)
    return facts is not None and not cadence.plan(facts).stopped_reason


def _out_of_office(application: Application, *, heard: _Heard) -> None:
    """Not a reply: the check-ins wait until their return date (or N business days)."""
    calendar, settings = selectors.cadence_inputs_for(user=application.user)
    at, now = heard.reply.received_at, heard.now
    until = cadence.out_of_office_until(
        reply_at=at, return_date=heard.reply.return_date, calendar=calendar, settings=settings
    )
    why = (
        f"Out-of-office reply{heard.who}: not an answer, so the check-ins wait until "
        f"{local_time_label(until, calendar)}."
    )
    timeline_record(
        application=application,
        kind=Kind.OUT_OF_OFFICE,
        summary=f"Out-of-office reply{heard.who}",
        detail=heard.detail_with(why),
        at=at,
    )
    if until > now:
        application.paused_until = until
        application.save(update_fields=["paused_until", "updated_at"])
        pending = pending_messages(application, *Message.CHECK_IN_STAGES)
        messages_hold(pending, reason=why, at=now)
    replan_application(application=application, now=now, reason=why)
    _check_ins_not_before(application, first=until, calendar=calendar, settings=settings, why=why)


def _check_ins_not_before(
    application: Application,
    *,
    first: dt.datetime,
    calendar: SenderCalendar,
    settings: cadence.CadenceSettings,
    why: str,
) -> None:
    """Push pending check-ins past `first`, hand-edited ones too (re-planning leaves those alone).

    The second check-in keeps the cadence's spacing from the first.
    """
    floor = first
    for message in pending_messages(application, *Message.CHECK_IN_STAGES):
        if message.due_at is None or message.due_at < floor:
            old = message.due_at
            Message.objects.filter(pk=message.pk).update(due_at=floor, updated_at=timezone.now())
            message.due_at = floor
            timeline_record(
                application=application,
                kind=Kind.NOTE,
                summary=f"{message_label(message)} moved to {local_time_label(floor, calendar)}",
                detail=why + (f" It was due {local_time_label(old, calendar)}." if old else ""),
                message=message,
            )
        floor = cadence.second_check_in_due(
            first_check_in_at=message.due_at, calendar=calendar, settings=settings
        )
