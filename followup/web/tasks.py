"""The Tasks page: what to do besides the emails, ticked off or skipped; the user's own too."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from followup.accounts.services import profile_for
from followup.owned import get_owned_or_404
from interviews import task_selectors
from interviews.forms.task import TaskForm
from interviews.models import Task
from interviews.services import tasks
from messaging.views import redirect_back


def user_today(user: object) -> dt.date:
    """Today where the user is (their profile's zone)."""
    try:
        zone = zoneinfo.ZoneInfo(profile_for(user=user).time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = dt.UTC
    return timezone.localdate(timezone=zone)


def _page(request: HttpRequest, form: TaskForm, *, status: int = 200) -> HttpResponse:
    today = user_today(request.user)
    return render(
        request,
        "interviews/tasks.html",
        {
            "lists": task_selectors.task_lists(user=request.user, today=today),
            "form": form,
            "today": today,
        },
        status=status,
    )


@login_required
@require_GET
def task_list(request: HttpRequest) -> HttpResponse:
    form = TaskForm(user=request.user, initial={"due_on": user_today(request.user)})
    return _page(request, form)


@login_required
@require_POST
def task_add(request: HttpRequest) -> HttpResponse:
    form = TaskForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            tasks.task_add(
                user=request.user,
                title=data["title"],
                due_on=data["due_on"],
                application=data["application"],
                detail=data["detail"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Task added.")
            return redirect_back(request, default=reverse("interviews:tasks"))
    return _page(request, form, status=400)


def _act(request: HttpRequest, pk: int, action, done: str) -> HttpResponse:
    task = get_owned_or_404(Task, user=request.user, pk=pk)
    action(task=task)
    messages.success(request, done.format(title=task.title))
    return redirect_back(request, default=reverse("interviews:tasks"))


@login_required
@require_POST
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, tasks.task_done, "Done: {title}.")


@login_required
@require_POST
def task_skip(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, tasks.task_skip, "Skipped: {title}.")


@login_required
@require_POST
def task_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, tasks.task_reopen, "Back on your list: {title}.")
