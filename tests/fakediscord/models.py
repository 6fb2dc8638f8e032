"""The emulator's records, each able to write itself in the shape of Discord's documentation."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from .util import iso, sid

# Channel types (https://discord.com/developers/docs/resources/channel#channel-object-channel-types).
GUILD_TEXT = 0
DM = 1
GUILD_VOICE = 2
GUILD_CATEGORY = 4
GUILD_ANNOUNCEMENT = 5
GUILD_FORUM = 15
TEXT_TYPES = {GUILD_TEXT, DM, GUILD_VOICE, GUILD_ANNOUNCEMENT}


@dataclass
class User:
    """A Discord user (a person or a bot)."""

    id: int
    username: str
    global_name: str | None = None
    bot: bool = False
    avatar: str | None = None
    email: str | None = None
    dms_open: bool = True
    banner: str | None = None

    def payload(self) -> dict[str, Any]:
        """The user object."""
        data: dict[str, Any] = {
            "id": sid(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": self.avatar,
            "avatar_decoration_data": None,
            "banner": self.banner,
            "accent_color": None,
            "public_flags": 0,
            "flags": 0,
        }
        if self.bot:
            data["bot"] = True
        return data


@dataclass
class Role:
    """A guild role; the @everyone role has the guild's ID."""

    id: int
    guild_id: int
    name: str
    permissions: int = 0
    position: int = 0
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    managed: bool = False
    bot_id: int | None = None

    def payload(self) -> dict[str, Any]:
        """The role object."""
        data: dict[str, Any] = {
            "id": sid(self.id),
            "name": self.name,
            "color": self.color,
            "colors": {"primary_color": self.color, "secondary_color": None, "tertiary_color": None},
            "hoist": self.hoist,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": self.managed,
            "mentionable": self.mentionable,
            "flags": 0,
        }
        if self.bot_id is not None:
            data["tags"] = {"bot_id": sid(self.bot_id)}
        return data


@dataclass
class Member:
    """A user's membership of a guild."""

    guild_id: int
    user_id: int
    roles: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: float = field(default_factory=time.time)

    def payload(self, user: User | None, *, with_user: bool = True) -> dict[str, Any]:
        """The guild member object (``with_user=False`` for the partial member inside messages)."""
        data: dict[str, Any] = {
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "roles": [sid(r) for r in self.roles],
            "joined_at": iso(self.joined_at),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if with_user and user is not None:
            data["user"] = user.payload()
        return data


@dataclass
class Channel:
    """A guild channel, a category or a DM channel."""

    id: int
    type: int
    guild_id: int | None = None
    name: str | None = None
    position: int = 0
    parent_id: int | None = None
    topic: str | None = None
    nsfw: bool = False
    permission_overwrites: list[dict[str, Any]] = field(default_factory=list)
    last_message_id: int | None = None
    rate_limit_per_user: int = 0
    recipient_ids: list[int] = field(default_factory=list)
    renames: list[float] = field(default_factory=list)

    def payload(self, recipients: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """The channel object (DM channels need their recipients' user objects)."""
        if self.type == DM:
            return {
                "id": sid(self.id),
                "type": DM,
                "last_message_id": sid(self.last_message_id),
                "recipients": recipients or [],
                "flags": 0,
            }
        data: dict[str, Any] = {
            "id": sid(self.id),
            "type": self.type,
            "guild_id": sid(self.guild_id),
            "name": self.name,
            "position": self.position,
            "permission_overwrites": [dict(o) for o in self.permission_overwrites],
            "parent_id": sid(self.parent_id),
            "nsfw": self.nsfw,
            "flags": 0,
        }
        if self.type != GUILD_CATEGORY:
            data["topic"] = self.topic
            data["last_message_id"] = sid(self.last_message_id)
            data["rate_limit_per_user"] = self.rate_limit_per_user
        return data


@dataclass
class Message:
    """A message; its payload is built by the state (it needs the author's user and member)."""

    id: int
    channel_id: int
    author_id: int
    guild_id: int | None = None
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    mentions: list[int] = field(default_factory=list)
    mention_roles: list[int] = field(default_factory=list)
    mention_everyone: bool = False
    tts: bool = False
    type: int = 0
    flags: int = 0
    timestamp: float = field(default_factory=time.time)
    edited_timestamp: float | None = None
    pinned: bool = False
    nonce: str | int | None = None
    message_reference: dict[str, Any] | None = None
    webhook_id: int | None = None
    application_id: int | None = None
    interaction: dict[str, Any] | None = None
    reactions: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class Overwrite:
    """A permission overwrite given to the Python API (role or member)."""

    id: int
    type: int
    allow: int = 0
    deny: int = 0

    def payload(self) -> dict[str, Any]:
        """The overwrite object."""
        return {"id": sid(self.id), "type": self.type, "allow": str(self.allow), "deny": str(self.deny)}


@dataclass
class Guild:
    """A guild with its roles and members (channels live in the state's channel table)."""

    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    created_at: float = field(default_factory=time.time)
    # Boost level (0-3): tier 2 and 3 raise the upload limit (``messages.TIER_UPLOAD``).
    premium_tier: int = 0

    def payload(self) -> dict[str, Any]:
        """The guild object as ``GET /guilds/{id}`` answers it."""
        return {
            "id": sid(self.id),
            "name": self.name,
            "icon": None,
            "icon_hash": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": sid(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "widget_enabled": False,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": [r.payload() for r in sorted(self.roles.values(), key=lambda r: r.position)],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "max_members": 500000,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": self.premium_tier,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "public_updates_channel_id": None,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "safety_alerts_channel_id": None,
        }


@dataclass
class Command:
    """A registered application command; ``data`` is what the bot sent, kept as sent."""

    id: int
    application_id: int
    guild_id: int | None
    data: dict[str, Any]
    version: int

    @property
    def name(self) -> str:
        """The command's name."""
        return str(self.data.get("name", ""))

    def payload(self) -> dict[str, Any]:
        """The application command object.

        nextcord deep-compares the options with what it registered and re-registers on any
        difference, so options are given back exactly as they came.
        """
        data = {
            k: v for k, v in self.data.items() if k not in {"id", "application_id", "version", "guild_id"}
        }
        data.setdefault("type", 1)
        data.setdefault("description", "")
        data.setdefault("default_member_permissions", None)
        data.setdefault("nsfw", False)
        data.update(id=sid(self.id), application_id=sid(self.application_id), version=sid(self.version))
        if self.guild_id is not None:
            data["guild_id"] = sid(self.guild_id)
        else:
            data.setdefault("dm_permission", True)
        return data


@dataclass
class Interaction:
    """An interaction the emulator created, and what the bot answered to it."""

    id: int
    token: str
    type: int
    user_id: int
    channel_id: int
    guild_id: int | None
    payload: dict[str, Any]
    created: float = field(default_factory=time.time)
    acknowledged: bool = False
    response_type: int | None = None
    original_message_id: int | None = None
    original_channel_id: int | None = None
    deferred_pending: bool = False
    responses: list[dict[str, Any]] = field(default_factory=list)
