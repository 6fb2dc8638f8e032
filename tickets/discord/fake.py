"""An in-memory Discord for unit tests: it keeps what was sent and refuses what Discord refuses."""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from .port import (
    CANNOT_DM,
    INVALID_FORM_BODY,
    UNKNOWN_CHANNEL,
    UNKNOWN_GUILD,
    UNKNOWN_MESSAGE,
    UNKNOWN_USER,
    AttachmentTooLarge,
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
    upload_limit_for_tier,
)

_ids = itertools.count(1_100_000_000_000_000_000)


def next_id() -> int:
    return next(_ids)


def _category_full() -> DiscordError:
    """What Discord answers when a category already holds 50 channels."""
    errors = {
        "parent_id": {
            "_errors": [
                {
                    "code": "CHANNEL_PARENT_MAX_CHANNELS",
                    "message": "Maximum number of channels in category reached (50)",
                }
            ]
        }
    }
    return DiscordError(400, INVALID_FORM_BODY, "Invalid Form Body", errors)


@dataclass
class FakeMessage:
    id: int
    channel_id: int
    author_id: int
    content: str
    embeds: list[dict[str, Any]]
    components: list[dict[str, Any]]
    nonce: str | None = None
    reactions: list[str] = field(default_factory=list)
    # The files uploaded with the message (multipart ``files[n]``), as sent.
    files: list[OutgoingFile] = field(default_factory=list)
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def text(self) -> str:
        """Content and embed descriptions together, for assertions."""
        parts = [self.content] + [e.get("description", "") for e in self.embeds]
        return "\n".join(p for p in parts if p)


@dataclass
class FakeChannel:
    id: int
    guild_id: int | None
    name: str
    kind: int = 0
    parent_id: int | None = None
    topic: str | None = None
    overwrites: dict[int, dict[str, Any]] = field(default_factory=dict)
    recipient_id: int | None = None


class _RefusedToken:
    """What Discord is to a bot token it does not know: every call answers 401."""

    def __getattr__(self, name: str) -> Any:
        def refuse(*args: Any, **kwargs: Any) -> Any:
            raise DiscordError(401, 0, "401: Unauthorized")

        return refuse


class FakeDiscord:
    """Implements ``DiscordPort`` in memory. Thread-safe: the concurrency tests call it from threads."""

    BOT_ID = 999_000_000_000_000_001
    APPLICATION_ID = 999_000_000_000_000_002
    # The one bot token this Discord accepts (``with_token``).
    TOKEN = "fake-bot-token.0123456789"

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.users: dict[int, DiscordUser] = {}
        self.members: dict[tuple[int, int], DiscordMember] = {}
        self.channels: dict[int, FakeChannel] = {}
        self.messages: dict[int, FakeMessage] = {}
        self.dm_channels: dict[int, int] = {}
        self.closed_dms: set[int] = set()
        self.full_categories: set[int] = set()
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        # Guilds the bot is in, and their roles (the setup wizard lists them).
        self.guilds: dict[int, DiscordGuild] = {}
        self.roles: dict[int, list[DiscordRole]] = {}
        # guild ID -> audit log entries as Discord sends them, oldest first.
        self.audit_entries: dict[int, list[dict[str, Any]]] = {}
        # guild ID -> boost tier (the upload limit follows it).
        self.premium_tiers: dict[int, int] = {}
        # What Discord's CDN serves: URL -> bytes (any other URL answers 404); URL -> how many
        # more downloads fail with a 500 first.
        self.cdn: dict[str, bytes] = {}
        self.cdn_failures: dict[str, int] = {}
        # The bot's profile once edited, and when its username changed (2 per hour, as Discord).
        self.bot_user: DiscordUser | None = None
        self.username_changes: list[float] = []

    # --- setting the scene -------------------------------------------------------------------
    def add_user(self, user_id: int, name: str = "user", *, bot: bool = False) -> DiscordUser:
        user = DiscordUser(id=user_id, username=name, global_name=name.title(), bot=bot)
        self.users[user_id] = user
        return user

    def add_member(self, guild_id: int, user_id: int, name: str = "user", **kwargs: Any) -> DiscordMember:
        user = self.users.get(user_id) or self.add_user(user_id, name)
        member = DiscordMember(user=user, guild_id=guild_id, **kwargs)
        self.members[(guild_id, user_id)] = member
        return member

    def add_category(self, guild_id: int, name: str = "Inbox") -> int:
        channel = FakeChannel(id=next_id(), guild_id=guild_id, name=name, kind=4)
        self.channels[channel.id] = channel
        return channel.id

    def add_guild(self, name: str = "Guild", *, guild_id: int | None = None) -> int:
        """A guild the bot is in, with its ``@everyone`` role."""
        guild = DiscordGuild(id=guild_id or next_id(), name=name)
        self.guilds[guild.id] = guild
        self.roles[guild.id] = [DiscordRole(id=guild.id, name="@everyone")]
        return guild.id

    def add_role(self, guild_id: int, name: str, *, position: int = 1) -> int:
        role = DiscordRole(id=next_id(), name=name, position=position)
        self.roles.setdefault(guild_id, []).append(role)
        return role.id

    def add_text_channel(self, guild_id: int, name: str, *, parent_id: int | None = None) -> int:
        channel = FakeChannel(id=next_id(), guild_id=guild_id, name=name, parent_id=parent_id)
        self.channels[channel.id] = channel
        return channel.id

    # --- reading what happened ---------------------------------------------------------------
    def channel_messages(self, channel_id: int) -> list[FakeMessage]:
        return [m for m in self.messages.values() if m.channel_id == channel_id]

    def dms(self, user_id: int) -> list[FakeMessage]:
        dm = self.dm_channels.get(user_id)
        return [] if dm is None else self.channel_messages(dm)

    def text_channels(self) -> list[FakeChannel]:
        return [c for c in self.channels.values() if c.kind == 0 and c.guild_id is not None]

    # --- DiscordPort -------------------------------------------------------------------------
    def get_user(self, user_id: int) -> DiscordUser:
        self.calls.append(("get_user", (user_id,)))
        if user_id not in self.users:
            raise DiscordError(404, UNKNOWN_USER, "Unknown User")
        return self.users[user_id]

    def get_member(self, guild_id: int, user_id: int) -> DiscordMember | None:
        self.calls.append(("get_member", (guild_id, user_id)))
        return self.members.get((guild_id, user_id))

    def get_channel(self, channel_id: int) -> dict[str, Any]:
        channel = self._channel(channel_id)
        return {
            "id": str(channel.id),
            "guild_id": str(channel.guild_id) if channel.guild_id else None,
            "name": channel.name,
            "type": channel.kind,
            "parent_id": channel.parent_id,
            "permission_overwrites": list(channel.overwrites.values()),
        }

    def create_channel(self, *, guild_id, name, parent_id=None, topic=None, overwrites=None, kind=0) -> int:
        with self._lock:
            self.calls.append(("create_channel", (guild_id, name, parent_id)))
            if parent_id in self.full_categories:
                raise _category_full()
            channel = FakeChannel(
                id=next_id(), guild_id=guild_id, name=name, kind=kind, parent_id=parent_id, topic=topic
            )
            for overwrite in overwrites or []:
                channel.overwrites[int(overwrite["id"])] = overwrite
            self.channels[channel.id] = channel
            return channel.id

    def edit_channel(self, channel_id, *, name=None, parent_id=None, overwrites=None) -> None:
        with self._lock:
            self.calls.append(("edit_channel", (channel_id, name, parent_id)))
            channel = self._channel(channel_id)
            if parent_id is not None and parent_id in self.full_categories:
                raise _category_full()
            if name is not None:
                channel.name = name
            if parent_id is not None:
                channel.parent_id = parent_id
            if overwrites is not None:
                channel.overwrites = {int(o["id"]): o for o in overwrites}

    def delete_channel(self, channel_id: int) -> None:
        with self._lock:
            self.calls.append(("delete_channel", (channel_id,)))
            self._channel(channel_id)
            del self.channels[channel_id]

    def set_permission(self, channel_id, target_id, *, member, allow, deny=0) -> None:
        with self._lock:
            self.calls.append(("set_permission", (channel_id, target_id, allow)))
            self._channel(channel_id).overwrites[target_id] = {
                "id": str(target_id),
                "type": 1 if member else 0,
                "allow": str(allow),
                "deny": str(deny),
            }

    def delete_permission(self, channel_id: int, target_id: int) -> None:
        with self._lock:
            self.calls.append(("delete_permission", (channel_id, target_id)))
            self._channel(channel_id).overwrites.pop(target_id, None)

    def send(self, channel_id: int, message: OutgoingMessage) -> SentMessage:
        with self._lock:
            self.calls.append(("send", (channel_id,)))
            channel = self._channel(channel_id)
            if channel.recipient_id in self.closed_dms:
                raise DiscordError(403, CANNOT_DM, "Cannot send messages to this user")
            if message.nonce:
                for existing in self.messages.values():
                    if existing.channel_id == channel_id and existing.nonce == message.nonce:
                        return SentMessage(id=existing.id, channel_id=channel_id)
            if len(message.content) > 2000:
                raise DiscordError(400, 50035, "Invalid Form Body: content too long")
            limit = self._upload_limit(channel)
            if any(len(f.data) > limit for f in message.files):
                raise DiscordError(413, 40005, "Request entity too large")
            stored = FakeMessage(
                id=next_id(),
                channel_id=channel_id,
                author_id=self.BOT_ID,
                content=message.content,
                embeds=list(message.embeds),
                components=list(message.components),
                nonce=message.nonce,
                files=list(message.files),
            )
            self.messages[stored.id] = stored
            return SentMessage(id=stored.id, channel_id=channel_id)

    def download(self, url: str, sink, *, max_bytes: int) -> int:
        with self._lock:
            self.calls.append(("download", (url,)))
            if self.cdn_failures.get(url, 0) > 0:
                self.cdn_failures[url] -= 1
                raise DiscordError(500, 0, "CDN error")
            if url not in self.cdn:
                raise DiscordError(404, 0, "This content is no longer available.")
            data = self.cdn[url]
        if len(data) > max_bytes:
            raise AttachmentTooLarge(len(data))
        sink.write(data)
        return len(data)

    def upload_limit(self, channel_id: int) -> int:
        self.calls.append(("upload_limit", (channel_id,)))
        return self._upload_limit(self._channel(channel_id))

    def _upload_limit(self, channel: FakeChannel) -> int:
        tier = self.premium_tiers.get(channel.guild_id or 0, 0)
        return upload_limit_for_tier(tier)

    def edit(self, channel_id: int, message_id: int, message: OutgoingMessage) -> None:
        with self._lock:
            self.calls.append(("edit", (channel_id, message_id)))
            stored = self._message(channel_id, message_id)
            stored.content = message.content
            stored.embeds = list(message.embeds)
            stored.components = list(message.components)

    def delete(self, channel_id: int, message_id: int) -> None:
        with self._lock:
            self.calls.append(("delete", (channel_id, message_id)))
            self._message(channel_id, message_id)
            del self.messages[message_id]

    def open_dm(self, user_id: int) -> int:
        with self._lock:
            if user_id not in self.users:
                raise DiscordError(404, UNKNOWN_USER, "Unknown User")
            if user_id not in self.dm_channels:
                channel = FakeChannel(id=next_id(), guild_id=None, name="dm", kind=1, recipient_id=user_id)
                self.channels[channel.id] = channel
                self.dm_channels[user_id] = channel.id
            return self.dm_channels[user_id]

    def react(self, channel_id: int, message_id: int, emoji: str) -> None:
        with self._lock:
            self.calls.append(("react", (channel_id, message_id, emoji)))
            self._message(channel_id, message_id).reactions.append(emoji)

    def history(self, channel_id: int, *, after: int | None = None, limit: int = 100) -> list[RemoteMessage]:
        self._channel(channel_id)
        found = sorted(
            (
                m
                for m in self.messages.values()
                if m.channel_id == channel_id and (after is None or m.id > after)
            ),
            key=lambda m: m.id,
        )[:limit]
        return [
            RemoteMessage(
                id=m.id,
                channel_id=m.channel_id,
                author_id=m.author_id,
                author_name=self.users[m.author_id].username if m.author_id in self.users else "bot",
                author_bot=m.author_id == self.BOT_ID,
                content=m.content,
                created_at=m.created_at,
            )
            for m in found
        ]

    def typing(self, channel_id: int) -> None:
        self.calls.append(("typing", (channel_id,)))

    def get_message(self, channel_id: int, message_id: int) -> RemoteMessage | None:
        m = self.messages.get(message_id)
        if m is None or m.channel_id != channel_id:
            return None
        return RemoteMessage(
            id=m.id,
            channel_id=m.channel_id,
            author_id=m.author_id,
            author_name=self.users[m.author_id].username if m.author_id in self.users else "bot",
            author_bot=m.author_id == self.BOT_ID,
            content=m.content,
            created_at=m.created_at,
        )

    def audit_log(self, guild_id, *, after=None, action_type=None, user_id=None, limit=100) -> AuditLogPage:
        entries = [
            e
            for e in self.audit_entries.get(guild_id, [])
            if (after is None or int(e["id"]) > after)
            and (action_type is None or e["action_type"] == action_type)
            and (user_id is None or e.get("user_id") == str(user_id))
        ]
        entries = entries[:limit] if after is not None else entries[-limit:]
        return AuditLogPage(entries=entries, users={})

    def with_token(self, token: str) -> DiscordPort:
        return self if token == self.TOKEN else _RefusedToken()  # type: ignore[return-value]

    def current_user(self) -> DiscordUser:
        self.calls.append(("current_user", ()))
        return self.bot_user or DiscordUser(
            id=self.BOT_ID, username="modmail", global_name="Modmail", bot=True
        )

    def edit_current_user(
        self, *, username: str | None = None, avatar: str | None = None, banner: str | None = None
    ) -> DiscordUser:
        """Like Discord: all or nothing, and a third username change within an hour is refused."""
        with self._lock:
            self.calls.append(("edit_current_user", (username, bool(avatar), bool(banner))))
            user = self.current_user()
            changes = [t for t in self.username_changes if time.monotonic() - t < 3600]
            if username and username != user.username:
                if len(changes) >= 2:
                    raise DiscordError(
                        400,
                        50035,
                        "Invalid Form Body",
                        {"username": {"_errors": [{"code": "USERNAME_RATE_LIMIT", "message": "Too fast."}]}},
                    )
                changes.append(time.monotonic())
            self.username_changes = changes
            self.bot_user = replace(
                user,
                username=username or user.username,
                avatar=f"{next_id():x}" if avatar else user.avatar,
                banner=f"{next_id():x}" if banner else user.banner,
            )
            return self.bot_user

    def current_application_id(self) -> int:
        return self.APPLICATION_ID

    def current_guilds(self) -> list[DiscordGuild]:
        self.calls.append(("current_guilds", ()))
        return sorted(self.guilds.values(), key=lambda g: g.id)

    def guild_channels(self, guild_id: int) -> list[DiscordChannel]:
        self.calls.append(("guild_channels", (guild_id,)))
        if guild_id not in self.guilds:
            raise DiscordError(404, UNKNOWN_GUILD, "Unknown Guild")
        return [
            DiscordChannel(id=c.id, guild_id=guild_id, name=c.name, kind=c.kind, parent_id=c.parent_id)
            for c in sorted(self.channels.values(), key=lambda c: c.id)
            if c.guild_id == guild_id
        ]

    def guild_roles(self, guild_id: int) -> list[DiscordRole]:
        if guild_id not in self.guilds:
            raise DiscordError(404, UNKNOWN_GUILD, "Unknown Guild")
        return sorted(self.roles.get(guild_id, []), key=lambda r: (-r.position, r.id))

    # --- a user acting (for recovery tests) --------------------------------------------------
    def user_writes_dm(self, user_id: int, content: str) -> FakeMessage:
        """Store a DM from the user, as if sent while the bot was away."""
        with self._lock:
            channel_id = self.open_dm(user_id)
            stored = FakeMessage(
                id=next_id(),
                channel_id=channel_id,
                author_id=user_id,
                content=content,
                embeds=[],
                components=[],
            )
            self.messages[stored.id] = stored
            return stored

    def _channel(self, channel_id: int) -> FakeChannel:
        if channel_id not in self.channels:
            raise DiscordError(404, UNKNOWN_CHANNEL, "Unknown Channel")
        return self.channels[channel_id]

    def _message(self, channel_id: int, message_id: int) -> FakeMessage:
        stored = self.messages.get(message_id)
        if stored is None or stored.channel_id != channel_id:
            raise DiscordError(404, UNKNOWN_MESSAGE, "Unknown Message")
        return stored
