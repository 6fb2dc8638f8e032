"""Members taken from the gateway's payloads, so nextcord keeps none of them in memory.

The bot runs with ``MEMBER_CACHE`` (nextcord's member cache off: only the bot's own member is kept)
and without nextcord's chunking at startup. The guild cache in the database is filled instead from
the ``GUILD_MEMBERS_CHUNK`` payloads of a members request (op 8) the members cog sends, one chunk
(up to 1,000 members) at a time as it arrives, without building a nextcord ``Member`` for any of
them. Nextcord dispatches no ``on_member_update`` for a member it does not hold, so member updates
are taken from their payloads too (``on_guild_member_payload``).

What read members from nextcord's cache reads the database guild cache (``tickets.services.guildcache``)
or asks Discord through the port (``DiscordPort.get_member``); message and interaction authors come
with their member in the payload and need no cache.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import Any

import nextcord
from nextcord.utils import parse_time

from tickets.services.guildcache import ChannelData, MemberData, RoleData

# Nextcord keeps no member but the bot's own (MemberCacheFlags.none()).
MEMBER_CACHE = nextcord.MemberCacheFlags.none()
# The event dispatched with each GUILD_MEMBER_UPDATE payload (listeners: on_guild_member_payload).
UPDATE_EVENT = "guild_member_payload"


def member_data(member: nextcord.Member) -> MemberData:
    return MemberData(
        user_id=member.id,
        username=member.name,
        global_name=member.global_name or "",
        discriminator=member.discriminator or "0",
        avatar=member.avatar.key if member.avatar else "",
        role_ids=tuple(r.id for r in member.roles if not r.is_default()),
        is_bot=member.bot,
        joined_at=member.joined_at,
    )


def role_data(role: nextcord.Role) -> RoleData:
    return RoleData(
        role_id=role.id,
        name=role.name,
        color=role.color.value,
        position=role.position,
        permissions=role.permissions.value,
        managed=role.managed,
    )


def channel_data(channel: nextcord.abc.GuildChannel) -> ChannelData:
    overwrites = []
    for target, overwrite in channel.overwrites.items():
        allow, deny = overwrite.pair()
        overwrites.append(
            {
                "id": str(target.id),
                "type": 0 if isinstance(target, nextcord.Role) else 1,
                "allow": str(allow.value),
                "deny": str(deny.value),
            }
        )
    return ChannelData(
        channel_id=channel.id,
        name=channel.name,
        type=channel.type.value,
        parent_id=channel.category_id,
        position=channel.position,
        overwrites=tuple(overwrites),
    )


def member_from_payload(data: dict[str, Any]) -> MemberData:
    """A guild member as Discord sends it (in a chunk, or a GUILD_MEMBER_ADD/UPDATE)."""
    user = data["user"]
    return MemberData(
        user_id=int(user["id"]),
        username=user.get("username") or "",
        global_name=user.get("global_name") or "",
        discriminator=user.get("discriminator") or "0",
        avatar=user.get("avatar") or "",
        role_ids=tuple(int(r) for r in data.get("roles") or ()),
        is_bot=bool(user.get("bot")),
        joined_at=parse_time(data.get("joined_at")),
    )


def compact(data: dict[str, Any]) -> tuple:
    """A member payload as a tuple: MemberData's fields (``joined_at`` unparsed), then the nickname."""
    user = data["user"]
    return (
        int(user["id"]),
        user.get("username") or "",
        user.get("global_name") or "",
        user.get("discriminator") or "0",
        user.get("avatar") or "",
        tuple(int(r) for r in data.get("roles") or ()),
        bool(user.get("bot")),
        data.get("joined_at"),
        data.get("nick"),
    )


class Nicknames:
    """Server nicknames of the members who have one, by guild and user: what a ban record keeps of
    a member nextcord does not hold (the database cache has no nickname). Most members have none, so
    this stays a fraction of a member cache."""

    def __init__(self) -> None:
        self._nicks: dict[tuple[int, int], str] = {}

    def note(self, guild_id: int, user_id: int, nick: str | None) -> None:
        if nick:
            self._nicks[(guild_id, user_id)] = nick[:100]
        else:
            self._nicks.pop((guild_id, user_id), None)

    def get(self, guild_id: int, user_id: int) -> str:
        return self._nicks.get((guild_id, user_id), "")

    def __len__(self) -> int:
        return len(self._nicks)


class MemberStream:
    """The chunks answering one members request of one guild, queued as they arrive.

    ``seen`` gathers the IDs written (chunks, and members who joined or changed meanwhile) and
    ``removed`` those who left meanwhile, whom a later chunk must not bring back; both are only
    touched inside the guild's ordered section of the service runner."""

    def __init__(self, guild_id: int, nicknames: Nicknames | None = None) -> None:
        self.guild_id = guild_id
        self.nicknames = nicknames if nicknames is not None else Nicknames()
        self.nonce = os.urandom(16).hex()
        self.queue: asyncio.Queue[list[tuple] | None] = asyncio.Queue()
        self.received = 0
        self.seen: set[int] = set()
        self.removed: set[int] = set()

    def feed(self, data: dict[str, Any]) -> None:
        """A GUILD_MEMBERS_CHUNK payload of this request, queued (on the gateway's loop) as compact
        tuples: chunks come faster than the database takes them, and a queued member as Discord's
        nested dicts weighs several times more."""
        self.queue.put_nowait([compact(p) for p in data.get("members") or ()])
        self.received += 1
        if self.received >= int(data.get("chunk_count") or 1):
            self.queue.put_nowait(None)

    def take(self, payloads: list[tuple]) -> list[MemberData]:
        """A chunk's members, less those who left since it was sent; their IDs are now seen."""
        members = []
        for row in payloads:
            member = MemberData(*row[:7], joined_at=parse_time(row[7]))
            if member.user_id not in self.removed:
                members.append(member)
                self.nicknames.note(self.guild_id, member.user_id, row[8])
        self.seen.update(m.user_id for m in members)
        return members

    def joined(self, user_id: int) -> None:
        self.seen.add(user_id)
        self.removed.discard(user_id)

    def left(self, user_id: int) -> None:
        self.seen.discard(user_id)
        self.removed.add(user_id)


class PayloadHooks:
    """Nextcord's parsers of GUILD_MEMBERS_CHUNK and GUILD_MEMBER_UPDATE, wrapped.

    A chunk answering one of ``streams`` goes to its stream and never reaches nextcord (which would
    build a ``Member`` for each of its thousand members); other chunks (``guild.chunk()``,
    ``query_members``) are nextcord's. A member update is nextcord's, then dispatched raw. An audit
    log entry's author, whom nextcord would look up in its (empty) caches and leave None, is given
    as a ``nextcord.Object`` of their ID."""

    def __init__(self, bot: nextcord.Client, streams: dict[str, MemberStream]) -> None:
        self.bot = bot
        self.streams = streams
        self.parsers: dict[str, Callable[[Any], None]] = bot._connection.parsers
        self.original = {
            "GUILD_MEMBERS_CHUNK": self.parsers["GUILD_MEMBERS_CHUNK"],
            "GUILD_MEMBER_UPDATE": self.parsers["GUILD_MEMBER_UPDATE"],
            "GUILD_AUDIT_LOG_ENTRY_CREATE": self.parsers["GUILD_AUDIT_LOG_ENTRY_CREATE"],
        }

    def install(self) -> None:
        self.parsers["GUILD_MEMBERS_CHUNK"] = self.chunk
        self.parsers["GUILD_MEMBER_UPDATE"] = self.member_update
        self.parsers["GUILD_AUDIT_LOG_ENTRY_CREATE"] = self.audit_entry

    def uninstall(self) -> None:
        self.parsers.update(self.original)

    def chunk(self, data: dict[str, Any]) -> None:
        stream = self.streams.get(str(data.get("nonce")))
        if stream is not None and str(stream.guild_id) == str(data.get("guild_id")):
            stream.feed(data)
            return
        self.original["GUILD_MEMBERS_CHUNK"](data)

    def member_update(self, data: dict[str, Any]) -> None:
        self.original["GUILD_MEMBER_UPDATE"](data)
        self.bot.dispatch(UPDATE_EVENT, data)

    def audit_entry(self, data: dict[str, Any]) -> None:
        guild = self.bot.get_guild(int(data["guild_id"]))
        if guild is None:
            self.original["GUILD_AUDIT_LOG_ENTRY_CREATE"](data)
            return
        users: dict[int, Any] = {}
        if data.get("user_id") is not None:
            user_id = int(data["user_id"])
            users[user_id] = self.bot.get_user(user_id) or nextcord.Object(id=user_id)
        entry = nextcord.AuditLogEntry(auto_moderation_rules={}, users=users, data=data, guild=guild)
        self.bot.dispatch("guild_audit_log_entry_create", entry)

    async def request(self, stream: MemberStream) -> None:
        """Ask Discord for every member of the stream's guild (op 8), answered in chunks."""
        self.streams[stream.nonce] = stream
        await self.bot._connection.chunker(stream.guild_id, nonce=stream.nonce)
