"""Drafts made from notes as people really type them read as a person would write (issue 9).

Every log of real_notes.py is drafted through the real code (PostgreSQL): each interviewer's
thank-you and the first check-in. Each sentence with a note must be the sentence written by
hand there, or show the slot the user is asked to fill. At least 9 drafts in 10 must be
sendable as they are: no slot but the link slot for a promised item, and the real checks
find nothing to fix (no other placeholder, not too generic).
"""

from __future__ import annotations

import re

import pytest

from followup.rules.checks.findings import ERROR
from followup.rules.phrasing import SLOT_TEXT
from interviews.models import Company, Contact, InterviewParticipant
from messaging.drafting.planning import plan_interview
from messaging.drafting.rendering import LINK_PLACEHOLDER
from messaging.models import Message
from messaging.services.approval import message_findings
from tests.builders.interviews import make_application, make_contact, make_interview
from tests.builders.queries import check_ins, thank_yous
from tests.builders.scenario import PANEL_STARTS
from tests.messaging.drafting.real_notes import CHECK_IN, EXPECTED, LOGS, RECRUITER, Log

pytestmark = pytest.mark.django_db

SENDABLE_SHARE = 0.9


def _address(name: str, company: str) -> str:
    local = ".".join(re.findall(r"[a-z]+", name.lower().replace("dr.", "")))
    return f"{local}@{re.sub(r'[^a-z]', '', company.lower())}.example"


# Which of a stage's three phrasings a draft gets turns on its company's id (drafting.writing
# _least_used_phrasing). The sentences below were written for a fresh database, where the
# n-th company made here has id n; the ids are pinned to that pattern (plus a multiple of
# every phrasing count) so the test does not depend on what ran before it in the database.
PINNED_IDS_FROM = 6_000_000


def _company(sender, name: str) -> Company:
    existing = Company.objects.filter(user=sender, name=name).first()
    if existing is not None:
        return existing
    made = Company.objects.filter(user=sender, pk__gt=PINNED_IDS_FROM).count()
    return Company.objects.create(user=sender, name=name, pk=PINNED_IDS_FROM + made + 1)


def draft(sender, log: Log) -> dict[str, Message]:
    """Log the interview as a user would and plan it: its thank-yous by name, and CHECK_IN."""
    company = _company(sender, log.company)
    people = {
        person.name: make_contact(
            company,
            person.name,
            email=_address(person.name, log.company),
            tone=Contact.Tone.FIRST_NAME,
        )
        for person in log.people
    }
    main = people.get(log.main) or make_contact(
        company, RECRUITER, email=_address(RECRUITER, log.company), kind=Contact.Kind.RECRUITER
    )
    application = make_application(sender, company, role=log.role, main_contact=main)
    interview = make_interview(application, starts_at=PANEL_STARTS)
    for position, person in enumerate(log.people):
        InterviewParticipant.objects.create(
            interview=interview,
            contact=people[person.name],
            position=position,
            discussed=person.discussed,
            questions=person.questions,
            promised=person.promised,
            added_point=person.added_point,
        )
    plan_interview(interview=interview)
    [first_check_in] = [m for m in check_ins(application) if m.stage == Message.Stage.CHECK_IN]
    return thank_yous(interview) | {CHECK_IN: first_check_in}


def _has_sentence(body: str, sentence: str) -> bool:
    """The sentence stands whole in the body: after a line start or a space, before one."""
    return re.search(rf"(?:^|(?<=\s)){re.escape(sentence)}(?=\s|$)", body, re.M) is not None


def test_the_corpus_holds_two_dozen_varied_logs():
    assert len(LOGS) >= 24
    notes = [p for log in LOGS for p in log.people]
    assert sum(bool(p.promised) for p in notes) >= 5
    assert sum(bool(p.added_point) for p in notes) >= 5
    assert any(re.search(r"\bthey|\btheir", p.discussed, re.I) for p in notes)


def test_drafts_from_real_notes_say_what_a_person_would_and_nine_in_ten_need_no_edit(sender):
    mismatches, drafts, sendable = [], 0, 0
    for log in LOGS:
        made = draft(sender, log)
        expected = EXPECTED[log.role]
        assert set(made) == set(expected), log.role
        for who, message in made.items():
            drafts += 1
            body = message.body_text
            for sentence in expected[who]:
                if not _has_sentence(body, sentence):
                    mismatches.append(f"{log.role} / {who}: expected {sentence!r} in\n{body}")
            # Slots the user is asked to fill: a note that made no clean phrase.
            if not any(slot in body for slot in SLOT_TEXT.values()):
                sendable += 1
                # The real checks agree: nothing to fix but the link of a promised item.
                for finding in message_findings(message=message):
                    assert finding.code != "too_generic", (log.role, who)
                    if finding.severity == ERROR:
                        spanned = {body[start:end] for start, end in finding.spans}
                        assert spanned == {LINK_PLACEHOLDER}, (log.role, who, finding)
            else:
                assert any(s in " ".join(expected[who]) for s in SLOT_TEXT.values()), who

    share = sendable / drafts
    print(f"\n{sendable} of {drafts} drafts ({share:.0%}) can be sent without touching the text")
    assert not mismatches, "\n\n".join(mismatches)
    assert drafts >= 50
    assert share >= SENDABLE_SHARE
