"""Automatic replies: the headers that mark a machine's email, out-of-office wording, return dates.

Told from the email itself, whatever the ESP says about it (none of them agree): RFC 3834
Auto-Submitted and the common vendor headers, then the subject and the first lines of the
text in English, German, French and Spanish. The return date is read in the language the
notice is written in (dateparser), so "3/4" is the 4th of March in English and the 3rd of
April in German.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

# How far ahead a return date may plausibly lie.
MAX_ABSENCE = dt.timedelta(days=180)
# How much of the text is read: a notice says it in its first lines.
MAX_TEXT = 2000
LANGUAGES = ("en", "de", "fr", "es")
# Precedence values only machines send (RFC 3834 §3.1.8 names these as the ones a
# responder must not answer; "list" is a mailing list, which can carry a person's answer).
_MACHINE_PRECEDENCE = frozenset({"auto_reply", "bulk", "junk"})
_VENDOR_HEADERS = frozenset({"x-autoreply", "x-autorespond", "x-autoresponder"})

# A subject that opens like this is an automatic notice (Outlook, Gmail, Exchange and
# Apple Mail in each language), whatever follows it.
_SUBJECT_PREFIXES = {
    "en": r"automatic reply|auto[- ]?reply|autoreply|auto[- ]?response|out of (the )?office"
    r"|away from (the )?office|on vacation|on holiday|on leave|absence",
    "de": r"automatische antwort|abwesenheitsnotiz|abwesenheit|abwesend|au(ß|ss)er haus"
    r"|nicht im büro|im urlaub|urlaub",
    "fr": r"réponse automatique|reponse automatique|absence du bureau|absent(e)? du bureau"
    r"|message d'absence|absent(e)?|en congés?|hors du bureau|en vacances",
    "es": r"respuesta automática|respuesta automatica|fuera de (la )?oficina|ausente|ausencia"
    r"|de vacaciones|respuesta de ausencia",
}
# Wording of an absence in the text of an automatic email (or in any subject).
_ABSENCE_WORDS = {
    "en": r"out of (the )?office|away from (the )?office|away from my desk|on (annual |parental "
    r"|maternity |paternity |sick )?leave|on vacation|on holiday|away until|back in the office"
    r"|limited access to (my )?e-?mail|i will be back|i'll be back|i am currently away"
    r"|i'm currently away|returning on|i return on",
    "de": r"nicht im büro|abwesend|au(ß|ss)er haus|im urlaub|in urlaub|urlaubsbedingt"
    r"|wieder im büro|wieder erreichbar|eingeschränkt erreichbar|nicht erreichbar"
    r"|abwesenheitsnotiz|elternzeit|dienstreise",
    "fr": r"absente? du bureau|absente? jusqu|je suis absente?|je serai absente?|en congés?"
    r"|en vacances|de retour le|de retour au bureau|hors du bureau|accès limité"
    r"|congé maternité|congé parental",
    "es": r"fuera de (la )?oficina|de vacaciones|estoy ausente|estaré ausente|estare ausente"
    r"|estaré de vuelta|estare de vuelta|regresaré|regresare|volveré|volvere"
    r"|acceso limitado|de permiso|de baja",
}
_SUBJECT = {
    lang: re.compile(rf"^\W*(?:(?:re|aw|sv|fw|fwd|tr|rv)\s*:\s*)*(?:{words})\b", re.I)
    for lang, words in _SUBJECT_PREFIXES.items()
}
_ABSENCE = {lang: re.compile(rf"\b(?:{words})", re.I) for lang, words in _ABSENCE_WORDS.items()}

# A found date must hold a number, a weekday or "tomorrow" in its language: dateparser
# reads dates into stray words ("may", "now", the French "je").
_DAY_WORDS = {
    "en": r"tomorrow|(mon|tues?|wed(nes)?|thu(rs)?|fri|sat(ur)?|sun)(day)?",
    "de": r"morgen|übermorgen|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag",
    "fr": r"demain|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche",
    "es": r"mañana|lunes|martes|miércoles|miercoles|jueves|viernes|sábado|sabado|domingo",
}
_DATE_WORDS = {lang: re.compile(rf"\d|\b(?:{words})\b", re.I) for lang, words in _DAY_WORDS.items()}


def headers_say_automatic(headers: Iterable[tuple[str, str]]) -> bool:
    """Sent by a machine, by its headers (RFC 3834 Auto-Submitted and the vendor ones).

    `headers` are the (name, value) pairs as received.
    """
    for name, value in headers:
        key, text = name.strip().lower(), str(value).strip().lower()
        if key == "auto-submitted" and text and text != "no":
            return True
        if key in _VENDOR_HEADERS:
            return True
        if key == "precedence" and text in _MACHINE_PRECEDENCE:
            return True
    return False


def absence_language(*, subject: str, text: str, automatic: bool) -> str | None:
    """The language of an out-of-office notice, or None when the email is not one.

    A notice by its subject alone, whoever sent it; by its wording only when the email is
    automatic (a person may well write "I was out of the office last week").
    """
    for lang, pattern in _SUBJECT.items():
        if pattern.search(subject or ""):
            return _language_of(text) or lang
    if not automatic:
        return None
    return _language_of(f"{subject}\n{text}")


def _language_of(text: str) -> str | None:
    """The first language whose absence wording the text uses."""
    head = (text or "")[:MAX_TEXT]
    found = [(m.start(), lang) for lang, p in _ABSENCE.items() if (m := p.search(head))]
    return min(found)[1] if found else None


def return_date_in(
    text: str, *, received: dt.datetime, zone: dt.tzinfo = dt.UTC, language: str = "en"
) -> dt.date | None:
    """The date an out-of-office notice says they are back (the latest plausible one).

    Read in `language` (one of LANGUAGES; English for any other). Relative words
    ("tomorrow", "Montag") count from the day it arrived in `zone`, the user's: the dates
    it gives are the days the user's cadence plans with.
    """
    # Imported here, not at the top: it takes ~0.2 s, and every process loads the inbound
    # modules at start-up (MessagingConfig.ready) while only an out-of-office notice needs it.
    from dateparser.search import search_dates

    language = language if language in LANGUAGES else "en"
    base = received.astimezone(zone).replace(tzinfo=None)
    settings = {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": base,
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    if language != "en":
        # 02.04. is the 2nd of April in Germany, France and Spain (dateparser reads
        # numbers month first whatever the language unless told).
        settings["DATE_ORDER"] = "DMY"
    found = search_dates((text or "")[:MAX_TEXT], languages=[language], settings=settings)
    words = _DATE_WORDS[language]
    candidates = [
        when.date()
        for said, when in (found or [])
        if words.search(said) and base.date() < when.date() <= (base + MAX_ABSENCE).date()
    ]
    return max(candidates) if candidates else None


def same_absence(
    *, earlier_at: dt.datetime, earlier_return: dt.date | None, now: dt.datetime, default_days: int
) -> bool:
    """Whether a notice arriving `now` belongs to the absence an earlier one announced.

    Until the return date it gave (or `default_days` calendar days when it gave none),
    another notice from the same person is the same absence: not forwarded again.
    """
    if earlier_return is not None:
        return now.date() <= earlier_return
    return now - earlier_at <= dt.timedelta(days=default_days)
