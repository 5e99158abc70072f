"""Choices for the profile form: time zones, holiday countries and their regions."""

from __future__ import annotations

from functools import cache

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
        # The first alias of each code is its name; later ones are alternate spellings.
        if code in names and names[code] == code:
            names[code] = alias
    return names


def time_zone_choices() -> list[tuple[str, str]]:
    """Every IANA time zone name, sorted, as (value, label)."""
    return [(name, name.replace("_", " ")) for name in sorted(available_time_zones())]
