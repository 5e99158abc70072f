"""Automatic replies told from the email itself, in English, German, French and Spanish."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from followup.rules.autoreply import (
    absence_language,
    headers_say_automatic,
    return_date_in,
    same_absence,
)
from followup.rules.mail_domains import company_domain

# Wednesday 12 March 2025, 15:00 UTC.
NOW = dt.datetime(2025, 3, 12, 15, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ([("Auto-Submitted", "auto-replied")], True),
        ([("auto-submitted", "auto-generated; owner-email=x@y.example")], True),
        ([("Auto-Submitted", "no")], False),
        ([("X-Autoreply", "yes")], True),
        ([("X-Autorespond", "Out of office")], True),
        ([("Precedence", "auto_reply")], True),
        ([("Precedence", "bulk")], True),
        ([("Precedence", "list")], False),
        ([("Subject", "Out of office"), ("From", "dana@acme.example")], False),
        ([], False),
    ],
)
def test_it_tells_a_machines_email_by_its_headers(headers, expected):
    assert headers_say_automatic(headers) is expected


# A corpus of real-world notices: subject, text, whether the headers say automatic, the
# language, and the return date it gives (None: none).
CORPUS = [
    (
        "Automatic reply: Thank you - Data Engineer interview",
        "I am out of the office with limited access to email and will be back on Monday, 24 March.",
        True,
        "en",
        dt.date(2025, 3, 24),
    ),
    (
        "Re: Thank you",
        "Thank you for your email. I am currently away until 3/20 and will reply then.",
        True,
        "en",
        dt.date(2025, 3, 20),
    ),
    (
        "Out of Office",
        "I am on parental leave and will answer when I return.",
        False,
        "en",
        None,
    ),
    (
        "Automatische Antwort: Vielen Dank für das Gespräch",
        "Vielen Dank für Ihre Nachricht. Ich bin bis einschließlich 21. März nicht im Büro. "
        "Ab Montag, dem 24. März, bin ich wieder erreichbar.",
        True,
        "de",
        dt.date(2025, 3, 24),
    ),
    (
        "Abwesenheitsnotiz",
        "Ich bin im Urlaub und ab dem 02.04.2025 wieder im Büro.",
        False,
        "de",
        dt.date(2025, 4, 2),
    ),
    (
        "AW: Bewerbung",
        "Ich bin bis 3.4. abwesend. In dringenden Fällen wenden Sie sich an Frau Weber.",
        True,
        "de",
        dt.date(2025, 4, 3),
    ),
    (
        "Réponse automatique : Merci pour l'entretien",
        "Je suis absente du bureau et serai de retour le lundi 24 mars.",
        True,
        "fr",
        dt.date(2025, 3, 24),
    ),
    (
        "Absence du bureau",
        "Bonjour, je suis en congés jusqu'au 28/03/2025 inclus.",
        False,
        "fr",
        dt.date(2025, 3, 28),
    ),
    (
        "Re: Entretien",
        "Je suis en vacances, de retour demain.",
        True,
        "fr",
        dt.date(2025, 3, 13),
    ),
    (
        "Respuesta automática: Gracias por la entrevista",
        "Estoy fuera de la oficina hasta el 24 de marzo.",
        True,
        "es",
        dt.date(2025, 3, 24),
    ),
    (
        "Fuera de la oficina",
        "Estaré de vacaciones y regresaré el lunes 7 de abril de 2025.",
        False,
        "es",
        dt.date(2025, 4, 7),
    ),
    (
        "RE: Candidatura",
        "Gracias por su mensaje. Estoy ausente; volveré el 31/03.",
        True,
        "es",
        dt.date(2025, 3, 31),
    ),
]


@pytest.mark.parametrize(("subject", "text", "automatic", "language", "back"), CORPUS)
def test_it_reads_an_out_of_office_notice_and_its_return_date(
    subject, text, automatic, language, back
):
    found = absence_language(subject=subject, text=text, automatic=automatic)

    assert found == language
    assert return_date_in(f"{subject}\n{text}", received=NOW, language=found) == back


@pytest.mark.parametrize(
    ("subject", "text", "automatic"),
    [
        # A person's answer that mentions an absence is still their answer.
        ("Re: Thank you", "I was out of the office last week, sorry. Can we talk Friday?", False),
        ("AW: Bewerbung", "Ich war im Urlaub. Passt Ihnen Freitag um 10 Uhr?", False),
        ("RE: Entretien", "J'étais en congés. Êtes-vous disponible vendredi ?", False),
        ("RE: Entrevista", "Estuve de vacaciones. ¿Le va bien el viernes?", False),
        # An automatic receipt is automatic, but no absence.
        ("We received your message", "This is an automated confirmation.", True),
    ],
)
def test_a_reply_that_mentions_an_absence_is_no_notice(subject, text, automatic):
    assert absence_language(subject=subject, text=text, automatic=automatic) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I am away until Monday, 24 March, with limited access to email.", dt.date(2025, 3, 24)),
        ("Out from March 13 until March 17; I return on March 18.", dt.date(2025, 3, 18)),
        ("I am out of the office and will answer when I return.", None),
        ("I may reply late. Call 555-0100 if urgent.", None),
        # Further than half a year ahead is not a plausible return.
        ("Back on 1 January 2027.", None),
    ],
)
def test_it_reads_english_return_dates(text, expected):
    assert return_date_in(text, received=NOW) == expected


def test_tomorrow_counts_from_the_day_it_arrived_in_the_users_zone():
    late_evening = dt.datetime(2025, 3, 13, 2, 0, tzinfo=dt.UTC)  # Wednesday in New York
    new_york = zoneinfo.ZoneInfo("America/New_York")

    assert return_date_in(
        "Ich bin morgen wieder da.", received=late_evening, zone=new_york, language="de"
    ) == dt.date(2025, 3, 13)


@pytest.mark.parametrize(
    ("earlier_return", "now", "expected"),
    [
        (dt.date(2025, 3, 24), dt.datetime(2025, 3, 20, tzinfo=dt.UTC), True),
        (dt.date(2025, 3, 24), dt.datetime(2025, 3, 24, 23, tzinfo=dt.UTC), True),
        (dt.date(2025, 3, 24), dt.datetime(2025, 3, 25, tzinfo=dt.UTC), False),
        (None, dt.datetime(2025, 3, 20, tzinfo=dt.UTC), True),
        (None, dt.datetime(2025, 4, 1, tzinfo=dt.UTC), False),
    ],
)
def test_a_second_notice_before_the_return_is_the_same_absence(earlier_return, now, expected):
    assert (
        same_absence(earlier_at=NOW, earlier_return=earlier_return, now=now, default_days=14)
        is expected
    )


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("hr@Acme.example", "acme.example"),
        ("dana@mail.acme.example", "mail.acme.example"),
        ("someone@gmail.com", None),
        ("someone@GMX.de", None),
        ("not-an-address", None),
        ("@acme.example", None),
    ],
)
def test_only_a_companys_own_domain_names_it(address, expected):
    assert company_domain(address) == expected
