"""Reads for the pages about applications: what is waiting to go out, what a delete would
cancel, and who the check-ins go to once the main contact is gone.
"""

from __future__ import annotations

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery

from followup.rules import stages
from interviews.models import Application, Contact, Interview
from interviews.selectors import current_round
from messaging.drafting.planning import check_in_contact
from messaging.drafting.rendering import interview_participants
from messaging.models import Message


def with_next_message(applications: QuerySet[Application]) -> QuerySet[Application]:
    """The applications, each with its earliest pending message: `next_message_stage` and
    `next_message_due_at` (draft, approved or held; for an ended application only a close-out
    note, since nothing else of it can be approved), in the same one SQL statement.
    """
    pending = (
        Message.objects.filter(application=OuterRef("pk"), status__in=Message.PENDING_STATUSES)
        .filter(
            ~Q(application__stage__in=stages.ENDED_STAGES) | Q(stage__in=Message.CLOSE_OUT_STAGES)
        )
        .order_by(F("due_at").asc(nulls_last=True), "pk")
    )
    return applications.annotate(
        next_message_stage=Subquery(pending.values("stage")[:1]),
        next_message_due_at=Subquery(pending.values("due_at")[:1]),
    )


def pending_message_counts(
    *,
    application: Application | None = None,
    interview: Interview | None = None,
    contact: Contact | None = None,
) -> dict[str, int]:
    """How many emails still waiting to go out a delete would cancel: {"pending", "approved"}.

    Those of the application, of the interview (its round's thank-yous and check-ins: answers
    to events stay with the application), or addressed to the contact (whichever given).
    """
    messages = Message.objects.filter(status__in=Message.PENDING_STATUSES)
    if application is not None:
        messages = messages.filter(application=application)
    if interview is not None:
        messages = messages.filter(interview=interview, stage__in=stages.ROUND_STAGES)
    if contact is not None:
        messages = messages.filter(contact=contact)
    return messages.aggregate(
        pending=Count("pk"),
        approved=Count("pk", filter=Q(status=Message.Status.APPROVED)),
    )


def check_in_fallback(*, application: Application, without: Contact) -> Contact | None:
    """Who the check-ins go to once `without` (the main contact) is gone; None: nobody with an
    address. The drafting rule itself (check_in_contact), with that person left out.
    """
    interview = current_round(application=application)
    if interview is None:
        return None
    people = interview_participants(interview)
    chosen = check_in_contact(application=application, people=people, without=without)
    return chosen if chosen is not None and chosen.email else None
