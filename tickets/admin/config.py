"""The bot configuration (one row, shown in full: superusers only) and its revisions."""

from __future__ import annotations

import copy
import json
from typing import Any

from django import forms
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tickets.configschema import KEYS, MASKED_KEYS, mask
from tickets.models import BotConfig, ConfigRevision

from .base import HistoryAdmin, SingletonAdmin, SuperuserOnlyMixin

# One fieldset per ``config.toml`` table, in the schema's order; ``bot.mode`` is a table of its own.
SECTION_TITLES = {
    "bot": _("Bot"),
    "mode": _("Bot mode"),
    "command": _("Commands"),
    "thread": _("Tickets"),
    "language": _("Language"),
    "error_handling": _("Error handling"),
    "notifications": _("Notifications"),
    "reminders": _("Reminders"),
    "logs": _("Logs"),
}


def config_fieldsets() -> list[tuple[str, dict[str, object]]]:
    """The fieldsets of the configuration form, built from ``configschema.KEYS``."""
    tables: dict[str, list[str]] = {}
    for key in KEYS:
        table = f"{key.section}.{key.nested}" if key.nested else key.section
        tables.setdefault(table, []).append(key.field)
    fieldsets = [
        (
            SECTION_TITLES.get(table.rpartition(".")[2], table),
            {"fields": tuple(fields), "description": f"[{table}]"},
        )
        for table, fields in tables.items()
    ]
    fieldsets.append((_("History"), {"fields": ("updated_at",)}))
    return fieldsets


SECRET_FIELDS = tuple(key.field for key in KEYS if (key.section, key.name) in MASKED_KEYS)
SECRET_HELP = _("Shown masked. Type a new value to replace it; leave the masked value to keep it.")


class BotConfigForm(forms.ModelForm):
    """The secrets (bot token, OAuth client secret) are never sent to the browser: their fields show
    the mask (``abcd...wxyz``), and a value still containing ``...`` keeps the stored secret."""

    class Meta:
        model = BotConfig
        fields = tuple(key.field for key in KEYS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in SECRET_FIELDS:
            field = self.fields.get(name)
            if field is None:
                continue
            field.widget = forms.TextInput(attrs={"autocomplete": "off", "size": 40})
            field.help_text = f"{field.help_text} {SECRET_HELP}"
            self.initial[name] = mask(getattr(self.instance, name) or "")

    def _clean_secret(self, name: str) -> str:
        value = self.cleaned_data.get(name) or ""
        return getattr(self.instance, name) if "..." in value else value

    def clean_bot_token(self) -> str:
        return self._clean_secret("bot_token")

    def clean_bot_client_secret(self) -> str:
        return self._clean_secret("bot_client_secret")


def masked_revision(data: Any) -> Any:
    """A revision's data with its secrets masked (revisions are stored masked; older rows are
    masked by a migration, this is the last guard)."""
    if not isinstance(data, dict) or not isinstance(data.get("bot"), dict):
        return data
    data = copy.deepcopy(data)
    for section, name in MASKED_KEYS:
        value = data.get(section, {}).get(name)
        if isinstance(value, str) and "..." not in value:
            data[section][name] = mask(value)
    return data


@admin.register(BotConfig)
class BotConfigAdmin(SuperuserOnlyMixin, SingletonAdmin):
    """Every key, secrets masked; the form validates through ``BotConfig.clean()``."""

    form = BotConfigForm

    list_display = (
        "__str__",
        "mode_type",
        "mode_guild_id",
        "mode_staff_guild_id",
        "command_prefix",
        "updated_at",
    )
    readonly_fields = ("updated_at",)
    fieldsets = config_fieldsets()
    save_on_top = True


@admin.register(ConfigRevision)
class ConfigRevisionAdmin(SuperuserOnlyMixin, HistoryAdmin):
    """Previous configurations (secrets masked): superusers only, read-only."""

    list_display = ("__str__", "saved_by", "created_at")
    search_fields = ("saved_by",)
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    fields = ("created_at", "saved_by", "data_pretty")
    readonly_fields = fields

    @admin.display(description=_("configuration"))
    def data_pretty(self, obj: ConfigRevision) -> str:
        return format_html(
            "<pre>{}</pre>",
            json.dumps(masked_revision(obj.data), indent=2, sort_keys=True, ensure_ascii=False),
        )
