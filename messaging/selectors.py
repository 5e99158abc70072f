"""Reads for the messaging engine: the facts the cadence plans an application's round from."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from followup.accounts.models import User
from followup.accounts.services import profile_for
from followup.rules import cadence, stages
from followup.rules.calendar import SenderCalendar
from interviews.models import Application, TimelineEvent
from interviews.selectors import current_round
from messaging.models import Message, Reply


def cadence_inputs_for(*, user: User) -> tuple[SenderCalendar, cadence.CadenceSettings]:
    """The sender's calendar (time zone, holidays, send window) and cadence settings."""
    profile = profile_for(user=user)
    calendar = SenderCalendar(
        time_zone=profile.time_zone,
        country=profile.country,
        region=profile.region,
        window_start=profile.send_window_start,
        window_end=profile.send_window_end,
    )
    settings = cadence.CadenceSettings(
        check_in_business_days=profile.check_in_business_days,
        after_decision_business_days=profile.after_decision_business_days,
        second_check_in_business_days=profile.second_check_in_business_days,
        no_news_business_days=profile.no_news_business_days,
        out_of_office_business_days=profile.out_of_office_business_days,
        stay_in_touch_weeks=profile.stay_in_touch_weeks,
    )
    return calendar, settings


def _latest_event_at(*, application: Application, kind: str) -> dt.datetime | None:
    """When the application itself (not one message) last had a timeline event of `kind`."""
    event = (
        TimelineEvent.objects.filter(application=application, kind=kind, message__isnull=True)
        .order_by("-happened_at", "-pk")
        .first()
    )
    return event.happened_at if event else None


def cadence_facts_for(
    *,
    application: Application,
    now: dt.datetime,
    calendar: SenderCalendar | None = None,
    settings: cadence.CadenceSettings | None = None,
) -> cadence.CadenceFacts | None:
    """Everything cadence.plan needs for the application's current round (None: no interview)."""
    interview = current_round(application=application)
    if interview is None:
        return None
    if calendar is None or settings is None:
        calendar, settings = cadence_inputs_for(user=application.user)
    round_start = interview.starts_at
    sent = Message.objects.filter(
        Q(interview=interview) | Q(sent_at__gte=round_start),
        application=application,
        status=Message.Status.SENT,
        sent_at__isnull=False,
    ).values_list("stage", "sent_at")
    replies = Reply.objects.filter(application=application, received_at__gte=round_start)
    # Every live thank-you of the application, whatever its round: an older round's thank-you
    # still pending is a valid (late) one that goes first, and the pestering check
    # (check_facts.draft_facts_many) counts it too, so the first check-in keeps its distance.
    thank_yous = (
        Message.objects.filter(application=application, stage=Message.Stage.THANK_YOU)
        .exclude(status__in=Message.DEAD_STATUSES)
        .values_list("sent_at", "due_at")
    )
    # When each went, else when it is planned.
    thank_you_times = [sent_at or due_at for sent_at, due_at in thank_yous if sent_at or due_at]
    return cadence.CadenceFacts(
        last_interview_end=interview.ends_at,
        now=now,
        calendar=calendar,
        settings=settings,
        decision_date=interview.decision_date,
        sent=tuple(cadence.SentMessage(stage=stage, sent_at=at) for stage, at in sent),
        replies=tuple(
            cadence.Reply(at=r.received_at, kind=r.kind, return_date=r.return_date)
            for r in replies.order_by("received_at", "pk")
        ),
        paused=application.paused,
        paused_since=(
            _latest_event_at(application=application, kind=TimelineEvent.Kind.PAUSED)
            if application.paused
            else None
        ),
        resumed_at=_latest_event_at(application=application, kind=TimelineEvent.Kind.RESUMED),
        outcome=application.stage if application.stage in stages.OUTCOME_STAGES else "",
        thank_you_at=max(thank_you_times, default=None),
    )
