"""Strict readers for configuration that comes from the environment.

A value that does not parse is an error at start-up, never a silent default:
`DEBUG=ture` must not quietly run production with debug off (or on).
Every reader also accepts `<NAME>_FILE`, the path of a file holding the value,
so secrets can come from Docker or Kubernetes secret mounts.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_MISSING = object()


def raw(name: str, default: object = _MISSING) -> str | None:
    """Return the variable's text, read from `<NAME>_FILE` when that is set."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            return Path(file_path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_path!r} cannot be read: {exc}") from exc
    value = os.environ.get(name)
    if value is None or value == "":
        if default is _MISSING:
            raise ImproperlyConfigured(f"Set the environment variable {name}.")
        return default  # type: ignore[return-value]
    return value


def string(name: str, default: str | object = _MISSING) -> str:
    return raw(name, default)  # type: ignore[return-value]


def boolean(name: str, default: bool) -> bool:
    value = raw(name, None)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a boolean; use one of true/false, 1/0, yes/no, on/off."
    )


def integer(name: str, default: int, *, minimum: int | None = None) -> int:
    value = raw(name, None)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from exc
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}.")
    return number


def string_list(name: str, default: list[str]) -> list[str]:
    value = raw(name, None)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def prefixed(prefix: str) -> dict[str, str]:
    """All variables named `<prefix><KEY>` as {KEY: value}, e.g. ANYMAIL_* for Anymail."""
    found: dict[str, str] = {}
    for name in sorted(os.environ):
        if not name.startswith(prefix) or name == prefix:
            continue
        key = name[len(prefix) :]
        if key.endswith("_FILE"):
            key = key[: -len("_FILE")]
        found[key] = raw(prefix + key)  # type: ignore[assignment]
    return found


_ADDRESS = re.compile(r"[^@\s<>,]+@[^@\s<>,]+\.[^@\s<>,]+")
_NAMED_ADDRESS = re.compile(r"(?P<name>[^<>,]*?)\s*<(?P<address>[^<>]*)>")


def admins(name: str) -> list[tuple[str, str]]:
    """`Name <address>, other@example.com` as Django's ADMINS: [(name, address), ...].

    A bare address is its own name. Anything else (a name without <>, an address without
    an @ or a dot in its domain, an empty item between commas) is refused.
    """
    value = raw(name, None)
    if value is None:
        return []
    found: list[tuple[str, str]] = []
    for item in value.split(","):
        item = item.strip()
        named = _NAMED_ADDRESS.fullmatch(item)
        person, address = (named["name"].strip(), named["address"].strip()) if named else ("", item)
        if not _ADDRESS.fullmatch(address):
            raise ImproperlyConfigured(
                f"{name}={value!r}: {item!r} is not an email address; "
                'write "Name <address>, other@example.com".'
            )
        found.append((person or address, address))
    return found
