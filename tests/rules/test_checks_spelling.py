"""The spelling check: flags misspellings; never names, acronyms, addresses or trade words."""

from __future__ import annotations

import pytest

from followup.rules.checks import spelling
from tests.builders.checks import NAMES, TEMPLATE, codes, spans_text


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
