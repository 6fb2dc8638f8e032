"""The bot token and the OAuth client secret: encrypted in the database, masked in every revision
and in the admin; SECRET_KEY rotation through SECRET_KEY_FALLBACKS. The API-key admin shows no hash."""

from __future__ import annotations

import importlib
import json

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection

from apikeys.services import apikey_create
from tickets.crypto import PREFIX, SecretUnreadable, decrypt, encrypt
from tickets.models import BotConfig, ConfigRevision
from tickets.services.config import config_update

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.Gabcde.a-real-looking-bot-token-value"
CLIENT_SECRET = "oauth-client-secret-0123456789"
MASKED_TOKEN = "MTIz...alue"

migration = importlib.import_module("tickets.migrations.0006_encrypted_config_secrets")


def stored(column: str) -> str:
    """The value as the database holds it (no field conversion)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM tickets_botconfig WHERE id = 1")
        return cursor.fetchone()[0]


def write_raw(**columns: str) -> None:
    with connection.cursor() as cursor:
        for column, value in columns.items():
            cursor.execute(f"UPDATE tickets_botconfig SET {column} = %s WHERE id = 1", [value])


@pytest.fixture
def configured(db) -> BotConfig:
    config = BotConfig.load()
    config.bot_token = TOKEN
    config.bot_client_secret = CLIENT_SECRET
    config.mode_guild_id = 900_000_000_000_000_001
    config.save()
    return config


def test_the_database_holds_only_ciphertext(configured) -> None:
    for column, plain in (("bot_token", TOKEN), ("bot_client_secret", CLIENT_SECRET)):
        raw = stored(column)
        assert raw.startswith(PREFIX)
        assert plain not in raw
    config = BotConfig.load()
    assert (config.bot_token, config.bot_client_secret) == (TOKEN, CLIENT_SECRET)


def test_an_empty_secret_stays_empty(db) -> None:
    BotConfig.load()
    assert stored("bot_token") == ""
    assert BotConfig.load().bot_token == ""


def test_revisions_never_hold_the_secrets(configured) -> None:
    config_update(data={"bot": {"status": "one"}}, saved_by="tests")
    config_update(data={"bot": {"token": "another-token-value-123456"}}, saved_by="tests")

    for revision in ConfigRevision.objects.all():
        text = json.dumps(revision.data)
        assert TOKEN not in text
        assert CLIENT_SECRET not in text
        assert "another-token-value-123456" not in text
    first = ConfigRevision.objects.order_by("id").first()
    assert first.data["bot"]["token"] == MASKED_TOKEN
    assert BotConfig.load().bot_token == "another-token-value-123456"


def test_a_rotated_secret_key_still_decrypts_through_the_fallbacks(configured, settings) -> None:
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-brand-new-secret-key-" + "x" * 40
    settings.SECRET_KEY_FALLBACKS = [old_key]

    config = BotConfig.load()
    assert config.bot_token == TOKEN
    config.save()  # encrypts again with the new key

    settings.SECRET_KEY_FALLBACKS = []
    assert BotConfig.load().bot_token == TOKEN


def test_without_the_old_key_the_secret_reads_as_empty_and_is_logged(configured, settings, caplog) -> None:
    settings.SECRET_KEY = "a-brand-new-secret-key-" + "y" * 40
    settings.SECRET_KEY_FALLBACKS = []

    assert BotConfig.load().bot_token == ""
    assert "cannot be decrypted" in caplog.text
    with pytest.raises(SecretUnreadable):
        decrypt(stored("bot_token"))


def test_encryption_is_idempotent_and_plain_values_read_as_they_are(settings) -> None:
    token = encrypt("value")
    assert encrypt(token) == token
    assert decrypt(token) == "value"
    assert decrypt("written-before-encryption") == "written-before-encryption"


def test_the_data_migration_encrypts_plain_values_and_masks_revisions(db) -> None:
    BotConfig.load()
    write_raw(bot_token=TOKEN, bot_client_secret=CLIENT_SECRET)
    revision = ConfigRevision.objects.create(
        data={"bot": {"token": TOKEN, "client_secret": CLIENT_SECRET, "status": "x"}}, saved_by="old"
    )

    migration.encrypt_secrets(apps, None)

    assert stored("bot_token").startswith(PREFIX)
    assert stored("bot_client_secret").startswith(PREFIX)
    assert BotConfig.load().bot_token == TOKEN
    revision.refresh_from_db()
    assert revision.data["bot"] == {"token": MASKED_TOKEN, "client_secret": "oaut...6789", "status": "x"}


@pytest.fixture
def admin_client(client, db):
    client.force_login(get_user_model().objects.create(username="root", is_superuser=True, is_staff=True))
    return client


def test_the_configuration_admin_shows_the_secrets_masked(admin_client, configured) -> None:
    page = admin_client.get("/admin/tickets/botconfig/1/change/").content.decode()
    assert TOKEN not in page
    assert CLIENT_SECRET not in page
    assert MASKED_TOKEN in page


def test_saving_the_admin_form_keeps_masked_secrets_and_takes_new_ones(admin_client, configured) -> None:
    form = admin_client.get("/admin/tickets/botconfig/1/change/").context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        if isinstance(value, list):
            value = json.dumps(value)
        data[name] = "" if value is None else value
    data["bot_client_secret"] = "a-new-client-secret-value"

    response = admin_client.post("/admin/tickets/botconfig/1/change/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    config = BotConfig.load()
    assert config.bot_token == TOKEN
    assert config.bot_client_secret == "a-new-client-secret-value"


def test_the_revision_admin_masks_even_an_old_plain_revision(admin_client, db) -> None:
    revision = ConfigRevision.objects.create(data={"bot": {"token": TOKEN}}, saved_by="old")
    page = admin_client.get(f"/admin/tickets/configrevision/{revision.pk}/change/").content.decode()
    assert TOKEN not in page
    assert MASKED_TOKEN in page


def test_the_api_key_admin_shows_no_hash(admin_client) -> None:
    key = apikey_create(name="integration", permissions=["CreateTicket"]).api_key
    page = admin_client.get(f"/admin/apikeys/apikey/{key.pk}/change/").content.decode()
    assert key.key_hash not in page
    assert "key_hash" not in page


def test_a_dump_of_the_database_holds_only_ciphertext(configured, tmp_path) -> None:
    dump = tmp_path / "config.json"
    call_command("dumpdata", "tickets.botconfig", output=str(dump), verbosity=0)
    text = dump.read_text()
    assert TOKEN not in text
    assert CLIENT_SECRET not in text
    assert json.loads(text)[0]["fields"]["bot_token"].startswith(PREFIX)

    BotConfig.objects.all().delete()
    call_command("loaddata", str(dump), verbosity=0)

    assert stored("bot_token").startswith(PREFIX)
    assert BotConfig.load().bot_token == TOKEN
