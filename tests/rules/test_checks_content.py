"""The content checks: slots, recipient, subject, headers, bounces, length, detail, duplicates."""

from __future__ import annotations

import pytest

from followup.rules import checks, limits
from followup.rules.checks import content
from tests.builders.checks import TEMPLATE, codes, draft_facts, spans_text


@pytest.mark.parametrize(
    ("text", "slot"),
    [
        ("As promised, here is a work sample: [Paste the link here]", "[Paste the link here]"),
        ("Dear [Interviewer name],", "[Interviewer name]"),
        ("Hi {{ first_name }},", "{{ first_name }}"),
        ("Hi {first_name},", "{first_name}"),
        ("I saw <hook> and thought of you.", "<hook>"),
        ("It has been XX days.", "XX"),
        ("Your team of XXX people", "XXX"),
        ("TODO: add the project name", "TODO"),
    ],
)
def test_it_flags_an_unfilled_placeholder_as_an_error(text, slot):
    [finding] = content.check_placeholders(text)
    assert (finding.code, finding.severity) == ("placeholder", "error")
    assert spans_text(text, finding) == [slot]


@pytest.mark.parametrize(
    "text",
    [
        "Dear Priya,",
        "Reach me at <alex@example.com> or <https://example.com/cv>.",
        "As noted in [1], the XXL size and my todo list are fine.",
        "See you soon, xx",
    ],
)
def test_it_leaves_filled_text_addresses_and_lookalikes_alone(text):
    assert content.check_placeholders(text) == []


def test_it_reports_a_placeholder_in_the_subject_against_the_subject():
    [finding] = content.check_placeholders("Thank you \u2013 [Role] interview", field="subject")
    assert finding.field == "subject"


def test_it_flags_an_empty_or_blank_recipient_and_subject():
    assert codes(content.check_recipient("  ")) == ["empty_recipient"]
    assert codes(content.check_subject("")) == ["empty_subject"]
    assert content.check_recipient("priya@acme.com") == []
    assert content.check_subject("Yesterday's interview") == []


def test_it_flags_a_bounced_recipient_whatever_the_case():
    [finding] = content.check_bounced("Priya@Acme.com", {"priya@acme.com"})
    assert (finding.code, finding.severity, finding.field) == ("bounced", "error", "to")


@pytest.mark.parametrize(
    ("headers", "field"),
    [
        ({"subject": "Re: Interview\r\nBcc: someone@else.example"}, "subject"),
        ({"subject": "Re: Interview\tTuesday"}, "subject"),
        ({"to_email": "priya@acme.com\n"}, "to"),
        ({"in_reply_to": "<a@b>\nBcc: someone@else.example"}, "threading"),
        ({"references": "<x@y> <a@b>\r\n"}, "threading"),
    ],
)
def test_it_flags_a_line_break_or_control_character_in_any_header(headers, field):
    values = {"to_email": "priya@acme.com", "subject": "Re: Interview"} | headers
    [finding] = content.check_header_characters(**values)
    assert (finding.code, finding.severity, finding.field) == (
        "header_control_character",
        "error",
        field,
    )
    assert "header_control_character" in codes(checks.check_draft(draft_facts(**headers)))


def test_it_points_at_the_line_break_in_the_subject():
    subject = "Re: Interview\nBcc: x@y.example"
    [finding] = content.check_header_characters(to_email="priya@acme.com", subject=subject)
    assert spans_text(subject, finding) == ["\n"]


def test_it_lets_one_line_headers_through():
    assert (
        content.check_header_characters(
            to_email="priya@acme.com",
            subject="Re: Interview \u2013 Tuesday",
            in_reply_to="<CAF=1@mail.acme.com>",
            references="<x@acme.com> <CAF=1@mail.acme.com>",
        )
        == []
    )


def test_it_lets_an_address_that_never_bounced_through():
    assert content.check_bounced("tom@acme.com", {"priya@acme.com"}) == []
    assert content.check_bounced("", {"priya@acme.com"}) == []


def test_it_flags_a_thank_you_over_the_word_limit_from_the_first_word_past_it():
    body = " ".join(["word"] * limits.WORD_LIMIT + ["extra", "words"])
    [finding] = content.check_length(body, stage="thank_you")
    assert finding.code == "too_long"
    assert spans_text(body, finding) == ["extra words"]


def test_it_accepts_a_message_at_the_limit_and_long_messages_of_other_stages():
    at_limit = " ".join(["word"] * limits.WORD_LIMIT)
    assert content.check_length(at_limit, stage="check_in") == []
    long = " ".join(["word"] * (limits.WORD_LIMIT + 50))
    assert content.check_length(long, stage="rejection_reply") == []


def test_it_counts_hyphenated_words_and_contractions_once():
    assert content.count_words("A follow-up: don't worry.") == 4


def test_it_accepts_a_body_that_carries_a_captured_detail():
    assert content.check_generic(TEMPLATE, stage="thank_you", details=("streaming pipeline",)) == []


def test_it_accepts_two_specific_words_of_a_detail_in_another_form():
    detail = "They are planning a migration of batch jobs"
    assert content.check_generic(TEMPLATE, stage="check_in", details=(detail,)) == []


def test_it_flags_a_body_with_none_of_the_captured_details():
    details = ("asked about my Kafka consumer lag dashboard", "promised: references")
    [finding] = content.check_generic(TEMPLATE, stage="check_in", details=details)
    assert (finding.code, finding.severity) == ("too_generic", "warning")


def test_it_needs_two_specific_words_not_one():
    # "streaming" is in the body, "kafka" and "consumer" are not.
    assert codes(
        content.check_generic(TEMPLATE, stage="check_in", details=("Kafka streaming consumer",))
    ) == ["too_generic"]


@pytest.mark.parametrize(
    "stage",
    ["second_check_in", "offer_deadline", "no_news_reply", "rejection_reply", "withdrawal"],
)
def test_it_never_calls_short_stages_without_a_detail_generic(stage):
    details = ("the on-call rota", "data contracts")
    assert content.check_generic(TEMPLATE, stage=stage, details=details) == []
    assert "too_generic" not in codes(checks.check_draft(draft_facts(stage=stage, details=details)))


def test_it_flags_a_thank_you_with_no_detail_captured_but_not_a_check_in():
    assert codes(content.check_generic(TEMPLATE, stage="thank_you")) == ["too_generic"]
    assert content.check_generic(TEMPLATE, stage="check_in") == []
    assert content.check_generic(TEMPLATE, stage="check_in", details=("the team",)) == []


@pytest.mark.parametrize("address", ["priya@gmail.com", "Priya@GMAIL.COM", "p@hey.com"])
def test_it_flags_a_free_mail_recipient(address):
    [finding] = content.check_personal_address(address)
    assert (finding.code, finding.field) == ("personal_address", "to")
    assert spans_text(address, finding) == [address.split("@")[1]]


def test_it_accepts_a_business_address_or_a_free_mail_one_that_is_expected():
    assert content.check_personal_address("priya@acme.com") == []
    assert content.check_personal_address("priya@gmail.com", expects_business_address=False) == []
    assert content.check_personal_address("") == []


def test_the_free_mail_list_comes_from_the_maintained_package_plus_our_file():
    domains = content.free_mail_domains()
    assert {"gmail.com", "outlook.com", "proton.me", "tutanota.com"} <= domains
    assert "acme.com" not in domains


def test_the_near_duplicate_threshold_flags_just_above_and_spares_just_below():
    # fuzz.ratio of "a"*100 and "a"*n is 200n / (100 + n): 67 gives 80.2, 66 gives 79.5.
    base = "a" * 100
    above, below = "a" * 67, "a" * 66
    assert (
        limits.NEAR_DUPLICATE_THRESHOLD
        <= content.similarity(base, above)
        < (limits.NEAR_DUPLICATE_THRESHOLD + 1)
    )
    assert (
        limits.NEAR_DUPLICATE_THRESHOLD - 1
        < content.similarity(base, below)
        < (limits.NEAR_DUPLICATE_THRESHOLD)
    )
    assert codes(content.check_near_duplicate(base, sibling_bodies=(above,))) == ["near_duplicate"]
    assert content.check_near_duplicate(base, sibling_bodies=(below,)) == []


def test_it_flags_the_same_template_with_only_the_name_or_one_sentence_changed():
    names_only = TEMPLATE.replace("Priya", "Tom")
    one_sentence = TEMPLATE.replace(
        "I especially enjoyed hearing about how your team is migrating the nightly batch jobs "
        "to a streaming pipeline, and it made me even more excited about the position.",
        "Your point about alert fatigue on the on-call rotation stuck with me, and I have "
        "some ideas from my last job.",
    )
    for sibling in (names_only, one_sentence):
        assert codes(content.check_near_duplicate(TEMPLATE, sibling_bodies=(sibling,))) == [
            "near_duplicate"
        ]


def test_it_spares_drafts_personalised_beyond_the_greeting_and_sign_off():
    personalised = """Dear Tom,

Thank you for taking the time to talk with me yesterday about the Senior Data Engineer \
role at Acme. Your point about alert fatigue on the on-call rotation stuck with me, and I \
have a few ideas from my last job.

Having run the on-call rota at Northwind for two years, I know how much a quieter pager \
changes a team's week.

Please let me know if there is anything else I can send. I look forward to hearing about \
next steps.

Best regards,
Alex Morgan
+1 555 0100"""
    assert content.similarity(TEMPLATE, personalised) < limits.NEAR_DUPLICATE_THRESHOLD
    assert content.check_near_duplicate(TEMPLATE, sibling_bodies=(personalised, "")) == []
    assert content.check_near_duplicate("", sibling_bodies=("",)) == []
