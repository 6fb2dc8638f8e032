"""Guild audit logs: entries recorded when REST routes change things, the REST route that reads
them (``GET /guilds/{guild.id}/audit-logs``) and the GUILD_AUDIT_LOG_ENTRY_CREATE gateway event.

Shapes follow https://discord.com/developers/docs/resources/audit-log: an entry has ``id``,
``user_id`` (who did it), ``target_id``, ``action_type``, ``changes`` (``key``, ``old_value``,
``new_value``), ``options`` (snowflakes and counts as strings) and ``reason`` (the
``X-Audit-Log-Reason`` header of the request). The gateway event is the entry plus ``guild_id``;
it goes to sessions with the GUILD_MODERATION intent while the bot holds VIEW_AUDIT_LOG there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from . import permissions as P
from .rest import RouteSpec
from .util import MISSING_PERMISSIONS, UNKNOWN_GUILD, error, form_error, sid

if TYPE_CHECKING:
    from .models import Channel, Guild, Role
    from .rest import Ctx
    from .state import State

GUILD_MODERATION = 1 << 2

# Audit log events (https://discord.com/developers/docs/resources/audit-log#audit-log-entry-object-audit-log-events).
GUILD_UPDATE = 1
CHANNEL_CREATE = 10
CHANNEL_UPDATE = 11
CHANNEL_DELETE = 12
CHANNEL_OVERWRITE_CREATE = 13
CHANNEL_OVERWRITE_UPDATE = 14
CHANNEL_OVERWRITE_DELETE = 15
MEMBER_KICK = 20
MEMBER_PRUNE = 21
MEMBER_BAN_ADD = 22
MEMBER_BAN_REMOVE = 23
MEMBER_UPDATE = 24
MEMBER_ROLE_UPDATE = 25
MEMBER_MOVE = 26
MEMBER_DISCONNECT = 27
BOT_ADD = 28
ROLE_CREATE = 30
ROLE_UPDATE = 31
ROLE_DELETE = 32
INVITE_CREATE = 40
INVITE_UPDATE = 41
INVITE_DELETE = 42
WEBHOOK_CREATE = 50
WEBHOOK_UPDATE = 51
WEBHOOK_DELETE = 52
EMOJI_CREATE = 60
EMOJI_UPDATE = 61
EMOJI_DELETE = 62
MESSAGE_DELETE = 72
MESSAGE_BULK_DELETE = 73
MESSAGE_PIN = 74
MESSAGE_UNPIN = 75
INTEGRATION_CREATE = 80
INTEGRATION_UPDATE = 81
INTEGRATION_DELETE = 82
STAGE_INSTANCE_CREATE = 83
STAGE_INSTANCE_UPDATE = 84
STAGE_INSTANCE_DELETE = 85
STICKER_CREATE = 90
STICKER_UPDATE = 91
STICKER_DELETE = 92
GUILD_SCHEDULED_EVENT_CREATE = 100
GUILD_SCHEDULED_EVENT_UPDATE = 101
GUILD_SCHEDULED_EVENT_DELETE = 102
THREAD_CREATE = 110
THREAD_UPDATE = 111
THREAD_DELETE = 112
AUTO_MODERATION_RULE_CREATE = 140
AUTO_MODERATION_RULE_UPDATE = 141
AUTO_MODERATION_RULE_DELETE = 142
AUTO_MODERATION_BLOCK_MESSAGE = 143
AUTO_MODERATION_FLAG_TO_CHANNEL = 144
AUTO_MODERATION_USER_COMMUNICATION_DISABLED = 145
CREATOR_MONETIZATION_REQUEST_CREATED = 150
CREATOR_MONETIZATION_TERMS_ACCEPTED = 151
VOICE_CHANNEL_STATUS_UPDATE = 192
VOICE_CHANNEL_STATUS_DELETE = 193

# The channel fields Discord lists as changes when a channel is created, updated or deleted.
CHANNEL_KEYS = ("name", "type", "topic", "nsfw", "rate_limit_per_user", "parent_id")
ROLE_KEYS = ("name", "permissions", "color", "hoist", "mentionable")


@dataclass
class AuditLogEntry:
    """One entry of a guild's audit log."""

    id: int
    guild_id: int
    action_type: int
    user_id: int | None
    target_id: int | None = None
    changes: list[dict[str, Any]] = field(default_factory=list)
    options: dict[str, Any] | None = None
    reason: str | None = None

    def payload(self) -> dict[str, Any]:
        """The audit log entry object."""
        data: dict[str, Any] = {
            "id": sid(self.id),
            "user_id": sid(self.user_id),
            "target_id": sid(self.target_id),
            "action_type": self.action_type,
        }
        if self.changes:
            data["changes"] = [dict(c) for c in self.changes]
        if self.options:
            data["options"] = {k: (str(v) if isinstance(v, int) else v) for k, v in self.options.items()}
        if self.reason:
            data["reason"] = self.reason
        return data


def change(key: str, old: Any = None, new: Any = None) -> dict[str, Any]:
    """A change object (``old_value``/``new_value`` left out when absent, as Discord does)."""
    item: dict[str, Any] = {"key": key}
    if new is not None:
        item["new_value"] = new
    if old is not None:
        item["old_value"] = old
    return item


def diff(before: dict[str, Any], after: dict[str, Any], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """The changes between two payloads, over ``keys``."""
    return [change(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


def record(
    state: State,
    guild_id: int | str,
    action_type: int,
    user_id: int | str | None,
    *,
    target_id: int | str | None = None,
    changes: list[dict[str, Any]] | None = None,
    options: dict[str, Any] | None = None,
    reason: str | None = None,
) -> AuditLogEntry:
    """Append an entry to the guild's audit log and dispatch GUILD_AUDIT_LOG_ENTRY_CREATE."""
    guild = state.guild(guild_id)
    entry = AuditLogEntry(
        id=state.ids.next(),
        guild_id=guild.id,
        action_type=int(action_type),
        user_id=int(user_id) if user_id is not None else None,
        target_id=int(target_id) if target_id is not None else None,
        changes=list(changes or []),
        options=dict(options) if options else None,
        reason=reason or None,
    )
    state.audit_logs.setdefault(guild.id, []).append(entry)
    if state.bot_id in guild.members and P.has(P.base_permissions(guild, state.bot_id), P.VIEW_AUDIT_LOG):
        state.emit(
            "GUILD_AUDIT_LOG_ENTRY_CREATE", {**entry.payload(), "guild_id": sid(guild.id)}, GUILD_MODERATION
        )
    else:
        state.notify()
    return entry


def by_bot(ctx: Ctx, guild_id: int | None, action_type: int, **kwargs: Any) -> AuditLogEntry | None:
    """Record what the bot just did through REST, with the request's ``X-Audit-Log-Reason``."""
    if guild_id is None:
        return None
    reason = unquote(ctx.request.headers.get("X-Audit-Log-Reason", "")) or None
    return record(ctx.state, guild_id, action_type, ctx.state.bot_id, reason=reason, **kwargs)


# -- what REST changes record ----------------------------------------------------------------


def channel_changes(payload: dict[str, Any], *, deleted: bool = False) -> list[dict[str, Any]]:
    """The changes of a created (new values) or deleted (old values) channel."""
    items = []
    for key in CHANNEL_KEYS:
        value = payload.get(key)
        if value is None or value == "" or (key in ("nsfw", "rate_limit_per_user") and not value):
            continue
        items.append(change(key, old=value) if deleted else change(key, new=value))
    overwrites = payload.get("permission_overwrites")
    if overwrites:
        items.append(
            change("permission_overwrites", old=overwrites)
            if deleted
            else change("permission_overwrites", new=overwrites)
        )
    return items


def record_overwrites(
    ctx: Ctx, guild: Guild, channel: Channel, before: list[dict[str, Any]], after: list[dict[str, Any]]
) -> None:
    """CHANNEL_OVERWRITE_CREATE/UPDATE/DELETE for each overwrite that appeared, changed or went."""
    old = {str(o["id"]): o for o in before}
    new = {str(o["id"]): o for o in after}
    for target in sorted(set(old) | set(new), key=int):
        a, b = old.get(target), new.get(target)
        if a == b:
            continue
        ow = b or a
        assert ow is not None
        options: dict[str, Any] = {"id": target, "type": str(ow["type"])}
        role = guild.roles.get(int(target)) if int(ow["type"]) == 0 else None
        if role is not None:
            options["role_name"] = role.name
        if a is None:
            action = CHANNEL_OVERWRITE_CREATE
            changes = [change("id", new=target), change("type", new=ow["type"])]
            changes += [change("allow", new=ow["allow"]), change("deny", new=ow["deny"])]
        elif b is None:
            action = CHANNEL_OVERWRITE_DELETE
            changes = [change("id", old=target), change("type", old=ow["type"])]
            changes += [change("allow", old=a["allow"]), change("deny", old=a["deny"])]
        else:
            action = CHANNEL_OVERWRITE_UPDATE
            changes = [change(k, a[k], b[k]) for k in ("allow", "deny") if a[k] != b[k]]
        by_bot(ctx, guild.id, action, target_id=channel.id, changes=changes, options=options)


def role_payload_values(role: Role) -> dict[str, Any]:
    """The role fields the audit log reports."""
    return {
        "name": role.name,
        "permissions": str(role.permissions),
        "color": role.color,
        "hoist": role.hoist,
        "mentionable": role.mentionable,
    }


def member_role_changes(guild: Guild, before: list[int], after: list[int]) -> list[dict[str, Any]]:
    """``$add`` / ``$remove`` changes with partial roles, as MEMBER_ROLE_UPDATE carries them."""

    def partial(ids: list[int]) -> list[dict[str, str]]:
        return [{"id": sid(r), "name": guild.roles[r].name if r in guild.roles else ""} for r in ids]

    added = [r for r in after if r not in before]
    removed = [r for r in before if r not in after]
    items = []
    if added:
        items.append(change("$add", new=partial(added)))
    if removed:
        items.append(change("$remove", new=partial(removed)))
    return items


# -- REST --------------------------------------------------------------------------------------


def _snowflake_query(ctx: Ctx, name: str) -> int | None:
    raw = ctx.query.get(name)
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise form_error({name: ("NUMBER_TYPE_COERCE", f'Value "{raw}" is not snowflake.')}) from None


def select_entries(
    entries: list[AuditLogEntry],
    *,
    user_id: int | None = None,
    action_type: int | None = None,
    before: int | None = None,
    after: int | None = None,
    limit: int = 50,
) -> list[AuditLogEntry]:
    """Entries as the route returns them: newest first; with ``after``, the ``limit`` oldest
    entries after it (still newest first), like message history."""
    chosen = [
        e
        for e in entries
        if (user_id is None or e.user_id == user_id)
        and (action_type is None or e.action_type == action_type)
        and (before is None or e.id < before)
        and (after is None or e.id > after)
    ]
    chosen.sort(key=lambda e: e.id)
    chosen = chosen[:limit] if after is not None and before is None else chosen[-limit:]
    return list(reversed(chosen))


async def get_audit_logs(ctx: Ctx) -> Any:
    """GET /guilds/{guild.id}/audit-logs?user_id&action_type&before&after&limit (1-100, default 50);
    needs VIEW_AUDIT_LOG."""
    guild = ctx.state.guild(ctx.param("guild_id"))
    if ctx.state.bot_id not in guild.members:
        raise error(UNKNOWN_GUILD)
    if not P.has(P.base_permissions(guild, ctx.state.bot_id), P.VIEW_AUDIT_LOG):
        raise error(MISSING_PERMISSIONS)
    try:
        limit = int(ctx.query.get("limit", 50))
        action_type = int(ctx.query["action_type"]) if ctx.query.get("action_type") else None
    except ValueError:
        raise form_error({"limit": ("NUMBER_TYPE_COERCE", "Value is not int.")}) from None
    if not 1 <= limit <= 100:
        raise form_error({"limit": ("NUMBER_TYPE_MAX", "int value should be less than or equal to 100.")})
    entries = select_entries(
        ctx.state.audit_logs.get(guild.id, []),
        user_id=_snowflake_query(ctx, "user_id"),
        action_type=action_type,
        before=_snowflake_query(ctx, "before"),
        after=_snowflake_query(ctx, "after"),
        limit=limit,
    )
    user_ids: list[int] = []
    for e in entries:
        for uid in (e.user_id, e.target_id):
            if uid is not None and uid in ctx.state.users and uid not in user_ids:
                user_ids.append(uid)
    return {
        "audit_log_entries": [e.payload() for e in entries],
        "users": [ctx.state.users[u].payload() for u in user_ids],
        "integrations": [],
        "webhooks": [],
        "guild_scheduled_events": [],
        "threads": [],
        "application_commands": [],
        "auto_moderation_rules": [],
    }


ROUTES = [RouteSpec("GET", "/guilds/{guild_id}/audit-logs", get_audit_logs)]
