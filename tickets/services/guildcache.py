"""The guild cache: the members, roles and channels of the guilds the bot is in, as Discord last told it.

The bot keeps these tables current from the gateway (a whole guild when it becomes available, then
every member, role and channel change); the admin API, the panel's permission checks and the
services read them instead of asking Discord. The functions take plain data, never library objects.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models, transaction

from tickets.models import GuildChannel, GuildMember, GuildRole, GuildSnapshot

BATCH = 500
# Members written per statement and transaction when a whole guild is cached.
MEMBER_BATCH = 1000


@dataclass(frozen=True)
class RoleData:
    role_id: int
    name: str
    color: int = 0
    position: int = 0
    permissions: int = 0
    managed: bool = False

    def fields(self) -> dict[str, Any]:
        return {
            "name": self.name[:100],
            "color": self.color,
            "position": self.position,
            "permissions": self.permissions,
            "managed": self.managed,
        }


@dataclass(frozen=True)
class MemberData:
    user_id: int
    username: str
    global_name: str = ""
    discriminator: str = "0"
    avatar: str = ""
    role_ids: tuple[int, ...] = ()
    is_bot: bool = False
    joined_at: datetime | None = None

    def fields(self) -> dict[str, Any]:
        return {
            "username": self.username[:100],
            "global_name": (self.global_name or "")[:100],
            "discriminator": (self.discriminator or "0")[:4],
            "avatar": (self.avatar or "")[:64],
            "role_ids": sorted(set(self.role_ids)),
            "is_bot": self.is_bot,
            "joined_at": self.joined_at,
        }


@dataclass(frozen=True)
class ChannelData:
    channel_id: int
    name: str
    type: int = 0
    parent_id: int | None = None
    position: int = 0
    # As Discord sends them: {"id": "...", "type": 0 (role) or 1 (member), "allow": "...", "deny": "..."}.
    overwrites: tuple[dict[str, Any], ...] = ()

    def fields(self) -> dict[str, Any]:
        return {
            "name": self.name[:100],
            "type": self.type,
            "parent_id": self.parent_id,
            "position": self.position,
            "overwrites": list(self.overwrites),
        }


@dataclass
class SnapshotResult:
    guild: GuildSnapshot
    # Members the cache knew who are no longer in the guild (they left while the bot was away).
    departed: list[int] = field(default_factory=list)


def guild_snapshot_sync(
    *,
    guild_id: int,
    name: str,
    owner_id: int,
    icon: str = "",
    roles: Sequence[RoleData],
    members: Sequence[MemberData],
    channels: Sequence[ChannelData],
    members_complete: bool = True,
) -> SnapshotResult:
    """Make the cache of one guild what the bot sees now (what it sees when the guild becomes
    available): rows of roles, channels and members that are gone are deleted, the others written.
    With ``members_complete`` False (Discord did not send every member), no member is deleted.

    Roles and channels are written in one transaction; members (a hundred thousand in a large
    guild) in batches of ``MEMBER_BATCH``, each its own short transaction, so the database is never
    held long by one writer and no more than a batch of rows is built at a time. Stopped halfway, the
    cache holds the new rows written so far and the old ones; the next snapshot finishes the job."""
    with transaction.atomic():
        _replace(GuildRole, "role_id", guild_id, {r.role_id: r for r in roles}, delete=True)
        _replace(GuildChannel, "channel_id", guild_id, {c.channel_id: c for c in channels}, delete=True)
    latest: dict[int, MemberData] = {m.user_id: m for m in members}  # the last of duplicates wins
    departed = _replace(GuildMember, "user_id", guild_id, latest, delete=members_complete, batch=MEMBER_BATCH)
    # Saved last and one by one: its post_save tells the panel that permissions may have changed.
    guild, _created = GuildSnapshot.objects.update_or_create(
        guild_id=guild_id, defaults={"name": name[:100], "owner_id": owner_id, "icon": (icon or "")[:64]}
    )
    return SnapshotResult(guild=guild, departed=sorted(departed))


def guild_sync_begin(
    *,
    guild_id: int,
    name: str,
    owner_id: int,
    icon: str = "",
    roles: Sequence[RoleData],
    channels: Sequence[ChannelData],
) -> GuildSnapshot:
    """The first step of caching a guild whose members come afterwards, in chunks (the bot keeps
    no members in memory): its roles and channels made what the bot sees now, and its row. The
    members follow with ``guild_members_write``, one chunk at a time, and ``guild_members_finish``."""
    with transaction.atomic():
        _replace(GuildRole, "role_id", guild_id, {r.role_id: r for r in roles}, delete=True)
        _replace(GuildChannel, "channel_id", guild_id, {c.channel_id: c for c in channels}, delete=True)
    guild, _created = GuildSnapshot.objects.update_or_create(
        guild_id=guild_id, defaults={"name": name[:100], "owner_id": owner_id, "icon": (icon or "")[:64]}
    )
    return guild


def guild_members_write(*, guild_id: int, members: Sequence[MemberData]) -> int:
    """One chunk of a guild's members written (created or updated, never deleted), in transactions
    of ``MEMBER_BATCH`` rows. Returns how many members were written."""
    latest = {m.user_id: m for m in members}  # the last of duplicates wins
    _replace(GuildMember, "user_id", guild_id, latest, delete=False, batch=MEMBER_BATCH)
    return len(latest)


def guild_members_finish(*, guild_id: int, present: Collection[int], complete: bool) -> SnapshotResult:
    """The last step of caching a guild: with ``complete`` (every chunk came), the cached members
    not in ``present`` (the IDs of the chunks and of members who joined meanwhile) are deleted and
    returned as departed; otherwise nothing is deleted. The guild's row is saved again: its
    post_save tells the panel that permissions may have changed."""
    departed: set[int] = set()
    if complete:
        known = set(GuildMember.objects.filter(guild_id=guild_id).values_list("user_id", flat=True))
        departed = known - set(present)
        for chunk in _batches(sorted(departed), BATCH):
            GuildMember.objects.filter(guild_id=guild_id, user_id__in=chunk).delete()
    guild = GuildSnapshot.objects.get(guild_id=guild_id)
    guild.save()
    return SnapshotResult(guild=guild, departed=sorted(departed))


def _replace(
    model: type[models.Model],
    key: str,
    guild_id: int,
    rows: dict[int, RoleData | ChannelData | MemberData],
    *,
    delete: bool,
    batch: int = BATCH,
) -> set[int]:
    """Write ``rows`` (by ``key``) for the guild, ``batch`` rows per statement and transaction (the
    caller's, if any); with ``delete``, remove its other rows. Returns the keys removed."""
    gone: set[int] = set()
    if delete:
        gone = set(model.objects.filter(guild_id=guild_id).values_list(key, flat=True)) - rows.keys()
        for chunk in _batches(sorted(gone), BATCH):
            model.objects.filter(guild_id=guild_id, **{f"{key}__in": chunk}).delete()
    if not rows:
        return gone
    unique = ["guild_id", key] if model is GuildMember else [key]
    update = [f for f in ("guild_id", *next(iter(rows.values())).fields()) if f not in unique]
    if model is GuildMember:
        update.append("updated_at")
    for chunk in _batches(list(rows), batch):
        with transaction.atomic():
            model.objects.bulk_create(
                [model(guild_id=guild_id, **{key: k}, **rows[k].fields()) for k in chunk],
                update_conflicts=True,
                unique_fields=unique,
                update_fields=update,
                batch_size=batch,
            )
    return gone


def _batches(items: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@transaction.atomic
def guild_forget(*, guild_id: int) -> None:
    """The bot left the guild (or it was deleted): drop its cache."""
    for model in (GuildMember, GuildRole, GuildChannel):
        model.objects.filter(guild_id=guild_id).delete()
    GuildSnapshot.objects.filter(guild_id=guild_id).delete()


def guild_update(*, guild_id: int, name: str, owner_id: int, icon: str = "") -> GuildSnapshot:
    """The guild's name, owner or icon changed."""
    guild, _created = GuildSnapshot.objects.update_or_create(
        guild_id=guild_id, defaults={"name": name[:100], "owner_id": owner_id, "icon": (icon or "")[:64]}
    )
    return guild


def member_upsert(*, guild_id: int, member: MemberData) -> GuildMember:
    """A member joined or changed (roles, names, avatar)."""
    row, _created = GuildMember.objects.update_or_create(
        guild_id=guild_id, user_id=member.user_id, defaults=member.fields()
    )
    return row


def member_get(*, guild_id: int, user_id: int) -> GuildMember | None:
    """The cached member, or None when the cache does not know them."""
    return GuildMember.objects.filter(guild_id=guild_id, user_id=user_id).first()


def member_remove(*, guild_id: int, user_id: int) -> bool:
    """A member left, was kicked or banned. Returns whether the cache knew them."""
    deleted, _by_model = GuildMember.objects.filter(guild_id=guild_id, user_id=user_id).delete()
    return bool(deleted)


def role_upsert(*, guild_id: int, role: RoleData) -> GuildRole:
    """A role was created or changed."""
    row, _created = GuildRole.objects.update_or_create(
        role_id=role.role_id, defaults={"guild_id": guild_id, **role.fields()}
    )
    return row


@transaction.atomic
def role_remove(*, guild_id: int, role_id: int) -> bool:
    """A role was deleted: Discord takes it off every member without a member update, so do the same."""
    # JSON containment has no SQLite lookup: read the role lists (a rare event).
    for member in GuildMember.objects.filter(guild_id=guild_id).only("pk", "role_ids"):
        if role_id in member.role_ids:
            member.role_ids = [r for r in member.role_ids if r != role_id]
            member.save(update_fields=["role_ids", "updated_at"])
    deleted, _by_model = GuildRole.objects.filter(role_id=role_id).delete()
    return bool(deleted)


def channel_upsert(*, guild_id: int, channel: ChannelData) -> GuildChannel:
    """A channel or category was created or changed (name, parent, position, overwrites)."""
    row, _created = GuildChannel.objects.update_or_create(
        channel_id=channel.channel_id, defaults={"guild_id": guild_id, **channel.fields()}
    )
    return row


def channel_remove(*, guild_id: int, channel_id: int) -> bool:
    """A channel was deleted."""
    deleted, _by_model = GuildChannel.objects.filter(guild_id=guild_id, channel_id=channel_id).delete()
    return bool(deleted)
