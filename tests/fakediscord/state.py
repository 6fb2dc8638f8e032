"""The in-memory world the REST API, the gateway and the Python API all share.

Everything here runs on the emulator's event loop thread (or before the server starts); other
threads go through :class:`tests.fakediscord.thread.FakeDiscordThread`, which hops onto the loop.
"""

from __future__ import annotations

import asyncio
import bisect
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import permissions as P
from .models import DM, Channel, Command, Guild, Interaction, Member, Message, User
from .util import (
    UNKNOWN_CHANNEL,
    UNKNOWN_GUILD,
    UNKNOWN_MEMBER,
    UNKNOWN_MESSAGE,
    UNKNOWN_USER,
    SnowflakeGenerator,
    error,
    iso,
    sid,
)

# Gateway intents (https://discord.com/developers/docs/events/gateway#gateway-intents).
GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_MODERATION = 1 << 2
GUILD_PRESENCES = 1 << 8
GUILD_MESSAGES = 1 << 9
GUILD_MESSAGE_REACTIONS = 1 << 10
GUILD_MESSAGE_TYPING = 1 << 11
DIRECT_MESSAGES = 1 << 12
DIRECT_MESSAGE_REACTIONS = 1 << 13
DIRECT_MESSAGE_TYPING = 1 << 14
MESSAGE_CONTENT = 1 << 15
ALWAYS = 0


@dataclass
class Blob:
    """An uploaded attachment's bytes, served back under ``/attachments/``."""

    data: bytes
    content_type: str
    filename: str
    expires: float
    channel_id: int = 0


DispatchHook = Callable[[str, dict[str, Any], int, bool], None]


class State:
    """Users, guilds, channels, messages, commands and interactions, plus their Discord payloads."""

    def __init__(self) -> None:
        self.ids = SnowflakeGenerator()
        self.users: dict[int, User] = {}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        self.channel_messages: dict[int, list[int]] = {}
        self.dm_channels: dict[int, int] = {}
        self.commands: dict[int, Command] = {}
        self.interactions: dict[int, Interaction] = {}
        self.interactions_by_token: dict[str, Interaction] = {}
        self.modals: list[dict[str, Any]] = []
        # guild ID -> its audit log entries, oldest first (see auditlog.py)
        self.audit_logs: dict[int, list[Any]] = {}
        self.blobs: dict[int, Blob] = {}
        self.nonces: dict[tuple[int, int, str], tuple[int, float]] = {}
        self.cdn_base = "http://127.0.0.1"
        self.bot_id = 0
        self.application_id = 0
        # When the bot's username changed (Discord allows 2 per hour; see profile.py).
        self.username_changes: list[float] = []
        self.dispatch_hook: DispatchHook | None = None
        self._waiters: list[asyncio.Future[None]] = []

    # -- events and waiting ------------------------------------------------------------------

    def emit(
        self, event: str, data: dict[str, Any], intent: int = ALWAYS, content_exempt: bool = True
    ) -> None:
        """Send a gateway event to every session whose intents include ``intent``; wake waiters."""
        if self.dispatch_hook is not None:
            self.dispatch_hook(event, data, intent, content_exempt)
        self.notify()

    def notify(self) -> None:
        """Wake everything waiting in :meth:`wait_for` so it re-checks its condition."""
        waiters, self._waiters = self._waiters, []
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until ``predicate()`` is truthy and return its value (TimeoutError after ``timeout``)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"condition not met within {timeout} s")
            fut: asyncio.Future[None] = loop.create_future()
            self._waiters.append(fut)
            # A short poll as well: some changes (e.g. REST recordings) do not notify.
            await asyncio.wait([fut], timeout=min(remaining, 0.05))

    # -- lookups that answer Discord's errors ------------------------------------------------

    def user(self, user_id: int | str) -> User:
        """The user, or 10013 Unknown User."""
        try:
            return self.users[int(user_id)]
        except (KeyError, ValueError):
            raise error(UNKNOWN_USER) from None

    def guild(self, guild_id: int | str) -> Guild:
        """The guild, or 10004 Unknown Guild."""
        try:
            return self.guilds[int(guild_id)]
        except (KeyError, ValueError):
            raise error(UNKNOWN_GUILD) from None

    def channel(self, channel_id: int | str) -> Channel:
        """The channel, or 10003 Unknown Channel."""
        try:
            return self.channels[int(channel_id)]
        except (KeyError, ValueError):
            raise error(UNKNOWN_CHANNEL) from None

    def member(self, guild_id: int | str, user_id: int | str) -> Member:
        """The member, or 10007 Unknown Member."""
        guild = self.guild(guild_id)
        try:
            return guild.members[int(user_id)]
        except (KeyError, ValueError):
            raise error(UNKNOWN_MEMBER) from None

    def message(self, channel_id: int | str, message_id: int | str) -> Message:
        """The message in that channel, or 10008 Unknown Message."""
        channel = self.channel(channel_id)
        try:
            msg = self.messages[int(message_id)]
        except (KeyError, ValueError):
            raise error(UNKNOWN_MESSAGE) from None
        if msg.channel_id != channel.id:
            raise error(UNKNOWN_MESSAGE)
        return msg

    def guild_channels(self, guild_id: int) -> list[Channel]:
        """A guild's channels, in creation order."""
        return [c for c in self.channels.values() if c.guild_id == guild_id]

    def bot_guilds(self) -> list[Guild]:
        """The guilds the bot is a member of."""
        return [g for g in self.guilds.values() if self.bot_id in g.members]

    def permissions(self, channel: Channel | None, user_id: int, guild: Guild | None = None) -> int:
        """A user's permissions in a channel (or guild-wide when ``channel`` is None)."""
        if channel is not None and channel.guild_id is None:
            return P.ALL
        guild = guild or self.guild(channel.guild_id if channel else 0)
        if channel is None:
            return P.base_permissions(guild, user_id)
        return P.channel_permissions(guild, channel, user_id)

    def mutual_guild(self, user_a: int, user_b: int) -> bool:
        """Whether two users share a guild."""
        return any(user_a in g.members and user_b in g.members for g in self.guilds.values())

    # -- messages storage --------------------------------------------------------------------

    def store_message(self, msg: Message) -> None:
        """Add a message to its channel's history (IDs only grow, so appending keeps the order)."""
        self.messages[msg.id] = msg
        ids = self.channel_messages.setdefault(msg.channel_id, [])
        if ids and ids[-1] > msg.id:
            bisect.insort(ids, msg.id)
        else:
            ids.append(msg.id)
        self.channel(msg.channel_id).last_message_id = msg.id

    def remove_message(self, msg: Message) -> None:
        """Forget a message."""
        self.messages.pop(msg.id, None)
        ids = self.channel_messages.get(msg.channel_id, [])
        index = bisect.bisect_left(ids, msg.id)
        if index < len(ids) and ids[index] == msg.id:
            ids.pop(index)

    def history(
        self,
        channel_id: int,
        *,
        limit: int = 50,
        before: int | None = None,
        after: int | None = None,
        around: int | None = None,
    ) -> list[Message]:
        """Messages as ``GET /channels/{id}/messages`` returns them: newest first."""
        ids = self.channel_messages.get(channel_id, [])
        if around is not None:
            mid = bisect.bisect_left(ids, around)
            half = limit // 2
            start = max(0, mid - half)
            selected = ids[start : start + limit]
        elif after is not None:
            # Discord gives the `limit` oldest messages after `after`, still newest first.
            start = bisect.bisect_right(ids, after)
            selected = ids[start : start + limit]
        else:
            end = len(ids) if before is None else bisect.bisect_left(ids, before)
            selected = ids[max(0, end - limit) : end]
        return [self.messages[i] for i in reversed(selected)]

    # -- payloads ----------------------------------------------------------------------------

    def member_payload(self, member: Member, *, with_user: bool = True) -> dict[str, Any]:
        """The guild member object."""
        return member.payload(self.users.get(member.user_id), with_user=with_user)

    def channel_payload(self, channel: Channel) -> dict[str, Any]:
        """The channel object."""
        if channel.type == DM:
            recipients = [self.users[u].payload() for u in channel.recipient_ids if u in self.users]
            return channel.payload(recipients)
        return channel.payload()

    def message_payload(
        self, msg: Message, *, gateway: bool = False, with_reference: bool = True
    ) -> dict[str, Any]:
        """The message object; ``gateway=True`` adds ``guild_id`` and ``member`` as MESSAGE_CREATE has."""
        author = self.users.get(msg.author_id)
        guild = self.guilds.get(msg.guild_id) if msg.guild_id else None
        mentions = []
        for uid in msg.mentions:
            user = self.users.get(uid)
            if user is None:
                continue
            mention = user.payload()
            if gateway and guild is not None and uid in guild.members:
                mention["member"] = self.member_payload(guild.members[uid], with_user=False)
            mentions.append(mention)
        data: dict[str, Any] = {
            "id": sid(msg.id),
            "type": msg.type,
            "content": msg.content,
            "channel_id": sid(msg.channel_id),
            "author": author.payload() if author else {"id": sid(msg.author_id), "username": "?"},
            "attachments": [dict(a) for a in msg.attachments],
            "embeds": [dict(e) for e in msg.embeds],
            "mentions": mentions,
            "mention_roles": [sid(r) for r in msg.mention_roles],
            "mention_everyone": msg.mention_everyone,
            "pinned": msg.pinned,
            "tts": msg.tts,
            "timestamp": iso(msg.timestamp),
            "edited_timestamp": iso(msg.edited_timestamp) if msg.edited_timestamp else None,
            "flags": msg.flags,
            "components": [dict(c) for c in msg.components],
        }
        if msg.nonce is not None:
            data["nonce"] = msg.nonce
        if msg.webhook_id is not None:
            data["webhook_id"] = sid(msg.webhook_id)
        if msg.application_id is not None:
            data["application_id"] = sid(msg.application_id)
        if msg.interaction is not None:
            data["interaction"] = dict(msg.interaction)
            data["interaction_metadata"] = {
                "id": msg.interaction["id"],
                "type": msg.interaction["type"],
                "user": msg.interaction["user"],
                "authorizing_integration_owners": msg.interaction.get("authorizing_integration_owners", {}),
            }
        if msg.reactions:
            data["reactions"] = [self._reaction_payload(r) for r in msg.reactions.values()]
        if msg.message_reference is not None:
            data["message_reference"] = dict(msg.message_reference)
            if with_reference:
                ref = self.messages.get(int(msg.message_reference.get("message_id") or 0))
                data["referenced_message"] = (
                    self.message_payload(ref, with_reference=False) if ref is not None else None
                )
        if gateway and guild is not None:
            data["guild_id"] = sid(guild.id)
            member = guild.members.get(msg.author_id)
            if member is not None and msg.webhook_id is None:
                data["member"] = self.member_payload(member, with_user=False)
        return data

    def _reaction_payload(self, reaction: dict[str, Any]) -> dict[str, Any]:
        users: list[int] = reaction["users"]
        return {
            "count": len(users),
            "count_details": {"burst": 0, "normal": len(users)},
            "me": self.bot_id in users,
            "me_burst": False,
            "burst_me": False,
            "burst_colors": [],
            "burst_count": 0,
            "emoji": dict(reaction["emoji"]),
        }

    def guild_create_payload(
        self, guild: Guild, *, all_members: bool, large_threshold: int
    ) -> dict[str, Any]:
        """The GUILD_CREATE payload: the guild plus members, channels and the extra gateway fields.

        ``member_count`` is the true count; when fewer members are sent, nextcord asks for the rest
        with a REQUEST_GUILD_MEMBERS (op 8), which the gateway answers.
        """
        data = guild.payload()
        count = len(guild.members)
        large = count > large_threshold
        if all_members and not large:
            members = list(guild.members.values())
        else:
            members = [m for m in guild.members.values() if m.user_id == self.bot_id]
        bot_member = guild.members.get(self.bot_id)
        data.update(
            joined_at=iso(bot_member.joined_at if bot_member else guild.created_at),
            large=large,
            unavailable=False,
            member_count=count,
            voice_states=[],
            members=[self.member_payload(m) for m in members],
            channels=[self.channel_payload(c) for c in self.guild_channels(guild.id)],
            threads=[],
            presences=[],
            stage_instances=[],
            guild_scheduled_events=[],
            soundboard_sounds=[],
            embedded_activities=[],
        )
        return data

    def now(self) -> float:
        """The current time (one place, so that tests could shift it)."""
        return time.time()
