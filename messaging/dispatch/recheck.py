"""The re-check right before sending (etiquette §7), for a whole chunk in a few queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from followup.accounts.verification import needs_verification
from followup.rules import stages
from followup.rules.cadence import after_no_news_reply_due
from followup.rules.calendar import SenderCalendar
from interviews.models import Application, TimelineEvent
from messaging import selectors
from messaging.models import BouncedAddress, Message, Reply
from messaging.status import close_out_unfit

Status = Message.Status


@dataclass(frozen=True)
class Stop:
    """Why a claimed message must not go out now, and what it becomes instead."""

    status: str
    kind: str  # TimelineEvent.Kind
    reason: str
    # Set when it waits for a later time instead (approved, due then).
    due_at: dt.datetime | None = None


@dataclass
class Facts:
    """What the re-check reads, fetched once for a chunk: a few queries, not a few per message."""

    # (user_id, address in lower case) of every bounced address among the chunk's recipients.
    bounced: set[tuple[int, str]] = field(default_factory=set)
    # Replies of the chunk's applications, newest logged first, by application id.
    replies: dict[int, list[Reply]] = field(default_factory=dict)
    # The sender's calendar and cadence settings, by user id.
    cadence: dict[int, tuple[SenderCalendar, object]] = field(default_factory=dict)

    def calendar(self, message: Message) -> SenderCalendar:
        return self.cadence_of(message)[0]

    def cadence_of(self, message: Message) -> tuple[SenderCalendar, object]:
        if message.user_id not in self.cadence:
            self.cadence[message.user_id] = selectors.cadence_inputs_for(user=message.user)
        return self.cadence[message.user_id]


def facts_for(messages: Sequence[Message]) -> Facts:
    """The bounced addresses and replies the chunk's re-checks need, in two queries."""
    facts = Facts()
    if not messages:
        return facts
    users = {m.user_id for m in messages}
    addresses = {m.to_email.strip().lower() for m in messages if m.to_email.strip()}
    if addresses:
        for user_id, address in BouncedAddress.objects.filter(user_id__in=users).values_list(
            "user_id", "email"
        ):
            if address.strip().lower() in addresses:
                facts.bounced.add((user_id, address.strip().lower()))
    approved = [m.approved_at for m in messages if m.approved_at is not None]
    check_ins = [m.application_id for m in messages if m.stage in Message.CHECK_IN_STAGES]
    if approved and check_ins:
        replies: dict[int, list[Reply]] = defaultdict(list)
        for reply in Reply.objects.filter(
            application_id__in=set(check_ins),
            kind__in=[stages.REPLY, stages.NO_NEWS],
            created_at__gt=min(approved),
        ).order_by("-created_at"):
            replies[reply.application_id].append(reply)
        facts.replies = dict(replies)
    return facts


def recheck(*, message: Message, now: dt.datetime, facts: Facts | None = None) -> Stop | None:
    """Why this message must not be sent now, or None when it may go."""
    facts = facts if facts is not None else facts_for([message])
    application = message.application
    if message.approved_at is None:
        return Stop(
            Status.DRAFT,
            TimelineEvent.Kind.HELD,
            "Its approval was withdrawn before it went out; approve it again to send it.",
        )
    if needs_verification(message.user):
        # Approved before the login address changed: the new one is not confirmed yet, and
        # emails go out in the user's name with it as the Reply-To. Approval needs it too.
        return Stop(
            Status.DRAFT,
            TimelineEvent.Kind.HELD,
            "Your login email changed and is not confirmed yet: open the link we sent to it, "
            "then approve this email again.",
        )
    address = message.to_email.strip()
    if not address:
        return Stop(Status.CANCELLED, TimelineEvent.Kind.CANCELLED, "It has no recipient address.")
    stopped = _stopped_reason(message=message, application=application, facts=facts)
    if stopped:
        return Stop(Status.CANCELLED, TimelineEvent.Kind.CANCELLED, stopped)
    if (message.user_id, address.lower()) in facts.bounced:
        return Stop(
            Status.CANCELLED,
            TimelineEvent.Kind.CANCELLED,
            f"Mail to {address} bounced before, so nothing more is sent there.",
        )
    if application.paused:
        return Stop(
            Status.HELD,
            TimelineEvent.Kind.HELD,
            "The application is paused; it waits until you resume it.",
        )
    if waiting := _no_news_wait(message=message, now=now, facts=facts):
        return waiting
    # An out-of-office notice holds the check-ins only (ending the hold lets the rest go).
    if (
        message.stage in Message.CHECK_IN_STAGES
        and application.paused_until
        and application.paused_until > now
    ):
        return Stop(
            Status.HELD,
            TimelineEvent.Kind.HELD,
            f"They are out of the office until "
            f"{_user_day(application.paused_until, message, facts)}; it waits.",
        )
    return None


def _user_day(at: dt.datetime, message: Message, facts: Facts) -> str:
    """The date of `at` as the message's user reads it, in their own time zone."""
    return f"{at.astimezone(facts.calendar(message).zone):%d %b %Y}"


def _latest_since_approval(*, message: Message, facts: Facts, kind: str) -> Reply | None:
    """The latest reply of `kind` logged after the message was approved."""
    for reply in facts.replies.get(message.application_id, []):
        if reply.kind == kind and reply.created_at > message.approved_at:
            return reply
    return None


def _stopped_reason(*, message: Message, application: Application, facts: Facts) -> str:
    """Why the application's state rules this message out ("" when it does not)."""
    if message.stage in Message.CLOSE_OUT_STAGES:
        # Approved while the application had ended, it may have been reopened since.
        return close_out_unfit(stage=message.stage, application=application)
    if application.has_ended:
        return f"The application has ended ({application.get_stage_display().lower()})."
    if message.stage not in Message.CHECK_IN_STAGES:
        return ""
    if application.stage == Application.Stage.OFFER:
        return "An offer arrived, so check-ins stop."
    # A reply we learned of after the user approved this check-in stops it even if it was
    # already claimed (services cancel only pending messages, not one being sent). Compared
    # by when it was logged, not when it was written: an answer written before the approval
    # but fetched or typed in after it was never seen by the user when they approved.
    # "No news yet" is not such an answer: it asks for patience (_no_news_wait), spec §7.
    answer = _latest_since_approval(message=message, facts=facts, kind=stages.REPLY)
    if answer is not None:
        day = _user_day(answer.received_at, message, facts)
        return f"They answered on {day}, so this check-in stops."
    return ""


def _no_news_wait(*, message: Message, now: dt.datetime, facts: Facts) -> Stop | None:
    """A check-in claimed before the silence a "no news yet" asks for has passed: it waits.

    The reply service moves pending check-ins past that silence (spec §7); one the dispatcher
    had already claimed when the reply came in is moved here instead, still approved. A
    check-in already due after it goes as planned: "no news yet" never stops the cadence.
    """
    if message.stage not in Message.CHECK_IN_STAGES:
        return None
    no_news = _latest_since_approval(message=message, facts=facts, kind=stages.NO_NEWS)
    if no_news is None:
        return None
    calendar, settings = facts.cadence_of(message)
    floor = after_no_news_reply_due(
        reply_at=no_news.received_at, calendar=calendar, settings=settings
    )
    if message.due_at is not None and message.due_at >= floor:
        return None
    return Stop(
        Status.APPROVED,
        TimelineEvent.Kind.NOTE,
        f"They said there is no news yet, so it waits until {_user_day(floor, message, facts)}.",
        due_at=max(floor, now),
    )
