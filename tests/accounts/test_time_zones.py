"""Only real places (Area/City) and UTC are offered and accepted as time zones."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from followup.accounts.choices import time_zone_choices
from followup.accounts.validators import validate_time_zone

ODD_ZONES = ("localtime", "Factory", "EST", "Japan", "GMT")


@pytest.mark.parametrize("name", ODD_ZONES)
def test_the_validator_refuses_a_zone_that_is_no_place(name):
    with pytest.raises(ValidationError) as refused:
        validate_time_zone(name)

    assert refused.value.code == "unknown_time_zone"


@pytest.mark.parametrize("name", ["UTC", "Europe/Berlin", "America/New_York", "Etc/GMT+5"])
def test_the_validator_accepts_area_city_names_and_utc(name):
    validate_time_zone(name)


def test_the_choices_offer_no_zone_without_a_slash_but_utc():
    values = [value for value, _ in time_zone_choices()]

    assert "UTC" in values
    assert "Europe/Berlin" in values
    assert [value for value in values if "/" not in value] == ["UTC"]
    assert not {"localtime", "Factory"} & set(values)
