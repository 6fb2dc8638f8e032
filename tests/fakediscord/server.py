"""The server object: one aiohttp app on 127.0.0.1 with the REST API, the gateway and the control API."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import re
import time
import weakref
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import auditlog, bans, control, oauth, rest, rest_channels, rest_guilds, rest_interactions
from .api import EmulatorAPI
from .demo import DemoGuild
from .faults import Faults
from .gateway import Gateway
from .guilds import RenameLimit
from .models import Channel, Message, User
from .oauth import OAuth
from .ratelimit import RateLimiter
from .state import DIRECT_MESSAGE_TYPING, GUILD_MESSAGE_TYPING, GUILDS, State
from .util import EMU_KEY, iso, json_response, new_token, sid

if TYPE_CHECKING:
    from .thread import FakeDiscordThread

log = logging.getLogger("fakediscord")
# Every emulator made in this process, so the test suite can check them all for gaps.
LIVE_EMULATORS: weakref.WeakSet[FakeDiscord] = weakref.WeakSet()


class FakeDiscord(EmulatorAPI):
    """A local Discord: REST under ``/api/v10``, the gateway at ``/gateway``, one shared state.

    ``emu = FakeDiscord(); await emu.start(port=0)`` then point nextcord at ``emu.api_base``.
    Everything runs on the loop that called :meth:`start`; the Python API must be used from that
    loop's thread (or through :meth:`start_in_thread`'s proxy from any other thread).
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        bot_name: str = "Rustmail",
        bot_token: str | None = None,
        heartbeat_interval_ms: int = 41250,
    ) -> None:
        self.state = State()
        bot_id = self.state.ids.next()
        self.state.users[bot_id] = User(id=bot_id, username=bot_name, bot=True)
        self.state.bot_id = bot_id
        # Modern applications share their ID with their bot user.
        self.application_id = bot_id
        self.state.application_id = bot_id
        encoded = base64.b64encode(str(bot_id).encode()).decode().rstrip("=")
        self.bot_token = bot_token or f"{encoded}.{new_token(4)}.{new_token(20)}"
        self.client_secret = new_token(24)
        self.host = host
        self.port = 0
        self.gateway = Gateway(self)
        self.gateway.heartbeat_interval_ms = heartbeat_interval_ms
        self.state.dispatch_hook = self.gateway.dispatch
        self.faults = Faults(self)
        self.limiter = RateLimiter()
        self.oauth = OAuth(self)
        self.calls: list[rest.Call] = []
        self.unimplemented: list[rest.Call] = []
        self.server_errors: list[str] = []
        # File names of every attachment URL fetched (CDN downloads), in order.
        self.attachment_downloads: list[str] = []
        self.privileged_intents: set[str] = {"members", "presences", "message_content"}
        self.require_mutual_guild_for_dms = True
        self.rename_limit: RenameLimit | None = RenameLimit()
        self.interaction_ack_timeout = 3.0
        self.ephemeral: dict[int, Message] = {}
        self.demo: DemoGuild | None = None
        self.loop: Any = None
        self._runner: web.AppRunner | None = None
        self.reported_gaps: set[int] = set()
        self._thread_proxy: FakeDiscordThread | None = None
        LIVE_EMULATORS.add(self)

    # -- addresses and identity ----------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``"""
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        """What ``DISCORD_API_BASE`` / ``nextcord.http.Route.BASE`` should be."""
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        """The websocket URL ``GET /gateway`` hands out."""
        return f"ws://{self.host}:{self.port}/gateway"

    @property
    def bot_id(self) -> int:
        """The bot user's ID."""
        return self.state.bot_id

    @property
    def bot_user(self) -> dict[str, Any]:
        """The bot's user object."""
        return self.state.users[self.state.bot_id].payload()

    @property
    def rate_limit_mode(self) -> bool:
        """When True, Discord's rate limits are enforced with real 429s."""
        return self.limiter.enabled

    @rate_limit_mode.setter
    def rate_limit_mode(self, enabled: bool) -> None:
        self.limiter.enabled = bool(enabled)
        self.limiter.reset()

    @property
    def presences(self) -> list[dict[str, Any]]:
        """Presence updates received (op 3, and IDENTIFY's ``presence``), oldest first."""
        return self.gateway.presences

    @property
    def events(self) -> list[dict[str, Any]]:
        """Gateway events dispatched (the last 20000), ``{"t": name, "d": data}``, oldest first."""
        return list(self.gateway.events)

    def application_flags(self) -> int:
        """The application's flags: the *_LIMITED gateway intents that are enabled."""
        flags = 1 << 23  # APPLICATION_COMMAND_BADGE
        bits = {"presences": 1 << 13, "members": 1 << 15, "message_content": 1 << 19}
        for name, bit in bits.items():
            if name in self.privileged_intents:
                flags |= bit
        return flags

    def application_payload(self) -> dict[str, Any]:
        """The application object (``GET /oauth2/applications/@me``)."""
        owner_id = self.demo.owner_id if self.demo else self.bot_id
        return {
            "id": sid(self.application_id),
            "name": self.state.users[self.bot_id].username,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "bot": self.bot_user,
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": self.state.users[owner_id].payload(),
            "team": None,
            "verify_key": "0" * 64,
            "flags": self.application_flags(),
            "hook": True,
            "rpc_origins": [],
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "approximate_guild_count": len(self.state.bot_guilds()),
        }

    # -- lifecycle ---------------------------------------------------------------------------

    def build_app(self) -> web.Application:
        """The aiohttp application with every route."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app[EMU_KEY] = self
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/gateway/", self.gateway.handle)
        app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self._attachment)
        app.router.add_get("/media/attachments/{channel_id}/{attachment_id}/{filename}", self._attachment)
        for path in oauth.AUTHORIZE_PATHS:
            app.router.add_get(path, oauth.authorize)
        control.mount(app)
        app.router.add_get("/", self._index)
        rest.mount(
            app,
            self,
            rest_guilds.ROUTES
            + rest_channels.ROUTES
            + rest_interactions.ROUTES
            + oauth.ROUTES
            + auditlog.ROUTES
            + bans.ROUTES,
        )
        return app

    async def start(self, port: int = 0) -> FakeDiscord:
        """Listen on ``host:port`` (0 picks a free port, see :attr:`port`)."""
        self.loop = asyncio.get_running_loop()
        self._runner = web.AppRunner(
            self.build_app(), access_log=None, shutdown_timeout=1.0, handle_signals=False
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, port)
        await site.start()
        server = site._server
        assert server is not None and server.sockets
        self.port = server.sockets[0].getsockname()[1]
        self.state.cdn_base = self.base_url
        log.info("fakediscord listening on %s", self.base_url)
        return self

    async def stop(self) -> None:
        """Close gateway connections (1001) and the server. Close bots first or they reconnect."""
        await self.gateway.close_all(1001)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def start_in_thread(self, port: int = 0) -> FakeDiscordThread:
        """Run this emulator on its own loop in a daemon thread; returns the thread-safe proxy."""
        from .thread import FakeDiscordThread

        self._thread_proxy = FakeDiscordThread(self).start(port)
        return self._thread_proxy

    def stop_thread(self) -> None:
        """Stop what :meth:`start_in_thread` started (call it from any thread but the emulator's)."""
        if self._thread_proxy is not None:
            self._thread_proxy.stop()
            self._thread_proxy = None

    # -- recording and helpers used by the routes --------------------------------------------

    def record(self, call: rest.Call) -> None:
        """Keep a REST call in :attr:`calls`."""
        self.calls.append(call)
        self.state.notify()

    def calls_to(self, method: str | None = None, path_regex: str | None = None) -> list[rest.Call]:
        """Recorded calls filtered by method and a regex searched in the path."""
        pattern = re.compile(path_regex) if path_regex else None
        return [
            c
            for c in self.calls
            if (method is None or c.method == method.upper()) and (pattern is None or pattern.search(c.path))
        ]

    def emit_typing(self, channel: Channel, user_id: int) -> None:
        """TYPING_START for a user in a channel."""
        data: dict[str, Any] = {
            "channel_id": sid(channel.id),
            "user_id": sid(user_id),
            "timestamp": int(time.time()),
        }
        if channel.guild_id:
            data["guild_id"] = sid(channel.guild_id)
            member = self.state.guilds[channel.guild_id].members.get(user_id)
            if member is not None:
                data["member"] = self.state.member_payload(member)
        self.state.emit(
            "TYPING_START", data, GUILD_MESSAGE_TYPING if channel.guild_id else DIRECT_MESSAGE_TYPING
        )

    def bot_leave_guild(self, guild_id: int) -> None:
        """The bot leaves a guild: GUILD_DELETE."""
        guild = self.state.guild(guild_id)
        guild.members.pop(self.bot_id, None)
        self.state.emit("GUILD_DELETE", {"id": sid(guild.id), "unavailable": False}, GUILDS)

    def expire_attachments(self, channel_id: int | str | None = None) -> int:
        """Make attachment URLs expire now (all, or a channel's), as Discord's signed CDN URLs do
        after about a day; returns how many expired."""
        count = 0
        now = self.state.now()
        for blob in self.state.blobs.values():
            if channel_id is not None and blob.channel_id != int(channel_id):
                continue
            if blob.expires > now:
                blob.expires = now - 1
                count += 1
        return count

    async def _attachment(self, request: web.Request) -> web.StreamResponse:
        blob = self.state.blobs.get(int(request.match_info["attachment_id"]))
        filename = request.match_info["filename"]
        self.attachment_downloads.append(filename)
        if blob is None or blob.filename != filename:
            return web.Response(status=404, text="Not Found")
        if time.time() > blob.expires:
            return web.Response(status=404, text="This content is no longer available.")
        status = self.faults.attachment_fault(filename)
        if status is not None:
            return web.Response(status=status, text="CDN error")
        return web.Response(body=blob.data, headers={"Content-Type": blob.content_type})

    async def _index(self, request: web.Request) -> web.Response:
        return json_response(
            {
                "fakediscord": True,
                "api_base": self.api_base,
                "gateway": self.gateway_url,
                "control": f"{self.base_url}/_emulator/info",
                "started": iso(),
            }
        )

    async def __aenter__(self) -> FakeDiscord:
        if self._runner is None:
            await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        with contextlib.suppress(Exception):
            await self.stop()
