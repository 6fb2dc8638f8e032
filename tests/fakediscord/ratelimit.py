"""Rate limits: bucket headers on every response and, in rate-limit mode, real 429s.

Discord answers every REST call with bucket headers (``X-RateLimit-*``) and nextcord paces itself by
them. In normal mode the emulator reports generous limits so tests run at full speed; with
``rate_limit_mode`` on it enforces Discord's numbers (50 requests/s globally per bot, per-route
buckets per major parameter) and answers 429 exactly as Discord does.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from typing import Any

from .util import DiscordError

GLOBAL_LIMIT = 50
NORMAL_MODE_FLOOR = 1000
VIA = "1.1 google"


@dataclass(frozen=True)
class Limit:
    """``limit`` requests per ``per`` seconds."""

    limit: int
    per: float


DEFAULT_LIMIT = Limit(50, 1.0)
# Per-route limits as Discord documents or reports them; routes not listed share DEFAULT_LIMIT.
ROUTE_LIMITS: dict[tuple[str, str], Limit] = {
    ("POST", "/channels/{channel_id}/messages"): Limit(5, 5.0),
    ("PATCH", "/channels/{channel_id}/messages/{message_id}"): Limit(5, 5.0),
    ("DELETE", "/channels/{channel_id}/messages/{message_id}"): Limit(5, 1.0),
    ("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me"): Limit(1, 0.25),
    ("DELETE", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me"): Limit(1, 0.25),
    ("PATCH", "/channels/{channel_id}"): Limit(5, 5.0),
    ("POST", "/guilds/{guild_id}/channels"): Limit(5, 5.0),
    ("POST", "/users/@me/channels"): Limit(5, 5.0),
    ("PATCH", "/guilds/{guild_id}/members/{user_id}"): Limit(10, 10.0),
}
MAJOR_PARAMS = ("channel_id", "guild_id", "webhook_id", "interaction_id")


class RateLimited(DiscordError):
    """A 429 with Discord's body and headers."""

    def __init__(self, retry_after: float, *, is_global: bool, scope: str, headers: dict[str, str]) -> None:
        headers = dict(headers)
        headers.update(
            {"Retry-After": str(max(1, math.ceil(retry_after))), "X-RateLimit-Scope": scope, "Via": VIA}
        )
        if is_global:
            headers["X-RateLimit-Global"] = "true"
        super().__init__(429, 0, "You are being rate limited.", headers=headers)
        self.retry_after = round(retry_after, 3)
        self.is_global = is_global
        self.scope = scope

    def body(self) -> dict[str, Any]:
        """``{"message", "retry_after", "global"}`` (plus ``code`` for global limits, as Discord)."""
        body: dict[str, Any] = {
            "message": self.message,
            "retry_after": self.retry_after,
            "global": self.is_global,
        }
        if self.is_global:
            body["code"] = 0
        return body


def bucket_hash(method: str, template: str) -> str:
    """A stable opaque bucket ID per route, like Discord's ``X-RateLimit-Bucket``."""
    return hashlib.sha1(f"{method} {template}".encode()).hexdigest()[:32]


def limit_headers(limit: int, remaining: int, reset_at: float, bucket: str, now: float) -> dict[str, str]:
    """The bucket headers Discord puts on a response."""
    return {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(max(0, remaining)),
        "X-RateLimit-Reset": f"{reset_at:.3f}",
        "X-RateLimit-Reset-After": f"{max(0.0, reset_at - now):.3f}",
        "X-RateLimit-Bucket": bucket,
    }


class _Window:
    __slots__ = ("count", "start")

    def __init__(self, start: float) -> None:
        self.start = start
        self.count = 0


class RateLimiter:
    """Counts requests in fixed windows per (bucket, major parameter) and per bot token."""

    def __init__(self) -> None:
        self.enabled = False
        self.global_limit = GLOBAL_LIMIT
        self._windows: dict[tuple[str, str], _Window] = {}
        self._global: dict[str, _Window] = {}

    def reset(self) -> None:
        """Forget all counters."""
        self._windows.clear()
        self._global.clear()

    @staticmethod
    def _window(table: dict, key: Any, per: float, now: float) -> _Window:
        window = table.get(key)
        if window is None or now >= window.start + per:
            window = table[key] = _Window(now)
        return window

    def hit(
        self, method: str, template: str, params: dict[str, str], auth: str | None, *, counts_global: bool
    ) -> dict[str, str]:
        """Count one request; return the headers to send, or raise :class:`RateLimited`."""
        now = time.time()
        rule = ROUTE_LIMITS.get((method, template), DEFAULT_LIMIT)
        if not self.enabled:
            # Generous and short, so nextcord never waits on a bucket in ordinary tests.
            rule = Limit(max(rule.limit, NORMAL_MODE_FLOOR), 1.0)
        limit = rule.limit
        bucket = bucket_hash(method, template)
        major = ":".join(params.get(p, "") for p in MAJOR_PARAMS)
        window = self._window(self._windows, (bucket, major), rule.per, now)
        reset_at = window.start + rule.per
        if self.enabled and counts_global and auth:
            gwin = self._window(self._global, auth, 1.0, now)
            if gwin.count >= self.global_limit:
                retry = gwin.start + 1.0 - now
                raise RateLimited(retry, is_global=True, scope="global", headers={})
        if self.enabled and window.count >= limit:
            headers = limit_headers(limit, 0, reset_at, bucket, now)
            raise RateLimited(reset_at - now, is_global=False, scope="user", headers=headers)
        window.count += 1
        if self.enabled and counts_global and auth:
            self._global[auth].count += 1
        headers = limit_headers(limit, limit - window.count, reset_at, bucket, now)
        headers["Via"] = VIA
        return headers
