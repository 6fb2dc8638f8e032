"""The bot configuration (one row; its columns come from ``tickets.configschema``) and its revisions."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.configschema import KEYS, SUPPORTED_LANGUAGES, ConfigInvalid, Key, coerce, validate_whole
from tickets.crypto import SecretUnreadable, decrypt, encrypt

from .fields import SNOWFLAKE_VALIDATORS

log = logging.getLogger("tickets.config")


class EncryptedTextField(models.TextField):
    """Text encrypted at rest (``tickets.crypto``): Python code sees the plain value, the database
    only ever holds ``enc:v1:...``."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None:
            return value
        try:
            return decrypt(value)
        except SecretUnreadable:
            # A SECRET_KEY changed without keeping the old one in SECRET_KEY_FALLBACKS: the secret is
            # lost, say so instead of failing every page that reads the configuration.
            log.error("%s cannot be decrypted (SECRET_KEY changed?): set it again", self.name)
            return ""

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return value if value is None else encrypt(value)

    def value_to_string(self, obj: models.Model) -> str:
        # dumpdata (backups) holds the ciphertext too; loaddata stores it back as it is.
        return encrypt(self.value_from_object(obj) or "")


class BotConfig(models.Model):
    """Rustmail's ``config.toml`` as one row: ``bot``, ``command``, ``thread``, ``language``,
    ``error_handling``, ``notifications``, ``reminders`` and ``logs``."""

    updated_at = models.DateTimeField(auto_now=True, help_text=_("When it last changed."))

    class Meta:
        verbose_name = _("bot configuration")
        verbose_name_plural = _("bot configuration")

    def __str__(self) -> str:
        return str(_("Bot configuration"))

    @classmethod
    def load(cls) -> BotConfig:
        config, _created = cls.objects.get_or_create(pk=1)
        return config

    def values(self) -> dict[str, object]:
        """Field name → value, for every key of the schema."""
        return {key.field: getattr(self, key.field) for key in KEYS}

    def clean(self) -> None:
        try:
            for key in KEYS:
                setattr(self, key.field, coerce(key, getattr(self, key.field)))
            validate_whole(self.values())
        except ConfigInvalid as error:
            raise ValidationError(str(error)) from error


def _field_for(key: Key) -> models.Field:
    help_text = key.help
    if key.kind == "secret":
        return EncryptedTextField(default=key.default, blank=True, help_text=help_text)
    if key.kind in ("str", "url", "timezone", "language", "mode", "color"):
        return models.CharField(max_length=500, default=key.default, blank=True, help_text=help_text)
    if key.kind == "text":
        return models.TextField(default=key.default, blank=True, help_text=help_text)
    if key.kind == "bool":
        return models.BooleanField(default=key.default, help_text=help_text)
    if key.kind == "int":
        return models.IntegerField(default=key.default, help_text=help_text)
    if key.kind == "snowflake":
        return models.BigIntegerField(
            null=True, blank=True, validators=SNOWFLAKE_VALIDATORS, help_text=help_text
        )
    if key.kind == "languages":
        return models.JSONField(default=default_languages, blank=True, help_text=help_text)
    return models.JSONField(default=list, blank=True, help_text=help_text)  # lists of IDs


def default_languages() -> list[str]:
    """Default of ``language.supported_languages`` (a callable: a list default must not be shared)."""
    return list(SUPPORTED_LANGUAGES)


for _key in KEYS:
    BotConfig.add_to_class(_key.field, _field_for(_key))


class ConfigRevision(models.Model):
    """A previous configuration, kept on every save (Rustmail keeps a backup file). Secrets are
    stored masked (``abcd...wxyz``): putting a revision back keeps the current secrets."""

    data = models.JSONField(help_text=_("The whole configuration as it was, secrets masked."))
    saved_by = models.CharField(max_length=64, blank=True, default="", help_text=_("Who replaced it."))
    created_at = models.DateTimeField(auto_now_add=True, help_text=_("When it was replaced."))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("configuration revision")
        verbose_name_plural = _("configuration revisions")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S}"
