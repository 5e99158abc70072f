"""Writes of tasks: planned ones kept one per key, the user's own, and ticking them off."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from followup.accounts.models import User
from followup.rules import side_tasks
from followup.rules.side_tasks import OWN, PlannedTask
from interviews.models import Application, Task, TimelineEvent
from interviews.timeline import timeline_record

Kind = TimelineEvent.Kind


def tasks_plan(
    *,
    user: User,
    application: Application | None,
    planned: Sequence[PlannedTask],
    replaces: Iterable[str] = (),
) -> list[Task]:
    """Keep one task per planned key: new ones added, open ones brought up to date.

    A task the user ticked off or skipped stays as they left it. `replaces`: the keys this
    plan owns (an interview's card and card-address tasks); an open one the plan no longer
    holds (the interview became remote: no card, an address to ask for) is removed.
    """
    keys = {task.key for task in planned}
    gone = set(replaces) - keys
    if gone:
        Task.objects.filter(
            user=user, key__in=gone, done_at__isnull=True, skipped_at__isnull=True
        ).delete()
    kept = []
    for plan in planned:
        fields = {
            "application": application,
            "kind": plan.kind,
            "title": plan.title[:200],
            "detail": plan.detail[:2000],
            "due_on": plan.due_on,
            "contact_id": plan.contact_id,
        }
        task = Task.objects.filter(user=user, key=plan.key).first()
        if task is None:
            try:
                with transaction.atomic():
                    task = Task.objects.create(user=user, key=plan.key, **fields)
            except IntegrityError:  # planned at the same moment elsewhere: theirs stands
                task = Task.objects.get(user=user, key=plan.key)
        elif task.is_open:
            # The search-wide task ("keep applying") stays with the application it was first
            # planned for; the rest follow their plan.
            if task.application_id and application and task.application_id != application.pk:
                fields.pop("application")
            for name, value in fields.items():
                setattr(task, name, value)
            task.save()
        kept.append(task)
    return kept


def task_add(
    *,
    user: User,
    title: str,
    due_on: dt.date,
    application: Application | None = None,
    detail: str = "",
) -> Task:
    """One of the user's own tasks."""
    title = " ".join(title.split())
    if not title:
        raise ValidationError({"title": "Say what the task is."})
    if application is not None and application.user_id != user.pk:
        raise ValidationError({"application": "Choose one of your applications."})
    return Task.objects.create(
        user=user,
        application=application,
        kind=OWN,
        title=title[:200],
        detail=detail.strip()[:2000],
        due_on=due_on,
    )


@transaction.atomic
def task_done(*, task: Task, at: dt.datetime | None = None) -> Task:
    """Ticked off; on the application's timeline when it has one."""
    at = at or timezone.now()
    updated = Task.objects.filter(pk=task.pk, done_at__isnull=True).update(
        done_at=at, skipped_at=None
    )
    task.refresh_from_db()
    if updated and task.application_id:
        timeline_record(
            application=task.application, kind=Kind.TASK, summary=f"Done: {task.title}", at=at
        )
    return task


def task_skip(*, task: Task, at: dt.datetime | None = None) -> Task:
    """Not going to do it: out of the lists, kept so it is not planned again."""
    Task.objects.filter(pk=task.pk).update(skipped_at=at or timezone.now(), done_at=None)
    task.refresh_from_db()
    return task


def task_reopen(*, task: Task) -> Task:
    """Back on the list (ticked off by mistake)."""
    Task.objects.filter(pk=task.pk).update(skipped_at=None, done_at=None)
    task.refresh_from_db()
    return task


# What an ended application's open tasks stop being worth doing (LinkedIn stays: spec §6).
CLOSED_BY_THE_END = (side_tasks.CARD, side_tasks.CARD_ADDRESS, side_tasks.REFERENCES)


def tasks_close_for_ended(*, application: Application, at: dt.datetime) -> int:
    """Skip the open tasks an ended application no longer needs; how many."""
    return Task.objects.filter(
        application=application,
        kind__in=CLOSED_BY_THE_END,
        done_at__isnull=True,
        skipped_at__isnull=True,
    ).update(skipped_at=at)
