"""Tasks: planned around interviews and emails (spec §3), the user's own, the Tasks page."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from followup.rules import side_tasks
from followup.web.tasks import user_today
from interviews.models import Application, Interview, Task, TimelineEvent
from interviews.services.tasks import task_done
from messaging.services.holds import applications_go_quiet
from messaging.services.outcomes import application_outcome
from messaging.side_tasks import (
    interview_side_tasks_plan,
    message_sent_side_tasks,
    messages_sent_side_tasks,
)
from tests.builders.accounts import make_user
from tests.builders.clock import local
from tests.builders.forms import log_data
from tests.builders.interviews import make_application
from tests.builders.messages import make_message
from tests.builders.scenario import LOGGED, make_panel, planned, sent_cadence

pytestmark = pytest.mark.django_db


def kinds(user) -> dict[str, Task]:
    return {task.kind: task for task in Task.objects.filter(user=user)}


def test_logging_an_in_person_interview_plans_its_tasks(owner_client, user):
    with time_machine.travel(dt.datetime(2025, 3, 4, 18, tzinfo=dt.UTC)):
        response = owner_client.post(
            reverse("interviews:log"),
            log_data(
                {"name": "Dana Richardson", "email": "dana@acme.example", "discussed": "dbt"},
                format="in_person",
            ),
        )
    assert response.status_code == 302, response.content.decode()[:2000]

    tasks = kinds(user)
    assert set(tasks) == {side_tasks.CARD, side_tasks.REFERENCES, side_tasks.KEEP_APPLYING}
    card = tasks[side_tasks.CARD]
    assert card.title == "Write and post a handwritten card to Dana Richardson"
    assert card.due_on == dt.date(2025, 3, 4)  # the interview's own day
    assert card.application == Application.objects.get()
    assert tasks[side_tasks.REFERENCES].detail.endswith("what to stress: dbt.")


def test_an_interview_that_turns_remote_swaps_the_card_for_an_address(user):
    _, interview, _ = make_panel(user, format=Interview.Format.IN_PERSON)
    interview_side_tasks_plan(interview=interview)
    assert side_tasks.CARD in kinds(user)

    Interview.objects.filter(pk=interview.pk).update(format=Interview.Format.VIDEO)
    interview.refresh_from_db()
    interview_side_tasks_plan(interview=interview)

    tasks = kinds(user)
    assert side_tasks.CARD not in tasks
    # The recruiter of the panel is the main contact: the one to ask.
    assert tasks[side_tasks.CARD_ADDRESS].title.startswith("Ask Jordan Lee for a postal address")


def test_planning_again_never_duplicates_nor_reopens_a_done_task(user):
    _, interview, _ = make_panel(user, format=Interview.Format.IN_PERSON)
    interview_side_tasks_plan(interview=interview)
    card = Task.objects.get(user=user, kind=side_tasks.CARD)
    task_done(task=card)

    interview_side_tasks_plan(interview=interview)
    interview_side_tasks_plan(interview=interview)

    assert Task.objects.filter(user=user).count() == 3
    card.refresh_from_db()
    assert card.done_at is not None


def test_keep_applying_is_one_task_across_applications(user):
    _, first, _ = make_panel(user)
    _, second, _ = make_panel(user, company_name="Globex")
    interview_side_tasks_plan(interview=first)
    interview_side_tasks_plan(interview=second)

    assert Task.objects.filter(user=user, kind=side_tasks.KEEP_APPLYING).count() == 1
    assert Task.objects.filter(user=user, kind=side_tasks.REFERENCES).count() == 2


def test_a_sent_thank_you_plans_a_linkedin_task_once(user):
    application, _, people = make_panel(user)
    message = make_message(application, contact=people["dana"], status="sent", sent_at=LOGGED)

    message_sent_side_tasks(message=message)
    messages_sent_side_tasks([message])

    [task] = Task.objects.filter(user=user, kind=side_tasks.LINKEDIN)
    assert task.title == "Connect with Dana Whitfield on LinkedIn"
    assert task.contact == people["dana"]
    assert task.due_on == LOGGED.date()


def test_an_application_that_goes_quiet_plans_a_linkedin_task(user):
    application, _ = planned(user)
    sent_cadence(application)
    with time_machine.travel(local(2025, 4, 1, 8), tick=False):
        assert applications_go_quiet(now=timezone.now()) == 1

    task = Task.objects.get(user=user, key=f"linkedin_quiet:{application.pk}")
    assert task.title == "Connect with Jordan Lee on LinkedIn"
    assert task.due_on == dt.date(2025, 4, 1)
    assert task.is_open


def test_the_page_lists_tasks_by_when_they_are_due(owner_client, user):
    today = user_today(user)  # New York's date, not the server's
    titles = {
        "Post the card to Lee": today - dt.timedelta(days=2),
        "Email the references": today,
        "Update the portfolio": today + dt.timedelta(days=7),
    }
    for title, due_on in titles.items():
        Task.objects.create(user=user, title=title, due_on=due_on)
    Task.objects.create(user=user, title="Print the CV", due_on=today, done_at=timezone.now())

    page = owner_client.get(reverse("interviews:tasks")).content.decode()

    order = [
        "Overdue",
        "Post the card to Lee",
        "Email the references",
        "Coming up",
        "Update the portfolio",
        "Done and skipped",
        "Print the CV",
    ]
    assert [page.index(text) for text in order] == sorted(page.index(text) for text in order)


def test_done_skip_and_undo(owner_client, user):
    application = make_application(user)
    task = Task.objects.create(
        user=user, application=application, title="Call Dana", due_on=timezone.localdate()
    )

    owner_client.post(reverse("interviews:task_done", args=[task.pk]))
    task.refresh_from_db()
    assert task.done_at is not None and task.skipped_at is None
    assert TimelineEvent.objects.filter(application=application, summary="Done: Call Dana").exists()

    owner_client.post(reverse("interviews:task_skip", args=[task.pk]))
    task.refresh_from_db()
    assert task.skipped_at is not None and task.done_at is None

    owner_client.post(reverse("interviews:task_reopen", args=[task.pk]))
    task.refresh_from_db()
    assert task.is_open


def test_adding_an_own_task(owner_client, user):
    application = make_application(user)

    response = owner_client.post(
        reverse("interviews:task_add"),
        {"title": "  Send   portfolio ", "due_on": "2026-12-08", "application": application.pk},
    )

    assert response.status_code == 302
    task = Task.objects.get(user=user)
    assert (task.title, task.due_on, task.application, task.kind) == (
        "Send portfolio",
        dt.date(2026, 12, 8),
        application,
        side_tasks.OWN,
    )


@pytest.mark.parametrize(
    "data",
    [
        {"title": "", "due_on": "2026-12-08"},
        {"title": "x" * 201, "due_on": "2026-12-08"},
        {"title": "Call", "due_on": "not a date"},
        {"title": "Call", "due_on": "2026-12-08", "application": "999999"},
    ],
)
def test_a_bad_task_is_refused_with_a_reason_and_nothing_saved(owner_client, user, data):
    response = owner_client.post(reverse("interviews:task_add"), data)

    assert response.status_code == 400
    assert b"is-invalid" in response.content or b"alert-danger" in response.content
    assert not Task.objects.exists()


def test_another_users_application_cannot_be_chosen(owner_client, user):
    stranger_app = make_application(make_user("sam@example.org"))

    response = owner_client.post(
        reverse("interviews:task_add"),
        {"title": "Call", "due_on": "2026-12-08", "application": stranger_app.pk},
    )

    assert response.status_code == 400
    assert not Task.objects.exists()


def test_another_users_task_is_not_found(outsider_client, user):
    task = Task.objects.create(user=user, title="Mine", due_on=timezone.localdate())

    response = outsider_client.post(reverse("interviews:task_done", args=[task.pk]))

    assert response.status_code == 404
    task.refresh_from_db()
    assert task.is_open


def test_the_page_costs_the_same_queries_with_many_tasks(owner_client, user):
    application = make_application(user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert owner_client.get(reverse("interviews:tasks")).status_code == 200
        return len(captured)

    Task.objects.create(
        user=user, application=application, title="One", due_on=timezone.localdate()
    )
    few = queries()
    for n in range(40):
        Task.objects.create(
            user=user,
            application=application,
            title=f"Task {n}",
            due_on=timezone.localdate() + dt.timedelta(days=n - 20),
            done_at=timezone.now() if n % 5 == 0 else None,
        )

    assert queries() == few


def test_the_dashboard_says_what_is_due_today(owner_client, user):
    application, interview, people = make_panel(user)
    today = user_today(user)
    zone = zoneinfo.ZoneInfo("America/New_York")  # the user's profile zone
    at_ten = dt.datetime.combine(today, dt.time(10), tzinfo=zone)
    Interview.objects.filter(pk=interview.pk).update(
        starts_at=at_ten, ends_at=at_ten + dt.timedelta(hours=1)
    )
    Task.objects.create(user=user, title="Post the card to Lee", due_on=today)
    Task.objects.create(user=user, title="Ring Priya", due_on=today - dt.timedelta(days=1))
    Task.objects.create(user=user, title="Not yet", due_on=today + dt.timedelta(days=1))
    make_message(application, contact=people["dana"], status="draft", due_at=at_ten)
    make_message(
        application, contact=people["dana"], status="draft", due_at=at_ten + dt.timedelta(days=9)
    )

    page = owner_client.get(reverse("interviews:dashboard")).content.decode()

    assert f"Today, {today:%A} {today.day} {today:%B}" in page
    assert "1 draft to approve" in page
    assert "Interview at 10:00" in page
    assert "Post the card to Lee" in page
    assert "Ring Priya" in page and "overdue" in page
    assert "Not yet" not in page


def test_a_day_with_nothing_due_shows_no_today_panel(owner_client, user):
    page = owner_client.get(reverse("interviews:dashboard")).content.decode()

    assert "data-today" not in page


def test_the_application_page_lists_its_open_tasks(owner_client, user):
    _, interview, _ = make_panel(user, format=Interview.Format.IN_PERSON)
    interview_side_tasks_plan(interview=interview)
    Task.objects.filter(user=user, kind=side_tasks.REFERENCES).update(done_at=timezone.now())

    page = owner_client.get(interview.application.get_absolute_url()).content.decode()

    assert "Write and post a handwritten card to Dana Whitfield and Maria Richardson" in page
    assert "Keep applying elsewhere" in page
    assert "Tell your references" not in page  # done: off the application's list


def test_planning_one_interview_never_touches_another_interviews_tasks(user):
    """Interview 1's card keys are no prefix of interview 12's ("card:1" vs "card:12")."""
    _, first, _ = make_panel(user, format=Interview.Format.IN_PERSON)
    interview_side_tasks_plan(interview=first)
    other = Task.objects.create(
        user=user, kind=side_tasks.CARD, key=f"card:{first.pk}7", title="Theirs", due_on=LOGGED
    )

    Interview.objects.filter(pk=first.pk).update(format=Interview.Format.VIDEO)
    first.refresh_from_db()
    interview_side_tasks_plan(interview=first)

    assert Task.objects.filter(pk=other.pk).exists()
    assert not Task.objects.filter(user=user, key=f"card:{first.pk}").exists()


def test_a_rejection_skips_the_card_and_references_but_keeps_linkedin(user):
    application, interview, _ = make_panel(user, format=Interview.Format.IN_PERSON)
    interview_side_tasks_plan(interview=interview)
    Task.objects.create(
        user=user,
        application=application,
        kind=side_tasks.LINKEDIN,
        key="linkedin:x",
        title="Connect",
        due_on=LOGGED.date(),
    )

    application_outcome(application=application, outcome="rejected", user=user)

    open_kinds = {t.kind for t in Task.objects.filter(application=application) if t.is_open}
    assert open_kinds == {side_tasks.LINKEDIN, side_tasks.KEEP_APPLYING}
