"""The HTTP control API under ``/_emulator/``: the Python API for scripts and demos.

No authentication: the server listens on 127.0.0.1 only. IDs in JSON may be strings or numbers.
Errors: 400 ``{"error": "..."}`` for a bad request, 404 for unknown objects.
"""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .util import EMU_KEY, DiscordError, json_response, sid

if TYPE_CHECKING:
    from .server import FakeDiscord

ControlHandler = Callable[["FakeDiscord", web.Request, dict[str, Any]], Awaitable[Any]]
_ROUTES: list[tuple[str, str, ControlHandler]] = []


def route(method: str, path: str) -> Callable[[ControlHandler], ControlHandler]:
    """Register a control endpoint under ``/_emulator``."""

    def register(func: ControlHandler) -> ControlHandler:
        _ROUTES.append((method, "/_emulator" + path, func))
        return func

    return register


def _wrap(func: ControlHandler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        emu: FakeDiscord = request.app[EMU_KEY]
        try:
            body = await request.json() if request.can_read_body else {}
            result = await func(emu, request, body or {})
        except DiscordError as exc:
            return json_response({"error": exc.message, "code": exc.code}, exc.status)
        except (KeyError, ValueError, TypeError, PermissionError, TimeoutError) as exc:
            return json_response({"error": f"{type(exc).__name__}: {exc}"}, 400)
        if result is None:
            return web.Response(status=204)
        return json_response(result)

    return handle


def mount(app: web.Application) -> None:
    """Add the control routes to the app."""
    for method, path, func in _ROUTES:
        app.router.add_route(method, path, _wrap(func))


def _guild(emu: FakeDiscord, body: dict[str, Any], request: web.Request) -> int:
    raw = body.get("guild_id") or request.query.get("guild_id") or (emu.demo.guild_id if emu.demo else None)
    if raw is None:
        raise ValueError("guild_id is required (no demo guild)")
    return int(raw)


def _attachments(body: dict[str, Any]) -> list[tuple[str, bytes, str]]:
    return [
        (
            a["filename"],
            base64.b64decode(a.get("content_base64", "")),
            a.get("content_type", "application/octet-stream"),
        )
        for a in body.get("attachments") or []
    ]


@route("GET", "/info")
async def info(emu: FakeDiscord, request: web.Request, body: dict[str, Any]) -> Any:
    """The token the emulator accepts, the bot and application IDs, the demo guild's IDs."""
    return {
        "api_base": emu.api_base,
        "gateway_url": emu.gateway_url,
        "bot_token": emu.bot_token,
        "bot_id": sid(emu.bot_id),
        "bot_user": emu.bot_user,
        "application_id": sid(emu.application_id),
        "client_id": sid(emu.application_id),
        "client_secret": emu.client_secret,
        "demo": emu.demo.as_json() if emu.demo else None,
        "rate_limit_mode": emu.rate_limit_mode,
    }


@route("POST", "/users")
async def create_user(emu: FakeDiscord, request: web.Request, body: dict[str, Any]) -> Any:
    """{"username", "global_name"?, "guild_id"?} → the new user (added to the guild when given)."""
    user_id = emu.create_user(body["username"], global_name=body.get("global_name"))
    if body.get("guild_id") or (emu.demo and body.get("join_demo", True)):
        await emu.member_join(_guild(emu, body, request), user_id)
    return emu.user(user_id)


@route("POST", "/dm")
async def dm(emu: FakeDiscord, request: web.Request, body: dict[str, Any]) -> Any:
    """{"user_id", "content", "attachments"?: [{"filename", "content_base64", "content_type"}]}"""
    return await emu.user_dm(body["user_id"], body.get("content", ""), _attachments(body))


@route("PATCH", "/dm/{message_id}")
async def edit_dm(emu: FakeDiscord, request: web.Request, body: dict[str, Any]) -> Any:
    """{"user_id", "content"}: the user edits their DM."""
    return await emu.user_edit_dm(body["user_id"], request.match_info["message_id"], body["content"])


@route("DELETE", "/dm/{message_id}")
async def delete_dm(emu: FakeDiscord, request: web.Request, body: dict[str, Any]) -> Any:
    """?user_id=: the user deletes their DM."""
    await emu.user_delete_dm(
        request.query.get("user_id") or body["user_id"], request.match_info["message_id"]
    )


@route("GET", "/users/{user_id}/dm")
async def user_dm_history(emu: FakeDiscord, request: web.Request, body: dict[str, Any]) -> Any:
    """The DM history between the bot and the user, oldest first."""
    return emu.dm_messages(request.match_info["user_id"])


@route("POST", "/users/{user_id}/close-dms")
async def close_dms(emu: FakeDiscord, request: web.Request, body: dict[str, Any]) -> Any:
    """{"closed": true|false}: the user refuses (or accepts again) DMs from the bot."""
    emu.close_dms(request.match_info["user_id"], bool(body.get("closed", True)))


@route("GET", "/channels")
async def channels(emu: FakeDiscord, request: web.Request, body: dict[str, Any]) -> Any:
    """Guild channels (``?guild_id=`` for one guild)."""
    return emu.channels(request.query.get("guild_id"))


@route("GET", "/channels/{channel_id}/messages")
async def channel_messages(emu: FakeDiscord, request: web.Request, body: dict[str, Any]) -> Any:
    """A channel's messages, oldest first."""
    emu.state.channel(request.match_info["channel_id"])
    return emu.messages(request.match_info["channel_id"])


@route("POST", "/channels/{channel_id}/messages")
async def post_message(emu: FakeDiscord, request: web.Request, body: dict[str, Any]) -> Any:
    """{"user_id", "content", "attachments"?}: someone posts in a guild channel."""
    return await emu.post_in_channel(
        request.match_info["channel_id"], body["user_id"], body.get("content", ""), _attachments(body)
    )


@route("POST", "/interactions/command")
async def command(emu: FakeDiscord, request: web.Request, body: dict[str, Any]) -> Any:
    """{"name", "user_id", "channel_id", "options"?: {name: value}, "guild_id"?}"""
    return await emu.invoke_command(
        body["name"], body["user_id"], body["channel_id"], body.get("options"), body.get("guild_id")
    )


@route("POST", "/interactions/button")
async def button(emu: FakeDiscord, request: web.Request, body: dict[str, Any]) -> Any:
    """{"message_id", "custom_id", "user_id"}"""
    return await emu.click_button(body["message_id"], body["custom_id"], body["user_id"])


@route("POST", "/interactions/select")
async def select(emu: FakeDiscord, request: web.Request, body: dict[str, Any]) -> Any:
    """{"message_id", "custom_id", "values": [...], "user_id"}"""
    return await emu.select(body["message_id"], body["custom_id"], body["values"], body["user_id"])


@route("POST", "/interactions/modal")
async def modal(emu: FakeDiscord, request: web.Request, body: dict[str, Any]) -> Any:
    """{"user_id", "custom_id", "values": {field_custom_id: text}}"""
    return await emu.submit_modal(body["user_id"], body["custom_id"], body.get("values", {}))


@route("GET", "/interactions/{interaction_id}/responses")
async def responses(emu: FakeDiscord, request: web.Request, body: dict[str, Any]) -> Any:
    """The bot's answers to an interaction."""
    return emu.interaction_responses(request.match_info["interaction_id"])


@route("POST", "/audit-logs")
async def add_audit_log_entry(emu: FakeDiscord, request: web.Request, body: dict[str, Any]) -> Any:
    """{"action_type", "user_id", "guild_id"?, "target_id"?, "changes"?, "options"?, "reason"?}: an
    audit log entry (default: the demo guild)."""
    if "action_type" not in body:
        raise ValueError("action_type is required")
    return await emu.add_audit_log_entry(
        _guild(emu, body, request),
        int(body["action_type"]),
        body.get("user_id"),
        target_id=body.get("target_id"),
        changes=body.get("changes"),
        options=body.get("options"),
        reason=body.get("reason"),
    )


@route("GET", "/audit-logs")
async def audit_log(emu: FakeDiscord, request: web.Request, body: dict[str, Any]) -> Any:
    """?guild_id=: a guild's audit log, oldest first (default: the demo guild)."""
    return emu.audit_log(_guild(emu, body, request))


@route("POST", "/members/{user_id}/leave")
async def leave(emu: FakeDiscord, request: web.Request, body: dict[str, Any]) -> Any:
    """{"guild_id"?}: the member leaves (default: the demo guild)."""
    await emu.member_leave(_guild(emu, body, request), request.match_info["user_id"])


@route("POST", "/members/{user_id}/join")
async def join(emu: FakeDiscord, request: web.Request, body: dict[str, Any]) -> Any:
    """{"guild_id"?, "roles"?}: the user joins (default: the demo guild)."""
    return await emu.member_join(
        _guild(emu, body, request), request.match_info["user_id"], body.get("roles", [])
    )


@route("POST", "/oauth/login-as")
async def login_as(emu: FakeDiscord, request: web.Request, body: dict[str, Any]) -> Any:
    """{"user_id"}: who the next OAuth2 authorization logs in as."""
    emu.oauth_login_as(body.get("user_id"))


@route("GET", "/calls")
async def calls(emu: FakeDiscord, request: web.Request, body: dict[str, Any]) -> Any:
    """Recorded REST calls (``?unimplemented=1`` for only the unimplemented ones)."""
    source = emu.unimplemented if request.query.get("unimplemented") else emu.calls
    return [dataclasses.asdict(c) for c in source]


@route("GET", "/presences")
async def presences(emu: FakeDiscord, request: web.Request, body: dict[str, Any]) -> Any:
    """Presence updates the bot sent."""
    return emu.presences


@route("POST", "/faults/drop-gateway")
async def drop_gateway(emu: FakeDiscord, request: web.Request, body: dict[str, Any]) -> Any:
    """{"code"?}: drop every gateway connection (the bot must RESUME)."""
    return {"dropped": emu.faults.drop_gateway(body.get("code"))}


@route("POST", "/faults/fail-next")
async def fail_next(emu: FakeDiscord, request: web.Request, body: dict[str, Any]) -> Any:
    """{"method", "path_regex", "status"?, "count"?, "code"?, "message"?}"""
    emu.faults.fail_next(
        body.get("method"),
        body["path_regex"],
        int(body.get("status", 500)),
        int(body.get("count", 1)),
        int(body.get("code", 0)),
        body.get("message"),
    )


@route("POST", "/faults/fail-attachments")
async def fail_attachments(emu: FakeDiscord, request: web.Request, body: dict[str, Any]) -> Any:
    """{"count"?, "status"?, "filename_regex"?}: make the next attachment downloads fail."""
    emu.faults.fail_attachments(
        int(body.get("count", 1)), int(body.get("status", 500)), body.get("filename_regex", ".")
    )


@route("POST", "/attachments/expire")
async def expire_attachments(emu: FakeDiscord, request: web.Request, body: dict[str, Any]) -> Any:
    """{"channel_id"?}: make attachment URLs (all, or a channel's) expire now."""
    return {"expired": emu.expire_attachments(body.get("channel_id"))}


@route("POST", "/faults/clear")
async def clear_faults(emu: FakeDiscord, request: web.Request, body: dict[str, Any]) -> Any:
    """Remove every REST fault."""
    emu.faults.clear()


@route("POST", "/rate-limit-mode")
async def rate_limit_mode(emu: FakeDiscord, request: web.Request, body: dict[str, Any]) -> Any:
    """{"enabled": bool}: enforce Discord's rate limits with real 429s."""
    emu.rate_limit_mode = bool(body.get("enabled", True))
    return {"rate_limit_mode": emu.rate_limit_mode}
