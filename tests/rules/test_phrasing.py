"""Notes as people type them become phrases that fit their sentence, or a slot (issue 9).

Each row: the kind of note, the note as typed, and the phrase it must become (SLOT: no clean
phrase can be made, the draft shows a slot the user fills). The reader is Nadia Karim at Acme
unless the note names Dana, when the reader is Dana Whitfield.
"""

from __future__ import annotations

import pytest

from followup.rules.phrasing import SLOT_TEXT, phrase_for, preview_sentences, sentence_for

SLOT = None

NOTES = [
    ("discussed", "we talked about how they test data quality", "how your team tests data quality"),
    (
        "discussed",
        "Discussed their move from Redshift to Snowflake",
        "your move from Redshift to Snowflake",
    ),
    ("discussed", "the Kafka migration", "the Kafka migration"),
    (
        "discussed",
        "Migrating their nightly revenue reports from cron scripts to dbt, "
        "and how they test data quality before the finance close",
        "migrating your nightly revenue reports from cron scripts to dbt",
    ),
    (
        "discussed",
        "Nadia spent most of the time on the commercial real estate portfolio.",
        "the commercial real estate portfolio",
    ),
    ("discussed", "sql test, window functions. went ok i think", SLOT),
    ("discussed", "team structure", "team structure"),
    ("discussed", "How they onboard new analysts.", "how your team onboards new analysts"),
    ("discussed", "she told me about their new mobile app launch", "your new mobile app launch"),
    (
        "discussed",
        "They're rebuilding the checkout flow in React",
        "your team is rebuilding the checkout flow in React",
    ),
    ("discussed", "dbt, airflow and data contracts", "dbt, Airflow and data contracts"),
    ("discussed", "- roadmap\n- hiring plan\n- on-call", SLOT),
    ("discussed", "Talked about the Q3 roadmap", "the Q3 roadmap"),
    ("discussed", "walked me through their underwriting process", "your underwriting process"),
    ("discussed", "the way they run incident reviews", "the way your team runs incident reviews"),
    ("discussed", "we spoke about mentoring junior engineers", "mentoring junior engineers"),
    ("discussed", "Building a design system from scratch", "building a design system from scratch"),
    ("discussed", "their expansion into Germany", "your expansion into Germany"),
    ("discussed", "Tom said the team is growing fast", "the team is growing fast"),
    (
        "discussed",
        "how they use feature flags for gradual rollouts",
        "how your team uses feature flags for gradual rollouts",
    ),
    ("discussed", "accessibility audits", "accessibility audits"),
    (
        "discussed",
        "Conversation about the DCF model for the retail client",
        "the DCF model for the retail client",
    ),
    (
        "discussed",
        "they want someone to own the pricing experiments",
        "your team wants someone to own the pricing experiments",
    ),
    ("discussed", "Why they moved off Heroku", "why your team moved off Heroku"),
    (
        "discussed",
        "the analytics team's plans for self-serve dashboards",
        "the analytics team's plans for self-serve dashboards",
    ),
    (
        "discussed",
        "Priya explained how they prioritise the backlog",
        "how your team prioritises the backlog",
    ),
    (
        "discussed",
        "lots of stuff about culture, remote work, the new office, benefits, equity",
        SLOT,
    ),
    (
        "discussed",
        "Our conversation about the patient intake redesign",
        "the patient intake redesign",
    ),
    ("discussed", "talked about my time at Deloitte", "my time at Deloitte"),
    (
        "discussed",
        "the challenges of scaling customer support across time zones while keeping "
        "response times under an hour for enterprise clients",
        SLOT,
    ),
    ("discussed", "covered the reorg", "the reorg"),
    ("discussed", "asked me about my dbt experience", "my dbt experience"),
    ("discussed", "Great chat about product-led growth!", "product-led growth"),
    ("discussed", "their data platform", "your data platform"),
    (
        "discussed",
        "what Acme's platform team is building next",
        "what your platform team is building next",
    ),
    ("discussed", "Dana's work on the billing pipeline", SLOT),
    ("discussed", "machine learning for fraud detection", "machine learning for fraud detection"),
    ("discussed", "the new ERP rollout", "the new ERP rollout"),
    ("discussed", "went through the case study on churn", "the case study on churn"),
    (
        "discussed",
        "they are hiring three more engineers this year",
        "your team is hiring three more engineers this year",
    ),
    ("question", "asked me how I'd handle late-arriving data", "how I'd handle late-arriving data"),
    (
        "question",
        "How would you scale the ingestion layer?",
        "how I would scale the ingestion layer",
    ),
    ("question", "Asked about my experience with airflow", "my experience with Airflow"),
    ("question", "why I'm leaving my current job", "why I'm leaving my current job"),
    (
        "question",
        "She asked what I would do in my first 90 days",
        "what I would do in my first 90 days",
    ),
    ("question", "Q: biggest weakness", "my biggest weakness"),
    (
        "question",
        "asked me to walk through a project I'm proud of",
        "walking you through a project I'm proud of",
    ),
    ("question", "asked me to explain a left join", "explaining a left join"),
    (
        "question",
        "do you have experience with stakeholder management",
        "whether I have experience with stakeholder management",
    ),
    (
        "question",
        "how i'd prioritise two urgent requests",
        "how I'd prioritise two urgent requests",
    ),
    ("question", "asked about salary expectations", "my salary expectations"),
    ("question", "they asked about the gap in my CV", "the gap in my CV"),
    ("question", "conflict with a coworker - I think i rambled", SLOT),
    ("question", "Asked how I'd design a rate limiter", "how I'd design a rate limiter"),
    ("question", "my approach to code reviews", "my approach to code reviews"),
    ("question", "what's your leadership style?", "my leadership style"),
    ("question", "whether I'd be open to relocating", "whether I'd be open to relocating"),
    ("question", "asked about testing strategy", "testing strategy"),
    ("question", "He asked me about SQL window functions.", "SQL window functions"),
    ("promised", "send my portfolio link", "my portfolio"),
    ("promised", "Will send references to her by Friday", "my references"),
    ("promised", "code sample", "my code sample"),
    ("promised", "the slides from my talk at PyCon", "the slides from my talk at PyCon"),
    ("promised", "I said I'd send the case study write-up", "the case study write-up"),
    ("promised", "link to my GitHub", "my GitHub"),
    ("promised", "Send: writing samples", "my writing samples"),
    ("promised", "follow up with my availability for next week", SLOT),
    (
        "promised",
        "to send the dashboard I built for the sales team",
        "the dashboard I built for the sales team",
    ),
    ("promised", "my notes on the migration plan", "my notes on the migration plan"),
    ("promised", "a copy of my certification", "a copy of my certification"),
    ("promised", "intro her to my old manager", SLOT),
    (
        "promised",
        "share the blog post about our Kafka rollout",
        "the blog post about our Kafka rollout",
    ),
    (
        "added_point",
        "should have said I'd use the Gordon growth method for the terminal value",
        "I'd use the Gordon growth method for the terminal value",
    ),
    ("added_point", "forgot to mention my AWS certification", "my AWS certification"),
    (
        "added_point",
        "I have run on-call rotations for three years",
        "I have run on-call rotations for three years",
    ),
    ("added_point", "totally blanked on the DCF question", SLOT),
    (
        "added_point",
        "Add: I led the migration of 40 dbt models last year",
        "I led the migration of 40 dbt models last year",
    ),
    ("added_point", "also: I've managed a team of five", "I've managed a team of five"),
    ("added_point", "i should have mentioned i speak German", "I speak German"),
    ("added_point", "my experience with HIPAA compliance", "my experience with HIPAA compliance"),
    (
        "added_point",
        "Point to add - I've shipped two iOS apps to the App Store",
        "I've shipped two iOS apps to the App Store",
    ),
    ("added_point", "messed up the SQL question, the answer is a LEFT JOIN", SLOT),
    (
        "added_point",
        "meant to say that I'm available to start in March",
        "I'm available to start in March",
    ),
    ("added_point", "I'm happy to do a take-home exercise", "I'm happy to do a take-home exercise"),
    ("added_point", "didn't mention I have a CPA license", "I have a CPA license"),
    ("added_point", "wish I'd talked more about my stakeholder work", "my stakeholder work"),
    # More as people type them: case, punctuation, quotes, lead-ins.
    ("discussed", '  "their on-call rotation."  ', "your on-call rotation"),
    ("discussed", "Discussion on their AWS costs", "your AWS costs"),
    ("discussed", "we went over the kpi dashboard", "the KPI dashboard"),
    (
        "discussed",
        "They still run everything on premises",
        "your team still runs everything on premises",
    ),
    ("discussed", "their approach to A/B testing", "your approach to A/B testing"),
    ("discussed", "Onboarding flow for new merchants", "onboarding flow for new merchants"),
    ("question", "asked why I want to move into product", "why I want to move into product"),
    ("question", "Why do you want to work here?", "why I want to work here"),
    ("question", "why should we hire you", "why you should hire me"),
    ("question", "Tell me about a time you failed", "a time I failed"),
    ("question", "experience w/ Looker", "my experience with Looker"),
    ("question", "where do you see yourself in 5 years", "where I see myself in 5 years"),
    ("discussed", "The team is 6 people, mostly remote", "the team is 6 people, mostly remote"),
    ("discussed", "the role reports to the VP of Finance", "the role reports to the VP of Finance"),
    ("discussed", "Mentioned the hiring freeze last year", "the hiring freeze last year"),
    ("discussed", "Remote work policy & travel", "remote work policy and travel"),
    ("discussed", "interesting convo about pricing", "pricing"),
    ("promised", "Portfolio", "my portfolio"),
    ("promised", "Send 2 references by Friday", "two references"),
    ("promised", "github link + resume", "my GitHub link and resume"),
    ("added_point", "Available from 1 March", "I am available from 1 March"),
    ("added_point", "Led the migration of 40 dbt models", "I led the migration of 40 dbt models"),
    ("added_point", "that I've used Tableau for 5 years", "I've used Tableau for 5 years"),
    (
        "discussed",
        "Chromebook rollout to 3,000 students",
        "the Chromebook rollout to 3,000 students",
    ),
    ("discussed", "Kafka migration", "the Kafka migration"),
    ("discussed", "how the company handles on-call", "how your company handles on-call"),
    ("discussed", "their recomendation engine", "your recommendation engine"),
    (
        "discussed",
        "migrating teh booking system off Oracle",
        "migrating the booking system off Oracle",
    ),
    (
        "discussed",
        "They still forecast demand in Excel and want to move to a proper tool",
        "your team still forecasts demand in Excel and wants to move to a proper tool",
    ),
    ("discussed", "Grace's team handles the flood claims", "Grace's team handles the flood claims"),
    ("promised", "Send them the deck", "the deck"),
    ("promised", "I'll email my writing sample tomorrow", "my writing sample"),
    ("added_point", "Also mention that I hold a PMP", "I hold a PMP"),
    (
        "added_point",
        "forgot to say I have led remote teams across three time zones",
        "I have led remote teams across three time zones",
    ),
]


@pytest.mark.parametrize(("kind", "note", "expected"), NOTES, ids=[n[1][:40] for n in NOTES])
def test_a_note_becomes_the_phrase_a_person_would_write(kind, note, expected):
    reader = "Dana Whitfield" if "Dana" in note else "Nadia Karim"
    phrase = phrase_for(note, kind=kind, company="Acme", recipient_name=reader)
    if expected is SLOT:
        assert (phrase.shape, phrase.text) == ("slot", SLOT_TEXT[kind])
        assert phrase.reason
    else:
        assert (phrase.text, phrase.is_slot) == (expected, False)


def test_the_table_holds_at_least_eighty_real_looking_notes():
    assert len(NOTES) >= 80
    assert {kind for kind, _, _ in NOTES} == {"discussed", "question", "promised", "added_point"}


def test_an_empty_note_says_nothing():
    phrase = phrase_for("  \n ", kind="discussed", company="Acme")
    assert phrase.is_empty
    assert sentence_for(phrase, stage="thank_you", phrasing=1) == ""
    assert preview_sentences(phrase) == []


def test_a_reader_outside_the_company_hears_the_company_by_name():
    phrase = phrase_for(
        "how they test their pipelines",
        kind="discussed",
        company="Acme",
        recipient_at_company=False,
    )
    assert phrase.text == "how Acme tests Acme's pipelines"


def test_a_note_naming_the_reader_is_never_pasted():
    phrase = phrase_for(
        "Nadia's migration plan", kind="discussed", company="Acme", recipient_name="Nadia Karim"
    )
    assert phrase.is_slot
    assert "Nadia" not in sentence_for(phrase, stage="thank_you", phrasing=1)


@pytest.mark.parametrize(
    ("kind", "note", "shape"),
    [
        ("discussed", "They still forecast demand in Excel", "that"),
        ("discussed", "Grace's team handles the flood claims", "that"),
        ("discussed", "how they route trucks", "clause"),
        ("discussed", "mentoring junior engineers", "gerund"),
        ("discussed", "the Kafka migration", "noun"),
        ("discussed", "dbt, Airflow and data contracts", "list"),
        ("added_point", "forgot to mention my Figma plugin has 2k users", "that"),
        ("added_point", "i should have mentioned i hold a PMP", "that"),
        ("added_point", "my AWS certification", "noun"),
        ("question", "asked me to walk through a DCF", "task"),
        ("question", "asked about testing strategy", "gerund"),
    ],
)
def test_each_note_gets_the_shape_that_decides_its_frame(kind, note, shape):
    assert phrase_for(note, kind=kind, company="Acme").shape == shape


def test_a_task_they_set_is_said_as_what_the_sender_did():
    phrase = phrase_for("asked me to walk through a DCF", kind="question", company="Acme")
    assert [sentence_for(phrase, stage="thank_you", phrasing=n) for n in (1, 2, 3)] == [
        "I enjoyed walking you through a DCF.",
        "Walking you through a DCF gave me plenty to think about.",
        "I enjoyed the exercise of walking you through a DCF.",
    ]


def test_a_typo_with_one_clear_answer_is_put_right_and_said_so():
    phrase = phrase_for("the data pipline migraton", kind="discussed", company="Acme")
    assert phrase.text == "the data pipeline migration"
    assert phrase.corrected == (("pipline", "pipeline"), ("migraton", "migration"))
    # Jargon and names the dictionary does not know are left alone.
    assert phrase_for("dbt and kubectl", kind="discussed", company="Acme").text == (
        "dbt and kubectl"
    )


def test_a_slip_is_offered_as_a_plain_addition_without_pointing_at_it():
    phrase = phrase_for(
        "should have said I'd use the Gordon growth method for the terminal value",
        kind="added_point",
        company="Acme",
    )
    sentences = [sentence_for(phrase, stage="thank_you", phrasing=n) for n in (1, 2, 3)]
    assert phrase.reworded
    assert sentences[0] == (
        "One thing I would like to add: I'd use the Gordon growth method for the terminal value."
    )
    for sentence in sentences:
        assert "should" not in sentence and "forgot" not in sentence


@pytest.mark.parametrize(
    ("note", "phrasing", "sentence"),
    [
        ("we talked about how they test data quality", 1,
         "I especially enjoyed our conversation about how your team tests data quality."),
        ("Migrating their nightly reports to dbt", 3,
         "Talking about migrating your nightly reports to dbt was the part I enjoyed most."),
        ("They're moving everything to Snowflake", 1,
         "I especially enjoyed hearing that your team is moving everything to Snowflake."),
        ("They're moving everything to Snowflake", 2,
         "It was a highlight for me to hear that your team is moving everything to "
         "Snowflake."),
        ("the Kafka migration", 2,
         "Our discussion about the Kafka migration was a highlight for me."),
    ],
)  # fmt: skip
def test_each_shape_gets_a_thank_you_sentence_that_suits_it(note, phrasing, sentence):
    phrase = phrase_for(note, kind="discussed", company="Acme")
    assert sentence_for(phrase, stage="thank_you", phrasing=phrasing) == sentence


def test_a_colleagues_detail_in_a_check_in_names_the_colleague():
    phrase = phrase_for("their data platform", kind="discussed", company="Acme")
    assert sentence_for(phrase, stage="check_in", phrasing=3, who="Dana Whitfield") == (
        "especially after talking with Dana Whitfield about your data platform"
    )


@pytest.mark.parametrize(
    ("note", "sentence"),
    [
        ("send my portfolio link", "As promised, here is my portfolio: [Paste the link here]"),
        ("references", "As promised, here are my references: [Paste the link here]"),
    ],
)
def test_a_promised_item_is_followed_by_the_link_slot(note, sentence):
    phrase = phrase_for(note, kind="promised", company="Acme")
    link = "[Paste the link here]"
    assert sentence_for(phrase, stage="thank_you", phrasing=1, link=link) == sentence


def test_the_three_phrasings_of_a_stage_say_a_note_differently():
    for kind, note in [
        ("discussed", "their data platform"),
        ("question", "asked about my dbt experience"),
        ("added_point", "I have led two migrations"),
        ("promised", "my portfolio"),
    ]:
        phrase = phrase_for(note, kind=kind, company="Acme")
        sentences = {sentence_for(phrase, stage="thank_you", phrasing=n) for n in (1, 2, 3)}
        assert len(sentences) == 3, kind


def test_a_slot_fits_the_placeholder_check_that_blocks_approval():
    from followup.rules.checks.content import check_placeholders

    for kind, text in SLOT_TEXT.items():
        [finding] = check_placeholders(f"I enjoyed it. {text}.")
        assert finding.severity == "error", kind
