"""Small word lists and English rules the phrasing needs (kept here, out of the logic)."""

from __future__ import annotations

import re

WH_WORDS = ("how", "why", "what", "whether", "when", "where", "which", "who", "if")
PREPOSITIONS = (
    "of", "to", "for", "with", "in", "on", "about", "from", "at", "by", "into", "across",
    "behind", "between", "over", "under", "after", "before", "during", "around",
)  # fmt: skip
DETERMINERS = frozenset(
    "a an the my our your his her its this that these those some any two three few".split()  # noqa: SIM905
)
# Small counts as a letter writes them ("two references").
NUMBER_WORDS = {
    str(n): word
    for n, word in enumerate("zero one two three four five six seven eight nine ten".split())  # noqa: SIM905
}
# Words in -ing that are things, not actions ("pricing", not "pricing the product").
ING_NOUNS = frozenset(
    """thing something anything nothing everything string spring ring king ceiling morning
    evening meeting offering pricing hiring onboarding engineering marketing training
    funding tooling logging routing billing banking lending underwriting accounting
    forecasting housing clothing shipping planning""".split()  # noqa: SIM905 - a word list reads better as prose
)
# Things that are one of many (a rollout, a migration): "Kafka migration" needs its "the".
COUNTABLE_HEADS = frozenset(
    """rollout migration launch redesign project roadmap plan bid app platform system reorg
    pipeline initiative program programme rebuild rewrite upgrade acquisition merger expansion
    integration dashboard release campaign audit pilot study case""".split()  # noqa: SIM905
)
# Words that start a note with a capital only because they start it.
FUNCTION_WORDS = frozenset(
    """the a an our their your his her its my this that these those how why what whether when
    where which who some any all each both more most new next main current first last""".split()  # noqa: SIM905 - a word list reads better as prose
)
# Lower-case acronyms typed in a hurry, as they are written.
ACRONYMS = {
    word.lower(): word
    for word in """SQL AWS GCP API APIs ETL ELT CI/CD KPI KPIs OKR OKRs ML AI UI UX QA SRE SaaS
    B2B B2C CRM ERP HR ROI P&L IPO SLA SLAs SLOs DCF LBO EBITDA GAAP IFRS CFO CTO CEO COO VP
    MVP PR PRs JSON REST GDPR SOC iOS""".split()  # noqa: SIM905 - a word list reads better as prose
}
# Products and languages people type in lower case (and start a note with).
PRODUCTS = {
    word.lower(): word
    for word in """Python Java JavaScript TypeScript Kafka Spark Airflow Snowflake Postgres
    PostgreSQL Excel Tableau Looker Salesforce Kubernetes Docker React Figma Jira GitHub GitLab
    LinkedIn BigQuery Redshift Databricks Terraform Stripe Shopify Oracle HubSpot Power""".split()  # noqa: SIM905 - a word list reads better as prose
}
# Verbs a note joins to the first with "and" ("they test it and want to ...").
COMMON_VERBS = (
    "want", "need", "plan", "hope", "use", "have", "are", "do", "expect", "intend", "run",
    "build", "test", "keep", "rely", "ship", "track", "review", "measure", "hire",
)  # fmt: skip
_IRREGULAR = {
    "are": "is",
    "have": "has",
    "do": "does",
    "go": "goes",
    "were": "was",
    "don't": "doesn't",
}
_UNCHANGED = frozenset(
    """will would can could should might must may shall did had was is has does doesn't
    won't can't couldn't wouldn't shouldn't didn't""".split()  # noqa: SIM905 - a word list reads better as prose
)


def third_person(verb: str) -> str:
    """ "test" -> "tests" for "your team tests"; past and modal forms stay as they are."""
    lower = verb.lower()
    if lower in _IRREGULAR:
        return _IRREGULAR[lower]
    if lower in _UNCHANGED or lower.endswith(("ed", "n't")) or not lower.isalpha():
        return verb
    if re.search(r"(?:s|sh|ch|x|z|o)$", lower):
        return verb + "es"
    if re.search(r"[^aeiou]y$", lower):
        return verb[:-1] + "ies"
    return verb + "s"


def is_plural(noun_phrase: str) -> bool:
    """Whether "here is" or "here are": by the head noun, the last word before a preposition."""
    if re.search(r"\b(?:and|&)\b", noun_phrase):
        return True
    head = re.split(rf"\s+(?:{'|'.join(PREPOSITIONS)})\s+", noun_phrase, maxsplit=1)[0]
    last = head.split()[-1].lower()
    if last in {"details", "notes", "slides", "references", "results", "samples", "links"}:
        return True
    return bool(re.search(r"[^su']s$", last)) and not last.endswith(("ics", "ss", "news", "ous"))


_DOUBLED = frozenset({"run", "plan", "map", "set", "get", "put", "stop", "swap", "ship"})


def gerund(verb: str) -> str:
    """ "walk" -> "walking", "describe" -> "describing", "plan" -> "planning"."""
    lower = verb.lower()
    if lower in _DOUBLED:
        return lower + lower[-1] + "ing"
    if lower.endswith("ie"):
        return lower[:-2] + "ying"
    if lower.endswith("e") and not lower.endswith(("ee", "ye", "oe")):
        return lower[:-1] + "ing"
    return lower + "ing"
