"""Reads of tasks: what the Tasks page and the dashboard list, in a constant number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from followup.accounts.models import User
from interviews.models import Task

# Ticked-off and skipped tasks the page still shows, newest first.
RECENT_CLOSED = 20


@dataclass
class TaskLists:
    overdue: list[Task] = field(default_factory=list)
    today: list[Task] = field(default_factory=list)
    upcoming: list[Task] = field(default_factory=list)
    closed: list[Task] = field(default_factory=list)

    @property
    def due_now(self) -> list[Task]:
        return self.overdue + self.today


def _with_relations(queryset: QuerySet[Task]) -> QuerySet[Task]:
    return queryset.select_related("application__company", "contact")


def _open() -> Q:
    return Q(done_at__isnull=True, skipped_at__isnull=True)


def task_lists(*, user: User, today: dt.date) -> TaskLists:
    """The user's open tasks by due date (overdue, today, later) and the latest closed ones."""
    lists = TaskLists()
    for task in _with_relations(Task.objects.filter(_open(), user=user)).order_by("due_on", "pk"):
        if task.due_on < today:
            lists.overdue.append(task)
        elif task.due_on == today:
            lists.today.append(task)
        else:
            lists.upcoming.append(task)
    lists.closed = list(
        _with_relations(Task.objects.filter(~_open(), user=user)).order_by("-pk")[:RECENT_CLOSED]
    )
    return lists


def tasks_due(*, user: User, today: dt.date, limit: int = 10) -> list[Task]:
    """Open tasks due today or earlier, oldest first (the dashboard's list)."""
    return list(
        _with_relations(Task.objects.filter(_open(), user=user, due_on__lte=today)).order_by(
            "due_on", "pk"
        )[:limit]
    )


def application_tasks(*, application_id: int) -> list[Task]:
    """An application's open tasks, soonest first (its page)."""
    return list(
        Task.objects.filter(_open(), application_id=application_id)
        .select_related("contact")
        .order_by("due_on", "pk")
    )
