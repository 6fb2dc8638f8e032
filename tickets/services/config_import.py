"""Importing a Rustmail ``config.toml``: what a migrating operator's file holds that this product
takes differently, translated rather than refused.

- Keys Rustmail renamed are read under their new name (``bot.enable_logs`` →
  ``bot.enable_rustmail_logs``), never dropped.
- Languages without a translation here (Rustmail's example lists ``es`` and ``de``) are left out
  of ``supported_languages``; a default or fallback language among them keeps its current value.
- Discord IDs that cannot be Discord IDs (Rustmail takes any number) and the example's
  placeholder token are left out; a logs or features flag whose channel was left out is turned
  off; a mode whose guild was left out is saved incomplete, for the panel's setup to finish.
- A ``redirect_url`` on localhost is the example's, not the operator's: it is left empty, so the
  login derives it from the address the panel is reached at.
- Keys this product does not know are left out.

Each of these is reported as a ``Note`` (the key and why); anything else invalid (a colour, a time
zone, a number out of range) still stops the import, naming its field, with nothing written.
"""

from __future__ import annotations

import base64
import copy
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from tickets.configschema import KEYS, SUPPORTED_LANGUAGES, ConfigInvalid, Key, coerce, path, validate_whole
from tickets.errors import InvalidInput
from tickets.models import BotConfig
from tickets.snowflake import InvalidSnowflake, parse_snowflake

from .config import config_update, unknown_keys

# Keys Rustmail renamed (old dotted path → new one), from its history.
RENAMED = {"bot.enable_logs": "bot.enable_rustmail_logs"}
# What a bot token looks like: three dot-separated base64url parts, the first the bot's user ID.
_TOKEN = re.compile(r"(?P<id>[A-Za-z0-9_-]{16,})\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{16,}")
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}
# Kinds whose invalid values are left out (with a note) rather than stopping the import.
_LENIENT = {"snowflake", "snowflakes"}


@dataclass(frozen=True)
class Note:
    """One adjustment made to the file: the key (dotted path) and why."""

    key: str
    reason: str

    def __str__(self) -> str:
        return f"{self.key}: {self.reason}"


def _table(data: dict[str, Any], dotted: str) -> tuple[dict[str, Any] | None, str]:
    *parents, name = dotted.split(".")
    table: Any = data
    for parent in parents:
        table = table.get(parent) if isinstance(table, dict) else None
    return (table if isinstance(table, dict) else None), name


def _pop(data: dict[str, Any], dotted: str) -> Any:
    table, name = _table(data, dotted)
    return None if table is None else table.pop(name, None)


def _get(data: dict[str, Any], dotted: str, default: Any = None) -> Any:
    table, name = _table(data, dotted)
    return default if table is None else table.get(name, default)


def _set(data: dict[str, Any], dotted: str, value: Any) -> None:
    table, name = _table(data, dotted)
    if table is not None:
        table[name] = value


def _has(data: dict[str, Any], dotted: str) -> bool:
    table, name = _table(data, dotted)
    return table is not None and name in table


def prepare_rustmail_config(
    data: dict[str, Any], current: dict[str, Any]
) -> tuple[dict[str, Any], list[Note]]:
    """The file's content ready for ``config_update``, and the notes on what was changed and why.

    ``current`` is the stored configuration (``BotConfig.values()``), against which the rules
    across keys are checked. Raises ``InvalidInput`` for a value that must stop the import."""
    data = copy.deepcopy(data)
    notes: list[Note] = []
    for old, new in RENAMED.items():
        if _has(data, old):
            value = _pop(data, old)
            if _has(data, new):
                notes.append(Note(old, _("dropped: %(new)s is set as well") % {"new": new}))
            else:
                _set(data, new, value)
                notes.append(Note(old, _("renamed by Rustmail: read as %(new)s") % {"new": new}))
    for key in unknown_keys(data):
        _pop(data, key)
        notes.append(Note(key, _("dropped: unknown to this product")))
    _languages(data, notes)
    token = _get(data, "bot.token")
    if isinstance(token, str) and token and not _plausible_token(token):
        _pop(data, "bot.token")
        notes.append(Note("bot.token", _("dropped: an example's placeholder, not a bot token")))
    redirect = _get(data, "bot.redirect_url")
    if isinstance(redirect, str) and redirect and (urlsplit(redirect).hostname or "") in _LOCAL_HOSTS:
        _set(data, "bot.redirect_url", "")
        notes.append(
            Note("bot.redirect_url", _("left empty: derived from the address the panel is reached at"))
        )
    values = dict(current)
    for key in KEYS:
        dotted = path(key)
        if not _has(data, dotted):
            continue
        try:
            values[key.field] = coerce(key, _get(data, dotted))
        except ConfigInvalid as error:
            if key.kind not in _LENIENT:
                raise InvalidInput(str(error)) from error
            _pop(data, dotted)
            notes.append(Note(dotted, _("dropped: %(error)s") % {"error": error.message}))
    _settle_rules(data, values, notes)
    return data, notes


def _plausible_token(token: str) -> bool:
    """A bot token's first part is its bot's user ID in base64: an example's made-up token is not."""
    match = _TOKEN.fullmatch(token)
    if match is None:
        return False
    part = match["id"]
    try:
        user_id = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode("ascii")
        parse_snowflake(user_id)
    except (ValueError, InvalidSnowflake):
        return False
    return True


def _languages(data: dict[str, Any], notes: list[Note]) -> None:
    supported = _get(data, "language.supported_languages")
    if isinstance(supported, list):
        kept = [code for code in supported if code in SUPPORTED_LANGUAGES]
        left_out = [str(code) for code in supported if code not in SUPPORTED_LANGUAGES]
        if left_out:
            notes.append(
                Note(
                    "language.supported_languages",
                    _("dropped %(codes)s: no translation in this product (it has %(known)s)")
                    % {"codes": ", ".join(left_out), "known": ", ".join(SUPPORTED_LANGUAGES)},
                )
            )
            if kept:
                _set(data, "language.supported_languages", kept)
            else:
                _pop(data, "language.supported_languages")
    for name in ("default_language", "fallback_language"):
        value = _get(data, f"language.{name}")
        if value is not None and value not in SUPPORTED_LANGUAGES:
            _pop(data, f"language.{name}")
            notes.append(
                Note(
                    f"language.{name}",
                    _("dropped %(code)s: no translation in this product") % {"code": value},
                )
            )


def _field(dotted: str) -> Key:
    return next(key for key in KEYS if path(key) == dotted)


def _settle_rules(data: dict[str, Any], values: dict[str, Any], notes: list[Note]) -> None:
    """Apply the rules across keys; a flag whose channel was left out is turned off, a language
    rule broken by the languages left out falls back to the first supported one."""
    for _attempt in range(len(KEYS)):
        try:
            validate_whole(values, guilds_required=False)
            return
        except ConfigInvalid as error:
            where = error.field
            if where in ("bot.logs_channel_id", "bot.features_channel_id"):
                flags = (
                    ("bot.enable_rustmail_logs", "bot.enable_discord_logs")
                    if where == "bot.logs_channel_id"
                    else ("bot.enable_features",)
                )
                for flag in flags:
                    if values[_field(flag).field]:
                        _set(data, flag, False)
                        values[_field(flag).field] = False
                        notes.append(Note(flag, _("turned off: %(error)s") % {"error": error}))
            elif where in ("language.default_language", "language.fallback_language"):
                fallback = values["language_supported_languages"][0]
                data.setdefault("language", {})[where.split(".")[1]] = fallback
                values[_field(where).field] = fallback
                notes.append(
                    Note(where, _("set to %(code)s: %(error)s") % {"code": fallback, "error": error})
                )
            else:
                raise InvalidInput(str(error)) from error
    raise InvalidInput(_("The configuration's rules across keys cannot be met."))


def config_import_rustmail(*, data: dict[str, Any], saved_by: str) -> tuple[BotConfig, list[Note]]:
    """Import a Rustmail ``config.toml`` (parsed) into the configuration, as the operator's own
    command (it may change who uses the panel). Returns the saved configuration and the notes on
    what was renamed, dropped or adjusted. ``InvalidInput`` names the field that stops it; then
    nothing is written."""
    current = BotConfig.load().values()
    prepared, notes = prepare_rustmail_config(data, current)
    cfg = config_update(
        data=prepared, saved_by=saved_by, strict=True, may_change_access=True, guilds_required=False
    )
    return cfg, notes
