"""The Discord port: the one interface through which the services reach Discord.

``get_port()`` returns the process's adapter (the REST adapter unless a test installed another with
``set_port``). Services take ``port=`` explicitly too, so a test can hand them the in-memory fake.
"""

from __future__ import annotations

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
    "get_port",
    "set_port",
]
