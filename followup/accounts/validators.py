"""Validators for the sender's profile: time zone and public-holiday calendar."""

from __future__ import annotations

import zoneinfo
from functools import cache

import holidays
from django.core.exceptions import ValidationError


@cache
def available_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


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
    if region and region not in holiday_calendars().get(country, ()):
        raise ValidationError(
            {"region": f"“{region}” is not a region of {country or 'that country'}."},
            code="unknown_region",
        )
