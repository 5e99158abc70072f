"""check_draft runs every check on one draft: a clean one passes, findings come errors first."""

from __future__ import annotations

import datetime as dt

from followup.rules import checks
from tests.builders.checks import MONDAY, TEMPLATE, codes, draft_facts


def test_a_clean_draft_has_no_findings():
    assert checks.check_draft(draft_facts()) == []


def test_check_draft_lists_errors_then_blocks_then_warnings():
    findings = checks.check_draft(
        draft_facts(
            stage="check_in",
            to_email="priya@gmail.com",
            subject="",
            body=TEMPLATE.replace("Priya", "[Name]") + "\nThx, I am so nervous 🙏🙏",
            previous_sends=(MONDAY,),
            planned_at=MONDAY + dt.timedelta(days=1),
        )
    )
    severities = [f.severity for f in findings]
    assert severities == sorted(severities, key=checks.SEVERITY_ORDER.__getitem__)
    assert {"empty_subject", "placeholder"} <= set(codes(findings)[:2])
    assert codes(findings)[2] == "pestering"
    assert {"anxious", "text_speak", "personal_address"} <= set(codes(findings)[3:])


def test_check_draft_checks_the_subject_wording_too():
    findings = checks.check_draft(draft_facts(subject="Thx for the chat, so nervous"))
    assert {(f.code, f.field) for f in findings} == {
        ("text_speak", "subject"),
        ("anxious", "subject"),
    }


def test_check_draft_blocks_a_check_in_too_close_to_the_thank_you():
    findings = checks.check_draft(
        draft_facts(stage="check_in", thank_you_at=MONDAY, planned_at=MONDAY + dt.timedelta(days=1))
    )
    assert "pestering" in codes(findings)
    assert checks.has_blocking(findings)


def test_a_check_in_two_business_days_after_the_thank_you_is_not_pestering():
    # Spec §4, §8: the thank-you is not a follow-up; 2 business days after it is enough.
    findings = checks.check_draft(
        draft_facts(stage="check_in", thank_you_at=MONDAY, planned_at=MONDAY + dt.timedelta(days=2))
    )
    assert "pestering" not in codes(findings)
