"""The §8 quality checks: each must fire on what it is for, and stay quiet otherwise."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

from followup.rules import checks, limits
from followup.rules.calendar import WEEKDAYS_ONLY, SenderCalendar
from followup.rules.checks import DraftFacts, Finding, content, sending, spelling, wording
from messaging.drafting.planning import plan_interview
from messaging.models import Message
from messaging.services.approval import message_approve
from messaging.services.refusals import ApprovalBlocked
from tests.messaging.factories import make_panel
from tests.messaging.test_rules import LOGGED

NAMES = ("Priya Raman", "Tom Becker", "Acme", "Senior Data Engineer", "Alex Morgan")

TEMPLATE = """Dear Priya,

Thank you for taking the time to talk with me yesterday about the Senior Data Engineer \
role at Acme. I especially enjoyed hearing about how your team is migrating the nightly \
batch jobs to a streaming pipeline, and it made me even more excited about the position.

My experience building event-driven systems at Northwind lines up well with what you \
described, and I would love to help the team get there.

Please let me know if there is anything else I can send. I look forward to hearing about \
next steps.

Best regards,
Alex Morgan
+1 555 0100"""

MONDAY = dt.datetime(2026, 3, 2, 8, 0, tzinfo=ZoneInfo("America/New_York"))


def spans_text(text: str, finding: Finding) -> list[str]:
    return [text[start:end] for start, end in finding.spans]


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def facts(**overrides: object) -> DraftFacts:
    values: dict[str, object] = {
        "stage": "thank_you",
        "to_email": "priya@acme.com",
        "subject": "Thank you \u2013 Senior Data Engineer interview",
        "body": TEMPLATE,
        "known_names": NAMES,
        "details": ("migrating the nightly batch jobs to streaming",),
    }
    return DraftFacts(**(values | overrides))


# --- Placeholders, recipient, subject, bounces (errors) ---


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
    assert "header_control_character" in codes(checks.check_draft(facts(**headers)))


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


@pytest.mark.django_db
def test_a_thank_you_replying_to_a_broken_scheduling_subject_cannot_be_approved(user):
    with time_machine.travel(LOGGED, tick=False):
        # Stored before the interview form refused line breaks there.
        _application, interview, _people = make_panel(
            user, scheduling_subject="Interview\nBcc: someone@else.example"
        )
        plan_interview(interview=interview)
        thank_you = Message.objects.filter(interview=interview, stage="thank_you").first()
        with pytest.raises(ApprovalBlocked) as blocked:
            message_approve(message=thank_you, user=user)

    assert "header_control_character" in codes(blocked.value.findings)
    thank_you.refresh_from_db()
    assert thank_you.approved_at is None


def test_it_lets_an_address_that_never_bounced_through():
    assert content.check_bounced("tom@acme.com", {"priya@acme.com"}) == []
    assert content.check_bounced("", {"priya@acme.com"}) == []


# --- Anxious words, excuses, apologies ---


def test_it_flags_anxious_words_with_their_spans():
    text = "I am anxiously awaiting your answer and a little worried."
    [finding] = wording.check_anxious(text)
    assert (finding.code, finding.severity) == ("anxious", "warning")
    # The longer phrase wins over its part ("anxiously").
    assert spans_text(text, finding) == ["anxiously awaiting", "worried"]


def test_it_flags_nervous_even_when_negated():
    # By design: "I was not nervous" still puts nerves in the reader's mind.
    assert codes(wording.check_anxious("I was not nervous at all.")) == ["anxious"]


def test_it_flags_an_excuse_even_once():
    text = "Sorry I was late on Tuesday."
    [finding] = wording.check_anxious(text)
    assert spans_text(text, finding) == ["Sorry I was late"]


def test_it_flags_more_than_one_apology():
    text = "Sorry for the long email. I apologize again for the mix-up."
    [finding] = wording.check_anxious(text)
    assert spans_text(text, finding) == ["Sorry", "apologize"]


def test_it_accepts_a_single_apology_and_calm_wording():
    assert wording.check_anxious("Apologies for the slow reply: I was travelling.") == []
    assert wording.check_anxious("No worries if the timeline moves.") == []


# --- Comparisons, desperation ---


@pytest.mark.parametrize(
    "text",
    [
        "I believe I stand head and shoulders above other applicants.",
        "No other candidate will bring this energy.",
        "I am better than the rest.",
    ],
)
def test_it_flags_comparisons_with_other_candidates(text):
    assert codes(wording.check_comparisons(text)) == ["comparison"]


def test_it_does_not_flag_talk_of_other_teams_or_shoulders():
    text = "The other teams I met were great, and my shoulders relaxed by the end."
    assert wording.check_comparisons(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "This is my dream job.",
        "It would mean a lot to me.",
        "I have wanted to work for you for a long time.",
        "Please give me a chance.",
        "I am begging you.",
    ],
)
def test_it_flags_desperate_phrasing(text):
    assert codes(wording.check_desperate(text)) == ["desperate"]


def test_it_does_not_flag_measured_interest():
    text = "I would welcome the chance to contribute; I dreamt up a few ideas for the beginning."
    assert wording.check_desperate(text) == []


# --- Text-speak ---


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Thank u for your time", "u"),
        ("I loved ur idea", "ur"),
        ("Thx again!", "Thx"),
        ("Pls let me know", "Pls"),
        ("lol.", "lol"),
        ("I'm gonna send it", "gonna"),
    ],
)
def test_it_flags_text_speak_as_whole_words(text, word):
    [finding] = wording.check_text_speak(text)
    assert spans_text(text, finding) == [word]


@pytest.mark.parametrize(
    "text",
    [
        "Thank you and your team",
        "Ursula mentioned the U.S. office",
        "Write to u.smith@acme.com or see acme.com/u/jobs",
        "A U-turn on pricing",
        "Thanks 🙂",
        "Our family 👨‍👩‍👧 and a thumbs up 👍🏽",
        "Greetings from 🇺🇸",
    ],
)
def test_it_does_not_flag_normal_words_or_a_single_emoji(text):
    assert wording.check_text_speak(text) == []


@pytest.mark.parametrize("run", ["🙏🙏", "🙂 🙂", "🎉🔥💯", "👍🏽👍🏽"])
def test_it_flags_a_run_of_emoji(run):
    text = f"Thanks so much {run}"
    [finding] = wording.check_text_speak(text)
    assert spans_text(text, finding) == [run]


# --- Spelling ---


def test_it_flags_misspellings_with_a_suggestion():
    text = "Thnak you again. I look forward to recieving your news."
    [finding] = spelling.check_spelling(text)
    assert (finding.code, finding.severity) == ("spelling", "warning")
    assert spans_text(text, finding) == ["Thnak", "recieving"]
    assert "(thank?)" in finding.message


def test_it_ignores_the_given_names_even_at_the_start_of_a_sentence():
    text = "Priya's point stayed with me. Raman and Becker were kind."
    assert spelling.check_spelling(text, known_names=NAMES) == []


def test_it_checks_a_sentence_initial_name_it_was_not_told_about():
    assert codes(spelling.check_spelling("Xyzzik was kind.")) == ["spelling"]


def test_it_ignores_acronyms_brands_digits_addresses_urls_and_proper_nouns():
    text = (
        "Dear Ms. Richardson, our SQL and GitHub work, the Q3 plan, "
        "alex@example.com and https://example.com/portfoliox, plus a chat with Zanoveli."
    )
    assert spelling.check_spelling(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "We rebuilt the models in dbt.",
        "Our etl and elt jobs run in airflow on databricks with pyspark.",
        "The sre and mlops teams moved the llm services to serverless runbooks.",
        "Data lands in bigquery and snowflake through fivetran; terraform manages it.",
    ],
)
def test_it_knows_common_data_and_engineering_terms(text):
    assert spelling.check_spelling(text) == []


def test_it_accepts_british_spellings_contractions_and_job_vocabulary():
    text = "I don\u2019t mind: the colour of the organisation's onboarding roadmap, analysed."
    assert spelling.check_spelling(text) == []


def test_it_runs_the_whole_template_without_a_false_alarm():
    assert spelling.check_spelling(TEMPLATE, known_names=NAMES) == []


# --- Length ---


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


# --- Too generic ---


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
    assert "too_generic" not in codes(checks.check_draft(facts(stage=stage, details=details)))


def test_it_flags_a_thank_you_with_no_detail_captured_but_not_a_check_in():
    assert codes(content.check_generic(TEMPLATE, stage="thank_you")) == ["too_generic"]
    assert content.check_generic(TEMPLATE, stage="check_in") == []
    assert content.check_generic(TEMPLATE, stage="check_in", details=("the team",)) == []


# --- Personal address ---


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


# --- Near-duplicates ---


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


# --- Pestering ---


def test_it_blocks_a_third_follow_up():
    sent = (MONDAY, MONDAY + dt.timedelta(days=7))
    [finding] = sending.check_pestering(stage="check_in", previous_sends=sent)
    assert (finding.code, finding.severity) == ("pestering", "block")


def test_it_allows_a_second_follow_up_five_business_days_after_the_first():
    assert (
        sending.check_pestering(
            stage="second_check_in",
            previous_sends=(MONDAY,),
            planned_at=MONDAY + dt.timedelta(days=7),
        )
        == []
    )


def test_it_blocks_a_follow_up_four_business_days_after_the_previous_one():
    [finding] = sending.check_pestering(
        stage="second_check_in",
        previous_sends=(MONDAY,),
        planned_at=MONDAY + dt.timedelta(days=4),  # Friday
    )
    assert finding.severity == "block"
    assert "4 business days" in finding.message


def test_it_blocks_a_follow_up_planned_just_before_a_scheduled_one():
    [finding] = sending.check_pestering(
        stage="check_in",
        previous_sends=(MONDAY + dt.timedelta(days=2),),
        planned_at=MONDAY,
    )
    assert finding.code == "pestering"


def test_it_counts_business_days_in_the_senders_calendar_with_its_holidays():
    # Mon 16 to Mon 23 March 2026 is 5 weekdays; Tue 17 is St Patrick's Day in Ireland.
    monday = dt.datetime(2026, 3, 16, 9, 0, tzinfo=ZoneInfo("Europe/Dublin"))
    week_later = monday + dt.timedelta(days=7)
    dublin = SenderCalendar(time_zone="Europe/Dublin", country="IE")

    [finding] = sending.check_pestering(
        stage="second_check_in", previous_sends=(monday,), planned_at=week_later, calendar=dublin
    )
    assert "4 business days" in finding.message
    assert (
        sending.check_pestering(
            stage="second_check_in", previous_sends=(monday,), planned_at=week_later
        )
        == []
    )


def test_it_never_counts_or_spaces_thank_yous_and_event_replies():
    busy = (MONDAY, MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=2))
    for stage in ("thank_you", "no_news_reply", "withdrawal", "offer_deadline"):
        assert sending.check_pestering(stage=stage, previous_sends=busy, planned_at=MONDAY) == []


def test_a_check_in_the_day_after_the_thank_you_is_blocked():
    # "Send now" moves a check-in planned weeks out to the day after the thank-you.
    [finding] = sending.check_pestering(
        stage="check_in", thank_you_at=MONDAY, planned_at=MONDAY + dt.timedelta(days=1)
    )
    assert (finding.code, finding.severity) == ("pestering", "block")
    assert "1 business day from the thank-you" in finding.message
    assert not checks.has_blocking([finding], pestering_overridden=True)


def test_a_check_in_five_business_days_after_the_thank_you_is_fine():
    assert (
        sending.check_pestering(
            stage="check_in", thank_you_at=MONDAY, planned_at=MONDAY + dt.timedelta(days=7)
        )
        == []
    )


def test_the_thank_you_spaces_follow_ups_but_never_counts_towards_the_limit():
    second_week = MONDAY + dt.timedelta(days=7)
    # One check-in sent, the thank-you before it: a second check-in is still allowed.
    assert (
        sending.check_pestering(
            stage="second_check_in",
            previous_sends=(second_week,),
            thank_you_at=MONDAY,
            planned_at=second_week + dt.timedelta(days=7),
        )
        == []
    )


def test_check_draft_blocks_a_check_in_too_close_to_the_thank_you():
    findings = checks.check_draft(
        facts(stage="check_in", thank_you_at=MONDAY, planned_at=MONDAY + dt.timedelta(days=1))
    )
    assert "pestering" in codes(findings)
    assert checks.has_blocking(findings)


def test_a_check_in_two_business_days_after_the_thank_you_is_not_pestering():
    # Spec §4, §8: the thank-you is not a follow-up; 2 business days after it is enough.
    findings = checks.check_draft(
        facts(stage="check_in", thank_you_at=MONDAY, planned_at=MONDAY + dt.timedelta(days=2))
    )
    assert "pestering" not in codes(findings)


def test_business_days_between_counts_monday_as_day_one_after_a_friday():
    friday = dt.date(2026, 3, 6)
    assert WEEKDAYS_ONLY.business_days_between(friday, dt.date(2026, 3, 9)) == 1
    assert WEEKDAYS_ONLY.business_days_between(friday, dt.date(2026, 3, 10)) == 2
    assert WEEKDAYS_ONLY.business_days_between(friday, dt.date(2026, 3, 20)) == 10
    assert WEEKDAYS_ONLY.business_days_between(friday, friday) == 0


# --- Running them all ---


def test_a_clean_draft_has_no_findings():
    assert checks.check_draft(facts()) == []


def test_check_draft_lists_errors_then_blocks_then_warnings():
    findings = checks.check_draft(
        facts(
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
    findings = checks.check_draft(facts(subject="Thx for the chat, so nervous"))
    assert {(f.code, f.field) for f in findings} == {
        ("text_speak", "subject"),
        ("anxious", "subject"),
    }


def test_only_errors_and_unoverridden_blocks_stop_approval():
    warning = Finding("anxious", "warning", "Anxious wording.")
    block = Finding("pestering", "block", "Too soon.")
    error = Finding("placeholder", "error", "Fill in the slot.")
    assert not checks.has_blocking([warning])
    assert checks.has_blocking([warning, block])
    assert not checks.has_blocking([warning, block], pestering_overridden=True)
    assert checks.has_blocking([error, block], pestering_overridden=True)


# --- Highlighting ---


def test_highlight_escapes_the_text_and_marks_the_spans():
    body = "<script>alert('x')</script> I am nervous & keen"
    html = checks.highlight(body, checks.check_draft(facts(body=body, details=())))
    # The only markup left is ours ("<script>" itself is flagged as a leftover slot).
    without_marks = re.sub(r'<mark class="check-(error|warning)">|</mark>', "", html)
    assert "<" not in without_marks
    assert (
        without_marks == "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; I am nervous &amp; keen"
    )
    assert '<mark class="check-warning">nervous</mark> &amp; keen' in html


def test_highlight_merges_overlaps_under_the_most_serious_severity_and_keeps_to_its_field():
    text = "Hi [Name] there"
    findings = [
        Finding("spelling", "warning", "", spans=((3, 9),)),
        Finding("placeholder", "error", "", spans=((4, 8),)),
        Finding("text_speak", "warning", "", spans=((0, 2),), field="subject"),
    ]
    assert checks.highlight(text, findings) == 'Hi <mark class="check-error">[Name]</mark> there'
    assert checks.highlight(text, findings, field="subject") == (
        '<mark class="check-warning">Hi</mark> [Name] there'
    )
