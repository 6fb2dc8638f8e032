"""REST: application commands, the application, interaction callbacks and webhook follow-ups."""

from __future__ import annotations

import re
from typing import Any

from . import interactions as I
from . import messages as M
from .models import Command, Interaction, Message
from .rest import Ctx, RouteSpec
from .util import (
    MISSING_ACCESS,
    UNKNOWN_COMMAND,
    UNKNOWN_INTERACTION,
    UNKNOWN_MESSAGE,
    UNKNOWN_WEBHOOK,
    DiscordError,
    error,
    form_error,
    sid,
    too_long,
)

_NAME = re.compile(r"^[-_'\w]{1,32}$")
MAX_COMMANDS = 100


def _app(ctx: Ctx) -> None:
    if ctx.params.get("application_id") != str(ctx.emu.application_id):
        raise error(MISSING_ACCESS)


def _guild_id(ctx: Ctx) -> int | None:
    if "guild_id" not in ctx.params:
        return None
    guild = ctx.state.guild(ctx.param("guild_id"))
    if ctx.state.bot_id not in guild.members:
        raise error(MISSING_ACCESS)
    return guild.id


def validate_command(data: dict[str, Any], path: str = "") -> None:
    """Discord's command rules: lower-case names of 1-32, descriptions of 1-100, 25 options."""
    kind = int(data.get("type", 1))
    name = str(data.get("name") or "")
    if kind == 1 and (not _NAME.match(name) or name != name.lower()):
        raise form_error({f"{path}name": ("APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")})
    description = str(data.get("description") or "")
    if kind == 1 and not 1 <= len(description) <= 100:
        raise form_error(
            {f"{path}description": ("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")}
        )
    options = data.get("options") or []
    if len(options) > 25:
        raise too_long(f"{path}options", 25)
    for i, option in enumerate(options):
        validate_command({**option, "type": 1}, f"{path}options.{i}.")
        if len(option.get("choices") or []) > 25:
            raise too_long(f"{path}options.{i}.choices", 25)


def _scope(ctx: Ctx, guild_id: int | None) -> list[Command]:
    return [c for c in ctx.state.commands.values() if c.guild_id == guild_id]


def _upsert(ctx: Ctx, guild_id: int | None, data: dict[str, Any]) -> tuple[Command, bool]:
    validate_command(data)
    kind = int(data.get("type", 1))
    for cmd in _scope(ctx, guild_id):
        if cmd.name == data.get("name") and int(cmd.data.get("type", 1)) == kind:
            cmd.data = dict(data)
            cmd.version = ctx.state.ids.next()
            return cmd, False
    if len(_scope(ctx, guild_id)) >= MAX_COMMANDS:
        raise DiscordError(400, 30032, "Maximum number of application commands reached (100)")
    cmd = Command(ctx.state.ids.next(), ctx.emu.application_id, guild_id, dict(data), ctx.state.ids.next())
    ctx.state.commands[cmd.id] = cmd
    return cmd, True


def _command(ctx: Ctx) -> Command:
    cmd = ctx.state.commands.get(ctx.param("command_id"))
    if cmd is None or cmd.guild_id != _guild_id(ctx):
        raise error(UNKNOWN_COMMAND)
    return cmd


async def list_commands(ctx: Ctx) -> Any:
    """GET /applications/{app.id}[/guilds/{guild.id}]/commands"""
    _app(ctx)
    return [c.payload() for c in _scope(ctx, _guild_id(ctx))]


async def create_command(ctx: Ctx) -> Any:
    """POST .../commands: creates (201) or, for an existing name and type, overwrites (200)."""
    _app(ctx)
    cmd, created = _upsert(ctx, _guild_id(ctx), ctx.json())
    ctx.status = 201 if created else 200
    ctx.state.notify()
    return cmd.payload()


async def bulk_overwrite(ctx: Ctx) -> Any:
    """PUT .../commands: the given list becomes the whole set (same name and type keep their IDs)."""
    _app(ctx)
    guild_id = _guild_id(ctx)
    items = ctx.body if isinstance(ctx.body, list) else []
    for i, item in enumerate(items):
        try:
            validate_command(item)
        except DiscordError as exc:
            exc.errors = {str(i): exc.errors}
            raise
    keep: list[Command] = []
    for item in items:
        cmd, _ = _upsert(ctx, guild_id, item)
        keep.append(cmd)
    for cmd in _scope(ctx, guild_id):
        if cmd not in keep:
            del ctx.state.commands[cmd.id]
    ctx.state.notify()
    return [c.payload() for c in keep]


async def get_command(ctx: Ctx) -> Any:
    """GET .../commands/{command.id}"""
    _app(ctx)
    return _command(ctx).payload()


async def patch_command(ctx: Ctx) -> Any:
    """PATCH .../commands/{command.id}"""
    _app(ctx)
    cmd = _command(ctx)
    data = {**cmd.data, **ctx.json()}
    validate_command(data)
    cmd.data = data
    cmd.version = ctx.state.ids.next()
    return cmd.payload()


async def delete_command(ctx: Ctx) -> Any:
    """DELETE .../commands/{command.id}"""
    _app(ctx)
    del ctx.state.commands[_command(ctx).id]
    return None


async def command_permissions(ctx: Ctx) -> Any:
    """GET .../guilds/{guild.id}/commands/permissions (none are set in the emulator)."""
    _app(ctx)
    return []


async def application(ctx: Ctx) -> Any:
    """GET /oauth2/applications/@me and /applications/@me"""
    return ctx.emu.application_payload()


async def interaction_callback(ctx: Ctx) -> Any:
    """POST /interactions/{interaction.id}/{token}/callback → 204 (200 with ``?with_response=true``)."""
    inter = ctx.state.interactions.get(ctx.param("interaction_id"))
    if inter is None or inter.token != ctx.params["interaction_token"]:
        raise error(UNKNOWN_INTERACTION)
    msg = I.callback(ctx.emu, inter, ctx.json(), ctx.uploads)
    if ctx.query.get("with_response") not in ("true", "True", "1"):
        return None
    result: dict[str, Any] = {
        "interaction": {
            "id": sid(inter.id),
            "type": inter.type,
            "activity_instance_id": None,
            "response_message_id": sid(msg.id) if msg else None,
            "response_message_loading": bool(msg and msg.flags & M.LOADING),
            "response_message_ephemeral": bool(msg and msg.flags & M.EPHEMERAL),
        }
    }
    if msg is not None:
        result["resource"] = {"type": inter.response_type, "message": ctx.state.message_payload(msg)}
    return result


def _interaction(ctx: Ctx) -> Interaction:
    if ctx.params["webhook_id"] != str(ctx.emu.application_id):
        raise error(UNKNOWN_WEBHOOK)
    inter = ctx.state.interactions_by_token.get(ctx.params["webhook_token"])
    if inter is None:
        raise error(UNKNOWN_WEBHOOK)
    if ctx.state.now() - inter.created > I.TOKEN_LIFETIME:
        raise DiscordError(401, 50027, "Invalid Webhook Token")
    return inter


def _message(ctx: Ctx, inter: Interaction) -> Message:
    raw = ctx.params["message_id"]
    message_id = inter.original_message_id if raw == "@original" else int(raw) if raw.isdigit() else None
    if message_id is None:
        raise error(UNKNOWN_MESSAGE)
    msg = ctx.state.messages.get(message_id) or ctx.emu.ephemeral.get(message_id)
    if msg is None:
        raise error(UNKNOWN_MESSAGE)
    return msg


def _record(inter: Interaction, kind: str, ctx: Ctx, msg: Message | None) -> None:
    inter.responses.append(
        {
            "interaction_id": inter.id,
            "kind": kind,
            "type": None,
            "data": ctx.json(),
            "message_id": msg.id if msg else None,
        }
    )
    ctx.state.notify()


async def followup(ctx: Ctx) -> Any:
    """POST /webhooks/{app.id}/{token}: a follow-up (the first one after a deferral fills the placeholder)."""
    inter = _interaction(ctx)
    if not inter.acknowledged:
        raise error(UNKNOWN_WEBHOOK)
    if inter.deferred_pending and inter.original_message_id is not None:
        msg = _message_with_id(ctx, inter.original_message_id)
        _fill_placeholder(ctx, inter, msg)
    else:
        msg = I.send_as_bot(ctx.emu, inter, ctx.json(), ctx.uploads)
    _record(inter, "followup", ctx, msg)
    return ctx.state.message_payload(msg)


def _message_with_id(ctx: Ctx, message_id: int) -> Message:
    msg = ctx.state.messages.get(message_id) or ctx.emu.ephemeral.get(message_id)
    if msg is None:
        raise error(UNKNOWN_MESSAGE)
    return msg


def _fill_placeholder(ctx: Ctx, inter: Interaction, msg: Message) -> None:
    inter.deferred_pending = False
    msg.flags &= ~M.LOADING
    M.edit_message(ctx.state, msg, ctx.json(), ctx.uploads)


async def get_webhook_message(ctx: Ctx) -> Any:
    """GET /webhooks/{app.id}/{token}/messages/{@original|message.id}"""
    return ctx.state.message_payload(_message(ctx, _interaction(ctx)))


async def edit_webhook_message(ctx: Ctx) -> Any:
    """PATCH /webhooks/{app.id}/{token}/messages/{@original|message.id}"""
    inter = _interaction(ctx)
    msg = _message(ctx, inter)
    if inter.deferred_pending and msg.id == inter.original_message_id:
        _fill_placeholder(ctx, inter, msg)
    else:
        M.edit_message(ctx.state, msg, ctx.json(), ctx.uploads)
    _record(inter, "edit", ctx, msg)
    return ctx.state.message_payload(msg)


async def delete_webhook_message(ctx: Ctx) -> Any:
    """DELETE /webhooks/{app.id}/{token}/messages/{@original|message.id}"""
    inter = _interaction(ctx)
    msg = _message(ctx, inter)
    if ctx.emu.ephemeral.pop(msg.id, None) is None:
        M.delete_message(ctx.state, msg)
    _record(inter, "delete", ctx, msg)
    return None


_A = "/applications/{application_id}"
_GC = _A + "/guilds/{guild_id}/commands"
_W = "/webhooks/{webhook_id}/{webhook_token}"
ROUTES = [
    RouteSpec("GET", "/oauth2/applications/@me", application),
    RouteSpec("GET", "/applications/@me", application),
    RouteSpec(
        "POST",
        "/interactions/{interaction_id}/{interaction_token}/callback",
        interaction_callback,
        auth="none",
        counts_global=False,
    ),
    RouteSpec("POST", _W, followup, auth="none", counts_global=False),
    RouteSpec("GET", _W + "/messages/{message_id}", get_webhook_message, auth="none", counts_global=False),
    RouteSpec("PATCH", _W + "/messages/{message_id}", edit_webhook_message, auth="none", counts_global=False),
    RouteSpec(
        "DELETE", _W + "/messages/{message_id}", delete_webhook_message, auth="none", counts_global=False
    ),
    RouteSpec("GET", _GC + "/permissions", command_permissions),
    RouteSpec("GET", _GC + "/{command_id}/permissions", command_permissions),
]
for _base in (_A + "/commands", _GC):
    ROUTES += [
        RouteSpec("GET", _base, list_commands),
        RouteSpec("POST", _base, create_command),
        RouteSpec("PUT", _base, bulk_overwrite),
        RouteSpec("GET", _base + "/{command_id}", get_command),
        RouteSpec("PATCH", _base + "/{command_id}", patch_command),
        RouteSpec("DELETE", _base + "/{command_id}", delete_command),
    ]
