"""Side tasks that are not emails (etiquette spec §3): planned as tasks, noted on the timeline.

The rules (which task, for whom, due when) are followup.rules.side_tasks; this module reads
the facts they need and keeps the tasks (interviews.services.tasks) one per key.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence

from django.utils import timezone

from followup.rules import side_tasks
from followup.rules.phrasing import phrase_for
from followup.rules.side_tasks import Person
from interviews.models import Application, Contact, Interview, Task, TimelineEvent
from interviews.services.tasks import tasks_plan
from interviews.timeline import timeline_record
from messaging.models import Message
from messaging.selectors import cadence_inputs_for

Kind = TimelineEvent.Kind
Stage = Message.Stage
Status = Message.Status
# What to tell references: what each interviewer discussed, phrased, at most this long.
TOPIC_CHARS = 120


def interview_side_tasks_plan(*, interview: Interview) -> list[Task]:
    """The card (or the address for one), the references and "keep applying" of an interview."""
    application = interview.application
    if application.has_ended:
        return []
    calendar, _ = cadence_inputs_for(user=application.user)
    participants = list(interview.participants.select_related("contact").order_by("position"))
    helpers = (Contact.Kind.RECRUITER, Contact.Kind.COORDINATOR)
    interviewers = [
        Person(p.contact_id, p.contact.name) for p in participants if p.contact.kind not in helpers
    ]
    coordinator = next((p.contact for p in participants if p.contact.kind in helpers), None)
    coordinator = coordinator or application.main_contact
    try:
        zone = zoneinfo.ZoneInfo(interview.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = calendar.zone
    # What to stress, as the emails phrase the notes (never the raw note, never a slot).
    topics = []
    for participant in participants:
        phrase = phrase_for(
            participant.discussed,
            kind="discussed",
            company=application.company.name,
            recipient_at_company=False,
        )
        if phrase.text and not phrase.is_slot:
            topics.append(phrase.text[:TOPIC_CHARS])
    planned = side_tasks.after_interview(
        application_id=application.pk,
        interview_id=interview.pk,
        interview_format=interview.format,
        interview_day=interview.starts_at.astimezone(zone).date(),
        interviewers=interviewers,
        coordinator=Person(coordinator.pk, coordinator.name) if coordinator else None,
        topics=topics,
        calendar=calendar,
        today=calendar.local_date(timezone.now()),
    )
    return tasks_plan(
        user=application.user,
        application=application,
        planned=planned,
        replaces=(f"card:{interview.pk}", f"card_address:{interview.pk}"),
    )


def linkedin_suggestion(message: Message) -> TimelineEvent:
    """The timeline's note after a thank-you went (unsaved: the dispatcher INSERTs a chunk's
    at once), in the words of the task it goes with (rules.side_tasks.after_thank_you)."""
    plan = _linkedin_plan(message)
    return TimelineEvent(
        user_id=message.user_id,
        application_id=message.application_id,
        kind=Kind.TASK,
        summary=plan.title[:300],
        detail=plan.detail,
        message=message,
        happened_at=message.sent_at,
    )


def _linkedin_plan(message: Message) -> side_tasks.PlannedTask:
    name = message.to_name or (message.contact.name if message.contact else message.to_email)
    sent_at = message.sent_at or message.updated_at
    return side_tasks.after_thank_you(
        person=Person(message.contact_id or 0, name), sent_on=sent_at.date()
    )


def message_sent_side_tasks(*, message: Message) -> None:
    """After a thank-you has gone: connect with that person on LinkedIn (spec §3)."""
    if message.stage != Stage.THANK_YOU or message.status != Status.SENT:
        return
    messages_sent_side_tasks([message])
    event = linkedin_suggestion(message)
    timeline_record(
        application=message.application,
        kind=event.kind,
        summary=event.summary,
        detail=event.detail,
        message=message,
        at=message.sent_at,
    )


def messages_sent_side_tasks(messages: Sequence[Message]) -> None:
    """The LinkedIn tasks of a batch of sent thank-yous, in one INSERT (the dispatcher's)."""
    rows = []
    for message in messages:
        if message.stage != Stage.THANK_YOU or message.contact_id is None:
            continue
        plan = _linkedin_plan(message)
        rows.append(_task_row(plan, user_id=message.user_id, application_id=message.application_id))
    # One per person whatever happens: a second thank-you to them (a later round) finds the
    # task there already, done or not.
    Task.objects.bulk_create(rows, ignore_conflicts=True)


def quiet_side_task(*, application: Application, at: dt.datetime) -> None:
    """No answer to three messages: a LinkedIn connection instead of more emails (§5)."""
    contact = application.main_contact
    plan = side_tasks.after_going_quiet(
        application_id=application.pk,
        person=Person(contact.pk, contact.name) if contact else None,
        company=application.company.name,
        quiet_on=at.date(),
    )
    tasks_plan(user=application.user, application=application, planned=[plan])


def _task_row(plan: side_tasks.PlannedTask, *, user_id: int, application_id: int) -> Task:
    return Task(
        user_id=user_id,
        application_id=application_id,
        contact_id=plan.contact_id,
        kind=plan.kind,
        key=plan.key,
        title=plan.title[:200],
        detail=plan.detail,
        due_on=plan.due_on,
    )
