"""Strict readers for the environment.

Every setting is read here, once. A malformed value never raises at import time (that would hide
every other problem behind the first one); it is recorded in ``ERRORS`` with the variable's name and
the default is used, then the system checks in ``rustmail.checks`` refuse to start with all of them.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import tempfile
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from tickets.snowflake import is_snowflake

_TRUE = {"1", "true", "yes", "on"}
# Where a generated SECRET_KEY is kept, inside DATA_DIR.
SECRET_KEY_FILE = "secret_key"
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
    """A Discord ID, as ``tickets.snowflake`` parses it (ASCII digits, 17 to 20, canonical)."""
    value = _raw(name)
    if value is None:
        return None
    if not is_snowflake(value):
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


def _weak_secret_key(value: str) -> bool:
    """Django's own rule for a production key (``security.W009``): 50 characters or more, at least
    5 different ones, and not a key ``startproject`` marked insecure."""
    return len(value) < 50 or len(set(value)) < 5 or value.startswith("django-insecure-")


def _kept_secret_key(data_dir: Path) -> tuple[str | None, bool]:
    """The key kept in ``DATA_DIR/secret_key``, generated on first use: ``(key, generated)``;
    ``(None, False)`` when the folder is not writable.

    Written under another name and linked into place, so processes starting together (``runall``)
    end up with the same key, and never read a half-written file."""
    path = data_dir / SECRET_KEY_FILE
    try:
        existing = path.read_text(encoding="ascii").strip()
        if existing:
            return existing, False
    except FileNotFoundError:
        pass
    except OSError:
        return None, False
    key = secrets.token_urlsafe(64)
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=".secret_key-", dir=data_dir)
    except OSError:
        return None, False
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:  # mkstemp: mode 0600
            handle.write(key + "\n")
        os.link(temporary, path)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip() or None, False
    except OSError:
        return None, False
    finally:
        os.unlink(temporary)
    return key, True


def env_secret_key(*, debug: bool, development_default: str, data_dir: Path) -> str:
    """SECRET_KEY from the environment; unset, a random key generated once and kept in
    ``DATA_DIR/secret_key`` (mode 0600), so a new installation just works and its sessions survive
    restarts. Without DEBUG a weak key (Django's rule: under 50 characters, fewer than 5 different
    ones) or the development default is an error.

    Django refuses an empty key on first use, so a problem is recorded as an error and a
    placeholder keeps the settings importable until the system checks stop startup.
    """
    value = _raw("SECRET_KEY")
    if value is not None:
        if value == development_default and not debug:
            _fail("SECRET_KEY", "SECRET_KEY is the development default while DEBUG is off.", "rustmail.E006")
        elif _weak_secret_key(value) and not debug:
            _fail(
                "SECRET_KEY",
                "SECRET_KEY is too weak: use at least 50 random characters (at least 5 different), "
                "or unset it to have one generated in DATA_DIR.",
                "rustmail.E006",
            )
        return value
    key, generated = _kept_secret_key(data_dir)
    if key is None:
        if not debug:
            _fail(
                "SECRET_KEY",
                f"SECRET_KEY is not set and {data_dir / SECRET_KEY_FILE} cannot be written "
                "(set SECRET_KEY, or make DATA_DIR writable).",
                "rustmail.E006",
            )
        return development_default
    if generated:
        logging.getLogger("rustmail.settings").warning(
            "SECRET_KEY is not set: generated one and kept it in %s (mode 0600).", data_dir / SECRET_KEY_FILE
        )
    return key


def env_proxy_header(name: str) -> tuple[str, str] | None:
    """The header a TLS-terminating proxy sets on HTTPS requests (``X-Forwarded-Proto``, or
    ``X-Forwarded-Proto: https`` to name the value too) as Django's ``SECURE_PROXY_SSL_HEADER``."""
    value = _raw(name)
    if value is None:
        return None
    header, _, expected = value.partition(":")
    header, expected = header.strip(), (expected.strip() or "https")
    if not re.fullmatch(r"[A-Za-z0-9-]+", header) or not re.fullmatch(r"[\x21-\x7e]+", expected):
        _fail(name, f"{name}={value!r} is not a header name such as X-Forwarded-Proto.", "rustmail.E010")
        return None
    return "HTTP_" + header.upper().replace("-", "_"), expected
