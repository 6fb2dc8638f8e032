"""REST: gateway discovery, users, DMs, guilds, guild channels, members and roles."""

from __future__ import annotations

from typing import Any

from . import auditlog as A
from . import guilds as G
from . import permissions as P
from . import profile
from .models import Guild, Role
from .rest import Ctx, RouteSpec
from .util import (
    MISSING_ACCESS,
    MISSING_PERMISSIONS,
    UNAUTHORIZED,
    UNKNOWN_GUILD,
    UNKNOWN_ROLE,
    error,
    form_error,
    sid,
)


def need_guild_perm(ctx: Ctx, guild: Guild, needed: int) -> None:
    """The bot must be in the guild (else 10004) and hold ``needed`` there (else 50013)."""
    if ctx.state.bot_id not in guild.members:
        raise error(UNKNOWN_GUILD)
    if not P.has(P.base_permissions(guild, ctx.state.bot_id), needed):
        raise error(MISSING_PERMISSIONS)


def bot_top_position(ctx: Ctx, guild: Guild) -> int:
    """The position of the bot's highest role (role hierarchy: it manages only roles below)."""
    if guild.owner_id == ctx.state.bot_id:
        return 10**9
    member = guild.members[ctx.state.bot_id]
    return max((guild.roles[r].position for r in member.roles if r in guild.roles), default=0)


def check_hierarchy(ctx: Ctx, guild: Guild, role_ids: list[int]) -> None:
    """Refuse (50013) to give or take roles at or above the bot's highest role."""
    top = bot_top_position(ctx, guild)
    for role_id in role_ids:
        role = guild.roles.get(role_id)
        if role is None:
            raise error(UNKNOWN_ROLE)
        if role.id != guild.id and (role.position >= top or role.managed):
            raise error(MISSING_PERMISSIONS)


async def get_gateway(ctx: Ctx) -> Any:
    """GET /gateway"""
    return {"url": ctx.emu.gateway_url}


async def get_gateway_bot(ctx: Ctx) -> Any:
    """GET /gateway/bot"""
    limit = {"total": 1000, "remaining": 999, "reset_after": 86_400_000, "max_concurrency": 1}
    return {"url": ctx.emu.gateway_url, "shards": 1, "session_start_limit": limit}


async def get_me(ctx: Ctx) -> Any:
    """GET /users/@me: the bot, or the user of an OAuth bearer token."""
    if ctx.auth == "bearer" and ctx.grant is not None:
        return ctx.emu.oauth.user_payload(ctx.grant)
    user = ctx.state.users[ctx.state.bot_id].payload()
    user.update(verified=True, mfa_enabled=False, email=None, locale="en-US", bot=True)
    return user


async def get_user(ctx: Ctx) -> Any:
    """GET /users/{user.id}"""
    return ctx.state.user(ctx.param("user_id")).payload()


async def create_dm(ctx: Ctx) -> Any:
    """POST /users/@me/channels {"recipient_id"}: the DM channel (refusals come when sending)."""
    recipient = ctx.json().get("recipient_id")
    if recipient is None:
        raise form_error({"recipient_id": ("BASE_TYPE_REQUIRED", "This field is required")})
    channel = G.dm_channel(ctx.state, int(recipient))
    return ctx.state.channel_payload(channel)


def partial_guild(ctx: Ctx, guild: Guild, user_id: int) -> dict[str, Any]:
    """The partial guild of ``/users/@me/guilds``."""
    return {
        "id": sid(guild.id),
        "name": guild.name,
        "icon": None,
        "banner": None,
        "owner": guild.owner_id == user_id,
        "permissions": str(P.base_permissions(guild, user_id)),
        "features": [],
        "approximate_member_count": len(guild.members),
        "approximate_presence_count": 0,
    }


async def my_guilds(ctx: Ctx) -> Any:
    """GET /users/@me/guilds: the bot's guilds, or the OAuth user's (scope ``guilds``)."""
    if ctx.auth == "bearer" and ctx.grant is not None:
        if "guilds" not in ctx.grant.scopes:
            raise error(UNAUTHORIZED)
        user_id = ctx.grant.user_id
    else:
        user_id = ctx.state.bot_id
    guilds = sorted((g for g in ctx.state.guilds.values() if user_id in g.members), key=lambda g: g.id)
    if ctx.query.get("after"):
        guilds = [g for g in guilds if g.id > int(ctx.query["after"])]
    if ctx.query.get("before"):
        guilds = [g for g in guilds if g.id < int(ctx.query["before"])]
    limit = min(200, int(ctx.query.get("limit", 200)))
    return [partial_guild(ctx, g, user_id) for g in guilds[:limit]]


async def my_guild_member(ctx: Ctx) -> Any:
    """GET /users/@me/guilds/{guild.id}/member (OAuth scope ``guilds.members.read``)."""
    grant = ctx.grant
    if grant is None or "guilds.members.read" not in grant.scopes:
        raise error(UNAUTHORIZED)
    member = ctx.state.member(ctx.param("guild_id"), grant.user_id)
    return ctx.state.member_payload(member)


async def leave_guild(ctx: Ctx) -> Any:
    """DELETE /users/@me/guilds/{guild.id}: the bot leaves; dispatches GUILD_DELETE."""
    guild = ctx.state.guild(ctx.param("guild_id"))
    ctx.emu.bot_leave_guild(guild.id)
    return None


async def get_guild(ctx: Ctx) -> Any:
    """GET /guilds/{guild.id}[?with_counts=true]"""
    guild = ctx.state.guild(ctx.param("guild_id"))
    if ctx.state.bot_id not in guild.members:
        raise error(UNKNOWN_GUILD)
    data = guild.payload()
    if ctx.query.get("with_counts") in ("true", "1", "True"):
        data.update(approximate_member_count=len(guild.members), approximate_presence_count=0)
    return data


async def list_channels(ctx: Ctx) -> Any:
    """GET /guilds/{guild.id}/channels"""
    guild = ctx.state.guild(ctx.param("guild_id"))
    need_guild_perm(ctx, guild, 0)
    return [ctx.state.channel_payload(c) for c in ctx.state.guild_channels(guild.id)]


async def create_channel(ctx: Ctx) -> Any:
    """POST /guilds/{guild.id}/channels: 50 per category, 500 per guild, overwrites checked."""
    guild = ctx.state.guild(ctx.param("guild_id"))
    body = ctx.json()
    need_guild_perm(ctx, guild, P.MANAGE_CHANNELS)
    if body.get("permission_overwrites"):
        overwrites = G.normalise_overwrites(body["permission_overwrites"])
        G.overwrite_targets_exist(guild, overwrites)
        bot_perms = P.base_permissions(guild, ctx.state.bot_id)
        # Since 2021 the bot may only grant or deny what it has, and MANAGE_ROLES only as an admin.
        if not bot_perms & P.ADMINISTRATOR and bot_perms != P.ALL:
            bits = G.overwrite_bits(overwrites)
            if bits & ~bot_perms or bits & P.MANAGE_ROLES or not bot_perms & P.MANAGE_ROLES:
                raise error(MISSING_PERMISSIONS)
    channel = G.create_channel(ctx.state, guild, body)
    payload = ctx.state.channel_payload(channel)
    A.by_bot(ctx, guild.id, A.CHANNEL_CREATE, target_id=channel.id, changes=A.channel_changes(payload))
    ctx.status = 201
    return ctx.state.channel_payload(channel)


async def reorder_channels(ctx: Ctx) -> Any:
    """PATCH /guilds/{guild.id}/channels [{"id", "position", "parent_id", "lock_permissions"}]"""
    guild = ctx.state.guild(ctx.param("guild_id"))
    need_guild_perm(ctx, guild, P.MANAGE_CHANNELS)
    for item in ctx.body or []:
        channel = ctx.state.channel(item["id"])
        changes = {k: item[k] for k in ("position", "parent_id", "lock_permissions") if k in item}
        G.modify_channel(ctx.state, channel, changes, None)
    return None


async def get_member(ctx: Ctx) -> Any:
    """GET /guilds/{guild.id}/members/{user.id} (10007 Unknown Member when not in the guild)."""
    return ctx.state.member_payload(ctx.state.member(ctx.param("guild_id"), ctx.param("user_id")))


async def list_members(ctx: Ctx) -> Any:
    """GET /guilds/{guild.id}/members?limit=1..1000&after=ID (needs the members intent enabled)."""
    guild = ctx.state.guild(ctx.param("guild_id"))
    if "members" not in ctx.emu.privileged_intents:
        raise error(MISSING_ACCESS)
    limit = int(ctx.query.get("limit", 1))
    if not 1 <= limit <= 1000:
        raise form_error({"limit": ("NUMBER_TYPE_MAX", "int value should be less than or equal to 1000.")})
    after = int(ctx.query.get("after", 0))
    members = sorted((m for m in guild.members.values() if m.user_id > after), key=lambda m: m.user_id)
    return [ctx.state.member_payload(m) for m in members[:limit]]


async def search_members(ctx: Ctx) -> Any:
    """GET /guilds/{guild.id}/members/search?query=&limit="""
    guild = ctx.state.guild(ctx.param("guild_id"))
    query = ctx.query.get("query", "").lower()
    limit = max(1, min(1000, int(ctx.query.get("limit", 1))))
    found = []
    for member in guild.members.values():
        user = ctx.state.users[member.user_id]
        names = [user.username, user.global_name or "", member.nick or ""]
        if any(n.lower().startswith(query) for n in names):
            found.append(ctx.state.member_payload(member))
    return found[:limit]


async def patch_member(ctx: Ctx) -> Any:
    """PATCH /guilds/{guild.id}/members/{user.id}: roles (MANAGE_ROLES), nick (MANAGE_NICKNAMES)."""
    guild = ctx.state.guild(ctx.param("guild_id"))
    body = ctx.json()
    user_id = ctx.state.bot_id if ctx.params.get("user_id") == "@me" else ctx.param("user_id")
    member = ctx.state.member(guild.id, user_id)
    if body.get("roles") is not None:
        need_guild_perm(ctx, guild, P.MANAGE_ROLES)
        changed = set(int(r) for r in body["roles"]) ^ set(member.roles)
        check_hierarchy(ctx, guild, sorted(changed))
    if "nick" in body:
        need_guild_perm(ctx, guild, P.CHANGE_NICKNAME if user_id == ctx.state.bot_id else P.MANAGE_NICKNAMES)
    before_roles, before_nick = list(member.roles), member.nick
    G.update_member(ctx.state, guild, member, body)
    record_member_update(ctx, guild, member.user_id, before_roles, before_nick, member.roles, member.nick)
    return ctx.state.member_payload(member)


def record_member_update(
    ctx: Ctx,
    guild: Guild,
    user_id: int,
    roles: list[int],
    nick: str | None,
    new_roles: list[int],
    new_nick: str | None,
) -> None:
    """MEMBER_ROLE_UPDATE and MEMBER_UPDATE (nickname) entries for what changed."""
    role_changes = A.member_role_changes(guild, roles, new_roles)
    if role_changes:
        A.by_bot(ctx, guild.id, A.MEMBER_ROLE_UPDATE, target_id=user_id, changes=role_changes)
    if nick != new_nick:
        A.by_bot(
            ctx, guild.id, A.MEMBER_UPDATE, target_id=user_id, changes=[A.change("nick", nick, new_nick)]
        )


async def member_role(ctx: Ctx) -> Any:
    """PUT|DELETE /guilds/{guild.id}/members/{user.id}/roles/{role.id}"""
    guild = ctx.state.guild(ctx.param("guild_id"))
    member = ctx.state.member(guild.id, ctx.param("user_id"))
    role_id = ctx.param("role_id")
    need_guild_perm(ctx, guild, P.MANAGE_ROLES)
    check_hierarchy(ctx, guild, [role_id])
    roles = [r for r in member.roles if r != role_id]
    if ctx.request.method == "PUT":
        roles.append(role_id)
    before = list(member.roles)
    G.update_member(ctx.state, guild, member, {"roles": roles})
    record_member_update(ctx, guild, member.user_id, before, member.nick, member.roles, member.nick)
    return None


async def kick_member(ctx: Ctx) -> Any:
    """DELETE /guilds/{guild.id}/members/{user.id}"""
    guild = ctx.state.guild(ctx.param("guild_id"))
    ctx.state.member(guild.id, ctx.param("user_id"))
    need_guild_perm(ctx, guild, P.KICK_MEMBERS)
    G.remove_member(ctx.state, guild, ctx.param("user_id"))
    A.by_bot(ctx, guild.id, A.MEMBER_KICK, target_id=ctx.param("user_id"))
    return None


async def list_roles(ctx: Ctx) -> Any:
    """GET /guilds/{guild.id}/roles"""
    guild = ctx.state.guild(ctx.param("guild_id"))
    return [r.payload() for r in sorted(guild.roles.values(), key=lambda r: r.position)]


def _role(ctx: Ctx, guild: Guild) -> Role:
    role = guild.roles.get(ctx.param("role_id"))
    if role is None:
        raise error(UNKNOWN_ROLE)
    return role


async def get_role(ctx: Ctx) -> Any:
    """GET /guilds/{guild.id}/roles/{role.id}"""
    return _role(ctx, ctx.state.guild(ctx.param("guild_id"))).payload()


async def create_role(ctx: Ctx) -> Any:
    """POST /guilds/{guild.id}/roles"""
    guild = ctx.state.guild(ctx.param("guild_id"))
    body = ctx.json()
    need_guild_perm(ctx, guild, P.MANAGE_ROLES)
    fields = {k: body[k] for k in ("hoist", "mentionable") if body.get(k) is not None}
    if body.get("color") is not None:
        fields["color"] = int(body["color"])
    perms = int(body.get("permissions") or 0)
    role = G.create_role(ctx.state, guild, str(body.get("name") or "new role"), perms, **fields)
    values = A.role_payload_values(role)
    A.by_bot(
        ctx,
        guild.id,
        A.ROLE_CREATE,
        target_id=role.id,
        changes=[A.change(k, new=v) for k, v in values.items()],
    )
    return role.payload()


async def patch_role(ctx: Ctx) -> Any:
    """PATCH /guilds/{guild.id}/roles/{role.id}"""
    guild = ctx.state.guild(ctx.param("guild_id"))
    need_guild_perm(ctx, guild, P.MANAGE_ROLES)
    role = _role(ctx, guild)
    check_hierarchy(ctx, guild, [role.id])
    before = A.role_payload_values(role)
    G.update_role(ctx.state, guild, role.id, ctx.json())
    changes = A.diff(before, A.role_payload_values(role), A.ROLE_KEYS)
    if changes:
        A.by_bot(ctx, guild.id, A.ROLE_UPDATE, target_id=role.id, changes=changes)
    return role.payload()


async def delete_role(ctx: Ctx) -> Any:
    """DELETE /guilds/{guild.id}/roles/{role.id}"""
    guild = ctx.state.guild(ctx.param("guild_id"))
    need_guild_perm(ctx, guild, P.MANAGE_ROLES)
    role = _role(ctx, guild)
    check_hierarchy(ctx, guild, [role.id])
    before = A.role_payload_values(role)
    G.delete_role(ctx.state, guild, role.id)
    A.by_bot(
        ctx,
        guild.id,
        A.ROLE_DELETE,
        target_id=role.id,
        changes=[A.change(k, old=v) for k, v in before.items()],
    )
    return None


_G = "/guilds/{guild_id}"
ROUTES = [
    RouteSpec("GET", "/gateway", get_gateway, auth="none"),
    RouteSpec("GET", "/gateway/bot", get_gateway_bot),
    RouteSpec("GET", "/users/@me", get_me, auth="bot_or_bearer"),
    RouteSpec("PATCH", "/users/@me", profile.patch_me),
    RouteSpec("POST", "/users/@me/channels", create_dm),
    RouteSpec("GET", "/users/@me/guilds", my_guilds, auth="bot_or_bearer"),
    RouteSpec("GET", "/users/@me/guilds/{guild_id}/member", my_guild_member, auth="bearer"),
    RouteSpec("DELETE", "/users/@me/guilds/{guild_id}", leave_guild),
    RouteSpec("GET", "/users/{user_id}", get_user),
    RouteSpec("GET", _G, get_guild),
    RouteSpec("GET", _G + "/channels", list_channels),
    RouteSpec("POST", _G + "/channels", create_channel),
    RouteSpec("PATCH", _G + "/channels", reorder_channels),
    RouteSpec("GET", _G + "/members", list_members),
    RouteSpec("GET", _G + "/members/search", search_members),
    RouteSpec("PATCH", _G + "/members/@me", patch_member),
    RouteSpec("PATCH", _G + "/members/@me/nick", patch_member),
    RouteSpec("GET", _G + "/members/{user_id}", get_member),
    RouteSpec("PATCH", _G + "/members/{user_id}", patch_member),
    RouteSpec("DELETE", _G + "/members/{user_id}", kick_member),
    RouteSpec("PUT", _G + "/members/{user_id}/roles/{role_id}", member_role),
    RouteSpec("DELETE", _G + "/members/{user_id}/roles/{role_id}", member_role),
    RouteSpec("GET", _G + "/roles", list_roles),
    RouteSpec("POST", _G + "/roles", create_role),
    RouteSpec("GET", _G + "/roles/{role_id}", get_role),
    RouteSpec("PATCH", _G + "/roles/{role_id}", patch_role),
    RouteSpec("DELETE", _G + "/roles/{role_id}", delete_role),
]
