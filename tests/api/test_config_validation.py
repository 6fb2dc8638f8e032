"""Every configuration key is checked for range, length, NUL characters and format, whatever the
interface (``PUT /api/bot/config``, the service, ``BotConfig.clean()``): a clear 400, nothing saved."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tickets.configschema import INT_MAX, KEYS
from tickets.models import BotConfig, ConfigRevision

URL = "/api/bot/config"
FULL_WIDTH = "９００００００００００００００００２０"
SUPERSCRIPT = "²" * 18


def put(client, section: str, key: str, value, nested: str | None = None):
    data = client.get(URL).json()
    (data[section][nested] if nested else data[section])[key] = value
    return client.put(URL, data, format="json")


@pytest.mark.parametrize(
    ("section", "key", "value"),
    [
        # IDs that pass str.isdigit() but not int(), other spellings, out of range, not IDs at all.
        ("bot", "logs_channel_id", SUPERSCRIPT),
        ("bot", "logs_channel_id", FULL_WIDTH),
        ("bot", "client_id", "0900000000000009999"),
        ("bot", "features_channel_id", str(2**64)),
        ("thread", "inbox_category_id", 2**63),
        ("thread", "inbox_category_id", "1"),
        ("bot", "panel_super_admin_users", [1]),
        ("bot", "panel_super_admin_users", ["1"]),
        ("bot", "panel_super_admin_users", [SUPERSCRIPT]),
        ("bot", "panel_super_admin_roles", [FULL_WIDTH]),
        ("bot", "panel_super_admin_users", [str(900_000_000_000_000_000 + i) for i in range(101)]),
        # Integers above what a 32-bit column holds, or any sane value.
        ("bot", "panel_port", 2**31),
        ("bot", "panel_port", 65536),
        ("bot", "panel_port", 0),
        ("error_handling", "error_message_ttl", 2**31),
        ("error_handling", "error_message_ttl", 10**30),
        ("thread", "time_to_close_thread", 2**31),
        ("thread", "auto_archive_duration", 2**31),
        ("thread", "auto_archive_duration", -1),
        # NUL characters in any text.
        ("bot", "status", "DM\x00 us"),
        ("bot", "welcome_message", "Hello\x00"),
        ("command", "prefix", "!\x00"),
        ("bot", "client_secret", "secret\x00value"),
        ("bot", "token", "token\x00value"),
        ("bot", "timezone", "Europe/Paris\x00"),
        # Formats.
        ("command", "prefix", ""),
        ("command", "prefix", "   "),
        ("command", "prefix", "!" * 33),
        ("thread", "user_message_color", "5865f2\n"),
        ("thread", "staff_message_color", "#5865f2\n"),
        ("reminders", "embed_color", "5865f2 "),
        ("thread", "system_message_color", "５８６５ｆ２"),
        ("bot", "redirect_url", "javascript:alert(1)"),
        ("bot", "redirect_url", "ftp://panel.example.com/callback"),
        ("bot", "redirect_url", "https:///no-host"),
        ("bot", "redirect_url", "https://panel.example.com/\ncallback"),
        ("bot", "status", "x" * 129),
        ("bot", "welcome_message", "x" * 2001),
        ("language", "supported_languages", ["en"] * 100_000),
        ("language", "supported_languages", []),
        ("language", "supported_languages", [["en"]]),
    ],
)
def test_a_bad_value_is_a_400_naming_it(super_admin, section, key, value) -> None:
    response = put(super_admin, section, key, value)

    assert response.status_code == 400, response.content
    assert response.json()["error"].startswith(f"{section}.{key}:")
    assert not ConfigRevision.objects.exists()


@pytest.mark.parametrize("key", ["guild_id", "staff_guild_id", "community_guild_id"])
@pytest.mark.parametrize("value", [SUPERSCRIPT, FULL_WIDTH, "00900000000000000001", 2**64 - 1])
def test_a_bad_mode_id_is_a_400(super_admin, key, value) -> None:
    response = put(super_admin, "bot", key, value, nested="mode")
    assert response.status_code == 400
    assert response.json()["error"].startswith(f"bot.mode.{key}:")


@pytest.mark.parametrize(
    ("section", "key", "value", "stored"),
    [
        ("thread", "user_message_color", "#ABCDEF", "abcdef"),
        ("bot", "panel_port", 65535, 65535),
        ("error_handling", "error_message_ttl", 86400, 86400),
        ("bot", "redirect_url", "https://panel.example.com/api/auth/callback", None),
        ("bot", "redirect_url", "", None),
        ("bot", "panel_super_admin_users", ["900000000000000020", 900000000000000021], None),
        ("language", "supported_languages", ["fr", "en", "fr"], ["fr", "en"]),
        ("bot", "status", "Écrivez-nous 📨", None),
    ],
)
def test_good_values_are_kept(super_admin, section, key, value, stored) -> None:
    assert put(super_admin, section, key, value).status_code == 200
    config = BotConfig.load()
    expected = stored if stored is not None else value
    if key == "panel_super_admin_users":
        expected = [int(v) for v in value]
    assert getattr(config, f"{section}_{key}") == expected


def test_every_integer_key_is_bounded_by_a_32_bit_column() -> None:
    for key in KEYS:
        if key.kind == "int":
            assert key.maximum <= INT_MAX, key.name


def test_the_model_refuses_the_same(guild) -> None:
    """The Django admin saves through ``BotConfig.clean()``: the same rules."""
    config = BotConfig.load()
    config.command_prefix = ""
    with pytest.raises(ValidationError, match=r"command\.prefix"):
        config.full_clean()
    config = BotConfig.load()
    config.bot_redirect_url = "javascript:alert(1)"
    with pytest.raises(ValidationError, match=r"bot\.redirect_url"):
        config.full_clean()


def test_a_nul_character_anywhere_in_the_body_is_refused(super_admin) -> None:
    data = super_admin.get(URL).json()
    data["bot"]["close_message"] = "Bye\x00"
    response = super_admin.put(URL, data, format="json")
    assert response.status_code == 400
    assert BotConfig.load().bot_close_message != "Bye\x00"
