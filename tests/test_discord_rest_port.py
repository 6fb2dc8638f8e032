"""The REST adapter of the Discord port against the local Discord emulator (real HTTP, Discord's errors)."""

from __future__ import annotations

import pytest

from tickets.discord.port import CANNOT_DM, UNKNOWN_USER, DiscordError, OutgoingMessage
from tickets.discord.rest import RestDiscordPort


@pytest.fixture
def port(fake_discord_thread) -> RestDiscordPort:
    return RestDiscordPort(base_url=fake_discord_thread.api_base, token=fake_discord_thread.bot_token)


def test_it_reads_users_and_members(port, fake_discord_thread):
    demo = fake_discord_thread.demo
    user = port.get_user(demo.user_ids[0])
    assert user.id == demo.user_ids[0] and not user.bot
    member = port.get_member(demo.guild_id, demo.staff_id)
    assert member is not None and demo.staff_role_id in member.role_ids
    stranger = fake_discord_thread.create_user("stranger")
    assert port.get_member(demo.guild_id, stranger) is None


def test_an_unknown_user_is_discords_10013(port):
    with pytest.raises(DiscordError) as caught:
        port.get_user(42)
    assert caught.value.code == UNKNOWN_USER


def test_a_resent_nonce_returns_the_first_message(port, fake_discord_thread):
    channel = fake_discord_thread.demo.general_channel_id
    first = port.send(channel, OutgoingMessage(content="once", nonce="relay-1"))
    again = port.send(channel, OutgoingMessage(content="once", nonce="relay-1"))
    assert first.id == again.id
    assert [m["content"] for m in fake_discord_thread.messages(channel)].count("once") == 1


def test_it_edits_and_deletes_messages(port, fake_discord_thread):
    channel = fake_discord_thread.demo.general_channel_id
    sent = port.send(channel, OutgoingMessage(content="before"))
    port.edit(channel, sent.id, OutgoingMessage(content="after"))
    assert fake_discord_thread.message(sent.id)["content"] == "after"
    port.delete(channel, sent.id)
    assert fake_discord_thread.message(sent.id) is None


def test_a_user_with_closed_dms_is_discords_50007(port, fake_discord_thread):
    user_id = fake_discord_thread.demo.user_ids[1]
    fake_discord_thread.close_dms(user_id)
    dm = port.open_dm(user_id)
    with pytest.raises(DiscordError) as caught:
        port.send(dm, OutgoingMessage(content="hello"))
    assert caught.value.code == CANNOT_DM


def test_a_full_category_is_recognised_from_discords_field_error(port, fake_discord_thread):
    demo = fake_discord_thread.demo
    category = fake_discord_thread.create_category(demo.guild_id, "Full")
    for n in range(50):
        port.create_channel(guild_id=demo.guild_id, name=f"t-{n}", parent_id=category)
    with pytest.raises(DiscordError) as caught:
        port.create_channel(guild_id=demo.guild_id, name="t-50", parent_id=category)
    assert caught.value.code == 50035
    assert caught.value.category_full
    with pytest.raises(DiscordError) as moved:
        port.edit_channel(demo.general_channel_id, parent_id=category)
    assert moved.value.category_full


def test_other_form_errors_are_not_a_full_category(port, fake_discord_thread):
    with pytest.raises(DiscordError) as caught:
        port.send(fake_discord_thread.demo.general_channel_id, OutgoingMessage(content="x" * 2001))
    assert caught.value.code == 50035
    assert not caught.value.category_full


def test_history_pages_after_a_message(port, fake_discord_thread):
    channel = fake_discord_thread.demo.general_channel_id
    ids = [port.send(channel, OutgoingMessage(content=f"m{n}")).id for n in range(5)]
    newer = port.history(channel, after=ids[1], limit=100)
    assert [m.id for m in newer] == ids[2:]


def test_a_token_replaced_in_the_configuration_is_taken_after_a_401(fake_discord_thread):
    """The web and worker processes keep one adapter: after the setup wizard or the configuration
    page replaced the bot token, Discord's 401 makes it read the configured token again, once."""
    emu = fake_discord_thread
    configured = ["an-old-token-discord-no-longer-knows"]
    port = RestDiscordPort(
        base_url=emu.api_base, token=configured[0], rate=1000, token_source=lambda: configured[0]
    )
    with pytest.raises(DiscordError) as refused:
        port.get_user(emu.demo.user_ids[0])
    assert refused.value.status == 401  # the configuration did not change: the 401 stands

    configured[0] = emu.bot_token
    assert port.get_user(emu.demo.user_ids[0]).id == emu.demo.user_ids[0]
    assert port.token == emu.bot_token

    configured[0] = "yet-another-wrong-token"
    port.token = "a-wrong-token"
    with pytest.raises(DiscordError) as again:  # one new try with the new token, then the 401
        port.get_user(emu.demo.user_ids[0])
    assert again.value.status == 401
