"""Validators for the sender's profile: time zone and public-holiday calendar."""

from __future__ import annotations

import zoneinfo
from functools import cache

import holidays
from django.core.exceptions import ValidationError


def is_offered_time_zone(name: str) -> bool:
    """A zone a person can live in: Area/City (Etc/GMT+5 too) or UTC.

    Names without a "/" are the system's oddities ("localtime" follows the server, "Factory"
    is no place) or old aliases ("EST", "Japan") with a Region/City name to use instead.
    """
    return name == "UTC" or ("/" in name and not name.startswith(("posix/", "right/")))


@cache
def available_time_zones() -> frozenset[str]:
    """The IANA time zones we offer and accept."""
    return frozenset(name for name in zoneinfo.available_timezones() if is_offered_time_zone(name))


def validate_time_zone(value: str) -> None:
    if value not in available_time_zones():
        raise ValidationError(
            "“%(value)s” is not a time zone we know. Use a name like Europe/Berlin.",
            code="unknown_time_zone",
            params={"value": value},
        )


@cache
def holiday_calendars() -> dict[str, tuple[str, ...]]:
    """Country code -> its subdivision codes, as the holidays package supports them."""
    return {code: tuple(subdivs) for code, subdivs in holidays.list_supported_countries().items()}


def validate_country(value: str) -> None:
    if value and value not in holiday_calendars():
        raise ValidationError(
            "“%(value)s” is not a country we have public holidays for.",
            code="unknown_country",
            params={"value": value},
        )


def validate_region(*, country: str, region: str) -> None:
    """A region must be one of the country's holiday subdivisions, e.g. CA for US."""
    if not region:
        return
    if not country:
        raise ValidationError(
            {"region": "Pick a country first, or leave the region empty."}, code="unknown_region"
        )
    # Short upper-case codes first; the few named areas (e.g. "Augsburg") after them.
    codes = sorted(holiday_calendars().get(country, ()), key=lambda c: (not c.isupper(), c))
    if region in codes:
        return
    if not codes:
        message = f"{country} has no regional holidays in our calendar; leave the region empty."
    else:
        shown = ", ".join(codes[:20]) + (", …" if len(codes) > 20 else ".")
        message = f"“{region}” is not a region of {country}. Use one of: {shown}"
    raise ValidationError({"region": message}, code="unknown_region")
