"""Strict readers for the environment.

Every setting is read here, once. A malformed value never raises at import time (that would hide
every other problem behind the first one); it is recorded in ``ERRORS`` with the variable's name and
the default is used, then the system checks in ``rustmail.checks`` refuse to start with all of them.
"""

from __future__ import annotations

import os
import zoneinfo
from dataclasses import dataclass
from urllib.parse import urlparse

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class EnvError:
    """One malformed variable: its name, what was wrong, and the check ID that reports it."""

    variable: str
    message: str
    check_id: str


ERRORS: list[EnvError] = []


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def _fail(name: str, message: str, check_id: str) -> None:
    ERRORS.append(EnvError(name, message, check_id))


def env_bool(name: str, default: bool) -> bool:
    """A boolean: true/false, yes/no, on/off or 1/0 (any case); anything else is an error."""
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    _fail(name, f"{name}={value!r} is not a boolean (use true or false).", "rustmail.E001")
    return default


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """An integer within optional bounds."""
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        _fail(name, f"{name}={value!r} is not an integer.", "rustmail.E002")
        return default
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        _fail(name, f"{name}={number} is outside {minimum}..{maximum}.", "rustmail.E002")
        return default
    return number


def env_str(name: str, default: str = "") -> str:
    """A free string (leading and trailing spaces removed)."""
    value = _raw(name)
    return default if value is None else value


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """One of ``choices`` (compared in upper case, as log levels are written)."""
    value = _raw(name)
    if value is None:
        return default
    if value.upper() not in choices:
        _fail(name, f"{name}={value!r} is not one of {', '.join(choices)}.", "rustmail.E009")
        return default
    return value.upper()


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list; empty items are dropped."""
    value = _raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_snowflake(name: str) -> int | None:
    """A Discord ID: digits only, up to 20 of them."""
    value = _raw(name)
    if value is None:
        return None
    if not value.isdigit() or len(value) > 20 or int(value) >= 2**63:
        _fail(name, f"{name}={value!r} is not a Discord ID (digits only).", "rustmail.E003")
        return None
    return int(value)


def env_url(name: str, *, schemes: tuple[str, ...]) -> str | None:
    """A URL whose scheme is one of ``schemes`` and which names a host (or a file for SQLite)."""
    value = _raw(name)
    if value is None:
        return None
    parsed = urlparse(value)
    if parsed.scheme not in schemes or (parsed.scheme != "sqlite" and not parsed.netloc):
        _fail(
            name,
            f"{name}={value!r} is not a valid URL (expected a scheme among {', '.join(schemes)}).",
            "rustmail.E004",
        )
        return None
    return value


def env_timezone(name: str, default: str) -> str:
    """An IANA time zone name such as Europe/Paris."""
    value = _raw(name)
    if value is None:
        return default
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        _fail(name, f"{name}={value!r} is not an IANA time zone (e.g. Europe/Paris).", "rustmail.E005")
        return default
    return value


def env_secret_key(*, debug: bool, development_default: str) -> str:
    """SECRET_KEY: required unless DEBUG is on, when a development default stands in.

    Django refuses an empty key on first use, so a missing one is recorded as an error and a
    placeholder keeps the settings importable until the system checks stop startup.
    """
    value = _raw("SECRET_KEY")
    if value is not None:
        if value == development_default and not debug:
            _fail("SECRET_KEY", "SECRET_KEY is the development default while DEBUG is off.", "rustmail.E006")
        return value
    if not debug:
        _fail(
            "SECRET_KEY",
            "SECRET_KEY is not set (set a long random string, or DEBUG=true for a development default).",
            "rustmail.E006",
        )
    return development_default
