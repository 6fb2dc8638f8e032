"""The bot's bounded member cache: nextcord keeps no member but the bot's own, and the database
guild cache is filled from the member chunks as they arrive and kept exact by member events."""

from __future__ import annotations

import pytest

from botrunner.memberstream import MemberStream
from tickets.models import GuildMember

from .conftest import eventually

LARGE = 5_000


def held_by_nextcord(bot) -> dict[int, int]:
    """Members nextcord holds in memory, by guild."""
    return {guild.id: len(guild.members) for guild in bot.guilds}


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_large_guild_is_cached_in_the_database_while_nextcord_holds_one_member(modmail):
    emu = modmail.emu
    seeded: list[int] = []

    async def seed() -> None:
        seeded.append(emu.seed_large_guild("Large", members=LARGE, channels=20, roles=5))

    async with modmail.restarted(meanwhile=seed) as bot:
        large = seeded[0]

        async def all_cached() -> bool:
            return await modmail.db(lambda: GuildMember.objects.filter(guild_id=large).count()) == LARGE

        await eventually(all_cached, timeout=60.0)
        wanted = {(int(m["user"]["id"]), tuple(int(r) for r in m["roles"])) for m in emu.members(large)}
        rows = await modmail.db(lambda: list(GuildMember.objects.filter(guild_id=large)))
        assert {(m.user_id, tuple(m.role_ids)) for m in rows} == wanted
        # Nextcord holds the bot's own member only, in the large guild as in the demo guild.
        assert held_by_nextcord(bot) == {guild.id: 1 for guild in bot.guilds}
        assert bot.get_guild(large).me is not None


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_members_joining_changing_and_leaving_reach_the_database_not_nextcord(modmail):
    emu, demo, bot = modmail.emu, modmail.demo, modmail.bot
    guild = bot.get_guild(demo.guild_id)
    newcomer = emu.create_user("frank", global_name="Frank")

    async def row():
        return await modmail.db(
            lambda: GuildMember.objects.filter(guild_id=demo.guild_id, user_id=newcomer).first()
        )

    await emu.member_join(demo.guild_id, newcomer)
    assert (await eventually(row)).role_ids == []
    emu.update_member(demo.guild_id, newcomer, roles=[demo.staff_role_id])

    async def has_staff_role():
        cached = await row()
        return cached is not None and cached.role_ids == [demo.staff_role_id]

    await eventually(has_staff_role)
    assert guild.get_member(newcomer) is None
    await emu.member_leave(demo.guild_id, newcomer)

    async def gone():
        return await row() is None

    await eventually(gone)
    assert held_by_nextcord(bot) == {demo.guild_id: 1}


def chunk(ids, index: int, count: int) -> dict:
    return {
        "members": [{"user": {"id": str(i), "username": f"u{i}"}, "roles": ["7"]} for i in ids],
        "chunk_index": index,
        "chunk_count": count,
    }


def test_a_member_who_left_during_the_chunks_is_not_brought_back_by_a_later_one():
    stream = MemberStream(guild_id=1)
    stream.feed(chunk([10, 11], 0, 2))
    stream.left(12)  # left after Discord built the second chunk
    stream.joined(13)  # joined meanwhile: present, though in no chunk
    stream.feed(chunk([12, 14], 1, 2))
    first, second, end = (stream.queue.get_nowait() for _n in range(3))
    assert end is None  # the last chunk closes the queue
    assert [m.user_id for m in stream.take(first)] == [10, 11]
    assert [(m.user_id, m.role_ids) for m in stream.take(second)] == [(14, (7,))]
    assert stream.seen == {10, 11, 13, 14}
