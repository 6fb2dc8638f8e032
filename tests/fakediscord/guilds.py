"""Guilds, roles, members and channels: creation and changes with Discord's rules and events."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from . import permissions as P
from .models import DM, GUILD_CATEGORY, GUILD_TEXT, Channel, Guild, Member, Role
from .ratelimit import RateLimited, bucket_hash, limit_headers
from .state import GUILD_MEMBERS, GUILDS, State
from .util import (
    DM_CHANNEL_ACTION,
    MAX_GUILD_CHANNELS,
    UNKNOWN_ROLE,
    error,
    form_error,
    required,
    sid,
    too_long,
)

MAX_PER_CATEGORY = 50
MAX_PER_GUILD = 500


@dataclass
class RenameLimit:
    """Discord lets a channel be renamed ``count`` times per ``per`` seconds (2 per 10 minutes)."""

    count: int = 2
    per: float = 600.0


def create_guild(
    state: State, name: str, owner_id: int, *, bot_permissions: int | None = P.ADMINISTRATOR
) -> Guild:
    """A guild with its @everyone role (ID = guild ID), owner and, unless None, the bot and its role."""
    guild = Guild(id=state.ids.next(), name=name, owner_id=owner_id)
    guild.roles[guild.id] = Role(
        id=guild.id, guild_id=guild.id, name="@everyone", permissions=P.DEFAULT_EVERYONE
    )
    state.guilds[guild.id] = guild
    guild.members[owner_id] = Member(guild_id=guild.id, user_id=owner_id)
    if bot_permissions is not None and state.bot_id:
        bot_role = Role(
            id=state.ids.next(),
            guild_id=guild.id,
            name=state.users[state.bot_id].username,
            permissions=bot_permissions,
            position=1,
            managed=True,
            bot_id=state.bot_id,
        )
        guild.roles[bot_role.id] = bot_role
        guild.members[state.bot_id] = Member(guild_id=guild.id, user_id=state.bot_id, roles=[bot_role.id])
        state.emit(
            "GUILD_CREATE", state.guild_create_payload(guild, all_members=True, large_threshold=250), GUILDS
        )
    return guild


def create_role(state: State, guild: Guild, name: str, permissions: int = 0, **fields: Any) -> Role:
    """A new role; like Discord, it goes just above @everyone unless a position is given.

    Dispatches GUILD_ROLE_CREATE.
    """
    position = fields.pop("position", None) or 1
    for other in guild.roles.values():
        if other.id != guild.id and other.position >= position:
            other.position += 1
    role = Role(
        id=state.ids.next(),
        guild_id=guild.id,
        name=name,
        permissions=permissions,
        position=position,
        **fields,
    )
    guild.roles[role.id] = role
    state.emit("GUILD_ROLE_CREATE", {"guild_id": sid(guild.id), "role": role.payload()}, GUILDS)
    return role


def update_role(state: State, guild: Guild, role_id: int, body: dict[str, Any]) -> Role:
    """Change a role's name, permissions, color, hoist or mentionable; dispatches GUILD_ROLE_UPDATE."""
    role = guild.roles.get(int(role_id))
    if role is None:
        raise error(UNKNOWN_ROLE)
    if "name" in body:
        role.name = str(body["name"])
    if body.get("permissions") is not None:
        role.permissions = int(body["permissions"])
    if body.get("color") is not None:
        role.color = int(body["color"])
    for key in ("hoist", "mentionable"):
        if body.get(key) is not None:
            setattr(role, key, bool(body[key]))
    state.emit("GUILD_ROLE_UPDATE", {"guild_id": sid(guild.id), "role": role.payload()}, GUILDS)
    return role


def delete_role(state: State, guild: Guild, role_id: int) -> None:
    """Delete a role and take it off every member; dispatches GUILD_ROLE_DELETE."""
    role = guild.roles.get(int(role_id))
    if role is None or role.id == guild.id:
        raise error(UNKNOWN_ROLE)
    del guild.roles[role.id]
    for member in guild.members.values():
        if role.id in member.roles:
            member.roles.remove(role.id)
    state.emit("GUILD_ROLE_DELETE", {"guild_id": sid(guild.id), "role_id": sid(role.id)}, GUILDS)


def add_member(
    state: State, guild: Guild, user_id: int, roles: list[int] | None = None, nick: str | None = None
) -> Member:
    """A user joins the guild; dispatches GUILD_MEMBER_ADD."""
    state.user(user_id)
    for role_id in roles or []:
        if role_id not in guild.roles:
            raise error(UNKNOWN_ROLE)
    member = Member(guild_id=guild.id, user_id=user_id, roles=list(roles or []), nick=nick)
    guild.members[user_id] = member
    data = state.member_payload(member)
    data["guild_id"] = sid(guild.id)
    state.emit("GUILD_MEMBER_ADD", data, GUILD_MEMBERS)
    return member


def update_member(state: State, guild: Guild, member: Member, body: dict[str, Any]) -> Member:
    """Change a member's roles or nickname; dispatches GUILD_MEMBER_UPDATE."""
    if body.get("roles") is not None:
        roles = [int(r) for r in body["roles"]]
        for role_id in roles:
            if role_id not in guild.roles:
                raise error(UNKNOWN_ROLE)
        member.roles = [r for r in roles if r != guild.id]
    if "nick" in body:
        member.nick = body["nick"] or None
    data = state.member_payload(member)
    data["guild_id"] = sid(guild.id)
    state.emit("GUILD_MEMBER_UPDATE", data, GUILD_MEMBERS)
    return member


def remove_member(state: State, guild: Guild, user_id: int) -> None:
    """A member leaves (or is kicked); dispatches GUILD_MEMBER_REMOVE."""
    member = guild.members.pop(int(user_id), None)
    if member is None:
        return
    user = state.user(user_id)
    state.emit("GUILD_MEMBER_REMOVE", {"guild_id": sid(guild.id), "user": user.payload()}, GUILD_MEMBERS)


def normalise_overwrites(raw: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Overwrites as Discord stores them: ids and bits as strings, ``type`` 0 (role) or 1 (member)."""
    result = []
    for i, ow in enumerate(raw or []):
        kind = ow.get("type", 0)
        kind = {"role": 0, "member": 1}.get(kind, kind)
        if kind not in (0, 1, "0", "1") or "id" not in ow:
            raise form_error({f"permission_overwrites.{i}": ("BASE_TYPE_REQUIRED", "This field is required")})
        result.append(
            {
                "id": str(ow["id"]),
                "type": int(kind),
                "allow": str(int(ow.get("allow") or 0)),
                "deny": str(int(ow.get("deny") or 0)),
            }
        )
    return result


def channel_name(name: Any, kind: int) -> str:
    """Text channel names are lower case with dashes for spaces, as Discord rewrites them. Discord
    drops ASCII punctuation but ``-`` and ``_``; emoji and other Unicode (``🔴・alice``) stay."""
    text = str(name or "").strip()
    if not 1 <= len(text) <= 100:
        raise form_error({"name": ("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")})
    if kind == GUILD_TEXT:
        text = re.sub(r"[\s]+", "-", text.lower())
        text = re.sub(r"[!-,./:-@\[-^`{-~]", "", text) or "-"
    return text


def _check_parent(
    state: State, guild: Guild, parent_id: Any, moving: Channel | None = None
) -> Channel | None:
    if parent_id in (None, ""):
        return None
    parent = state.channels.get(int(parent_id))
    if parent is None or parent.guild_id != guild.id or parent.type != GUILD_CATEGORY:
        raise form_error({"parent_id": ("CHANNEL_PARENT_INVALID_TYPE", "Category does not exist")})
    children = [c for c in state.guild_channels(guild.id) if c.parent_id == parent.id and c is not moving]
    if len(children) >= MAX_PER_CATEGORY:
        # Discord has no dedicated code for a full category: 50035 with this field error.
        raise form_error(
            {
                "parent_id": (
                    "CHANNEL_PARENT_MAX_CHANNELS",
                    f"Maximum number of channels in category reached ({MAX_PER_CATEGORY})",
                )
            }
        )
    return parent


def create_channel(state: State, guild: Guild, body: dict[str, Any]) -> Channel:
    """Create a guild channel; without overwrites it takes its category's (synced)."""
    kind = int(body.get("type") or 0)
    if "name" not in body:
        raise required("name")
    name = channel_name(body["name"], kind)
    if len(state.guild_channels(guild.id)) >= MAX_PER_GUILD:
        raise error(MAX_GUILD_CHANNELS)
    parent = None if kind == GUILD_CATEGORY else _check_parent(state, guild, body.get("parent_id"))
    topic = body.get("topic")
    if topic is not None and len(str(topic)) > 1024:
        raise too_long("topic", 1024)
    # Like Discord, no overwrites (absent or an empty list, which nextcord always sends) in a
    # category means the channel is synced with the category.
    if body.get("permission_overwrites"):
        overwrites = normalise_overwrites(body["permission_overwrites"])
    else:
        overwrites = [dict(o) for o in parent.permission_overwrites] if parent else []
    siblings = [c for c in state.guild_channels(guild.id) if c.parent_id == (parent.id if parent else None)]
    position = body.get("position")
    channel = Channel(
        id=state.ids.next(),
        type=kind,
        guild_id=guild.id,
        name=name,
        position=int(position) if position is not None else len(siblings),
        parent_id=parent.id if parent else None,
        topic=topic,
        nsfw=bool(body.get("nsfw")),
        permission_overwrites=overwrites,
        rate_limit_per_user=int(body.get("rate_limit_per_user") or 0),
    )
    state.channels[channel.id] = channel
    state.emit("CHANNEL_CREATE", state.channel_payload(channel), GUILDS)
    return channel


def check_rename(state: State, channel: Channel, limit: RenameLimit | None) -> None:
    """Refuse a third rename within the window with a 429, as Discord does."""
    if limit is None:
        return
    now = state.now()
    channel.renames = [t for t in channel.renames if now - t < limit.per]
    if len(channel.renames) >= limit.count:
        retry = channel.renames[0] + limit.per - now
        bucket = bucket_hash("PATCH", "/channels/{channel_id}")
        headers = limit_headers(limit.count, 0, channel.renames[0] + limit.per, bucket, now)
        raise RateLimited(retry, is_global=False, scope="shared", headers=headers)


def modify_channel(
    state: State, channel: Channel, body: dict[str, Any], rename_limit: RenameLimit | None
) -> Channel:
    """PATCH a channel: rename, topic, move (``parent_id``, ``position``, ``lock_permissions``),
    overwrites."""
    if channel.type == DM:
        raise error(DM_CHANNEL_ACTION)
    guild = state.guild(channel.guild_id or 0)
    new_name = channel_name(body["name"], channel.type) if "name" in body else channel.name
    if new_name != channel.name:
        check_rename(state, channel, rename_limit)
    if "parent_id" in body and channel.type != GUILD_CATEGORY:
        parent = _check_parent(state, guild, body["parent_id"], moving=channel)
        channel.parent_id = parent.id if parent else None
        if parent is not None and body.get("lock_permissions"):
            channel.permission_overwrites = [dict(o) for o in parent.permission_overwrites]
    if new_name != channel.name:
        channel.renames.append(state.now())
        channel.name = new_name
    if "topic" in body:
        if body["topic"] is not None and len(str(body["topic"])) > 1024:
            raise too_long("topic", 1024)
        channel.topic = body["topic"]
    if body.get("position") is not None:
        channel.position = int(body["position"])
    if body.get("nsfw") is not None:
        channel.nsfw = bool(body["nsfw"])
    if body.get("rate_limit_per_user") is not None:
        channel.rate_limit_per_user = int(body["rate_limit_per_user"])
    if body.get("permission_overwrites") is not None:
        channel.permission_overwrites = normalise_overwrites(body["permission_overwrites"])
    state.emit("CHANNEL_UPDATE", state.channel_payload(channel), GUILDS)
    return channel


def delete_channel(state: State, channel: Channel) -> None:
    """Delete a channel (a category's children lose their parent); dispatches CHANNEL_DELETE."""
    del state.channels[channel.id]
    for msg_id in state.channel_messages.pop(channel.id, []):
        state.messages.pop(msg_id, None)
    state.emit("CHANNEL_DELETE", channel.payload(), GUILDS)
    if channel.type == GUILD_CATEGORY:
        for child in state.guild_channels(channel.guild_id or 0):
            if child.parent_id == channel.id:
                child.parent_id = None
                state.emit("CHANNEL_UPDATE", state.channel_payload(child), GUILDS)


def set_overwrite(state: State, channel: Channel, target_id: int, body: dict[str, Any] | None) -> None:
    """Put (``body``) or delete (None) one permission overwrite; dispatches CHANNEL_UPDATE."""
    rest = [o for o in channel.permission_overwrites if int(o["id"]) != int(target_id)]
    if body is not None:
        rest += normalise_overwrites([{**body, "id": target_id}])
    channel.permission_overwrites = rest
    state.emit("CHANNEL_UPDATE", state.channel_payload(channel), GUILDS)


def dm_channel(state: State, user_id: int) -> Channel:
    """The bot's DM channel with a user, made on first use (Discord sends no event for it)."""
    state.user(user_id)
    channel_id = state.dm_channels.get(int(user_id))
    if channel_id is not None and channel_id in state.channels:
        return state.channels[channel_id]
    channel = Channel(id=state.ids.next(), type=DM, recipient_ids=[int(user_id)])
    state.channels[channel.id] = channel
    state.dm_channels[int(user_id)] = channel.id
    return channel


def overwrite_targets_exist(guild: Guild, overwrites: list[dict[str, Any]]) -> None:
    """Overwrites must name roles of the guild (type 0); member overwrites may name any user."""
    for ow in overwrites:
        if ow["type"] == 0 and int(ow["id"]) not in guild.roles:
            raise error(UNKNOWN_ROLE)


def overwrite_bits(overwrites: list[dict[str, Any]]) -> int:
    """Every permission bit an overwrite list allows or denies."""
    bits = 0
    for ow in overwrites:
        bits |= int(ow["allow"]) | int(ow["deny"])
    return bits
