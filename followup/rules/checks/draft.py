"""Every check on one draft: the facts it needs as plain data, and the run in order."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from followup.rules.cadence import DEFAULT_SETTINGS, CadenceSettings
from followup.rules.calendar import WEEKDAYS_ONLY, SenderCalendar
from followup.rules.checks.content import (
    check_bounced,
    check_generic,
    check_header_characters,
    check_length,
    check_near_duplicate,
    check_personal_address,
    check_placeholders,
    check_recipient,
    check_subject,
)
from followup.rules.checks.findings import SEVERITY_ORDER, Finding
from followup.rules.checks.sending import check_pestering, check_same_recipient
from followup.rules.checks.spelling import check_spelling
from followup.rules.checks.wording import check_wording


@dataclass(frozen=True)
class DraftFacts:
    """Everything the checks need about one draft, as plain data."""

    stage: str  # a messaging.models.Message.Stage value
    to_email: str
    subject: str
    body: str  # the plain-text body
    # The threading headers, as they will be sent.
    in_reply_to: str = ""
    references: str = ""
    # People (the sender too), company and role words the spelling check accepts.
    known_names: tuple[str, ...] = ()
    # The user's own dictionary: words the spelling check accepts as written (folded).
    known_words: frozenset[str] = frozenset()
    # What was captured for this person: discussed, asked, promised.
    details: tuple[str, ...] = ()
    bounced_addresses: frozenset[str] = frozenset()
    # Bodies of the other pending drafts to people at the same company.
    sibling_bodies: tuple[str, ...] = ()
    expects_business_address: bool = True
    # Earlier follow-ups (check-ins) of the application, sent or scheduled, not this
    # draft and not thank-yous; leave out those the company has since answered.
    # Aware datetimes; days are compared in the sender's calendar.
    previous_sends: tuple[dt.datetime, ...] = ()
    # The application's latest live thank-you (sent, else planned), whatever its round, as
    # the cadence sees it: kept at a distance, never counted towards the limit.
    thank_you_at: dt.datetime | None = None
    planned_at: dt.datetime | None = None
    # When our other pending emails to the same address are due (aware datetimes).
    same_recipient_due: tuple[dt.datetime, ...] = ()
    # The sender's calendar and cadence settings: the pestering check counts business days
    # in the one and spaces follow-ups by the other, as the cadence plans them.
    calendar: SenderCalendar = WEEKDAYS_ONLY
    settings: CadenceSettings = DEFAULT_SETTINGS


def check_draft(facts: DraftFacts) -> list[Finding]:
    """Run every check on a draft; errors first, then blocks, then warnings."""
    findings: list[Finding] = []
    findings += check_recipient(facts.to_email)
    findings += check_bounced(facts.to_email, facts.bounced_addresses)
    findings += check_subject(facts.subject)
    findings += check_header_characters(
        to_email=facts.to_email,
        subject=facts.subject,
        in_reply_to=facts.in_reply_to,
        references=facts.references,
    )
    for text, where in ((facts.to_email, "to"), (facts.subject, "subject"), (facts.body, "body")):
        findings += check_placeholders(text, field=where)
    findings += check_pestering(
        stage=facts.stage,
        previous_sends=facts.previous_sends,
        planned_at=facts.planned_at,
        thank_you_at=facts.thank_you_at,
        calendar=facts.calendar,
        settings=facts.settings,
    )
    findings += check_same_recipient(
        planned_at=facts.planned_at, others_due=facts.same_recipient_due
    )
    for text, where in ((facts.subject, "subject"), (facts.body, "body")):
        findings += check_wording(text, field=where)
        findings += check_spelling(
            text, known_names=facts.known_names, known_words=facts.known_words, field=where
        )
    findings += check_length(facts.body, stage=facts.stage)
    findings += check_generic(facts.body, stage=facts.stage, details=facts.details)
    findings += check_personal_address(
        facts.to_email, expects_business_address=facts.expects_business_address
    )
    findings += check_near_duplicate(facts.body, sibling_bodies=facts.sibling_bodies)
    # sorted() is stable: within a severity, findings keep the order above.
    return sorted(findings, key=lambda f: SEVERITY_ORDER.get(f.severity, len(SEVERITY_ORDER)))
