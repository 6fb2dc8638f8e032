"""What the services need from Discord, as a Protocol with plain data types (no Discord library)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, BinaryIO, Protocol

# Discord's JSON error codes the services react to.
UNKNOWN_CHANNEL = 10003
UNKNOWN_GUILD = 10004
UNKNOWN_MESSAGE = 10008
UNKNOWN_MEMBER = 10007
UNKNOWN_USER = 10013
# The guild's 500 channels. A full category (50 channels) has no code of its own: Discord answers
# 50035 with CHANNEL_PARENT_MAX_CHANNELS under ``parent_id`` (see ``DiscordError.category_full``).
GUILD_CHANNELS_FULL = 30013
MISSING_PERMISSIONS = 50013
CANNOT_DM = 50007
INVALID_FORM_BODY = 50035

# Permission bits used in overwrites.
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
ADMINISTRATOR = 1 << 3
STAFF_ACCESS = VIEW_CHANNEL | SEND_MESSAGES | ATTACH_FILES | READ_MESSAGE_HISTORY


# Discord's upload limit per file for a bot, by the guild's boost tier (``premium_tier``): 10 MiB
# unless the guild reached tier 2 (50 MiB) or 3 (100 MiB); DMs follow the default.
DEFAULT_UPLOAD_LIMIT = 10 * 1024 * 1024
TIER_UPLOAD_LIMITS = {2: 50 * 1024 * 1024, 3: 100 * 1024 * 1024}


def upload_limit_for_tier(premium_tier: int | None) -> int:
    """The bytes a bot may upload per file in a guild of this boost tier."""
    return TIER_UPLOAD_LIMITS.get(int(premium_tier or 0), DEFAULT_UPLOAD_LIMIT)


class DiscordError(Exception):
    """Discord answered with an error: HTTP ``status`` and Discord's JSON ``code`` (0 when none)."""

    def __init__(self, status: int, code: int, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} ({code}): {message}")
        self.status = status
        self.code = code
        self.message = message
        # Discord's nested field errors of a 50035 ("Invalid Form Body"), as sent.
        self.errors = errors or {}

    def field_error_codes(self, name: str) -> list[str]:
        """The error codes Discord gave for the form field ``name`` (e.g. ``parent_id``)."""
        entry = self.errors.get(name)
        if not isinstance(entry, dict):
            return []
        return [str(e.get("code")) for e in entry.get("_errors", []) if isinstance(e, dict)]

    @property
    def category_full(self) -> bool:
        """The category already holds its 50 channels."""
        return self.code == INVALID_FORM_BODY and "CHANNEL_PARENT_MAX_CHANNELS" in self.field_error_codes(
            "parent_id"
        )


class AttachmentTooLarge(Exception):
    """A file being downloaded from Discord's CDN went past the size it may have (nothing more is read)."""


@dataclass(frozen=True)
class DiscordUser:
    id: int
    username: str
    global_name: str | None = None
    avatar: str | None = None
    bot: bool = False
    banner: str | None = None

    @property
    def display_name(self) -> str:
        return self.global_name or self.username


@dataclass(frozen=True)
class DiscordMember:
    user: DiscordUser
    guild_id: int
    role_ids: tuple[int, ...] = ()
    joined_at: datetime | None = None
    nick: str | None = None


@dataclass(frozen=True)
class DiscordGuild:
    """A guild as ``GET /users/@me/guilds`` lists it (``permissions``: the caller's bits there)."""

    id: int
    name: str
    icon: str | None = None
    permissions: int = 0


@dataclass(frozen=True)
class DiscordChannel:
    """A guild channel as ``GET /guilds/{id}/channels`` lists it (``kind`` 4: a category)."""

    id: int
    guild_id: int
    name: str
    kind: int = 0
    parent_id: int | None = None
    position: int = 0


@dataclass(frozen=True)
class DiscordRole:
    """A guild role (the ``@everyone`` role has the guild's ID)."""

    id: int
    name: str
    position: int = 0
    managed: bool = False


@dataclass(frozen=True)
class SentMessage:
    id: int
    channel_id: int


@dataclass(frozen=True)
class RemoteMessage:
    """A message read back from a channel's history."""

    id: int
    channel_id: int
    author_id: int
    author_name: str
    author_bot: bool
    content: str
    created_at: datetime
    attachments: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class AuditLogPage:
    """A page of a guild's audit log: the entries as Discord sends them (``id``, ``user_id``,
    ``target_id``, ``action_type``, ``changes``, ``options``, ``reason``), oldest first, and the
    users they name."""

    entries: list[dict[str, Any]]
    users: dict[int, DiscordUser]


@dataclass(frozen=True)
class OutgoingFile:
    """A file uploaded with a message (Discord's multipart ``files[n]``)."""

    name: str
    data: bytes
    content_type: str = "application/octet-stream"
    description: str = ""


@dataclass
class OutgoingMessage:
    """A message to send or an edit to make, in Discord's JSON vocabulary."""

    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    # Who may be pinged; None lets Discord's default apply (everything mentioned).
    allowed_mentions: dict[str, Any] | None = None
    # With a nonce Discord returns the earlier message instead of creating a second one (enforce_nonce).
    nonce: str | None = None
    reply_to: int | None = None
    # Uploaded with the message (multipart/form-data); ``payload()`` lists them as ``attachments``.
    files: list[OutgoingFile] = field(default_factory=list)

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"content": self.content, "embeds": self.embeds}
        if self.files:
            body["attachments"] = [
                {"id": i, "filename": f.name, **({"description": f.description} if f.description else {})}
                for i, f in enumerate(self.files)
            ]
        if self.components:
            body["components"] = self.components
        if self.allowed_mentions is not None:
            body["allowed_mentions"] = self.allowed_mentions
        if self.nonce:
            body["nonce"] = self.nonce
            body["enforce_nonce"] = True
        if self.reply_to:
            body["message_reference"] = {"message_id": str(self.reply_to), "fail_if_not_exists": False}
        return body


class DiscordPort(Protocol):
    """Discord as the services see it. Every method may raise ``DiscordError``."""

    def get_user(self, user_id: int) -> DiscordUser: ...

    def get_member(self, guild_id: int, user_id: int) -> DiscordMember | None:
        """The member, or None when the user is not in the guild."""
        ...

    def get_channel(self, channel_id: int) -> dict[str, Any]: ...

    def create_channel(
        self,
        *,
        guild_id: int,
        name: str,
        parent_id: int | None = None,
        topic: str | None = None,
        overwrites: list[dict[str, Any]] | None = None,
        kind: int = 0,
    ) -> int:
        """Create a text channel (``kind`` 0) or a category (4); return its ID."""
        ...

    def edit_channel(
        self,
        channel_id: int,
        *,
        name: str | None = None,
        parent_id: int | None = None,
        overwrites: list[dict[str, Any]] | None = None,
    ) -> None: ...

    def delete_channel(self, channel_id: int) -> None: ...

    def set_permission(
        self, channel_id: int, target_id: int, *, member: bool, allow: int, deny: int = 0
    ) -> None: ...

    def delete_permission(self, channel_id: int, target_id: int) -> None: ...

    def send(self, channel_id: int, message: OutgoingMessage) -> SentMessage:
        """Post a message; with ``message.files`` it is one multipart request (``payload_json`` and
        ``files[n]``), the files in the same message as the text."""
        ...

    def download(self, url: str, sink: BinaryIO, *, max_bytes: int) -> int:
        """Stream an attachment from Discord's CDN (the URL Discord gave) into ``sink``, in pieces;
        return its size. One attempt: ``AttachmentTooLarge`` past ``max_bytes`` (the rest is not
        read), ``DiscordError`` when it cannot be fetched (status 404: gone or expired; 0: the
        network; 5xx: the CDN)."""
        ...

    def upload_limit(self, channel_id: int) -> int:
        """The largest file (bytes) the bot may upload in this channel, as Discord reports it: the
        guild's boost tier decides (``upload_limit_for_tier``); DMs get the default 10 MiB."""
        ...

    def edit(self, channel_id: int, message_id: int, message: OutgoingMessage) -> None: ...

    def delete(self, channel_id: int, message_id: int) -> None: ...

    def open_dm(self, user_id: int) -> int:
        """The DM channel's ID with this user (created if needed)."""
        ...

    def react(self, channel_id: int, message_id: int, emoji: str) -> None: ...

    def history(self, channel_id: int, *, after: int | None = None, limit: int = 100) -> list[RemoteMessage]:
        """Messages after ``after`` (all when None), oldest first, at most ``limit`` (≤ 100)."""
        ...

    def typing(self, channel_id: int) -> None: ...

    def get_message(self, channel_id: int, message_id: int) -> RemoteMessage | None:
        """The message, or None when it (or its channel) no longer exists."""
        ...

    def audit_log(
        self,
        guild_id: int,
        *,
        after: int | None = None,
        action_type: int | None = None,
        user_id: int | None = None,
        limit: int = 100,
    ) -> AuditLogPage:
        """Audit log entries (needs VIEW_AUDIT_LOG): with ``after``, the ``limit`` (≤ 100) oldest
        after that entry ID; otherwise the newest ``limit``. Oldest first either way."""
        ...

    # --- what the setup wizard asks (the bot's identity and where it is) -------------------------
    def with_token(self, token: str) -> DiscordPort:
        """The same Discord reached with another bot token (the setup wizard checks a candidate)."""
        ...

    def current_user(self) -> DiscordUser:
        """The bot itself (``GET /users/@me``): a refused token raises ``DiscordError`` 401."""
        ...

    def edit_current_user(
        self, *, username: str | None = None, avatar: str | None = None, banner: str | None = None
    ) -> DiscordUser:
        """Change the bot's profile in one ``PATCH /users/@me`` (images as ``data:`` URIs); Discord
        applies all of it or none. Discord allows 2 username changes per hour: the third is refused
        with 400 (50035, ``USERNAME_RATE_LIMIT`` under ``username``), not with a 429."""
        ...

    def current_application_id(self) -> int:
        """The ID of the bot's application (``GET /oauth2/applications/@me``): the OAuth client ID."""
        ...

    def current_guilds(self) -> list[DiscordGuild]:
        """The guilds the bot is in (``GET /users/@me/guilds``), by ID."""
        ...

    def guild_channels(self, guild_id: int) -> list[DiscordChannel]:
        """The guild's channels and categories (``GET /guilds/{id}/channels``), by position."""
        ...

    def guild_roles(self, guild_id: int) -> list[DiscordRole]:
        """The guild's roles (``GET /guilds/{id}/roles``), highest first."""
        ...
