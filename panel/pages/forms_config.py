"""The configuration page's form, generated from the configuration schema (``tickets.configschema.KEYS``).

No key is listed here: each key's kind picks its field and widget, and its name which picker of the
guild cache it gets (``*_category_id``: categories, ``*_channel_id``: text channels, ``*guild_id``:
guilds, ``*_roles``: roles). Values are handed to ``config_update`` as the API's nested object, so
the service validates the whole and its error is put back beside the field it names.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from tickets.configschema import KEYS, MASKED_KEYS, SECTIONS, SUPPORTED_LANGUAGES, Key, mask, path
from tickets.models import BotConfig, GuildChannel, GuildRole, GuildSnapshot

CATEGORY = 4
TEXT_CHANNELS = (0, 5)  # text and announcement channels

SECTION_TITLES = {
    "bot": _("Bot"),
    "command": _("Commands"),
    "thread": _("Tickets"),
    "language": _("Languages"),
    "error_handling": _("Error handling"),
    "notifications": _("Notifications"),
    "reminders": _("Reminders"),
    "logs": _("Logs"),
}
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}
LOCKED_HELP = _("Changing it needs the “ManagePermissions” permission.")
KEEP_SECRET_HELP = _("Leave empty to keep it.")


def _languages() -> list[tuple[str, str]]:
    return [(code, LANGUAGE_NAMES.get(code, code)) for code in SUPPORTED_LANGUAGES]


def is_secret(key: Key) -> bool:
    return (key.section, key.name) in MASKED_KEYS


def _picker(key: Key) -> str | None:
    """Which list of the guild cache a key's value is picked from, by its name."""
    if key.kind == "snowflake":
        if key.name.endswith("category_id"):
            return "category"
        if key.name.endswith("channel_id"):
            return "channel"
        if key.name.endswith("guild_id"):
            return "guild"
    if key.kind == "snowflakes" and key.name.endswith("_roles"):
        return "roles"
    return None


def _with_current(choices: list[tuple[str, str]], current: Iterable[Any]) -> list[tuple[str, str]]:
    """Keep a stored ID the cache does not know (deleted, or the bot never saw it) selectable."""
    known = {value for value, _label in choices}
    missing = [(str(v), _("Unknown (%(id)s)") % {"id": v}) for v in current if v and str(v) not in known]
    return choices + missing


class SnowflakeListField(forms.CharField):
    """Discord IDs typed one per line or separated by commas or spaces."""

    widget = forms.Textarea(attrs={"rows": 2})

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, list | tuple):
            return "\n".join(str(v) for v in value)
        return value or ""

    def to_python(self, value: Any) -> list[str]:
        text = super().to_python(value) or ""
        return [part for part in text.replace(",", " ").split() if part]


def _channel_label(channel: GuildChannel, categories: dict[int, str]) -> str:
    parent = categories.get(channel.parent_id)
    return f"#{channel.name} ({parent})" if parent else f"#{channel.name}"


@dataclass(frozen=True)
class Pickers:
    """The choices the guild cache offers, read once per form."""

    categories: list[tuple[str, str]]
    channels: list[tuple[str, str]]
    guilds: list[tuple[str, str]]
    roles: list[tuple[str, str]]

    @classmethod
    def load(cls, cfg: BotConfig) -> Pickers:
        guild = cfg.mode_staff_guild_id if cfg.mode_type == "dual" else cfg.mode_guild_id
        channels = GuildChannel.objects.filter(guild_id=guild).order_by("position", "channel_id")
        names = dict(channels.filter(type=CATEGORY).values_list("channel_id", "name"))
        return cls(
            categories=[(str(i), n) for i, n in names.items()],
            channels=[
                (
                    str(c.channel_id),
                    f"#{c.name}" + (f" ({names[c.parent_id]})" if c.parent_id in names else ""),
                )
                for c in channels.filter(type__in=TEXT_CHANNELS)
            ],
            guilds=[(str(g.guild_id), g.name) for g in GuildSnapshot.objects.order_by("name")],
            roles=[
                (str(r.role_id), r.name)
                for r in GuildRole.objects.filter(guild_id=guild, managed=False).exclude(role_id=guild)
            ],
        )


def field_for(key: Key, cfg: BotConfig, pickers: Pickers) -> forms.Field:
    """The form field of one key: its kind decides the widget, its name the picker."""
    label = key.label or capfirst(key.name.replace("_", " "))
    common: dict[str, Any] = {"label": label, "help_text": key.help, "required": False}
    current = getattr(cfg, key.field)
    picker = _picker(key)
    if is_secret(key):
        shown = mask(current) if current else ""
        stored = _("Stored: %(shown)s.") % {"shown": shown} if shown else _("Not set.")
        common["help_text"] = f"{key.help} {stored}"
        attrs = {"autocomplete": "off", "placeholder": shown or _("Not set")}
        return forms.CharField(widget=forms.PasswordInput(attrs=attrs, render_value=False), **common)
    if key.kind == "bool":
        return forms.BooleanField(**common)
    if key.kind == "int":
        return forms.IntegerField(min_value=key.minimum, max_value=2**31 - 1, **common)
    if key.kind == "color":
        return forms.CharField(widget=forms.TextInput(attrs={"type": "color"}), **common)
    if key.kind == "text":
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
    if key.kind == "language":
        return forms.ChoiceField(choices=_languages(), **common)
    if key.kind == "languages":
        return forms.MultipleChoiceField(choices=_languages(), widget=forms.CheckboxSelectMultiple, **common)
    if key.kind == "mode":
        return forms.ChoiceField(
            choices=[("single", _("Single server")), ("dual", _("Two servers"))], **common
        )
    if key.kind == "timezone":
        zones = sorted(zoneinfo.available_timezones())
        return forms.ChoiceField(choices=_with_current([(z, z) for z in zones], [current]), **common)
    if picker in ("category", "channel", "guild"):
        options = {"category": pickers.categories, "channel": pickers.channels, "guild": pickers.guilds}
        if options[picker]:
            choices = [("", _("None")), *_with_current(options[picker], [current])]
            return forms.ChoiceField(choices=choices, **common)
    if picker == "roles" and pickers.roles:
        choices = _with_current(pickers.roles, current or [])
        return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
    if key.kind == "snowflakes":
        return SnowflakeListField(**common)
    if key.kind == "snowflake":
        attrs = {"inputmode": "numeric", "pattern": "[0-9]*", "class": "mono"}
        return forms.CharField(widget=forms.TextInput(attrs=attrs), **common)
    return forms.CharField(**common)


def _initial(key: Key, cfg: BotConfig) -> Any:
    value = getattr(cfg, key.field)
    if is_secret(key):
        return ""
    if key.kind == "color":
        return f"#{value}"
    if key.kind == "snowflake":
        return "" if value is None else str(value)
    if key.kind == "snowflakes":
        return [str(v) for v in value or []]
    return value


class ConfigForm(forms.Form):
    """Every key of the configuration; ``sections()`` groups the bound fields as the schema does."""

    def __init__(
        self,
        *args: Any,
        cfg: BotConfig | None = None,
        locked: Iterable[str] = (),
        read_only: bool = False,
        **kwargs: Any,
    ):
        """``locked``: dotted paths the caller may not change (shown, disabled, never sent).
        ``read_only``: every field is shown disabled (the caller may not save at all)."""
        super().__init__(*args, **kwargs)
        self.cfg = cfg or BotConfig.load()
        self.locked = set(locked)
        pickers = Pickers.load(self.cfg)
        for key in KEYS:
            field = field_for(key, self.cfg, pickers)
            field.initial = _initial(key, self.cfg)
            if path(key) in self.locked:
                field.disabled = True
                field.help_text = f"{field.help_text} {LOCKED_HELP}"
            elif read_only:
                field.disabled = True
            elif is_secret(key) and getattr(self.cfg, key.field):
                field.help_text = f"{field.help_text} {KEEP_SECRET_HELP}"
            self.fields[key.field] = field

    def sections(self) -> list[tuple[str, str, list[forms.BoundField]]]:
        """(section, title, bound fields) in the schema's order."""
        return [
            (
                section,
                str(SECTION_TITLES.get(section, section)),
                [self[k.field] for k in KEYS if k.section == section],
            )
            for section in SECTIONS
        ]

    def config_data(self) -> dict[str, Any]:
        """The cleaned values as the nested object ``config_update`` takes (the API's shape).

        A secret left empty is not sent (the stored one stays); a locked key is not sent.
        """
        data: dict[str, Any] = {section: {} for section in SECTIONS}
        for key in KEYS:
            if path(key) in self.locked:
                continue
            value = self.cleaned_data.get(key.field)
            if is_secret(key) and not value:
                continue
            if key.kind == "snowflake":
                value = value or None
            table = data[key.section]
            if key.nested:
                table = table.setdefault(key.nested, {})
            table[key.name] = value
        return data

    def add_service_error(self, field_path: str | None, message: str) -> None:
        """Put the service's error beside the field it names (``thread.user_message_color``)."""
        for key in KEYS:
            if path(key) == field_path and key.field in self.fields:
                self.add_error(key.field, message)
                return
        self.add_error(None, message)
