"""Fault injection: failing, delaying, refusing or rate limiting REST calls; dropping the gateway.

Every method is synchronous and must run on the emulator's loop thread (async tests do), or go
through :class:`~tests.fakediscord.thread.FakeDiscordThread` from another thread.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .gateway import INVALID_SESSION, RECONNECT
from .ratelimit import RateLimited, bucket_hash, limit_headers
from .util import DiscordError

if TYPE_CHECKING:
    from .server import FakeDiscord


@dataclass
class Rule:
    """One fault: which calls it matches, what it does and how many more times."""

    kind: str  # "fail", "delay", "refuse" or "ratelimit"
    method: str | None
    pattern: re.Pattern[str]
    count: int | None
    status: int = 500
    code: int = 0
    message: str = ""
    seconds: float = 0.0
    is_global: bool = False

    def matches(self, method: str, path: str) -> bool:
        """Whether a call (method, path relative to the API base) is hit by this rule."""
        if self.method not in (None, "*") and self.method.upper() != method:
            return False
        return self.pattern.search(path) is not None


class Faults:
    """Faults to inject; REST rules apply in the order they were added, each ``count`` times."""

    def __init__(self, emu: FakeDiscord) -> None:
        self._emu = emu
        self.rules: list[Rule] = []
        self.attachment_rules: list[Rule] = []
        self.hits: list[dict[str, Any]] = []

    def fail_next(
        self,
        method: str | None,
        path_regex: str,
        status: int = 500,
        count: int = 1,
        code: int = 0,
        message: str | None = None,
    ) -> None:
        """Answer the next ``count`` matching calls with ``status`` and Discord's error body."""
        text = message or {
            500: "500: Internal Server Error",
            502: "502: Bad Gateway",
            503: "503: Service Unavailable",
        }.get(status, f"{status}: Error")
        self.rules.append(
            Rule("fail", method, re.compile(path_regex), count, status=status, code=code, message=text)
        )

    def delay(
        self, path_regex: str, seconds: float, method: str | None = None, count: int | None = None
    ) -> None:
        """Hold matching calls for ``seconds`` before handling them (``count=None``: until cleared)."""
        self.rules.append(Rule("delay", method, re.compile(path_regex), count, seconds=seconds))

    def refuse(self, method: str | None, path_regex: str, count: int = 1) -> None:
        """Drop the TCP connection of the next ``count`` matching calls without answering."""
        self.rules.append(Rule("refuse", method, re.compile(path_regex), count))

    def rate_limit_next(
        self,
        method: str | None,
        path_regex: str,
        retry_after: float = 1.0,
        count: int = 1,
        is_global: bool = False,
    ) -> None:
        """Answer the next ``count`` matching calls with a real 429 (body and headers as Discord's)."""
        self.rules.append(
            Rule("ratelimit", method, re.compile(path_regex), count, seconds=retry_after, is_global=is_global)
        )

    def fail_attachments(self, count: int = 1, status: int = 500, filename_regex: str = ".") -> None:
        """Answer the next ``count`` downloads of attachment URLs (CDN ``/attachments/...``) whose
        file name matches with ``status`` (a CDN hiccup: the bytes are still there afterwards)."""
        self.attachment_rules.append(Rule("fail", "GET", re.compile(filename_regex), count, status=status))

    def attachment_fault(self, filename: str) -> int | None:
        """The status a download of ``filename`` must answer, when a rule hits it (counted)."""
        for rule in list(self.attachment_rules):
            if not rule.matches("GET", filename):
                continue
            if rule.count is not None:
                rule.count -= 1
                if rule.count <= 0:
                    self.attachment_rules.remove(rule)
            self.hits.append({"kind": "attachment", "method": "GET", "path": filename})
            return rule.status
        return None

    def clear(self) -> None:
        """Remove every REST and attachment rule."""
        self.rules.clear()
        self.attachment_rules.clear()

    def drop_gateway(self, code: int | None = None) -> int:
        """Close every gateway connection abruptly (or with ``code``); the client must RESUME.

        Returns how many connections were dropped.
        """
        return self._emu.gateway.drop(code)

    def hold_gateway(self) -> None:
        """Make new gateway connections wait for HELLO until :meth:`release_gateway` (a slow reconnect)."""
        if self._emu.gateway.held is None:
            self._emu.gateway.held = asyncio.Event()

    def release_gateway(self) -> None:
        """Let held gateway connections proceed."""
        held, self._emu.gateway.held = self._emu.gateway.held, None
        if held is not None:
            held.set()

    def reconnect_gateway(self) -> int:
        """Send op 7 RECONNECT to every connection (the client reconnects and RESUMEs)."""
        return self._emu.gateway.send_all(RECONNECT, None)

    def invalidate_session(self, resumable: bool = False) -> int:
        """Send op 9 INVALID_SESSION (``resumable=False``: the client must IDENTIFY again)."""
        return self._emu.gateway.send_all(INVALID_SESSION, resumable)

    async def before_request(self, request: web.Request, path: str, template: str) -> bool:
        """Apply matching rules to a call; True means the connection was dropped."""
        method = request.method
        for rule in list(self.rules):
            if not rule.matches(method, path):
                continue
            if rule.count is not None:
                rule.count -= 1
                if rule.count <= 0:
                    self.rules.remove(rule)
            self.hits.append({"kind": rule.kind, "method": method, "path": path})
            if rule.kind == "delay":
                await asyncio.sleep(rule.seconds)
                continue
            if rule.kind == "refuse":
                if request.transport is not None:
                    request.transport.abort()
                return True
            if rule.kind == "ratelimit":
                now = time.time()
                bucket = bucket_hash(method, template)
                headers = {} if rule.is_global else limit_headers(1, 0, now + rule.seconds, bucket, now)
                scope = "global" if rule.is_global else "user"
                raise RateLimited(rule.seconds, is_global=rule.is_global, scope=scope, headers=headers)
            raise DiscordError(rule.status, rule.code, rule.message)
        return False
