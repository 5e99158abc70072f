"""Choices for the profile form: time zones, holiday countries and their regions."""

from __future__ import annotations

import importlib.resources
from functools import cache
from pathlib import Path

import holidays
from holidays import registry

from followup.accounts.validators import available_time_zones, holiday_calendars

# Names the holidays registry spells in a way a reader would not.
_NAME_FIXES = {
    "dr_congo": "DR Congo",
    "guinea_bissau": "Guinea-Bissau",
    "hongkong": "Hong Kong",
    "timor_leste": "Timor-Leste",
    "ivory_coast": "Côte d\u2019Ivoire",
}
_SMALL_WORDS = {"and", "of", "the", "da"}


def _country_name(module_name: str) -> str:
    if module_name in _NAME_FIXES:
        return _NAME_FIXES[module_name]
    words = module_name.split("_")
    return " ".join(
        word if (i and word in _SMALL_WORDS) else word.capitalize() for i, word in enumerate(words)
    )


@cache
def country_names() -> dict[str, str]:
    """Two-letter code -> readable name, for every country with a holiday calendar."""
    names: dict[str, str] = {}
    for module_name, entry in registry.COUNTRIES.items():
        code = entry[1]
        if code in holiday_calendars():
            names[code] = _country_name(module_name)
    # A code the registry lists without a name still gets a choice.
    for code in holiday_calendars():
        if len(code) == 2 and code not in names:
            names[code] = code
    return names


def country_choices() -> list[tuple[str, str]]:
    """(code, "Name (CODE)") sorted by name, with an empty choice for "no holidays"."""
    ordered = sorted(country_names().items(), key=lambda item: item[1])
    return [("", "None — weekends only")] + [(code, f"{name} ({code})") for code, name in ordered]


@cache
def region_names(country: str) -> dict[str, str]:
    """Subdivision code -> a readable name (the code itself when the package has none)."""
    codes = holiday_calendars().get(country, ())
    if not codes:
        return {}
    try:
        calendar_class = type(holidays.country_holidays(country))
    except NotImplementedError:
        return {code: code for code in codes}
    names = {code: code for code in codes}
    aliases = getattr(calendar_class, "subdivisions_aliases", {}) or {}
    for alias, code in aliases.items():
        # The first alias of each code that reads as a name ("Guadeloupe", not "GP") is
        # its name; later ones are alternate spellings.
        if code in names and names[code] == code and alias != alias.upper():
            names[code] = alias
    return names


def region_choices(country: str) -> list[tuple[str, str]]:
    """The country's subdivisions as (code, name) for suggestions: real codes only.

    The holidays package also lists a few named areas among the codes (Germany's
    "Augsburg"); they stay valid when typed but are not offered beside the state codes.
    """
    return sorted(
        (code, name) for code, name in region_names(country).items() if code == code.upper()
    )


_SYSTEM_ZONEINFO = Path("/usr/share/zoneinfo")


def _tz_text(name: str) -> str:
    """A file of the time zone database: the tzdata package's copy, else the system's."""
    try:
        return importlib.resources.files("tzdata").joinpath("zoneinfo", name).read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        pass
    try:
        return (_SYSTEM_ZONEINFO / name).read_text("utf-8")
    except OSError:
        return ""


@cache
def _zone_countries() -> dict[str, str]:
    """Time zone name -> the one country it belongs to (zone.tab), links included."""
    countries: dict[str, str] = {}
    for line in _tz_text("zone.tab").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) >= 3:
            countries[parts[2]] = parts[0]
    # Old names ("US/Eastern", "Asia/Calcutta") are links to a zone listed above.
    for line in _tz_text("tzdata.zi").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "L" and parts[1] in countries:
            countries.setdefault(parts[2], countries[parts[1]])
    return countries


def country_for_time_zone(time_zone: str) -> str:
    """The holiday country a time zone implies (Europe/Berlin -> DE), or "" when it names none.

    "" means weekends only: better than another country's holidays (UTC, Etc/GMT+5).
    """
    country = _zone_countries().get(time_zone, "")
    return country if country in holiday_calendars() else ""


def time_zone_choices() -> list[tuple[str, str]]:
    """Every IANA time zone name, sorted, as (value, label)."""
    return [(name, name.replace("_", " ")) for name in sorted(available_time_zones())]
