"""REST: channels, messages, reactions, pins and typing."""

from __future__ import annotations

from typing import Any

from . import auditlog as A
from . import guilds as G
from . import messages as M
from . import permissions as P
from .models import DM, TEXT_TYPES, Channel, Message
from .rest import Ctx, RouteSpec
from .state import GUILD_MESSAGES
from .util import (
    BULK_DELETE_TOO_OLD,
    CANNOT_DM,
    CANNOT_EDIT_OTHERS,
    MISSING_ACCESS,
    MISSING_PERMISSIONS,
    NON_TEXT_CHANNEL,
    error,
    form_error,
    sid,
    snowflake_time,
)


def require(ctx: Ctx, channel: Channel, needed: int) -> None:
    """The bot must see the channel (else 50001) and hold ``needed`` there (else 50013)."""
    if channel.type == DM:
        return
    perms = ctx.state.permissions(channel, ctx.state.bot_id)
    if not perms & P.VIEW_CHANNEL:
        raise error(MISSING_ACCESS)
    if not P.has(perms, needed):
        raise error(MISSING_PERMISSIONS)


def visible(ctx: Ctx, msg: Message) -> dict[str, Any]:
    """A message as REST shows it; without the message content intent enabled, content is empty."""
    data = ctx.state.message_payload(msg)
    hidden = "message_content" not in ctx.emu.privileged_intents and msg.guild_id is not None
    if hidden and msg.author_id != ctx.state.bot_id and ctx.state.bot_id not in msg.mentions:
        data.update(content="", embeds=[], attachments=[], components=[])
    return data


def check_dm_allowed(ctx: Ctx, channel: Channel) -> None:
    """Refuse DMs (50007) to users who closed them, to bots, or with no guild in common."""
    state = ctx.state
    for user_id in channel.recipient_ids:
        user = state.users.get(user_id)
        if user is None or user.bot or not user.dms_open:
            raise error(CANNOT_DM)
        if ctx.emu.require_mutual_guild_for_dms and not state.mutual_guild(user_id, state.bot_id):
            raise error(CANNOT_DM)


async def get_channel(ctx: Ctx) -> Any:
    """GET /channels/{channel.id}"""
    channel = ctx.state.channel(ctx.param("channel_id"))
    require(ctx, channel, P.VIEW_CHANNEL)
    return ctx.state.channel_payload(channel)


async def patch_channel(ctx: Ctx) -> Any:
    """PATCH /channels/{channel.id}: rename (2 per 10 minutes), topic, move, overwrites."""
    channel = ctx.state.channel(ctx.param("channel_id"))
    body = ctx.json()
    require(ctx, channel, P.MANAGE_CHANNELS)
    if body.get("permission_overwrites") is not None or body.get("lock_permissions"):
        require(ctx, channel, P.MANAGE_ROLES)
    before = ctx.state.channel_payload(channel)
    G.modify_channel(ctx.state, channel, body, ctx.emu.rename_limit)
    record_channel_update(ctx, channel, before)
    return ctx.state.channel_payload(channel)


def record_channel_update(ctx: Ctx, channel: Channel, before: dict[str, Any]) -> None:
    """CHANNEL_UPDATE for changed fields, CHANNEL_OVERWRITE_* for changed overwrites."""
    after = ctx.state.channel_payload(channel)
    changes = A.diff(before, after, A.CHANNEL_KEYS)
    if changes:
        A.by_bot(ctx, channel.guild_id, A.CHANNEL_UPDATE, target_id=channel.id, changes=changes)
    guild = ctx.state.guilds.get(channel.guild_id or 0)
    if guild is not None:
        A.record_overwrites(
            ctx, guild, channel, before["permission_overwrites"], after["permission_overwrites"]
        )


async def delete_channel(ctx: Ctx) -> Any:
    """DELETE /channels/{channel.id}"""
    channel = ctx.state.channel(ctx.param("channel_id"))
    payload = ctx.state.channel_payload(channel)
    if channel.type == DM:
        return payload
    require(ctx, channel, P.MANAGE_CHANNELS)
    G.delete_channel(ctx.state, channel)
    changes = A.channel_changes(payload, deleted=True)
    A.by_bot(ctx, channel.guild_id, A.CHANNEL_DELETE, target_id=channel.id, changes=changes)
    return payload


async def put_permission(ctx: Ctx) -> Any:
    """PUT /channels/{channel.id}/permissions/{overwrite.id}"""
    channel = ctx.state.channel(ctx.param("channel_id"))
    require(ctx, channel, P.MANAGE_ROLES)
    body = ctx.json()
    if "type" not in body:
        raise form_error({"type": ("BASE_TYPE_REQUIRED", "This field is required")})
    before = ctx.state.channel_payload(channel)
    G.set_overwrite(ctx.state, channel, ctx.param("overwrite_id"), body)
    record_channel_update(ctx, channel, before)
    return None


async def delete_permission(ctx: Ctx) -> Any:
    """DELETE /channels/{channel.id}/permissions/{overwrite.id}"""
    channel = ctx.state.channel(ctx.param("channel_id"))
    require(ctx, channel, P.MANAGE_ROLES)
    before = ctx.state.channel_payload(channel)
    G.set_overwrite(ctx.state, channel, ctx.param("overwrite_id"), None)
    record_channel_update(ctx, channel, before)
    return None


async def typing(ctx: Ctx) -> Any:
    """POST /channels/{channel.id}/typing"""
    channel = ctx.state.channel(ctx.param("channel_id"))
    require(ctx, channel, P.SEND_MESSAGES)
    ctx.emu.emit_typing(channel, ctx.state.bot_id)
    return None


async def list_messages(ctx: Ctx) -> Any:
    """GET /channels/{channel.id}/messages?before|after|around&limit (1-100, default 50)"""
    channel = ctx.state.channel(ctx.param("channel_id"))
    require(ctx, channel, P.VIEW_CHANNEL | P.READ_MESSAGE_HISTORY)
    try:
        limit = int(ctx.query.get("limit", 50))
    except ValueError:
        raise form_error({"limit": ("NUMBER_TYPE_COERCE", "Value is not int.")}) from None
    if not 1 <= limit <= 100:
        raise form_error({"limit": ("NUMBER_TYPE_MAX", "int value should be less than or equal to 100.")})
    anchors = {k: int(ctx.query[k]) for k in ("before", "after", "around") if ctx.query.get(k)}
    msgs = ctx.state.history(channel.id, limit=limit, **anchors)
    return [visible(ctx, m) for m in msgs]


async def post_message(ctx: Ctx) -> Any:
    """POST /channels/{channel.id}/messages (JSON or multipart with payload_json and files[n])."""
    channel = ctx.state.channel(ctx.param("channel_id"))
    if channel.type not in TEXT_TYPES:
        raise error(NON_TEXT_CHANNEL)
    needed = P.VIEW_CHANNEL | P.SEND_MESSAGES
    if ctx.uploads:
        needed |= P.ATTACH_FILES
    require(ctx, channel, needed)
    if channel.type == DM:
        check_dm_allowed(ctx, channel)
    body = ctx.json()
    msg, _created = M.create_message(ctx.state, channel, ctx.state.bot_id, body, ctx.uploads)
    return ctx.state.message_payload(msg)


async def get_message(ctx: Ctx) -> Any:
    """GET /channels/{channel.id}/messages/{message.id}"""
    channel = ctx.state.channel(ctx.param("channel_id"))
    require(ctx, channel, P.VIEW_CHANNEL | P.READ_MESSAGE_HISTORY)
    return visible(ctx, ctx.state.message(channel.id, ctx.param("message_id")))


async def patch_message(ctx: Ctx) -> Any:
    """PATCH /channels/{channel.id}/messages/{message.id} (only the bot's own messages)."""
    channel = ctx.state.channel(ctx.param("channel_id"))
    msg = ctx.state.message(channel.id, ctx.param("message_id"))
    if msg.author_id != ctx.state.bot_id or msg.webhook_id is not None:
        raise error(CANNOT_EDIT_OTHERS)
    M.edit_message(ctx.state, msg, ctx.json(), ctx.uploads)
    return ctx.state.message_payload(msg)


async def delete_message(ctx: Ctx) -> Any:
    """DELETE /channels/{channel.id}/messages/{message.id} (own, or with MANAGE_MESSAGES)."""
    channel = ctx.state.channel(ctx.param("channel_id"))
    msg = ctx.state.message(channel.id, ctx.param("message_id"))
    if msg.author_id != ctx.state.bot_id:
        if channel.type == DM:
            raise error(MISSING_PERMISSIONS)
        require(ctx, channel, P.MANAGE_MESSAGES)
    M.delete_message(ctx.state, msg)
    if msg.author_id != ctx.state.bot_id:
        # Discord logs a moderator deleting someone else's message, not one's own.
        options = {"channel_id": sid(channel.id), "count": "1"}
        A.by_bot(ctx, channel.guild_id, A.MESSAGE_DELETE, target_id=msg.author_id, options=options)
    return None


async def bulk_delete(ctx: Ctx) -> Any:
    """POST /channels/{channel.id}/messages/bulk-delete (2-100 messages under 14 days old)."""
    channel = ctx.state.channel(ctx.param("channel_id"))
    require(ctx, channel, P.MANAGE_MESSAGES)
    ids = [int(i) for i in ctx.json().get("messages") or []]
    if not 2 <= len(ids) <= 100:
        raise form_error({"messages": ("BASE_TYPE_BAD_LENGTH", "Must be between 2 and 100 in length.")})
    now = ctx.state.now()
    if any(now - snowflake_time(i) > 14 * 86400 for i in ids):
        raise error(BULK_DELETE_TOO_OLD)
    found = [ctx.state.messages[i] for i in ids if i in ctx.state.messages]
    for msg in found:
        ctx.state.remove_message(msg)
    data: dict[str, Any] = {"ids": [sid(m.id) for m in found], "channel_id": sid(channel.id)}
    if channel.guild_id:
        data["guild_id"] = sid(channel.guild_id)
    ctx.state.emit("MESSAGE_DELETE_BULK", data, GUILD_MESSAGES)
    options = {"count": str(len(found))}
    A.by_bot(ctx, channel.guild_id, A.MESSAGE_BULK_DELETE, target_id=channel.id, options=options)
    return None


async def put_reaction(ctx: Ctx) -> Any:
    """PUT /channels/{channel.id}/messages/{message.id}/reactions/{emoji}/@me"""
    channel = ctx.state.channel(ctx.param("channel_id"))
    msg = ctx.state.message(channel.id, ctx.param("message_id"))
    key, _ = M.parse_emoji(ctx.params["emoji"])
    needed = P.READ_MESSAGE_HISTORY | (0 if key in msg.reactions else P.ADD_REACTIONS)
    require(ctx, channel, needed)
    M.react(ctx.state, msg, ctx.state.bot_id, ctx.params["emoji"], add=True)
    return None


async def delete_own_reaction(ctx: Ctx) -> Any:
    """DELETE /channels/{channel.id}/messages/{message.id}/reactions/{emoji}/@me"""
    channel = ctx.state.channel(ctx.param("channel_id"))
    msg = ctx.state.message(channel.id, ctx.param("message_id"))
    M.react(ctx.state, msg, ctx.state.bot_id, ctx.params["emoji"], add=False)
    return None


async def delete_user_reaction(ctx: Ctx) -> Any:
    """DELETE /channels/{channel.id}/messages/{message.id}/reactions/{emoji}/{user.id}"""
    channel = ctx.state.channel(ctx.param("channel_id"))
    msg = ctx.state.message(channel.id, ctx.param("message_id"))
    require(ctx, channel, P.MANAGE_MESSAGES)
    M.react(ctx.state, msg, ctx.param("user_id"), ctx.params["emoji"], add=False)
    return None


async def get_reactions(ctx: Ctx) -> Any:
    """GET /channels/{channel.id}/messages/{message.id}/reactions/{emoji}"""
    channel = ctx.state.channel(ctx.param("channel_id"))
    msg = ctx.state.message(channel.id, ctx.param("message_id"))
    key, _ = M.parse_emoji(ctx.params["emoji"])
    users = msg.reactions.get(key, {}).get("users", [])
    return [ctx.state.users[u].payload() for u in users if u in ctx.state.users]


async def clear_reactions(ctx: Ctx) -> Any:
    """DELETE /channels/{channel.id}/messages/{message.id}/reactions[/{emoji}]"""
    channel = ctx.state.channel(ctx.param("channel_id"))
    msg = ctx.state.message(channel.id, ctx.param("message_id"))
    require(ctx, channel, P.MANAGE_MESSAGES)
    if "emoji" in ctx.params:
        key, _ = M.parse_emoji(ctx.params["emoji"])
        msg.reactions.pop(key, None)
    else:
        msg.reactions.clear()
    ctx.state.notify()
    return None


async def list_pins(ctx: Ctx) -> Any:
    """GET /channels/{channel.id}/pins"""
    channel = ctx.state.channel(ctx.param("channel_id"))
    require(ctx, channel, P.VIEW_CHANNEL | P.READ_MESSAGE_HISTORY)
    pinned = [m for m in ctx.state.history(channel.id, limit=10**6) if m.pinned]
    return [visible(ctx, m) for m in pinned]


async def pin(ctx: Ctx) -> Any:
    """PUT|DELETE /channels/{channel.id}/pins/{message.id}"""
    channel = ctx.state.channel(ctx.param("channel_id"))
    msg = ctx.state.message(channel.id, ctx.param("message_id"))
    require(ctx, channel, P.MANAGE_MESSAGES)
    was_pinned, msg.pinned = msg.pinned, ctx.request.method == "PUT"
    M.dispatch_message(ctx.state, "MESSAGE_UPDATE", msg)
    if was_pinned != msg.pinned:
        action = A.MESSAGE_PIN if msg.pinned else A.MESSAGE_UNPIN
        options = {"channel_id": sid(channel.id), "message_id": sid(msg.id)}
        A.by_bot(ctx, channel.guild_id, action, target_id=msg.author_id, options=options)
    return None


_C = "/channels/{channel_id}"
_M = _C + "/messages/{message_id}"
ROUTES = [
    RouteSpec("GET", _C, get_channel),
    RouteSpec("PATCH", _C, patch_channel),
    RouteSpec("DELETE", _C, delete_channel),
    RouteSpec("PUT", _C + "/permissions/{overwrite_id}", put_permission),
    RouteSpec("DELETE", _C + "/permissions/{overwrite_id}", delete_permission),
    RouteSpec("POST", _C + "/typing", typing),
    RouteSpec("GET", _C + "/messages", list_messages),
    RouteSpec("POST", _C + "/messages", post_message),
    RouteSpec("POST", _C + "/messages/bulk-delete", bulk_delete),
    RouteSpec("GET", _M, get_message),
    RouteSpec("PATCH", _M, patch_message),
    RouteSpec("DELETE", _M, delete_message),
    RouteSpec("PUT", _M + "/reactions/{emoji}/@me", put_reaction),
    RouteSpec("DELETE", _M + "/reactions/{emoji}/@me", delete_own_reaction),
    RouteSpec("DELETE", _M + "/reactions/{emoji}/{user_id}", delete_user_reaction),
    RouteSpec("GET", _M + "/reactions/{emoji}", get_reactions),
    RouteSpec("DELETE", _M + "/reactions/{emoji}", clear_reactions),
    RouteSpec("DELETE", _M + "/reactions", clear_reactions),
    RouteSpec("GET", _C + "/pins", list_pins),
    RouteSpec("PUT", _C + "/pins/{message_id}", pin),
    RouteSpec("DELETE", _C + "/pins/{message_id}", pin),
]
