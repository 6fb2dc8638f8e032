"""``manage.py importconfig`` takes a migrating operator's Rustmail file: Rustmail's own example
imports, with every key renamed, dropped or adjusted listed with its reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tickets.models import BotConfig, ConfigRevision

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "rustmail" / "config.example.toml"

# Rustmail's earlier example (dual mode, a placeholder token, a staff guild ID too short).
EARLIER_EXAMPLE = """
[bot]
token = "TOKEN_HERE"
status = "DM POUR SUPPORT"
enable_logs = true
enable_features = true
logs_channel_id = 14043597305699
features_channel_id = 14069404548593076

[bot.mode]
type = "dual"
community_guild_id = 12096679805062590
staff_guild_id = 711880297271856

[language]
default_language = "en"
fallback_language = "en"
supported_languages = ["en", "fr", "es", "de"]
"""


def _import(path: Path, capsys) -> str:
    call_command("importconfig", str(path))
    return capsys.readouterr().err


def test_rustmails_example_imports_and_says_what_it_adjusted(capsys) -> None:
    err = _import(EXAMPLE, capsys)

    cfg = BotConfig.load()
    assert cfg.bot_enable_rustmail_logs is True  # enable_logs, renamed by Rustmail
    assert cfg.bot_logs_channel_id == 14043597305635899
    assert cfg.language_supported_languages == ["en", "fr"]
    assert (cfg.language_default_language, cfg.language_fallback_language) == ("fr", "en")
    assert cfg.thread_user_message_color == "3d54ff"
    assert cfg.bot_timezone == "Europe/Paris"
    assert cfg.bot_token == ""  # the example's token is made up
    assert cfg.thread_inbox_category_id is None  # 16 digits: not a Discord ID
    assert ConfigRevision.objects.get().saved_by == "importconfig"
    assert "bot.enable_logs: renamed by Rustmail: read as bot.enable_rustmail_logs" in err
    assert "language.supported_languages: dropped es, de" in err
    assert "bot.token: dropped" in err
    assert "thread.inbox_category_id: dropped: must be a Discord ID" in err


def test_rustmails_earlier_example_imports_too(tmp_path: Path, capsys) -> None:
    file = tmp_path / "config.toml"
    file.write_text(EARLIER_EXAMPLE)

    err = _import(file, capsys)

    cfg = BotConfig.load()
    assert (cfg.mode_type, cfg.mode_community_guild_id, cfg.mode_staff_guild_id) == (
        "dual",
        12096679805062590,
        None,
    )
    assert cfg.bot_enable_rustmail_logs is False  # its logs channel is not a Discord ID
    assert cfg.bot_enable_features is True and cfg.bot_features_channel_id == 14069404548593076
    assert "bot.mode.staff_guild_id: dropped" in err
    assert "bot.enable_rustmail_logs: turned off" in err
    assert "bot.token: dropped" in err


def test_a_renamed_key_never_overrides_its_new_name(tmp_path: Path, capsys) -> None:
    file = tmp_path / "config.toml"
    file.write_text("[bot]\nenable_logs = true\nenable_rustmail_logs = false\n")
    err = _import(file, capsys)
    assert BotConfig.load().bot_enable_rustmail_logs is False
    assert "bot.enable_logs: dropped: bot.enable_rustmail_logs is set as well" in err


def test_a_localhost_redirect_url_is_left_to_the_request(tmp_path: Path, capsys) -> None:
    assert BotConfig.load().bot_redirect_url == ""  # the default: derived from the request
    file = tmp_path / "config.toml"
    file.write_text('[bot]\nredirect_url = "http://localhost:3002/api/auth/callback"\n')
    assert "bot.redirect_url: left empty" in _import(file, capsys)
    assert BotConfig.load().bot_redirect_url == ""
    file.write_text('[bot]\nredirect_url = "https://modmail.example.com/api/auth/callback"\n')
    _import(file, capsys)
    assert BotConfig.load().bot_redirect_url == "https://modmail.example.com/api/auth/callback"


def test_another_invalid_value_still_stops_the_import(tmp_path: Path) -> None:
    file = tmp_path / "config.toml"
    file.write_text(
        EXAMPLE.read_text().replace('user_message_color = "3d54ff"', 'user_message_color = "blue"')
    )
    with pytest.raises(CommandError, match=r"thread\.user_message_color"):
        call_command("importconfig", str(file))
    assert not ConfigRevision.objects.exists()
