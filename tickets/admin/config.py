"""The bot configuration (one row, shown in full: superusers only) and its revisions."""

from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tickets.configschema import KEYS
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


@admin.register(BotConfig)
class BotConfigAdmin(SuperuserOnlyMixin, SingletonAdmin):
    """Every key, secrets unmasked; the form validates through ``BotConfig.clean()``."""

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
    """Previous configurations, secrets included: superusers only, read-only."""

    list_display = ("__str__", "saved_by", "created_at")
    search_fields = ("saved_by",)
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    fields = ("created_at", "saved_by", "data_pretty")
    readonly_fields = fields

    @admin.display(description=_("configuration"))
    def data_pretty(self, obj: ConfigRevision) -> str:
        return format_html(
            "<pre>{}</pre>", json.dumps(obj.data, indent=2, sort_keys=True, ensure_ascii=False)
        )
