"""The Contacts page: everyone across applications, with their part in each and the last word."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Max, OuterRef, Prefetch, Q, Subquery

from followup.accounts.models import User
from interviews.models import Application, Contact, InterviewParticipant
from messaging.models import Message, Reply

PER_PAGE = 50
MAX_QUERY = 100


@dataclass(frozen=True)
class Part:
    """One role a contact played: "Interviewer, round 2" of an application, or its main contact."""

    application: Application
    label: str
    discussed: str = ""


@dataclass(frozen=True)
class DirectoryRow:
    contact: Contact
    parts: list[Part]
    last_contact: dt.datetime | None
    discussed: str


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def contact_directory(
    *, user: User, query: str = "", page_number: object = 1
) -> tuple[Page, list[DirectoryRow]]:
    """One page of the user's contacts (a search over name, address, company, title, role),
    by company and name; five queries whatever the page holds."""
    contacts = Contact.objects.filter(user=user).select_related("company")
    query = " ".join(query.split())[:MAX_QUERY]
    if query:
        contacts = contacts.filter(
            Q(name__icontains=query)
            | Q(email__icontains=query)
            | Q(title__icontains=query)
            | Q(company__name__icontains=query)
            | Q(participations__interview__application__role__icontains=query)
        ).distinct()
    last_reply = Subquery(
        Reply.objects.filter(contact=OuterRef("pk"))
        .order_by("-received_at")
        .values("received_at")[:1]
    )
    contacts = (
        contacts.annotate(
            last_sent=Max("messages__sent_at", filter=Q(messages__status=Message.Status.SENT)),
            last_reply=last_reply,
        )
        .prefetch_related(
            Prefetch(
                "participations",
                queryset=InterviewParticipant.objects.select_related(
                    "interview__application__company"
                ).order_by("-interview__starts_at", "-pk"),
            )
        )
        .order_by("company__name", "name", "pk")
    )
    page = Paginator(contacts, PER_PAGE).get_page(page_number)
    ids = [contact.pk for contact in page.object_list]
    main_of: dict[int, list[Application]] = {}
    for application in Application.objects.filter(main_contact__in=ids).select_related("company"):
        main_of.setdefault(application.main_contact_id, []).append(application)
    rows = []
    for contact in page.object_list:
        parts = [
            Part(
                application=p.interview.application,
                label=f"{contact.get_kind_display()}, round {p.interview.round_number}",
                discussed=_first_line(p.discussed),
            )
            for p in contact.participations.all()
        ]
        parts += [Part(application=a, label="Main contact") for a in main_of.get(contact.pk, [])]
        moments = [m for m in (contact.last_sent, contact.last_reply) if m is not None]
        rows.append(
            DirectoryRow(
                contact=contact,
                parts=parts,
                last_contact=max(moments) if moments else None,
                discussed=next((p.discussed for p in parts if p.discussed), ""),
            )
        )
    return page, rows
