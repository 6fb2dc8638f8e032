"""``/panel/configuration``: the form generated from the schema, secrets, errors, the history."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import translation

from tests.api.conftest import GUILD, INBOX, SUPER_ADMIN, Guild, make_user, next_id
from tickets.configschema import KEYS
from tickets.models import BotConfig, ConfigRevision, GuildChannel
from tickets.services.config import config_as_dict

pytestmark = pytest.mark.django_db

LOGS = 900_000_000_000_001_500


@pytest.fixture
def editor(guild: Guild) -> Client:
    """A member holding ViewPanel and ManageConfig (not ManagePermissions)."""
    GuildChannel.objects.create(guild_id=GUILD, channel_id=LOGS, name="mod-logs", type=0, parent_id=INBOX)
    client = Client()
    client.force_login(make_user(next_id(), grants=("ViewPanel", "ManageConfig")))
    return client


def form_values(client: Client) -> dict[str, object]:
    """What the browser would post back unchanged: every field's current value, as the page renders it."""
    html = client.get("/panel/configuration").content.decode()
    data: dict[str, object] = {}
    for key in KEYS:
        name = key.field
        if re.search(rf'<input type="checkbox" name="{name}"[^>]*checked', html):
            data[name] = "on"
        select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
        if select:
            chosen = re.findall(r'<option value="([^"]*)"[^>]*selected', select.group(1))
            data[name] = chosen[0] if chosen else ""
            continue
        many = re.findall(rf'<input type="checkbox" name="{name}" value="([^"]*)"[^>]*checked', html)
        if many:
            data[name] = many
            continue
        area = re.search(rf'<textarea name="{name}"[^>]*>(.*?)</textarea>', html, re.S)
        if area:
            data[name] = area.group(1).strip().replace("&#x27;", "'")
            continue
        value = re.search(rf'<input type="(?:text|color|number)" name="{name}" value="([^"]*)"', html)
        if value:
            data[name] = value.group(1)
    return data


def test_every_key_of_the_schema_has_a_field_with_the_right_widget(editor):
    html = editor.get("/panel/configuration").content.decode()
    for key in KEYS:
        assert f'name="{key.field}"' in html, key.field
    assert re.search(r'<input type="color" name="thread_user_message_color" value="#5865f2"', html)
    assert re.search(r'<input type="number" name="error_handling_error_message_ttl"[^>]*min="1"', html)
    assert re.search(r'<input type="checkbox" name="thread_close_on_leave"', html)
    logs = re.search(r'<select name="bot_logs_channel_id".*?</select>', html, re.S).group(0)
    assert "#mod-logs (Inbox)" in logs
    inbox = re.search(r'<select name="thread_inbox_category_id".*?</select>', html, re.S).group(0)
    assert re.search(rf'<option value="{INBOX}" selected>Inbox</option>', inbox)
    language = re.search(r'<select name="language_default_language".*?</select>', html, re.S).group(0)
    assert "Français" in language
    assert re.search(r'name="bot_panel_super_admin_roles" value="\d+"', html), "roles are checkboxes"


def test_secrets_are_masked_and_kept_unless_replaced(editor, guild):
    html = editor.get("/panel/configuration").content.decode()
    assert "MTIzNDU2Nzg5.bot-token.of-the-tests-xyz9" not in html
    assert "client-secret-of-the-tests" not in html
    assert "MTIz...xyz9" in html

    data = form_values(editor)
    data["bot_welcome_message"] = "Hello from the panel"
    response = editor.post("/panel/configuration", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    cfg = BotConfig.load()
    assert cfg.bot_welcome_message == "Hello from the panel"
    assert cfg.bot_token == "MTIzNDU2Nzg5.bot-token.of-the-tests-xyz9"
    assert cfg.bot_client_secret == "client-secret-of-the-tests"

    data["bot_token"] = "a-new-token.of-the-bot.0000"
    assert editor.post("/panel/configuration", data).status_code == 302
    assert BotConfig.load().bot_token == "a-new-token.of-the-bot.0000"


def test_one_invalid_field_saves_nothing_and_is_shown_beside_its_field(editor):
    before = config_as_dict(masked=False)
    data = form_values(editor)
    data["bot_welcome_message"] = "This must not be saved"
    data["bot_enable_rustmail_logs"] = "on"
    data["bot_logs_channel_id"] = ""
    response = editor.post("/panel/configuration", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was saved" in html
    field = re.search(
        r'<div class="field[^"]*has-error[^"]*" id="field-bot_logs_channel_id">.*?</div>', html, re.S
    )
    assert field and "is required when a logs flag is on" in html
    assert "This must not be saved" in html, "the typed values stay in the form"
    assert config_as_dict(masked=False) == before
    assert ConfigRevision.objects.count() == 0


def test_a_value_the_form_refuses_saves_nothing(editor):
    data = form_values(editor)
    data["error_handling_error_message_ttl"] = "0"
    data["bot_welcome_message"] = "Not saved either"
    response = editor.post("/panel/configuration", data)
    assert response.status_code == 400
    assert 'id="field-error_handling_error_message_ttl"' in response.content.decode()
    assert BotConfig.load().bot_welcome_message != "Not saved either"


def test_without_managepermissions_the_super_admin_fields_are_locked(editor):
    html = editor.get("/panel/configuration").content.decode()
    assert re.search(r'<textarea name="bot_panel_super_admin_users"[^>]*disabled', html)
    data = form_values(editor)
    data["bot_panel_super_admin_users"] = "123456789012345678"
    data["bot_status"] = "Changed status"
    assert editor.post("/panel/configuration", data).status_code == 302
    cfg = BotConfig.load()
    assert cfg.bot_status == "Changed status"
    assert cfg.bot_panel_super_admin_users == [SUPER_ADMIN], "the locked field is not taken from the post"


def test_a_superuser_may_change_the_super_admins(guild, client_for):
    client = client_for("superuser")
    data = form_values(client)
    data["bot_panel_super_admin_users"] = f"{SUPER_ADMIN}, 123456789012345678"
    assert client.post("/panel/configuration", data).status_code == 302
    assert BotConfig.load().bot_panel_super_admin_users == [SUPER_ADMIN, 123456789012345678]


def test_a_viewer_reads_but_cannot_save(guild, client_for):
    client = client_for("viewer")
    html = client.get("/panel/configuration").content.decode()
    assert "Save the configuration" not in html
    assert re.search(r'<input type="color" name="thread_user_message_color"[^>]*disabled', html)
    response = client.post("/panel/configuration", {"bot_status": "x"})
    assert response.status_code == 403
    assert BotConfig.load().bot_status != "x"


def test_the_history_says_who_changed_which_keys_without_secrets(editor):
    data = form_values(editor)
    data["thread_user_message_color"] = "#123abc"
    data["bot_token"] = "another-token.value.1234"
    assert editor.post("/panel/configuration", data).status_code == 302
    html = editor.get("/panel/configuration/history").content.decode()
    assert "thread.user_message_color" in html and "5865f2" in html and "123abc" in html
    assert "bot.token" in html and "changed (secret, not shown)" in html
    assert "another-token" not in html and "MTIzNDU2Nzg5" not in html
    assert "bot.status" not in html, "only the keys that changed"
    assert "user9" in html, "who: the member's name"


@pytest.mark.parametrize("saved_by", ["²", "１２３４５６７８９０１２３４５６７８", "٣", "007", "admin"])
def test_the_history_shows_a_saved_by_that_is_no_discord_id_as_it_is(editor, saved_by):
    ConfigRevision.objects.create(data=config_as_dict(masked=True), saved_by=saved_by)
    for url in ("/panel/configuration/history", "/panel/configuration"):
        response = editor.get(url)
        assert response.status_code == 200, url
        assert f"<strong>{saved_by}</strong>" in response.content.decode(), url


def test_every_key_has_a_label_and_a_help_text_in_french(guild, client_for):
    client = client_for("viewer")
    english = client.get("/panel/configuration").content.decode()
    assert '<label for="id_thread_inbox_category_id">Inbox category</label>' in english
    assert "Discord category where ticket channels open." in english
    client.post("/language", {"language": "fr", "next": "/panel/configuration"})
    html = client.get("/panel/configuration").content.decode()
    assert '<label for="id_thread_inbox_category_id">Catégorie de réception</label>' in html
    assert "Catégorie Discord où s&#x27;ouvrent les salons des tickets." in html
    for key in KEYS:
        assert key.label, f"{key.field} has no label"
        with translation.override("en"):
            english = str(key.label), str(key.help)
        with translation.override("fr"):
            french = str(key.label), str(key.help)
        assert french[0] != english[0] and french[1] != english[1], f"{key.field} is not in French"


def test_leave_empty_to_keep_a_secret_is_said_only_where_it_can_be_changed(guild, editor, client_for):
    html = editor.get("/panel/configuration").content.decode()
    token = re.search(r'id="id_bot_token_helptext">(.*?)</p>', html, re.S).group(1)
    assert "Stored: MTIz...xyz9. Leave empty to keep it." in token
    # The OAuth secret decides who may sign in: locked without ManagePermissions.
    secret = re.search(r'id="id_bot_client_secret_helptext">(.*?)</p>', html, re.S).group(1)
    assert "Leave empty" not in secret and "ManagePermissions" in secret
    viewer = client_for("viewer").get("/panel/configuration").content.decode()
    token = re.search(r'id="id_bot_token_helptext">(.*?)</p>', viewer, re.S).group(1)
    assert "Stored: MTIz...xyz9." in token and "Leave empty" not in token
    assert re.search(r'<input type="password" name="bot_token"[^>]*disabled', viewer)
