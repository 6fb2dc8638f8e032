"""Reading and replacing the bot configuration as Rustmail's nested object (eight sections).

The shape is the one of ``config.toml`` and of ``GET/PUT /api/bot/config``: ``bot`` (with its
nested ``mode`` table), ``command``, ``thread``, ``language``, ``error_handling``, ``notifications``,
``reminders`` and ``logs``. Every save keeps the previous configuration as a ``ConfigRevision``
(Rustmail keeps a backup file), its secrets masked. Who may use the panel is not ManageConfig's to
decide: see ``config_update``'s ``may_change_access``.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tickets import events
from tickets.configschema import (
    KEYS,
    MASKED_KEYS,
    SECTIONS,
    ConfigInvalid,
    Key,
    coerce,
    mask,
    path,
    validate_whole,
)
from tickets.errors import InvalidInput, PermissionDenied
from tickets.models import BotConfig, ConfigRevision

_MISSING = object()


def _is_masked(key: Key) -> bool:
    return (key.section, key.name) in MASKED_KEYS


def config_as_dict(*, masked: bool = True, cfg: BotConfig | None = None) -> dict[str, dict[str, Any]]:
    """The whole configuration, nested by section; ``token`` and ``client_secret`` masked unless
    ``masked`` is False (first 4 and last 4 characters around ``...``)."""
    cfg = cfg or BotConfig.load()
    result: dict[str, dict[str, Any]] = {section: {} for section in SECTIONS}
    for key in KEYS:
        value = getattr(cfg, key.field)
        if masked and _is_masked(key):
            value = mask(value)
        target = result[key.section]
        if key.nested:
            target = target.setdefault(key.nested, {})
        target[key.name] = value
    return result


def unknown_keys(data: dict[str, Any]) -> list[str]:
    """Dotted paths of the keys in ``data`` that the schema does not know."""
    known: dict[str, set[str]] = {section: set() for section in SECTIONS}
    nested: dict[str, set[str]] = {}
    for key in KEYS:
        if key.nested:
            known[key.section].add(key.nested)
            nested.setdefault(key.nested, set()).add(key.name)
        else:
            known[key.section].add(key.name)
    found: list[str] = []
    for section, content in data.items():
        if section not in known:
            found.append(str(section))
            continue
        if not isinstance(content, dict):
            continue
        for name, value in content.items():
            if name not in known[section]:
                found.append(f"{section}.{name}")
            elif name in nested and isinstance(value, dict):
                found.extend(f"{section}.{name}.{inner}" for inner in value if inner not in nested[name])
    return found


def _table(data: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any] | None:
    """The table at ``names`` (``("bot", "mode")``), None when absent; a non-table is refused."""
    table: Any = data
    for depth, name in enumerate(names):
        table = table.get(name, _MISSING)
        if table is _MISSING or table is None:
            return None
        if not isinstance(table, dict):
            where = ".".join(names[: depth + 1])
            raise InvalidInput(_("%(field)s: must be an object") % {"field": where})
    return table


def _lookup(data: dict[str, Any], key: Key) -> Any:
    names = (key.section, key.nested) if key.nested else (key.section,)
    table = _table(data, names)
    return _MISSING if table is None else table.get(key.name, _MISSING)


class AccessFieldsRefused(PermissionDenied):
    """The caller may change the configuration but not who may use the panel; ``fields`` names
    the keys they tried to change (dotted paths)."""

    def __init__(self, fields: list[str]) -> None:
        self.fields = fields
        super().__init__(
            _("Only holders of ManagePermissions may change %(fields)s: nothing was saved.")
            % {"fields": ", ".join(fields)}
        )


def _same(key: Key, old: Any, new: Any) -> bool:
    """Whether ``new`` leaves ``old`` as it was (a list of IDs in another order is the same set)."""
    if key.kind == "snowflakes":
        return set(old or ()) == set(new or ())
    return old == new


@transaction.atomic
def config_update(
    *,
    data: dict[str, Any],
    saved_by: str,
    strict: bool = True,
    may_change_access: bool = False,
    guilds_required: bool = True,
) -> BotConfig:
    """Replace the configuration with ``data`` (the nested object), keeping the previous one as a revision.

    A key absent from ``data`` keeps its value, and so does a masked secret (a value containing
    ``...``). Every value is checked, then the rules across keys; the first problem raises
    ``InvalidInput`` naming its field (``thread.user_message_color: ...``) and nothing is written.
    ``strict`` refuses keys the schema does not know; otherwise they are ignored (see ``unknown_keys``).

    ``may_change_access`` is the caller's standing: True for super admins and ManagePermissions
    holders (and the operator's own commands). Without it, changing a key that decides who may use
    the panel (``Key.grants_access``: super admin users and roles, the staff guild, the OAuth
    application) raises ``AccessFieldsRefused`` (403) naming every such key sent with a new value,
    and nothing is written; sending them unchanged (the object ``GET`` returned) is fine.

    ``guilds_required=False`` (``importconfig``) accepts a mode whose guilds are not set yet.
    """
    if not isinstance(data, dict):
        raise InvalidInput(_("The configuration must be an object of sections."))
    unknown = unknown_keys(data)
    if strict and unknown:
        raise InvalidInput(_("%(field)s: unknown key") % {"field": unknown[0]})
    BotConfig.load()
    cfg = BotConfig.objects.select_for_update().get(pk=1)
    previous = config_as_dict(masked=True, cfg=cfg)
    values = cfg.values()
    refused: list[str] = []
    try:
        for key in KEYS:
            raw = _lookup(data, key)
            if raw is _MISSING or (_is_masked(key) and isinstance(raw, str) and "..." in raw):
                continue
            value = coerce(key, raw)
            if _same(key, values[key.field], value):
                continue
            if key.grants_access and not may_change_access:
                refused.append(path(key))
            values[key.field] = value
        if refused:
            raise AccessFieldsRefused(refused)
        validate_whole(values, guilds_required=guilds_required)
    except ConfigInvalid as error:
        raise InvalidInput(str(error)) from error
    ConfigRevision.objects.create(data=previous, saved_by=saved_by[:64])
    for field, value in values.items():
        setattr(cfg, field, value)
    cfg.save()
    changed = [
        section
        for section, keys in config_as_dict(masked=True, cfg=cfg).items()
        if previous.get(section) != keys
    ]
    events.publish(events.EventType.CONFIG_UPDATED, data={"sections": changed})
    return cfg
