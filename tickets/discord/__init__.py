"""The Discord port: the one interface through which the services reach Discord.

``get_port()`` returns the process's adapter (the REST adapter unless a test installed another with
``set_port``). Services take ``port=`` explicitly too, so a test can hand them the in-memory fake.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from .port import (
    AuditLogPage,
    DiscordChannel,
    DiscordError,
    DiscordGuild,
    DiscordMember,
    DiscordPort,
    DiscordRole,
    DiscordUser,
    OutgoingFile,
    OutgoingMessage,
    RemoteMessage,
    SentMessage,
)

_port: DiscordPort | None = None


def get_port() -> DiscordPort:
    """The adapter this process uses (created on first use)."""
    global _port
    if _port is None:
        from .rest import RestDiscordPort

        _port = RestDiscordPort.from_settings()
    return _port


def set_port(port: DiscordPort | None) -> None:
    """Install an adapter for this process (``None`` goes back to the REST adapter)."""
    global _port
    _port = port


_hints = threading.local()


@contextlib.contextmanager
def courtesy() -> Iterator[None]:
    """Requests made in this block (in this thread) are courtesies, such as the ✅ on a relayed DM:
    an adapter with a request budget (Discord's 50 per second) makes them only when no other request
    waits for that budget, so they never slow down what users and staff are waiting for."""
    previous = getattr(_hints, "courtesy", False)
    _hints.courtesy = True
    try:
        yield
    finally:
        _hints.courtesy = previous


def is_courtesy() -> bool:
    """Whether this thread is inside ``courtesy()``."""
    return getattr(_hints, "courtesy", False)


__all__ = [
    "AuditLogPage",
    "DiscordChannel",
    "DiscordError",
    "DiscordGuild",
    "DiscordMember",
    "DiscordPort",
    "DiscordRole",
    "DiscordUser",
    "OutgoingFile",
    "OutgoingMessage",
    "RemoteMessage",
    "SentMessage",
    "courtesy",
    "get_port",
    "is_courtesy",
    "set_port",
]
