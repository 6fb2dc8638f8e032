"""The setup wizard's services: the one-time token, the checks against Discord, the save."""

from __future__ import annotations

import pytest

from panel.models import SetupToken
from panel.services import setup_finish, setup_token_digest, setup_token_issue, setup_token_valid
from tickets.discord.fake import FakeDiscord
from tickets.errors import InvalidInput
from tickets.models import BotConfig, ConfigRevision, SystemState
from tickets.services.setup import (
    BOT_PERMISSIONS,
    SetupChoices,
    bot_permission_bits,
    invite_url,
    setup_check_token,
    setup_guild_layout,
    setup_guilds,
    setup_needed,
    setup_save,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def discord() -> FakeDiscord:
    return FakeDiscord()


def choices(discord: FakeDiscord, guild: int, **overrides) -> SetupChoices:
    values = dict(
        token=discord.TOKEN,
        guild_id=guild,
        inbox_category_id=discord.add_category(guild),
        client_id=discord.APPLICATION_ID,
        client_secret="s3cret-value-xyz",
        redirect_url="https://modmail.example.org/api/auth/callback",
        super_admin_users=[700_000_000_000_000_001],
        default_language="fr",
    )
    values.update(overrides)
    return SetupChoices(**values)


def test_a_token_discord_accepts_gives_the_bots_name_and_application(discord):
    identity = setup_check_token(token=f"  {discord.TOKEN} ", port=discord)
    assert identity.id == discord.BOT_ID
    assert identity.name == "Modmail"
    assert identity.application_id == discord.APPLICATION_ID
    assert identity.avatar_url is None


def test_a_token_discord_refuses_is_a_clear_error(discord):
    with pytest.raises(InvalidInput, match="Discord refused this token"):
        setup_check_token(token="not-a-token", port=discord)
    with pytest.raises(InvalidInput, match="no spaces"):
        setup_check_token(token="two words", port=discord)
    with pytest.raises(InvalidInput, match="Enter the bot token"):
        setup_check_token(token="   ", port=discord)


def test_the_guilds_the_bot_is_in_are_listed(discord):
    assert setup_guilds(token=discord.TOKEN, port=discord) == []
    guild = discord.add_guild("Support")
    assert [g.name for g in setup_guilds(token=discord.TOKEN, port=discord)] == ["Support"]
    assert [g.id for g in setup_guilds(token=discord.TOKEN, port=discord)] == [guild]


def test_the_invite_link_asks_for_every_permission_the_bot_uses():
    bits = bot_permission_bits()
    assert bits == sum(bit for bit, _why in BOT_PERMISSIONS.values())
    # Channels, overwrites, sending, embeds, files, history, reactions, deleting commands.
    for name in ("MANAGE_CHANNELS", "MANAGE_ROLES", "SEND_MESSAGES", "EMBED_LINKS", "ATTACH_FILES"):
        assert bits & BOT_PERMISSIONS[name][0]
    assert not bits & (1 << 3), "never Administrator"
    url = invite_url(application_id=42)
    assert "client_id=42" in url and f"permissions={bits}" in url and "scope=bot+applications.commands" in url


def test_a_guilds_layout_splits_categories_text_channels_and_roles(discord):
    guild = discord.add_guild("Support")
    inbox = discord.add_category(guild, "Inbox")
    logs = discord.add_text_channel(guild, "logs", parent_id=inbox)
    role = discord.add_role(guild, "Staff")
    layout = setup_guild_layout(token=discord.TOKEN, guild_id=guild, port=discord)
    assert [c.id for c in layout.categories] == [inbox]
    assert [c.id for c in layout.text_channels] == [logs]
    assert [r.id for r in layout.roles] == [role]
    with pytest.raises(InvalidInput, match="not in this server"):
        setup_guild_layout(token=discord.TOKEN, guild_id=12345, port=discord)


def test_saving_writes_the_configuration_and_orders_the_bot_to_run(discord):
    SystemState.objects.update_or_create(pk=1, defaults={"desired_state": SystemState.Desired.STOPPED})
    guild = discord.add_guild("Support")
    picked = choices(discord, guild)
    assert setup_needed()

    setup_save(choices=picked, saved_by="setup", port=discord)

    cfg = BotConfig.load()
    assert cfg.bot_token == discord.TOKEN
    assert (cfg.mode_type, cfg.mode_guild_id) == ("single", guild)
    assert cfg.thread_inbox_category_id == picked.inbox_category_id
    assert cfg.bot_client_id == discord.APPLICATION_ID and cfg.bot_client_secret == "s3cret-value-xyz"
    assert cfg.bot_redirect_url == "https://modmail.example.org/api/auth/callback"
    assert cfg.bot_panel_super_admin_users == [700_000_000_000_000_001]
    assert cfg.language_default_language == "fr" and "fr" in cfg.language_supported_languages
    state = SystemState.load()
    assert state.desired_state == SystemState.Desired.RUNNING and state.restart_requested_at
    assert ConfigRevision.objects.count() == 1
    assert not setup_needed()


def test_saving_creates_the_category_and_logs_channel_asked_for(discord):
    guild = discord.add_guild("Support")
    picked = choices(
        discord,
        guild,
        inbox_category_id=None,
        inbox_category_name="Tickets",
        logs_channel_name="modmail-logs",
    )
    cfg = setup_save(choices=picked, saved_by="setup", port=discord)
    category = discord.channels[cfg.thread_inbox_category_id]
    logs = discord.channels[cfg.bot_logs_channel_id]
    assert (category.name, category.kind) == ("Tickets", 4)
    assert (logs.name, logs.kind, logs.parent_id) == ("modmail-logs", 0, category.id)
    assert cfg.bot_enable_rustmail_logs


def test_a_refused_configuration_saves_nothing_and_removes_the_channels_it_created(discord):
    guild = discord.add_guild("Support")
    picked = choices(discord, guild, inbox_category_id=None, redirect_url="x" * 600)
    before = set(discord.channels)
    with pytest.raises(InvalidInput, match="redirect_url"):
        setup_save(choices=picked, saved_by="setup", port=discord)
    assert set(discord.channels) == before
    assert BotConfig.load().bot_token == ""
    assert ConfigRevision.objects.count() == 0
    assert setup_needed()


def test_a_setup_token_is_stored_hashed_and_only_the_last_one_works(discord):
    first = setup_token_issue()
    second = setup_token_issue()
    assert first and second and first != second
    assert list(SetupToken.objects.values_list("digest", flat=True)) == [setup_token_digest(second)]
    assert not setup_token_valid(setup_token_digest(first))
    assert setup_token_valid(setup_token_digest(second))
    assert not setup_token_valid("")


def test_finishing_the_setup_revokes_the_token_and_no_new_one_is_issued(discord):
    token = setup_token_issue()
    guild = discord.add_guild("Support")
    setup_finish(choices=choices(discord, guild), saved_by="setup", port=discord)
    assert not setup_token_valid(setup_token_digest(token))
    assert SetupToken.objects.count() == 0
    assert setup_token_issue() is None
