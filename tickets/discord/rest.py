"""The Discord port over Discord's REST API, for any process (bot, web, worker).

It honours 429s (waits ``retry_after`` and tries again), spaces requests to stay under the global
50 requests per second (``DISCORD_REST_RATE``), and retries 5xx answers a few times with backoff.
"""

from __future__ import annotations

import json as jsonlib
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, BinaryIO
from urllib.parse import quote

import requests
from django.conf import settings

from . import is_courtesy
from .port import (
    DEFAULT_UPLOAD_LIMIT,
    UNKNOWN_MEMBER,
    AttachmentTooLarge,
    AuditLogPage,
    DiscordChannel,
    DiscordError,
    DiscordGuild,
    DiscordMember,
    DiscordRole,
    DiscordUser,
    OutgoingFile,
    OutgoingMessage,
    RemoteMessage,
    SentMessage,
    upload_limit_for_tier,
)

log = logging.getLogger(__name__)


class _GlobalLimiter:
    """At most ``rate`` requests in each window of a second, a window starting with its first
    request: Discord's global limit (50 per second) as Discord counts it and as nextcord keeps to it.

    Courtesies (``courtesy()``: the ✅ on relayed DMs) give way to every other request: one goes only
    when no other request is waiting, and while the budget is all in use (the window before this
    one was full) only in the last tenth of a window that still has room."""

    WINDOW = 1.0
    TAIL = 0.1

    def __init__(self, rate: float) -> None:
        self.rate = max(int(rate), 1)
        self.window_end = 0.0
        self.used = 0
        self.full = False  # the window before the current one used its whole budget
        self.waiting = 0  # requests (not courtesies) waiting for a window with room
        self.lock = threading.Lock()

    def wait(self, *, courtesy: bool = False) -> None:
        counted = False
        try:
            while True:
                with self.lock:
                    now = time.monotonic()
                    fresh = now >= self.window_end
                    room = fresh or self.used < self.rate
                    if room and (not courtesy or self._courtesy_may(now, fresh)):
                        if fresh:
                            self.full = self.used >= self.rate and now - self.window_end < self.WINDOW
                            self.window_end, self.used = now + self.WINDOW, 0
                        self.used += 1
                        return
                    if not courtesy and not counted:
                        self.waiting += 1
                        counted = True
                    if courtesy and room and self.full and not self.waiting:
                        until = self.window_end - self.TAIL  # the tail of this window
                    else:
                        until = self.window_end + (0.005 if courtesy else 0.0)  # after the waiters
                time.sleep(max(until - now, 0.001))
        finally:
            if counted:
                with self.lock:
                    self.waiting -= 1

    def _courtesy_may(self, now: float, fresh: bool) -> bool:
        if self.waiting:
            return False
        return fresh or not self.full or self.window_end - now <= self.TAIL


def _user(data: dict[str, Any]) -> DiscordUser:
    return DiscordUser(
        id=int(data["id"]),
        username=data.get("username", ""),
        global_name=data.get("global_name"),
        avatar=data.get("avatar"),
        bot=bool(data.get("bot", False)),
        banner=data.get("banner"),
    )


class RestDiscordPort:
    """``DiscordPort`` over HTTP with ``requests`` (thread-safe; one session per process)."""

    MAX_RETRIES = 5

    def __init__(
        self,
        *,
        base_url: str,
        token: str,
        rate: float = 50.0,
        timeout: float = 15.0,
        token_source: Callable[[], str] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        # Where the token comes from, read again when Discord answers 401: the configuration's token
        # may have been replaced (setup wizard, configuration page) since this adapter was made.
        self.token_source = token_source
        self.timeout = timeout
        self.session = requests.Session()
        # One pooled connection per thread that may call at once (the worker's scheduler threads):
        # kept alive between calls, so a call reuses a connection instead of opening one.
        self.adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=64)
        self.session.mount("http://", self.adapter)
        self.session.mount("https://", self.adapter)
        # What ``Session.request`` would work out again on every call (the environment's proxies and
        # CA bundle, the session's default headers), worked out once: API calls go straight to the
        # pool's adapter. Discord's API sets no cookie the bot needs and does not redirect.
        self._send_settings = self.session.merge_environment_settings(self.base_url, {}, None, None, None)
        self._base_headers = {**self.session.headers, "User-Agent": "DiscordBot (rustmail-django, 1.0)"}
        self.limiter = _GlobalLimiter(rate)
        # channel ID -> (upload limit, monotonic time read): a boost changes it rarely.
        self._upload_limits: dict[int, tuple[int, float]] = {}

    @classmethod
    def from_settings(cls) -> RestDiscordPort:
        from tickets.selectors import bot_token

        return cls(
            base_url=settings.DISCORD_API_BASE,
            token=bot_token(),
            rate=settings.DISCORD_REST_RATE,
            token_source=bot_token,
        )

    def _token_changed(self) -> bool:
        """After a 401: take the configured token if it is another one (True), else False."""
        if self.token_source is None:
            return False
        try:
            token = self.token_source()
        except Exception:  # the database may be away: the 401 stands
            log.exception("Reading the bot token again after a 401 failed")
            return False
        if not token or token == self.token:
            return False
        log.info("Discord refused the bot token with 401: using the newly configured one")
        self.token = token
        return True

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        files: list[OutgoingFile] | None = None,
    ) -> Any:
        """One call, with the retries above; returns the decoded JSON (None for 204).

        With ``files`` the body is multipart/form-data: ``payload_json`` (``json``) and ``files[n]``;
        the bytes are kept, so a retry sends the same request again."""
        url = f"{self.base_url}{path}"
        token_retried = False
        for attempt in range(self.MAX_RETRIES + 1):
            self.limiter.wait(courtesy=is_courtesy())
            headers = {**self._base_headers, "Authorization": f"Bot {self.token}"}
            prepared = requests.PreparedRequest()
            try:
                if files:
                    parts: list[tuple[str, tuple[str | None, Any, str]]] = [
                        ("payload_json", (None, jsonlib.dumps(json), "application/json"))
                    ]
                    parts += [(f"files[{i}]", (f.name, f.data, f.content_type)) for i, f in enumerate(files)]
                    prepared.prepare(method=method, url=url, headers=headers, files=parts, params=params)
                else:
                    prepared.prepare(method=method, url=url, headers=headers, json=json, params=params)
                response = self.adapter.send(prepared, timeout=self.timeout, **self._send_settings)
                _ = response.content  # read it all: the connection goes back to the pool
            except requests.RequestException as error:
                if attempt == self.MAX_RETRIES:
                    raise DiscordError(0, 0, f"Discord unreachable: {error}") from error
                time.sleep(min(2**attempt * 0.25, 4))
                continue
            if response.status_code == 429:
                body = _json(response)
                retry_after = float(body.get("retry_after") or response.headers.get("Retry-After") or 1)
                log.warning("Rate limited on %s %s: retrying after %.2fs", method, path, retry_after)
                time.sleep(min(retry_after, 60))
                continue
            if response.status_code == 401 and not token_retried and self._token_changed():
                token_retried = True
                continue
            if response.status_code >= 500 and attempt < self.MAX_RETRIES:
                time.sleep(min(2**attempt * 0.25, 4))
                continue
            if response.status_code >= 400:
                body = _json(response)
                errors = body.get("errors")
                raise DiscordError(
                    response.status_code,
                    int(body.get("code", 0)),
                    str(body.get("message", "")),
                    errors if isinstance(errors, dict) else None,
                )
            return None if response.status_code == 204 or not response.content else response.json()
        raise DiscordError(429, 0, "Still rate limited after retries")

    # --- DiscordPort -------------------------------------------------------------------------
    def get_user(self, user_id: int) -> DiscordUser:
        return _user(self.request("GET", f"/users/{user_id}"))

    def get_member(self, guild_id: int, user_id: int) -> DiscordMember | None:
        try:
            data = self.request("GET", f"/guilds/{guild_id}/members/{user_id}")
        except DiscordError as error:
            if error.code == UNKNOWN_MEMBER or error.status == 404:
                return None
            raise
        joined = data.get("joined_at")
        return DiscordMember(
            user=_user(data["user"]),
            guild_id=guild_id,
            role_ids=tuple(int(r) for r in data.get("roles", [])),
            joined_at=datetime.fromisoformat(joined) if joined else None,
            nick=data.get("nick"),
        )

    def get_channel(self, channel_id: int) -> dict[str, Any]:
        return self.request("GET", f"/channels/{channel_id}")

    def create_channel(self, *, guild_id, name, parent_id=None, topic=None, overwrites=None, kind=0) -> int:
        body: dict[str, Any] = {"name": name, "type": kind}
        if parent_id:
            body["parent_id"] = str(parent_id)
        if topic:
            body["topic"] = topic
        if overwrites is not None:
            body["permission_overwrites"] = overwrites
        return int(self.request("POST", f"/guilds/{guild_id}/channels", json=body)["id"])

    def edit_channel(self, channel_id, *, name=None, parent_id=None, overwrites=None) -> None:
        body: dict[str, Any] = {}
        if name is not None:
            body["name"] = name
        if parent_id is not None:
            body["parent_id"] = str(parent_id)
        if overwrites is not None:
            body["permission_overwrites"] = overwrites
        self.request("PATCH", f"/channels/{channel_id}", json=body)

    def delete_channel(self, channel_id: int) -> None:
        self.request("DELETE", f"/channels/{channel_id}")

    def set_permission(self, channel_id, target_id, *, member, allow, deny=0) -> None:
        body = {"type": 1 if member else 0, "allow": str(allow), "deny": str(deny)}
        self.request("PUT", f"/channels/{channel_id}/permissions/{target_id}", json=body)

    def delete_permission(self, channel_id: int, target_id: int) -> None:
        self.request("DELETE", f"/channels/{channel_id}/permissions/{target_id}")

    def send(self, channel_id: int, message: OutgoingMessage) -> SentMessage:
        data = self.request(
            "POST", f"/channels/{channel_id}/messages", json=message.payload(), files=message.files or None
        )
        return SentMessage(id=int(data["id"]), channel_id=channel_id)

    UPLOAD_LIMIT_TTL = 600.0
    DOWNLOAD_CHUNK = 64 * 1024
    # Connect, then between two pieces: a stalled CDN fails the attempt instead of holding it.
    DOWNLOAD_TIMEOUT = (5.0, 30.0)

    def download(self, url: str, sink: BinaryIO, *, max_bytes: int) -> int:
        # CDN URLs are signed: no bot token goes with them.
        try:
            with self.session.get(url, stream=True, timeout=self.DOWNLOAD_TIMEOUT) as response:
                if response.status_code != 200:
                    raise DiscordError(
                        response.status_code, 0, f"Attachment download answered {response.status_code}"
                    )
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise AttachmentTooLarge(int(declared))
                size = 0
                for piece in response.iter_content(self.DOWNLOAD_CHUNK):
                    size += len(piece)
                    if size > max_bytes:
                        raise AttachmentTooLarge(size)
                    sink.write(piece)
                return size
        except requests.RequestException as error:
            raise DiscordError(0, 0, f"Attachment download failed: {error}") from error

    def upload_limit(self, channel_id: int) -> int:
        cached = self._upload_limits.get(channel_id)
        if cached and time.monotonic() - cached[1] < self.UPLOAD_LIMIT_TTL:
            return cached[0]
        guild_id = self.get_channel(channel_id).get("guild_id")
        limit = DEFAULT_UPLOAD_LIMIT
        if guild_id:
            guild = self.request("GET", f"/guilds/{int(guild_id)}") or {}
            limit = upload_limit_for_tier(guild.get("premium_tier"))
        self._upload_limits[channel_id] = (limit, time.monotonic())
        return limit

    def edit(self, channel_id: int, message_id: int, message: OutgoingMessage) -> None:
        body = {"content": message.content, "embeds": message.embeds, "components": message.components}
        self.request("PATCH", f"/channels/{channel_id}/messages/{message_id}", json=body)

    def delete(self, channel_id: int, message_id: int) -> None:
        self.request("DELETE", f"/channels/{channel_id}/messages/{message_id}")

    def open_dm(self, user_id: int) -> int:
        return int(self.request("POST", "/users/@me/channels", json={"recipient_id": str(user_id)})["id"])

    def react(self, channel_id: int, message_id: int, emoji: str) -> None:
        self.request("PUT", f"/channels/{channel_id}/messages/{message_id}/reactions/{quote(emoji)}/@me")

    def history(self, channel_id: int, *, after: int | None = None, limit: int = 100) -> list[RemoteMessage]:
        params: dict[str, Any] = {"limit": min(limit, 100)}
        params["after"] = str(after or 0)
        data = self.request("GET", f"/channels/{channel_id}/messages", params=params)
        messages = [
            RemoteMessage(
                id=int(m["id"]),
                channel_id=channel_id,
                author_id=int(m["author"]["id"]),
                author_name=m["author"].get("global_name") or m["author"].get("username", ""),
                author_bot=bool(m["author"].get("bot", False)),
                content=m.get("content", ""),
                created_at=datetime.fromisoformat(m["timestamp"]),
                attachments=tuple(m.get("attachments", [])),
            )
            for m in data
        ]
        return sorted(messages, key=lambda m: m.id)

    def typing(self, channel_id: int) -> None:
        self.request("POST", f"/channels/{channel_id}/typing")

    def get_message(self, channel_id: int, message_id: int) -> RemoteMessage | None:
        try:
            m = self.request("GET", f"/channels/{channel_id}/messages/{message_id}")
        except DiscordError as error:
            if error.status == 404:
                return None
            raise
        return RemoteMessage(
            id=int(m["id"]),
            channel_id=channel_id,
            author_id=int(m["author"]["id"]),
            author_name=m["author"].get("global_name") or m["author"].get("username", ""),
            author_bot=bool(m["author"].get("bot", False)),
            content=m.get("content", ""),
            created_at=datetime.fromisoformat(m["timestamp"]),
            attachments=tuple(m.get("attachments", [])),
        )

    def audit_log(self, guild_id, *, after=None, action_type=None, user_id=None, limit=100) -> AuditLogPage:
        params: dict[str, Any] = {"limit": max(1, min(limit, 100))}
        if after is not None:
            params["after"] = str(after)
        if action_type is not None:
            params["action_type"] = action_type
        if user_id is not None:
            params["user_id"] = str(user_id)
        data = self.request("GET", f"/guilds/{guild_id}/audit-logs", params=params) or {}
        entries = sorted(data.get("audit_log_entries", []), key=lambda e: int(e["id"]))
        users = {int(u["id"]): _user(u) for u in data.get("users", [])}
        return AuditLogPage(entries=entries, users=users)

    def with_token(self, token: str) -> RestDiscordPort:
        return RestDiscordPort(
            base_url=self.base_url, token=token, rate=self.limiter.rate, timeout=self.timeout
        )

    def current_user(self) -> DiscordUser:
        return _user(self.request("GET", "/users/@me"))

    def edit_current_user(
        self, *, username: str | None = None, avatar: str | None = None, banner: str | None = None
    ) -> DiscordUser:
        body = {k: v for k, v in (("username", username), ("avatar", avatar), ("banner", banner)) if v}
        return _user(self.request("PATCH", "/users/@me", json=body))

    def current_application_id(self) -> int:
        return int(self.request("GET", "/oauth2/applications/@me")["id"])

    def current_guilds(self) -> list[DiscordGuild]:
        guilds: list[DiscordGuild] = []
        after = 0
        while True:  # 200 per page, as Discord hands them out
            page = self.request("GET", "/users/@me/guilds", params={"limit": 200, "after": str(after)})
            guilds.extend(
                DiscordGuild(
                    id=int(g["id"]),
                    name=g.get("name", ""),
                    icon=g.get("icon"),
                    permissions=int(g.get("permissions") or 0),
                )
                for g in page
            )
            if len(page) < 200:
                return sorted(guilds, key=lambda g: g.id)
            after = int(page[-1]["id"])

    def guild_channels(self, guild_id: int) -> list[DiscordChannel]:
        data = self.request("GET", f"/guilds/{guild_id}/channels")
        channels = [
            DiscordChannel(
                id=int(c["id"]),
                guild_id=guild_id,
                name=c.get("name", ""),
                kind=int(c.get("type", 0)),
                parent_id=int(c["parent_id"]) if c.get("parent_id") else None,
                position=int(c.get("position") or 0),
            )
            for c in data
        ]
        return sorted(channels, key=lambda c: (c.position, c.id))

    def guild_roles(self, guild_id: int) -> list[DiscordRole]:
        data = self.request("GET", f"/guilds/{guild_id}/roles")
        roles = [
            DiscordRole(
                id=int(r["id"]),
                name=r.get("name", ""),
                position=int(r.get("position") or 0),
                managed=bool(r.get("managed", False)),
            )
            for r in data
        ]
        return sorted(roles, key=lambda r: (-r.position, r.id))


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
