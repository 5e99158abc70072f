"""The sign-off names the sender once; a value's own full stop does not double the template's."""

from __future__ import annotations

import pytest

from followup.accounts.models import Profile
from followup.rules import stages
from messaging.drafting.planning import plan_interview
from messaging.drafting.rendering import phrasing_count, render_stage, sign_off
from tests.builders.queries import thank_yous
from tests.builders.scenario import make_panel

NAME, PHONE, EMAIL = "Alex Morgan", "+1 555 0100", "alex@example.com"


def signed(signature: str) -> tuple[str, str]:
    result = sign_off(signature=signature, name=NAME, phone=PHONE, email=EMAIL)
    return result.name, result.signature


@pytest.mark.parametrize(
    ("signature", "name_line", "rest"),
    [
        ("linkedin.com/in/alex", NAME, "linkedin.com/in/alex"),
        ("Alex Morgan, CFA\nlinkedin.com/in/alex", "Alex Morgan, CFA", "linkedin.com/in/alex"),
        ("— Alex Morgan, PhD", "Alex Morgan, PhD", ""),
        ("— Alex\nlinkedin.com/in/alex", NAME, "linkedin.com/in/alex"),
        ("-- Alex Morgan", NAME, ""),
        ("~Alex", NAME, ""),
        ("Best,\nAlex", NAME, ""),
        ("alex morgan | Data engineer | +1 555 0100", NAME, "Data engineer"),
        ("Alex Morgan \u2013 Data engineer, Berlin", NAME, "Data engineer, Berlin"),
        ("Data engineer, Berlin", NAME, "Data engineer, Berlin"),
        # A first line with the name and a number is not credentials: the number is kept.
        ("Alex Morgan, +49 30 1234", NAME, "+49 30 1234"),
        ("Alexandra Lee\nAlex", NAME, "Alexandra Lee"),
        ("", NAME, ""),
    ],
)
def test_a_signature_never_repeats_the_name_it_follows(signature, name_line, rest):
    assert signed(signature) == (name_line, rest)


@pytest.mark.django_db
def test_a_signature_with_credentials_signs_once_in_every_draft(user):
    Profile.objects.filter(user=user).update(
        signature="— Alex Morgan, CFA\nlinkedin.com/in/alex-morgan"
    )
    _, interview, _ = make_panel(user)

    plan_interview(interview=interview)

    for draft in thank_yous(interview).values():
        assert draft.body_text.endswith(
            "\nAlex Morgan, CFA\n+1 555 0100\nalex@example.com\nlinkedin.com/in/alex-morgan"
        )
        assert draft.body_text.count("Alex Morgan") == 1
        assert draft.body_html.count("Alex Morgan") == 1
        assert "Alex Morgan, CFA<br>" in draft.body_html
        assert "\u2013 Alex Morgan, CFA" not in draft.subject  # the subject keeps the plain name


def context(**overrides) -> dict:
    base = {
        "greeting": "Dear Ms. Richardson,",
        "recipient_interviewed": True,
        "role": "Sr.",
        "company": "Acme Co.",
        "interview_date": "Tuesday, March 4",
        "detail": "the roadmap...",
        "sender_name": NAME,
        "sender_phone": PHONE,
        "sender_email": EMAIL,
        "ask_feedback": True,
        "deadline": "Friday, March 14",
    }
    return base | overrides


STAGES = sorted(stages.TEMPLATE_STAGES)  # the user's own emails have no template


@pytest.mark.parametrize("stage", STAGES)
def test_no_doubled_full_stop_after_an_abbreviation_in_any_phrasing(stage):
    """Company "Acme Co." and role "Sr." end sentences in some phrasings: one full stop each."""
    for phrasing in range(1, phrasing_count(stage) + 1):
        subject, text, html = render_stage(stage=stage, phrasing=phrasing, context=context())
        for part in (subject, text, html):
            assert ".." not in part.replace("roadmap...", ""), (stage, phrasing, part)


def test_a_sentence_ending_with_the_company_keeps_its_abbreviation_and_one_stop():
    hooked = context(hook="your launch", recipient_met=True)
    _, text, html = render_stage(stage="stay_in_touch", phrasing=3, context=hooked)

    assert "the team at Acme Co.\n" in text
    assert "the team at Acme Co.</p>" in html


def test_a_full_stop_after_a_value_ending_in_one_is_dropped_but_an_ellipsis_stays():
    from messaging.drafting.rendering import _tidy_html, _tidy_text

    assert _tidy_text("We spoke at Acme Co..") == "We spoke at Acme Co."
    assert _tidy_text("It went on and on...") == "It went on and on..."
    assert _tidy_text("It went on and on....") == "It went on and on..."
    assert _tidy_text("It went on\u2026.") == "It went on\u2026"
    assert _tidy_text("e.g.. this") == "e.g. this"
    assert _tidy_html("<p>At <b>Acme Co.</b>.</p>") == "<p>At <b>Acme Co.</b></p>"
    assert _tidy_html("<p>Acme Inc..</p>") == "<p>Acme Inc.</p>"
