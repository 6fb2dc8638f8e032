"""The guild cache written in steps, as the bot does with a guild's member chunks: roles and
channels first, then each chunk as it arrives, then the members gone deleted."""

from __future__ import annotations

import pytest

from tickets.models import GuildChannel, GuildMember, GuildRole, GuildSnapshot
from tickets.services import guildcache
from tickets.services.guildcache import ChannelData, MemberData, RoleData

GUILD = 800_000_000_000_000_011
OTHER_GUILD = 800_000_000_000_000_012
ROLE = 830_000_000_000_000_011
CHANNEL = 840_000_000_000_000_011
FIRST_USER = 820_000_000_000_000_000

pytestmark = pytest.mark.django_db


def begin(guild_id: int = GUILD, roles=(ROLE,), channels=(CHANNEL,)) -> GuildSnapshot:
    return guildcache.guild_sync_begin(
        guild_id=guild_id,
        name="Guild",
        owner_id=FIRST_USER,
        roles=[RoleData(role_id=r, name=f"role {r}") for r in roles],
        channels=[ChannelData(channel_id=c, name=f"channel {c}") for c in channels],
    )


def members(ids, role: int = ROLE) -> list[MemberData]:
    return [MemberData(user_id=FIRST_USER + n, username=f"user{n}", role_ids=(role,)) for n in ids]


def cached(guild_id: int = GUILD) -> set[int]:
    return {
        u - FIRST_USER
        for u in GuildMember.objects.filter(guild_id=guild_id).values_list("user_id", flat=True)
    }


def test_chunks_are_written_as_they_come_and_the_members_gone_deleted_at_the_end():
    begin()
    guildcache.guild_members_write(guild_id=GUILD, members=members(range(5)))
    begin(guild_id=OTHER_GUILD)
    guildcache.guild_members_write(guild_id=OTHER_GUILD, members=members(range(3)))
    # A second pass: members 0-2 still there (with another role), 3-4 gone, 5-2,499 new.
    begin()
    assert guildcache.guild_members_write(guild_id=GUILD, members=members(range(3), role=ROLE + 1)) == 3
    assert cached() == set(range(5))  # nothing deleted before the last chunk
    guildcache.guild_members_write(guild_id=GUILD, members=members(range(5, 2500)))
    present = {FIRST_USER + n for n in [*range(3), *range(5, 2500)]}
    result = guildcache.guild_members_finish(guild_id=GUILD, present=present, complete=True)
    assert result.departed == [FIRST_USER + 3, FIRST_USER + 4]
    assert cached() == {*range(3), *range(5, 2500)}
    assert GuildMember.objects.get(guild_id=GUILD, user_id=FIRST_USER).role_ids == [ROLE + 1]
    assert cached(OTHER_GUILD) == {0, 1, 2}  # another guild untouched


def test_an_incomplete_pass_deletes_no_member():
    begin()
    guildcache.guild_members_write(guild_id=GUILD, members=members(range(4)))
    begin()
    guildcache.guild_members_write(guild_id=GUILD, members=members(range(2)))
    present = {FIRST_USER, FIRST_USER + 1}
    result = guildcache.guild_members_finish(guild_id=GUILD, present=present, complete=False)
    assert result.departed == []
    assert cached() == {0, 1, 2, 3}


def test_the_first_step_replaces_roles_and_channels():
    begin(roles=(ROLE, ROLE + 1), channels=(CHANNEL, CHANNEL + 1))
    begin(roles=(ROLE + 1,), channels=(CHANNEL + 2,))
    assert set(GuildRole.objects.filter(guild_id=GUILD).values_list("role_id", flat=True)) == {ROLE + 1}
    assert set(GuildChannel.objects.filter(guild_id=GUILD).values_list("channel_id", flat=True)) == {
        CHANNEL + 2
    }
    assert GuildSnapshot.objects.get(guild_id=GUILD).name == "Guild"
