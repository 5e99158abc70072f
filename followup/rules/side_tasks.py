"""The tasks around the emails (etiquette spec §3, §5, §6): what to do, for whom, by when.

Each planned task has a key: the same event planned twice (an interview edited, a thank-you
re-sent) gives the same key, so the caller keeps one task per key and never duplicates one
the user already ticked off or skipped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from followup.rules.calendar import SenderCalendar, add_business_days

CARD = "card"
CARD_ADDRESS = "card_address"
LINKEDIN = "linkedin"
REFERENCES = "references"
KEEP_APPLYING = "keep_applying"
OWN = "own"

# (Python name, stored value, label) of each kind, as stages.choices reads a table.
KINDS: tuple[tuple[str, str, str], ...] = (
    ("CARD", CARD, "Handwritten card"),
    ("CARD_ADDRESS", CARD_ADDRESS, "Postal address for a card"),
    ("LINKEDIN", LINKEDIN, "LinkedIn connection"),
    ("REFERENCES", REFERENCES, "Tell your references"),
    ("KEEP_APPLYING", KEEP_APPLYING, "Keep applying"),
    ("OWN", OWN, "Your own task"),
)
IN_PERSON = "in_person"


@dataclass(frozen=True)
class PlannedTask:
    kind: str
    key: str
    title: str
    detail: str
    due_on: dt.date
    contact_id: int | None = None


@dataclass(frozen=True)
class Person:
    contact_id: int
    name: str


def names(people: Sequence[Person]) -> str:
    """ "Dana", "Dana and Lee", "Dana, Lee and Priya"."""
    listed = [p.name for p in people if p.name]
    if len(listed) <= 1:
        return "".join(listed)
    return f"{', '.join(listed[:-1])} and {listed[-1]}"


def after_interview(
    *,
    application_id: int,
    interview_id: int,
    interview_format: str,
    interview_day: dt.date,
    interviewers: Sequence[Person],
    coordinator: Person | None,
    topics: Sequence[str],
    calendar: SenderCalendar,
    today: dt.date | None = None,
) -> list[PlannedTask]:
    """An interview's tasks: a card (or the address for one), references, keep applying.

    The card is optional and never replaces the email (§3): for an in-person interview it
    is written and posted the same day; after a remote one the coordinator is asked for a
    postal address, also the same day, so the card is not weeks late.
    """
    tasks: list[PlannedTask] = []
    # Logged a day or two later, the card (or the ask) is still today's job, not overdue.
    card_day = max(interview_day, today or interview_day)
    if interviewers:
        who = names(interviewers)
        if interview_format == IN_PERSON:
            tasks.append(
                PlannedTask(
                    kind=CARD,
                    key=f"card:{interview_id}",
                    title=f"Write and post a handwritten card to {who}",
                    detail="Optional, and never instead of the thank-you email: a few lines "
                    "by hand, posted today. No gifts or flowers: the note is the gesture.",
                    due_on=card_day,
                )
            )
        else:
            ask = coordinator.name if coordinator and coordinator.name else "the coordinator"
            # Asking the one person you would write to: "a card", not their name twice.
            alone = coordinator is not None and [p.contact_id for p in interviewers] == [
                coordinator.contact_id
            ]
            to_whom = "a handwritten card" if alone else f"{who} a handwritten card"
            tasks.append(
                PlannedTask(
                    kind=CARD_ADDRESS,
                    key=f"card_address:{interview_id}",
                    title=f"Ask {ask} for a postal address if you would like to send {to_whom}",
                    detail="Optional, and never instead of the thank-you email.",
                    due_on=card_day,
                    contact_id=coordinator.contact_id if coordinator else None,
                )
            )
    stress = "; ".join(t for t in topics if t)[:400]
    tasks.append(
        PlannedTask(
            kind=REFERENCES,
            key=f"references:{application_id}",
            title="Tell your references they may be contacted",
            detail=(
                f"Say what the role needs and what to stress: {stress}."
                if stress
                else "Say what the role needs and which of your strengths to stress."
            ),
            due_on=add_business_days(start=interview_day, days=1, calendar=calendar),
        )
    )
    tasks.append(
        PlannedTask(
            kind=KEEP_APPLYING,
            key="keep_applying",
            title="Keep applying elsewhere until an offer is signed",
            detail="A good interview is not an offer: keep other applications moving.",
            due_on=add_business_days(start=interview_day, days=2, calendar=calendar),
        )
    )
    return tasks


def after_thank_you(*, person: Person, sent_on: dt.date) -> PlannedTask:
    """Connect on LinkedIn once the thank-you has gone (§3), never on personal networks."""
    return PlannedTask(
        kind=LINKEDIN,
        key=f"linkedin:{person.contact_id}",
        title=f"Connect with {person.name} on LinkedIn",
        detail="Your thank-you has gone out, so a connection request now feels natural. "
        "LinkedIn only: not personal networks.",
        due_on=sent_on,
        contact_id=person.contact_id,
    )


def after_going_quiet(
    *, application_id: int, person: Person | None, company: str, quiet_on: dt.date
) -> PlannedTask:
    """No answer to three messages: no more emails, a friendly LinkedIn connection (§5)."""
    who = person.name if person and person.name else f"your contact at {company}"
    return PlannedTask(
        kind=LINKEDIN,
        key=f"linkedin_quiet:{application_id}",
        title=f"Connect with {who} on LinkedIn",
        detail=f"{company} has not answered three messages, so Followup sends no more. A "
        "friendly connection request keeps the door open without another email.",
        due_on=quiet_on,
        contact_id=person.contact_id if person else None,
    )
