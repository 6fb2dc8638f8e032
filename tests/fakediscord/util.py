"""Small shared pieces: snowflakes, timestamps, JSON responses and Discord's error bodies."""

from __future__ import annotations

import json
import secrets
import threading
import time
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

DISCORD_EPOCH_MS = 1420070400000
EMU_KEY: web.AppKey[Any] = web.AppKey("fakediscord", object)


class SnowflakeGenerator:
    """Makes real, strictly increasing snowflakes: ms since the Discord epoch, worker, process, increment."""

    def __init__(self, worker: int = 1, process: int = 0) -> None:
        self._worker = worker & 0x1F
        self._process = process & 0x1F
        self._last_ms = 0
        self._increment = 0
        self._lock = threading.Lock()

    def next(self) -> int:
        """Return a new snowflake (thread-safe: users are created from fixtures in other threads)."""
        with self._lock:
            now = int(time.time() * 1000) - DISCORD_EPOCH_MS
            if now <= self._last_ms:
                # Same millisecond (or the clock stepped back): keep the ID space strictly increasing.
                self._increment += 1
                if self._increment > 0xFFF:
                    self._last_ms += 1
                    self._increment = 0
                now = self._last_ms
            else:
                self._increment = 0
            self._last_ms = now
            return (now << 22) | (self._worker << 17) | (self._process << 12) | self._increment


def snowflake_time(snowflake: int) -> float:
    """The Unix time (seconds) a snowflake was made at."""
    return ((int(snowflake) >> 22) + DISCORD_EPOCH_MS) / 1000.0


def iso(ts: float | None = None) -> str:
    """An ISO 8601 timestamp as Discord writes them (microseconds, +00:00)."""
    moment = datetime.fromtimestamp(time.time() if ts is None else ts, tz=UTC)
    return moment.isoformat(timespec="microseconds")


def new_token(nbytes: int = 24) -> str:
    """A random URL-safe token (interaction tokens, OAuth codes and access tokens)."""
    return secrets.token_urlsafe(nbytes)


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """A JSON response whose Content-Type is exactly ``application/json``.

    nextcord only parses a body as JSON when the header is exactly that; aiohttp's own
    ``json_response`` appends ``; charset=utf-8``.
    """
    all_headers = {"Content-Type": "application/json"}
    if headers:
        all_headers.update(headers)
    return web.Response(body=json.dumps(data).encode(), status=status, headers=all_headers)


def sid(value: int | str | None) -> str | None:
    """A snowflake as Discord sends it in JSON: a string (or None)."""
    return None if value is None else str(value)


class DiscordError(Exception):
    """An error answered with Discord's body ``{"code", "message"[, "errors"]}`` and status."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        errors: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        """The JSON body Discord would send."""
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        return body

    def response(self) -> web.Response:
        """The aiohttp response for this error."""
        return json_response(self.body(), self.status, self.headers)


def form_error(fields: dict[str, tuple[str, str]]) -> DiscordError:
    """50035 Invalid Form Body, with ``errors`` nested as Discord nests them.

    ``fields`` maps a dotted path (``"embeds.0.description"``) to ``(code, message)``.
    """
    errors: dict[str, Any] = {}
    for path, (code, message) in fields.items():
        node = errors
        for part in path.split("."):
            node = node.setdefault(part, {})
        node.setdefault("_errors", []).append({"code": code, "message": message})
    return DiscordError(400, 50035, "Invalid Form Body", errors)


def too_long(path: str, limit: int) -> DiscordError:
    """50035 for a string or list longer than Discord allows."""
    return form_error({path: ("BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")})


def required(path: str) -> DiscordError:
    """50035 for a missing required field."""
    return form_error({path: ("BASE_TYPE_REQUIRED", "This field is required")})


UNAUTHORIZED = (401, 0, "401: Unauthorized")
UNKNOWN_CHANNEL = (404, 10003, "Unknown Channel")
UNKNOWN_GUILD = (404, 10004, "Unknown Guild")
UNKNOWN_MEMBER = (404, 10007, "Unknown Member")
UNKNOWN_MESSAGE = (404, 10008, "Unknown Message")
UNKNOWN_OVERWRITE = (404, 10009, "Unknown Overwrite")
UNKNOWN_ROLE = (404, 10011, "Unknown Role")
UNKNOWN_USER = (404, 10013, "Unknown User")
UNKNOWN_EMOJI = (400, 10014, "Unknown Emoji")
UNKNOWN_WEBHOOK = (404, 10015, "Unknown Webhook")
UNKNOWN_INTERACTION = (404, 10062, "Unknown interaction")
UNKNOWN_COMMAND = (404, 10063, "Unknown application command")
MAX_GUILD_CHANNELS = (400, 30013, "Maximum number of guild channels reached (500)")
ALREADY_ACKNOWLEDGED = (400, 40060, "Interaction has already been acknowledged.")
MISSING_ACCESS = (403, 50001, "Missing Access")
DM_CHANNEL_ACTION = (400, 50003, "Cannot execute action on a DM channel")
CANNOT_EDIT_OTHERS = (403, 50005, "Cannot edit a message authored by another user")
EMPTY_MESSAGE = (400, 50006, "Cannot send an empty message")
CANNOT_DM = (403, 50007, "Cannot send messages to this user")
NON_TEXT_CHANNEL = (400, 50008, "Cannot send messages in a non-text channel")
MISSING_PERMISSIONS = (403, 50013, "Missing Permissions")
BULK_DELETE_TOO_OLD = (400, 50034, "You can only bulk delete messages that are under 14 days old.")
TOO_LARGE = (413, 40005, "Request entity too large")


def error(kind: tuple[int, int, str]) -> DiscordError:
    """A DiscordError from one of the ``(status, code, message)`` constants above."""
    return DiscordError(*kind)
