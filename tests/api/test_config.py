"""``GET/PUT /api/bot/config``, the configuration service and ``manage.py importconfig``."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tickets.configschema import KEYS, SECTIONS
from tickets.models import BotConfig, ConfigRevision
from tickets.services.config import config_as_dict, config_update

from .conftest import GUILD, INBOX, Permission

URL = "/api/bot/config"
SAVED = "Configuration saved successfully. Restart the bot to apply changes."
TOKEN = "MTIzNDU2Nzg5.bot-token.of-the-tests-xyz9"


@pytest.fixture
def editor(login):
    return login(grants=(Permission.VIEW_PANEL, Permission.MANAGE_CONFIG))


def test_get_has_all_eight_sections_with_secrets_masked(editor) -> None:
    body = editor.get(URL).json()

    assert list(body) == list(SECTIONS)
    assert body["bot"]["token"] == "MTIz...xyz9"
    assert body["bot"]["client_secret"] == "clie...ests"
    assert body["bot"]["client_id"] == 900_000_000_000_009_999
    assert body["bot"]["mode"] == {
        "type": "single",
        "guild_id": GUILD,
        "community_guild_id": None,
        "staff_guild_id": None,
    }
    assert body["thread"]["inbox_category_id"] == INBOX
    assert body["thread"]["user_message_color"] == "5865f2"
    assert body["language"]["supported_languages"] == ["en", "fr"]
    for key in KEYS:
        section = body[key.section]["mode"] if key.nested else body[key.section]
        assert key.name in section


def test_put_of_what_get_returned_keeps_the_secrets_and_keeps_a_revision(editor) -> None:
    data = editor.get(URL).json()
    data["bot"]["status"] = "Write to us"
    data["thread"]["user_message_color"] = "#ABCDEF"

    response = editor.put(URL, data, format="json")

    assert response.status_code == 200
    assert response.json() == {"success": True, "message": SAVED}
    config = BotConfig.load()
    assert config.bot_token == TOKEN
    assert config.bot_client_secret == "client-secret-of-the-tests"
    assert config.bot_status == "Write to us"
    assert config.thread_user_message_color == "abcdef"
    revision = ConfigRevision.objects.get()
    assert revision.data["bot"]["status"] == "DM for support"
    assert revision.data["bot"]["token"] == "MTIz...xyz9"  # never the secret itself


def test_put_replaces_a_secret_sent_in_clear(editor) -> None:
    data = editor.get(URL).json()
    data["bot"]["token"] = "a-brand-new-token-value"
    assert editor.put(URL, data, format="json").status_code == 200
    assert BotConfig.load().bot_token == "a-brand-new-token-value"


@pytest.mark.parametrize(
    ("section", "key", "value", "field"),
    [
        ("thread", "user_message_color", "blue", "thread.user_message_color"),
        ("bot", "timezone", "Mars/Olympus", "bot.timezone"),
        ("thread", "time_to_close_thread", -5, "thread.time_to_close_thread"),
        ("bot", "enable_panel", "yes", "bot.enable_panel"),
        ("language", "default_language", "de", "language.default_language"),
        ("bot", "panel_super_admin_users", ["not-an-id"], "bot.panel_super_admin_users"),
        ("bot", "unknown_key", 1, "bot.unknown_key"),
    ],
)
def test_an_invalid_value_is_a_400_naming_it_and_nothing_is_written(
    editor, section, key, value, field
) -> None:
    data = editor.get(URL).json()
    data["bot"]["status"] = "changed"
    data[section][key] = value

    response = editor.put(URL, data, format="json")

    assert response.status_code == 400
    assert response.json()["error"].startswith(f"{field}:")
    assert BotConfig.load().bot_status == "DM for support"
    assert not ConfigRevision.objects.exists()


def test_rules_across_keys_are_checked(super_admin) -> None:
    data = super_admin.get(URL).json()
    data["bot"]["mode"] = {"type": "dual", "community_guild_id": GUILD, "staff_guild_id": GUILD}
    response = super_admin.put(URL, data, format="json")
    assert response.status_code == 400
    assert response.json()["error"].startswith("bot.mode.staff_guild_id:")


@pytest.mark.parametrize("body", [[], "text", {"bot": []}, {"bot": {"mode": 3}}])
def test_a_body_of_the_wrong_shape_is_a_400(editor, body) -> None:
    response = editor.put(URL, body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"error"}


def test_the_service_round_trips(guild) -> None:
    before = config_as_dict(masked=False)
    changed = copy.deepcopy(before)
    changed["reminders"]["embed_color"] = "00ff00"
    config_update(data=changed, saved_by="tests")
    assert config_as_dict(masked=False) == {**before, "reminders": {"embed_color": "00ff00"}}
    assert ConfigRevision.objects.get().saved_by == "tests"


RUSTMAIL_TOML = """
[bot]
token = "MTAxMjM0NTY3ODkwMTIzNDU2Nzg5.Gabcde.secret-part"
status = "DM me"
welcome_message = "Hello!"
close_message = "Bye!"
typing_proxy_from_user = true
typing_proxy_from_staff = false
enable_rustmail_logs = false
enable_discord_logs = false
enable_features = false
enable_panel = true
client_id = 123456789012345678
client_secret = "0123456789abcdef"
redirect_url = "https://panel.example.com/api/auth/callback"
timezone = "Europe/Paris"
panel_super_admin_users = [111111111111111111]
some_future_key = 3

[bot.mode]
type = "dual"
community_guild_id = 222222222222222222
staff_guild_id = 333333333333333333

[command]
prefix = "?"

[thread]
inbox_category_id = 444444444444444444
embedded_message = true
user_message_color = "5865f2"
staff_message_color = "57f287"
system_message_color = "faa81a"
block_quote = true
time_to_close_thread = 0
create_ticket_by_create_channel = false

[language]
default_language = "fr"
fallback_language = "en"
supported_languages = ["en", "fr"]

[error_handling]
show_detailed_errors = true
log_errors = true
send_error_embeds = true
auto_delete_error_messages = false
error_message_ttl = 30

[notifications]
show_success_on_edit = true
show_partial_success_on_edit = true
show_failure_on_edit = true
show_success_on_reply = false
show_success_on_delete = true

[reminders]
embed_color = "ffcc00"

[logs]
show_log_on_edit = true
show_log_on_delete = true
"""


def test_importconfig_reads_rustmails_config_toml(db, tmp_path: Path, capsys) -> None:
    file = tmp_path / "config.toml"
    file.write_text(RUSTMAIL_TOML)

    call_command("importconfig", str(file))

    config = BotConfig.load()
    assert config.mode_type == "dual"
    assert (config.mode_community_guild_id, config.mode_staff_guild_id) == (
        222222222222222222,
        333333333333333333,
    )
    assert config.command_prefix == "?"
    assert config.bot_timezone == "Europe/Paris"
    assert config.bot_panel_super_admin_users == [111111111111111111]
    assert config.language_default_language == "fr"
    assert ConfigRevision.objects.get().saved_by == "importconfig"
    assert "bot.some_future_key" in capsys.readouterr().err


def test_importconfig_refuses_an_invalid_file(db, tmp_path: Path) -> None:
    file = tmp_path / "config.toml"
    file.write_text(RUSTMAIL_TOML.replace('timezone = "Europe/Paris"', 'timezone = "Nowhere"'))
    with pytest.raises(CommandError, match=r"bot\.timezone"):
        call_command("importconfig", str(file))
    assert not ConfigRevision.objects.exists()
    file.write_text("[bot\n")
    with pytest.raises(CommandError, match="not valid TOML"):
        call_command("importconfig", str(file))
