"""Guild bans: the REST routes, their gateway events and audit log entries, and test actions.

Banning a user records a MEMBER_BAN_ADD audit log entry (who, why), dispatches GUILD_BAN_ADD and,
when they were a member, GUILD_MEMBER_REMOVE after it (the order nextcord's member cache expects);
lifting a ban records MEMBER_BAN_REMOVE and dispatches GUILD_BAN_REMOVE. Ban events go to sessions
with the GUILD_MODERATION intent. Routes (https://discord.com/developers/docs/resources/guild):
``GET /guilds/{id}/bans?limit&before&after``, ``GET|PUT|DELETE /guilds/{id}/bans/{user.id}``.

Actions for tests: ``await member_ban(emu, guild_id, user_id, by=moderator_id, reason="...")`` and
``await member_unban(emu, guild_id, user_id, by=moderator_id)``, as a moderator would in Discord.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from . import auditlog as A
from . import guilds as G
from . import permissions as P
from .models import Guild
from .rest import Ctx, RouteSpec
from .rest_guilds import bot_top_position, need_guild_perm
from .util import MISSING_PERMISSIONS, error, form_error, sid

if TYPE_CHECKING:
    from .server import FakeDiscord
    from .state import State

GUILD_MODERATION = 1 << 2
UNKNOWN_BAN = (404, 10026, "Unknown Ban")


def bans_of(guild: Guild) -> dict[int, str | None]:
    """The guild's bans: user ID -> reason (kept on the guild object, created on first use)."""
    bans = getattr(guild, "bans", None)
    if bans is None:
        bans = {}
        guild.bans = bans  # type: ignore[attr-defined]
    return bans


def ban_payload(state: State, user_id: int, reason: str | None) -> dict[str, Any]:
    return {"reason": reason, "user": state.user(user_id).payload()}


def ban(
    state: State, guild: Guild, user_id: int, *, by: int | None, reason: str | None = None, audit: bool = True
) -> None:
    """Ban a user (a member or not): audit entry, GUILD_BAN_ADD, then GUILD_MEMBER_REMOVE. With
    ``audit`` False the entry is left for the test to add later, as Discord sometimes is late."""
    user = state.user(user_id)
    bans_of(guild)[user.id] = reason or None
    if audit:
        A.record(state, guild.id, A.MEMBER_BAN_ADD, by, target_id=user.id, reason=reason)
    state.emit("GUILD_BAN_ADD", {"guild_id": sid(guild.id), "user": user.payload()}, GUILD_MODERATION)
    G.remove_member(state, guild, user.id)


def unban(state: State, guild: Guild, user_id: int, *, by: int | None, reason: str | None = None) -> None:
    """Lift a ban: audit entry, GUILD_BAN_REMOVE (10026 Unknown Ban when there is none)."""
    if bans_of(guild).pop(int(user_id), "absent") == "absent":
        raise error(UNKNOWN_BAN)
    user = state.user(user_id)
    A.record(state, guild.id, A.MEMBER_BAN_REMOVE, by, target_id=user.id, reason=reason)
    state.emit("GUILD_BAN_REMOVE", {"guild_id": sid(guild.id), "user": user.payload()}, GUILD_MODERATION)


# -- REST ----------------------------------------------------------------------------------------


async def list_bans(ctx: Ctx) -> Any:
    """GET /guilds/{guild.id}/bans?limit=1..1000&before&after (BAN_MEMBERS), by user ID."""
    guild = ctx.state.guild(ctx.param("guild_id"))
    need_guild_perm(ctx, guild, P.BAN_MEMBERS)
    try:
        limit = int(ctx.query.get("limit", 1000))
        before = int(ctx.query["before"]) if ctx.query.get("before") else None
        after = int(ctx.query["after"]) if ctx.query.get("after") else None
    except ValueError:
        raise form_error({"limit": ("NUMBER_TYPE_COERCE", "Value is not int.")}) from None
    if not 1 <= limit <= 1000:
        raise form_error({"limit": ("NUMBER_TYPE_MAX", "int value should be less than or equal to 1000.")})
    ids = sorted(bans_of(guild))
    if before is not None and after is None:
        ids = [i for i in ids if i < before][-limit:]
    else:
        ids = [i for i in ids if after is None or i > after][:limit]
    return [ban_payload(ctx.state, i, bans_of(guild)[i]) for i in ids]


async def get_ban(ctx: Ctx) -> Any:
    """GET /guilds/{guild.id}/bans/{user.id} (BAN_MEMBERS; 10026 when not banned)."""
    guild = ctx.state.guild(ctx.param("guild_id"))
    need_guild_perm(ctx, guild, P.BAN_MEMBERS)
    user_id = ctx.param("user_id")
    if user_id not in bans_of(guild):
        raise error(UNKNOWN_BAN)
    return ban_payload(ctx.state, user_id, bans_of(guild)[user_id])


async def put_ban(ctx: Ctx) -> Any:
    """PUT /guilds/{guild.id}/bans/{user.id} (BAN_MEMBERS; not the owner nor a member ranked at or
    above the bot); the reason is the ``X-Audit-Log-Reason`` header."""
    guild = ctx.state.guild(ctx.param("guild_id"))
    need_guild_perm(ctx, guild, P.BAN_MEMBERS)
    user_id = ctx.param("user_id")
    ctx.state.user(user_id)
    member = guild.members.get(user_id)
    if member is not None:
        top = max((guild.roles[r].position for r in member.roles if r in guild.roles), default=0)
        if user_id in (guild.owner_id, ctx.state.bot_id) or top >= bot_top_position(ctx, guild):
            raise error(MISSING_PERMISSIONS)
    reason = unquote(ctx.request.headers.get("X-Audit-Log-Reason", "")) or None
    ban(ctx.state, guild, user_id, by=ctx.state.bot_id, reason=reason)
    return None


async def delete_ban(ctx: Ctx) -> Any:
    """DELETE /guilds/{guild.id}/bans/{user.id} (BAN_MEMBERS)."""
    guild = ctx.state.guild(ctx.param("guild_id"))
    need_guild_perm(ctx, guild, P.BAN_MEMBERS)
    reason = unquote(ctx.request.headers.get("X-Audit-Log-Reason", "")) or None
    unban(ctx.state, guild, ctx.param("user_id"), by=ctx.state.bot_id, reason=reason)
    return None


_B = "/guilds/{guild_id}/bans"
ROUTES = [
    RouteSpec("GET", _B, list_bans),
    RouteSpec("GET", _B + "/{user_id}", get_ban),
    RouteSpec("PUT", _B + "/{user_id}", put_ban),
    RouteSpec("DELETE", _B + "/{user_id}", delete_ban),
]


# -- actions for tests ---------------------------------------------------------------------------


async def member_ban(
    emu: FakeDiscord,
    guild_id: int | str,
    user_id: int | str,
    *,
    by: int | str | None,
    reason: str | None = None,
    audit: bool = True,
) -> None:
    """A moderator (``by``) bans a user from the Discord client; returns once the events are sent."""
    by_id = int(by) if by is not None else None
    ban(emu.state, emu.state.guild(guild_id), int(user_id), by=by_id, reason=reason, audit=audit)
    await emu.gateway.flush()


async def member_unban(emu: FakeDiscord, guild_id: int | str, user_id: int | str, *, by: int | str) -> None:
    """A moderator (``by``) lifts a ban from the Discord client."""
    unban(emu.state, emu.state.guild(guild_id), int(user_id), by=int(by))
    await emu.gateway.flush()


def banned(emu: FakeDiscord, guild_id: int | str) -> dict[int, str | None]:
    """Who is banned from the guild (user ID -> reason)."""
    return dict(bans_of(emu.state.guild(guild_id)))
