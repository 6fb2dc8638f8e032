"""The guild cache: a whole guild written when it becomes available, then each change."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tickets.models import GuildChannel, GuildMember, GuildRole, GuildSnapshot
from tickets.services import guildcache
from tickets.services.guildcache import ChannelData, MemberData, RoleData

GUILD = 800_000_000_000_000_001
OTHER_GUILD = 800_000_000_000_000_002
STAFF_ROLE = 830_000_000_000_000_001
ADMIN_ROLE = 830_000_000_000_000_002
ALICE = 820_000_000_000_000_001
BOB = 820_000_000_000_000_002
INBOX = 840_000_000_000_000_001
GENERAL = 840_000_000_000_000_002

pytestmark = pytest.mark.django_db


def snapshot(members=(ALICE, BOB), roles=(GUILD, STAFF_ROLE), channels=(INBOX, GENERAL), **kwargs):
    return guildcache.guild_snapshot_sync(
        guild_id=GUILD,
        name="Guild",
        owner_id=ALICE,
        icon="abc",
        roles=[RoleData(role_id=r, name=f"role {r}", position=i) for i, r in enumerate(roles)],
        members=[MemberData(user_id=m, username=f"user{m}", role_ids=(STAFF_ROLE,)) for m in members],
        channels=[
            ChannelData(channel_id=c, name=f"channel {c}", type=4 if c == INBOX else 0) for c in channels
        ],
        **kwargs,
    )


def test_a_snapshot_writes_the_whole_guild():
    joined = datetime(2024, 5, 1, tzinfo=UTC)
    guildcache.guild_snapshot_sync(
        guild_id=GUILD,
        name="Guild",
        owner_id=ALICE,
        roles=[RoleData(role_id=STAFF_ROLE, name="Staff", color=0x3498DB, position=2, permissions=8192)],
        members=[
            MemberData(
                user_id=ALICE,
                username="alice",
                global_name="Alice",
                avatar="hash",
                role_ids=(STAFF_ROLE, STAFF_ROLE),
                joined_at=joined,
            )
        ],
        channels=[
            ChannelData(
                channel_id=INBOX,
                name="Inbox",
                type=4,
                position=1,
                overwrites=({"id": str(GUILD), "type": 0, "allow": "0", "deny": "1024"},),
            )
        ],
    )
    assert GuildSnapshot.objects.get().owner_id == ALICE
    role = GuildRole.objects.get()
    assert (role.role_id, role.name, role.color, role.position, role.permissions) == (
        STAFF_ROLE,
        "Staff",
        0x3498DB,
        2,
        8192,
    )
    member = GuildMember.objects.get()
    assert (member.username, member.global_name, member.avatar, member.role_ids, member.joined_at) == (
        "alice",
        "Alice",
        "hash",
        [STAFF_ROLE],
        joined,
    )
    channel = GuildChannel.objects.get()
    assert (channel.name, channel.type, channel.overwrites[0]["deny"]) == ("Inbox", 4, "1024")


def test_a_second_snapshot_removes_what_is_gone_and_reports_who_left():
    snapshot()
    result = snapshot(members=(ALICE,), roles=(GUILD,), channels=(GENERAL,))
    assert result.departed == [BOB]
    assert list(GuildMember.objects.values_list("user_id", flat=True)) == [ALICE]
    assert list(GuildRole.objects.values_list("role_id", flat=True)) == [GUILD]
    assert list(GuildChannel.objects.values_list("channel_id", flat=True)) == [GENERAL]
    assert GuildSnapshot.objects.count() == 1


def test_an_incomplete_member_list_removes_nobody():
    snapshot()
    result = snapshot(members=(ALICE,), members_complete=False)
    assert result.departed == []
    assert GuildMember.objects.count() == 2


def test_a_snapshot_leaves_other_guilds_alone():
    guildcache.member_upsert(guild_id=OTHER_GUILD, member=MemberData(user_id=ALICE, username="alice"))
    snapshot(members=())
    assert GuildMember.objects.filter(guild_id=OTHER_GUILD).count() == 1


def test_members_are_added_updated_and_removed():
    guildcache.member_upsert(guild_id=GUILD, member=MemberData(user_id=ALICE, username="alice"))
    guildcache.member_upsert(
        guild_id=GUILD,
        member=MemberData(user_id=ALICE, username="alice", global_name="Al", role_ids=(ADMIN_ROLE,)),
    )
    member = GuildMember.objects.get()
    assert (member.global_name, member.role_ids) == ("Al", [ADMIN_ROLE])
    assert guildcache.member_remove(guild_id=GUILD, user_id=ALICE)
    assert not guildcache.member_remove(guild_id=GUILD, user_id=ALICE)
    assert not GuildMember.objects.exists()


def test_a_deleted_role_is_taken_off_its_members():
    snapshot()
    guildcache.role_upsert(guild_id=GUILD, role=RoleData(role_id=STAFF_ROLE, name="Support", position=3))
    assert GuildRole.objects.get(role_id=STAFF_ROLE).name == "Support"
    assert guildcache.role_remove(guild_id=GUILD, role_id=STAFF_ROLE)
    assert not GuildRole.objects.filter(role_id=STAFF_ROLE).exists()
    assert all(m.role_ids == [] for m in GuildMember.objects.all())


def test_channels_are_added_updated_and_removed():
    guildcache.channel_upsert(guild_id=GUILD, channel=ChannelData(channel_id=GENERAL, name="general"))
    guildcache.channel_upsert(
        guild_id=GUILD, channel=ChannelData(channel_id=GENERAL, name="chat", parent_id=INBOX, position=4)
    )
    channel = GuildChannel.objects.get()
    assert (channel.name, channel.parent_id, channel.position) == ("chat", INBOX, 4)
    assert guildcache.channel_remove(guild_id=GUILD, channel_id=GENERAL)
    assert not GuildChannel.objects.exists()


def test_the_guild_changes_and_is_forgotten():
    snapshot()
    guildcache.guild_update(guild_id=GUILD, name="Renamed", owner_id=BOB)
    assert GuildSnapshot.objects.get().name == "Renamed"
    guildcache.guild_forget(guild_id=GUILD)
    assert not any(m.objects.exists() for m in (GuildSnapshot, GuildRole, GuildMember, GuildChannel))
