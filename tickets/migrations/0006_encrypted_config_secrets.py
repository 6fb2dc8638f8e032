"""The bot token and the OAuth client secret encrypted at rest; secrets masked in past revisions."""

from django.db import migrations, models

import tickets.models.config
from tickets.configschema import mask
from tickets.crypto import decrypt

SECRETS = ("bot_token", "bot_client_secret")
REVISION_SECRETS = ("token", "client_secret")


def encrypt_secrets(apps, schema_editor) -> None:
    """Encrypt the plain values written before, and mask the secrets every revision kept."""
    BotConfig = apps.get_model("tickets", "BotConfig")
    ConfigRevision = apps.get_model("tickets", "ConfigRevision")
    for row in BotConfig.objects.all():
        # The field encrypts on save; a plain value reads back as it is.
        row.save(update_fields=list(SECRETS))
    for revision in ConfigRevision.objects.all():
        bot = revision.data.get("bot") if isinstance(revision.data, dict) else None
        if not isinstance(bot, dict):
            continue
        for name in REVISION_SECRETS:
            if isinstance(bot.get(name), str) and "..." not in bot[name]:
                bot[name] = mask(bot[name])
        revision.save(update_fields=["data"])


def decrypt_secrets(apps, schema_editor) -> None:
    """Back to plain values (the masked revisions stay masked)."""
    BotConfig = apps.get_model("tickets", "BotConfig")
    table = schema_editor.quote_name(BotConfig._meta.db_table)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT id, bot_token, bot_client_secret FROM {table}")
        for pk, token, client_secret in cursor.fetchall():
            cursor.execute(
                f"UPDATE {table} SET bot_token = %s, bot_client_secret = %s WHERE id = %s",
                [decrypt(token or ""), decrypt(client_secret or ""), pk],
            )


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0005_live_events"),
    ]

    operations = [
        migrations.AlterField(
            model_name="botconfig",
            name="bot_client_secret",
            field=tickets.models.config.EncryptedTextField(
                blank=True, default="", help_text="OAuth2 client secret for the panel login."
            ),
        ),
        migrations.AlterField(
            model_name="botconfig",
            name="bot_token",
            field=tickets.models.config.EncryptedTextField(
                blank=True,
                default="",
                help_text="Bot token (DISCORD_TOKEN in the environment overrides it).",
            ),
        ),
        migrations.AlterField(
            model_name="configrevision",
            name="data",
            field=models.JSONField(help_text="The whole configuration as it was, secrets masked."),
        ),
        migrations.RunPython(encrypt_secrets, decrypt_secrets),
    ]
