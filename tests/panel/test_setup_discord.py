"""The Discord port's setup calls over real HTTP against the local Discord emulator."""

from __future__ import annotations

import pytest

from tickets.discord.port import DiscordError
from tickets.discord.rest import RestDiscordPort
from tickets.errors import InvalidInput
from tickets.services.setup import setup_check_token, setup_guild_layout, setup_guilds

pytestmark = pytest.mark.django_db


@pytest.fixture
def port(fake_discord_thread) -> RestDiscordPort:
    return RestDiscordPort(base_url=fake_discord_thread.api_base, token="no-token-yet")


def test_the_port_reads_the_bot_its_application_its_guilds_channels_and_roles(port, fake_discord_thread):
    emu = fake_discord_thread
    demo = emu.demo
    bot = port.with_token(emu.bot_token)
    me = bot.current_user()
    assert me.id == emu.bot_id and me.bot
    assert bot.current_application_id() == emu.application_id
    assert demo.guild_id in [g.id for g in bot.current_guilds()]
    channels = bot.guild_channels(demo.guild_id)
    by_id = {c.id: c for c in channels}
    assert by_id[demo.inbox_category_id].kind == 4
    assert by_id[demo.logs_channel_id].kind == 0
    assert demo.staff_role_id in [r.id for r in bot.guild_roles(demo.guild_id)]


def test_a_token_the_emulator_refuses_is_a_401(port):
    with pytest.raises(DiscordError) as caught:
        port.current_user()
    assert caught.value.status == 401


def test_the_setup_checks_go_through_the_port(port, fake_discord_thread):
    emu = fake_discord_thread
    identity = setup_check_token(token=emu.bot_token, port=port)
    assert identity.id == emu.bot_id and identity.application_id == emu.application_id
    with pytest.raises(InvalidInput, match="Discord refused this token"):
        setup_check_token(token="wrong", port=port)
    assert emu.demo.guild_id in [g.id for g in setup_guilds(token=emu.bot_token, port=port)]
    layout = setup_guild_layout(token=emu.bot_token, guild_id=emu.demo.guild_id, port=port)
    assert emu.demo.inbox_category_id in [c.id for c in layout.categories]
    assert emu.demo.staff_role_id in [r.id for r in layout.roles]
    assert emu.demo.guild_id not in [r.id for r in layout.roles], "no @everyone"
