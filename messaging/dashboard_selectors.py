"""What the dashboard says about today: tasks due, interviews, drafts waiting for approval."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from followup.accounts.models import User
from followup.rules import figures
from followup.rules.calendar import SenderCalendar, wall_to_utc
from interviews import task_selectors
from interviews.models import Application, Interview, Task
from messaging import selectors
from messaging.models import Message, Reply


@dataclass(frozen=True)
class Today:
    day: dt.date
    tasks: list[Task]
    interviews: list[Interview]
    approvals_due: int

    @property
    def anything(self) -> bool:
        return bool(self.tasks or self.interviews or self.approvals_due)


def today_for(
    *, user: User, now: dt.datetime | None = None, calendar: SenderCalendar | None = None
) -> Today:
    """Today on the user's clock, in three queries (and the profile's unless given)."""
    now = now or timezone.now()
    calendar = calendar or selectors.cadence_inputs_for(user=user)[0]
    day = now.astimezone(calendar.zone).date()
    start = wall_to_utc(dt.datetime.combine(day, dt.time()), calendar.zone)
    end = wall_to_utc(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()), calendar.zone)
    interviews = list(
        Interview.objects.filter(application__user=user, starts_at__gte=start, starts_at__lt=end)
        .select_related("application__company")
        .order_by("starts_at")
    )
    approvals_due = Message.objects.filter(
        user=user, status=Message.Status.DRAFT, due_at__lt=end
    ).count()
    return Today(
        day=day,
        tasks=task_selectors.tasks_due(user=user, today=day),
        interviews=interviews,
        approvals_due=approvals_due,
    )


# -- the figures ----------------------------------------------------------------------------

# The stages whose reply rate the dashboard shows, in the order the cadence sends them.
RATED_STAGES = {
    Message.Stage.THANK_YOU: "Thank-you",
    Message.Stage.CHECK_IN: "First check-in",
    Message.Stage.SECOND_CHECK_IN: "Second check-in",
}
# Companies shown by reply rate: those written to most.
TOP_COMPANIES = 8
PIPELINE_WEEKS = 12


@dataclass(frozen=True)
class Figures:
    by_stage: list[tuple[str, int]]  # (label, count), every stage with any application
    by_message: list[figures.Rate]
    by_company: list[figures.Rate]
    median_days_to_reply: float | None
    quiet: figures.Rate  # applications written to that went quiet

    @property
    def anything(self) -> bool:
        return any(rate.asked for rate in self.by_message)


def figures_for(*, user: User, calendar: SenderCalendar | None = None) -> Figures:
    """The dashboard's figures, in four queries whatever the history (and the profile's).

    Each reply (not an out-of-office) answers the latest message sent before it on its
    application (figures.answered); an application counts as answered when a reply came
    after its first message.
    """
    calendar = calendar or selectors.cadence_inputs_for(user=user)[0]
    stage_counts = dict(
        Application.objects.filter(user=user)
        .values_list("stage")
        .annotate(n=Count("pk"))
        .values_list("stage", "n")
    )
    by_stage = [
        (label, stage_counts[value])
        for value, label in Application.Stage.choices
        if stage_counts.get(value)
    ]
    sent = list(
        Message.objects.filter(user=user, status=Message.Status.SENT, sent_at__isnull=False)
        .order_by("sent_at", "pk")
        .values_list("pk", "stage", "application_id", "application__company__name", "sent_at")
    )
    replies: dict[int, list[dt.datetime]] = {}
    for application_id, received_at in (
        Reply.objects.filter(user=user)
        .exclude(kind=Reply.Kind.OUT_OF_OFFICE)
        .order_by("received_at")
        .values_list("application_id", "received_at")
    ):
        replies.setdefault(application_id, []).append(received_at)
    by_application: dict[int, list[tuple[int, dt.datetime]]] = {}
    companies: dict[int, str] = {}
    for pk, _, application_id, company, sent_at in sent:
        by_application.setdefault(application_id, []).append((pk, sent_at))
        companies[application_id] = company
    answered: set[int] = set()
    first_replies: dict[int, tuple[dt.datetime, dt.datetime]] = {}
    for application_id, messages in by_application.items():
        got = replies.get(application_id, [])
        answered |= figures.answered(messages, got)
        first_sent = messages[0][1]
        later = [at for at in got if at >= first_sent]
        if later:
            first_replies[application_id] = (first_sent, later[0])
    by_message = figures.rates(dict(RATED_STAGES), ((s, pk in answered) for pk, s, *_ in sent))
    written = Counter(companies.values())
    top = [company for company, _ in written.most_common(TOP_COMPANIES)]
    by_company = figures.rates(
        {company: company for company in top},
        ((companies[pk], pk in first_replies) for pk in by_application),
    )
    median = figures.median_business_days(first_replies.values(), calendar=calendar)
    applications = by_application
    quiet_ids = set(
        Application.objects.filter(
            user=user, stage=Application.Stage.QUIET, pk__in=list(applications)
        ).values_list("pk", flat=True)
    )
    return Figures(
        by_stage=by_stage,
        by_message=by_message,
        by_company=by_company,
        median_days_to_reply=median,
        quiet=figures.Rate("Went quiet", len(quiet_ids), len(applications)),
    )


@dataclass(frozen=True)
class PipelineWeek:
    monday: dt.date
    interviews: int
    replies: int
    ended: int


def pipeline_weeks(
    *, user: User, now: dt.datetime | None = None, calendar: SenderCalendar | None = None
) -> list[PipelineWeek]:
    """Interviews held, replies received and applications ended, week by week (three queries)."""
    now = now or timezone.now()
    calendar = calendar or selectors.cadence_inputs_for(user=user)[0]
    mondays = figures.week_starts(today=now.astimezone(calendar.zone).date(), weeks=PIPELINE_WEEKS)
    since = wall_to_utc(dt.datetime.combine(mondays[0], dt.time()), calendar.zone)

    def weekly(moments: list[dt.datetime]) -> Counter:
        counted: Counter = Counter()
        for moment in moments:
            day = moment.astimezone(calendar.zone).date()
            counted[day - dt.timedelta(days=day.weekday())] += 1
        return counted

    interviews = weekly(
        list(
            Interview.objects.filter(
                application__user=user, starts_at__gte=since, starts_at__lte=now
            ).values_list("starts_at", flat=True)
        )
    )
    replies = weekly(
        list(
            Reply.objects.filter(user=user, received_at__gte=since)
            .exclude(kind=Reply.Kind.OUT_OF_OFFICE)
            .values_list("received_at", flat=True)
        )
    )
    ended = weekly(
        list(
            Application.objects.filter(user=user, closed_at__gte=since).values_list(
                "closed_at", flat=True
            )
        )
    )
    return [
        PipelineWeek(monday, interviews[monday], replies[monday], ended[monday])
        for monday in mondays
    ]


@dataclass(frozen=True)
class Dashboard:
    today: Today
    figures: Figures
    pipeline: list[PipelineWeek]


def dashboard_for(*, user: User, now: dt.datetime | None = None) -> Dashboard:
    """Everything the dashboard shows besides the list, on one reading of the profile."""
    calendar, _ = selectors.cadence_inputs_for(user=user)
    return Dashboard(
        today=today_for(user=user, now=now, calendar=calendar),
        figures=figures_for(user=user, calendar=calendar),
        pipeline=pipeline_weeks(user=user, now=now, calendar=calendar),
    )
