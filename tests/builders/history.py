"""A long history in bulk: drafts, sent messages, timeline entries and outbox emails.

For the pages that must cost the same with ten rows as with a thousand (tests/web and
`make bench-pages`): rows spread round-robin over the user's applications, or concentrated
in the first one (so at one company too).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from followup.accounts.models import User
from interviews.models import Application, TimelineEvent
from messaging.models import Message, OutboxEmail
from tests.builders.messages import CLEAN_SUBJECT, panel

SPREAD, CONCENTRATED = "spread", "concentrated"

# Drafts as the drafting module writes them: the same few sentences with names and details
# changed, so drafts at one company are alike without being copies (the near-duplicate
# check's worst case is many alike drafts).
TOPICS = (
    "the migration of the billing pipeline to streaming",
    "how the analytics team measures data quality",
    "the on-call rotation and how incidents are reviewed",
    "moving the reporting jobs from nightly batches to hourly ones",
    "the hiring plan for the platform team next year",
)
NAMES = ("Dana", "Jordan", "Maria", "Sam", "Priya", "Chen", "Lee", "Noor")


def history_body(i: int) -> str:
    return (
        f"Hi {NAMES[i % len(NAMES)]},\n\n"
        f"Thank you for taking the time to meet me about the role (note {i}). "
        f"I enjoyed our conversation about {TOPICS[i % len(TOPICS)]}, "
        "and I will send the write-up I mentioned later today.\n\n"
        "I look forward to hearing about the next steps.\n\n"
        "Best regards,\nAlex Morgan"
    )


def history_applications(user: User, count: int) -> list[Application]:
    """`count` panel applications (scenario.make_panel) at companies of their own."""
    return [panel(user, company_name=f"Company {n:02d}")[0] for n in range(count)]


def add_history(
    applications: list[Application], *, rows: int, shape: str = SPREAD, start: int = 0
) -> None:
    """`rows` drafts, sent messages, timeline entries and outbox emails, in four statements.

    Drafts fall due from a third of them overdue to days ahead (every group of the queue);
    `start` numbers them on from an earlier call, so their texts and Message-IDs differ.
    """
    user = applications[0].user
    contacts = {a.pk: list(a.company.contacts.order_by("pk")) for a in applications}
    interviews = {a.pk: a.interviews.first() for a in applications}
    now = timezone.now()
    messages, events, outbox = [], [], []
    for i in range(start, start + rows):
        application = applications[i % len(applications)] if shape == SPREAD else applications[0]
        contact = contacts[application.pk][i % len(contacts[application.pk])]
        fields = {
            "user": user,
            "application": application,
            "interview": interviews[application.pk],
            "contact": contact,
            "to_email": contact.email,
            "to_name": contact.name,
            "subject": CLEAN_SUBJECT,
            "body_text": history_body(i),
            "stage": Message.Stage.NO_NEWS_REPLY,
        }
        messages.append(
            Message(
                status=Message.Status.DRAFT,
                due_at=now + dt.timedelta(minutes=(i - rows // 3) * 7),
                message_id=f"<history-draft-{user.pk}-{i}@followup.example>",
                **fields,
            )
        )
        sent_at = now - dt.timedelta(days=30, minutes=i)
        messages.append(
            Message(
                status=Message.Status.SENT,
                due_at=sent_at,
                approved_at=sent_at,
                sent_at=sent_at,
                delivery_status="delivered",
                message_id=f"<history-sent-{user.pk}-{i}@followup.example>",
                **fields,
            )
        )
        events.append(
            TimelineEvent(
                user=user,
                application=application,
                kind=TimelineEvent.Kind.NOTE,
                summary=f"Note {i}",
                detail="Something that happened.",
                happened_at=now - dt.timedelta(minutes=i),
            )
        )
        outbox.append(
            OutboxEmail(
                user=user,
                from_email="Alex Morgan <send@followup.example>",
                to=contact.email,
                subject=f"{CLEAN_SUBJECT} ({i})",
                body_text=history_body(i),
                message_id=f"<history-outbox-{user.pk}-{i}@followup.example>",
            )
        )
    Message.objects.bulk_create(messages)
    TimelineEvent.objects.bulk_create(events)
    OutboxEmail.objects.bulk_create(outbox)
