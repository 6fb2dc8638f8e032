"""The bot configuration's schema: Rustmail's eight sections, their keys, types and defaults.

One table drives the model's columns (``BotConfig``), the API's nested JSON, the ``config.toml``
import, validation and the panel's configuration form, so a key is declared once (its label and
help text too, translated through Django's i18n).
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any
from urllib.parse import urlsplit

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tickets.snowflake import InvalidSnowflake, parse_snowflake

SECTIONS = (
    "bot",
    "command",
    "thread",
    "language",
    "error_handling",
    "notifications",
    "reminders",
    "logs",
)
SUPPORTED_LANGUAGES = ("en", "fr")
MODE_TYPES = ("single", "dual")
MASKED_KEYS = {("bot", "token"), ("bot", "client_secret")}
_COLOR = re.compile(r"[0-9a-fA-F]{6}")
# Every integer is stored in a 32-bit column: nothing above this is ever a sensible setting.
INT_MAX = 2**31 - 1
MAX_LENGTHS = {"str": 500, "secret": 500, "url": 500, "text": 2000, "timezone": 64}
# Lists of IDs (super admin users and roles): more than this is a mistake, not a configuration.
MAX_LIST_ITEMS = 100
MAX_LANGUAGES = 32
LANGUAGE_LIST = ", ".join(SUPPORTED_LANGUAGES)


@dataclass(frozen=True)
class Key:
    """One configuration key: where it lives, its kind, its default and what it means."""

    section: str
    name: str
    # str, text, secret, url, bool, int, snowflake, snowflakes, color, timezone, language, languages, mode
    kind: str
    default: Any
    # What it does (the model's and the API's help text, the panel's help) and its name in the panel:
    # translatable, read in the language of whoever is looking.
    help: str | Promise
    minimum: int | None = None
    maximum: int = INT_MAX
    # Text: at most this many characters (default per kind, see ``MAX_LENGTHS``); at least min_length.
    max_length: int | None = None
    min_length: int = 0
    # Whoever can change it decides who may use the panel (super admins, the staff guild, the OAuth
    # application and where it sends its codes): only ManagePermissions holders may change it.
    grants_access: bool = False
    # ``bot.mode`` is a nested table in Rustmail's file and in the API's JSON.
    nested: str | None = None
    label: str | Promise = dataclass_field(default="", kw_only=True)

    @property
    def field(self) -> str:
        """The model column that stores it."""
        return f"{self.nested or self.section}_{self.name}"


KEYS: tuple[Key, ...] = (
    Key(
        "bot",
        "token",
        "secret",
        "",
        _("Bot token (DISCORD_TOKEN in the environment overrides it)."),
        label=_("Bot token"),
    ),
    Key(
        "bot",
        "status",
        "str",
        "DM for support",
        _("Activity text shown under the bot's name."),
        label=_("Status text"),
        max_length=128,
    ),
    Key(
        "bot",
        "welcome_message",
        "text",
        "Your message has been received. Staff will answer here soon.",
        _("Sent to a user when their ticket opens."),
        label=_("Welcome message"),
    ),
    Key(
        "bot",
        "close_message",
        "text",
        "Your ticket has been closed. Thank you for contacting us.",
        _("Sent to the user when their ticket closes (unless silent)."),
        label=_("Closing message"),
    ),
    Key(
        "bot",
        "typing_proxy_from_user",
        "bool",
        False,
        _("Show staff when the user is typing."),
        label=_("Relay the user's typing"),
    ),
    Key(
        "bot",
        "typing_proxy_from_staff",
        "bool",
        False,
        _("Show the user when staff are typing."),
        label=_("Relay staff typing"),
    ),
    Key(
        "bot",
        "enable_rustmail_logs",
        "bool",
        False,
        _("Post a log when a ticket closes (needs logs_channel_id)."),
        label=_("Ticket logs"),
    ),
    Key(
        "bot",
        "enable_discord_logs",
        "bool",
        False,
        _("Forward the guild's audit log (needs logs_channel_id)."),
        label=_("Server audit log"),
    ),
    Key(
        "bot",
        "enable_features",
        "bool",
        False,
        _("Post the features message (a button to create polls) in features_channel_id."),
        label=_("Features and polls"),
    ),
    Key("bot", "enable_panel", "bool", True, _("Serve the web panel."), label=_("Web panel")),
    Key(
        "bot",
        "client_id",
        "snowflake",
        None,
        _("OAuth2 application ID for the panel login."),
        label=_("OAuth2 client ID"),
        grants_access=True,
    ),
    Key(
        "bot",
        "client_secret",
        "secret",
        "",
        _("OAuth2 client secret for the panel login."),
        label=_("OAuth2 client secret"),
        grants_access=True,
    ),
    Key(
        "bot",
        "redirect_url",
        "url",
        "",
        _("OAuth2 redirect URL; empty: /api/auth/callback at the address the panel is reached at."),
        label=_("OAuth2 redirect URL"),
        grants_access=True,
    ),
    Key(
        "bot",
        "timezone",
        "timezone",
        "UTC",
        _("IANA time zone for reminders (HH:MM) and dates."),
        label=_("Time zone"),
    ),
    Key("bot", "logs_channel_id", "snowflake", None, _("Channel where logs go."), label=_("Logs channel")),
    Key(
        "bot",
        "features_channel_id",
        "snowflake",
        None,
        _("Channel of the features message; the polls are posted there."),
        label=_("Features channel ID"),
    ),
    Key("bot", "ip", "str", "", _("Public address of the panel, if any."), label=_("Public address")),
    Key(
        "bot",
        "panel_super_admin_users",
        "snowflakes",
        [],
        _("Users who hold every panel permission."),
        label=_("Super admin users"),
        grants_access=True,
    ),
    Key(
        "bot",
        "panel_super_admin_roles",
        "snowflakes",
        [],
        _("Roles whose members hold every panel permission."),
        label=_("Super admin roles"),
        grants_access=True,
    ),
    Key(
        "bot",
        "panel_port",
        "int",
        3002,
        _("Port of the panel and API."),
        label=_("Panel port"),
        minimum=1,
        maximum=65535,
    ),
    Key(
        "bot",
        "type",
        "mode",
        "single",
        _("single: one guild; dual: a community guild and a staff guild."),
        label=_("Server mode"),
        nested="mode",
        grants_access=True,
    ),
    Key(
        "bot",
        "guild_id",
        "snowflake",
        None,
        _("The guild (single mode)."),
        label=_("Server"),
        nested="mode",
        grants_access=True,
    ),
    Key(
        "bot",
        "community_guild_id",
        "snowflake",
        None,
        _("Where users are (dual mode)."),
        label=_("Community server"),
        nested="mode",
    ),
    Key(
        "bot",
        "staff_guild_id",
        "snowflake",
        None,
        _("Where ticket channels are (dual mode)."),
        label=_("Staff server"),
        nested="mode",
        grants_access=True,
    ),
    Key(
        "command",
        "prefix",
        "str",
        "!",
        _("Prefix of text commands."),
        label=_("Command prefix"),
        min_length=1,
        max_length=32,
    ),
    Key(
        "thread",
        "inbox_category_id",
        "snowflake",
        None,
        _("Discord category where ticket channels open."),
        label=_("Inbox category"),
    ),
    Key(
        "thread",
        "embedded_message",
        "bool",
        True,
        _("Relay messages as embeds (false: plain text)."),
        label=_("Messages as embeds"),
    ),
    Key(
        "thread",
        "user_message_color",
        "color",
        "5865f2",
        _("Colour of the user's messages (hex)."),
        label=_("User messages colour"),
    ),
    Key(
        "thread",
        "staff_message_color",
        "color",
        "57f287",
        _("Colour of staff messages (hex)."),
        label=_("Staff messages colour"),
    ),
    Key(
        "thread",
        "system_message_color",
        "color",
        "faa81a",
        _("Colour of system messages (hex)."),
        label=_("System messages colour"),
    ),
    Key(
        "thread",
        "block_quote",
        "bool",
        True,
        _("Prefix relayed plain text with a block quote."),
        label=_("Block quote"),
    ),
    Key(
        "thread",
        "time_to_close_thread",
        "int",
        0,
        _("Default delay of a scheduled close, in seconds."),
        label=_("Default close delay"),
        minimum=0,
        maximum=366 * 24 * 3600,
    ),
    Key(
        "thread",
        "create_ticket_by_create_channel",
        "bool",
        False,
        _("A channel created in the inbox category opens a ticket."),
        label=_("Open a ticket from a new channel"),
    ),
    Key(
        "thread",
        "close_on_leave",
        "bool",
        False,
        _("Close a ticket when its user leaves the guild."),
        label=_("Close when the user leaves"),
    ),
    Key(
        "thread",
        "auto_archive_duration",
        "int",
        10080,
        _("Minutes before inactive threads archive."),
        label=_("Auto-archive delay"),
        minimum=0,
        maximum=10080,
    ),
    Key(
        "language",
        "default_language",
        "language",
        "en",
        _("Language of the bot's messages."),
        label=_("Default language"),
    ),
    Key(
        "language",
        "fallback_language",
        "language",
        "en",
        _("Language used when a text is missing."),
        label=_("Fallback language"),
    ),
    Key(
        "language",
        "supported_languages",
        "languages",
        ["en", "fr"],
        _("Languages offered."),
        label=_("Supported languages"),
    ),
    Key(
        "error_handling",
        "show_detailed_errors",
        "bool",
        True,
        _("Explain errors in detail to staff."),
        label=_("Detailed errors"),
    ),
    Key("error_handling", "log_errors", "bool", True, _("Write errors to the log."), label=_("Log errors")),
    Key(
        "error_handling",
        "send_error_embeds",
        "bool",
        True,
        _("Show errors as embeds."),
        label=_("Errors as embeds"),
    ),
    Key(
        "error_handling",
        "auto_delete_error_messages",
        "bool",
        False,
        _("Delete error messages after a while."),
        label=_("Delete error messages"),
    ),
    Key(
        "error_handling",
        "error_message_ttl",
        "int",
        30,
        _("Seconds before an error message is deleted."),
        label=_("Error message lifetime"),
        minimum=1,
        maximum=24 * 3600,
    ),
    Key(
        "error_handling", "display_errors", "bool", True, _("Show errors at all."), label=_("Display errors")
    ),
    Key(
        "notifications", "show_success_on_edit", "bool", True, _("Confirm an edit."), label=_("Confirm edits")
    ),
    Key(
        "notifications",
        "show_partial_success_on_edit",
        "bool",
        True,
        _("Report an edit that reached one copy."),
        label=_("Report partial edits"),
    ),
    Key(
        "notifications",
        "show_failure_on_edit",
        "bool",
        True,
        _("Report an edit that failed."),
        label=_("Report failed edits"),
    ),
    Key(
        "notifications",
        "show_success_on_reply",
        "bool",
        False,
        _("Confirm a reply."),
        label=_("Confirm replies"),
    ),
    Key(
        "notifications",
        "show_success_on_delete",
        "bool",
        True,
        _("Confirm a deletion."),
        label=_("Confirm deletions"),
    ),
    Key(
        "notifications",
        "show_success",
        "bool",
        True,
        _("Show success messages at all."),
        label=_("Success messages"),
    ),
    Key(
        "notifications",
        "show_error",
        "bool",
        True,
        _("Show error messages at all."),
        label=_("Error messages"),
    ),
    Key(
        "reminders",
        "embed_color",
        "color",
        "ffcc00",
        _("Colour of reminder embeds (hex)."),
        label=_("Reminders colour"),
    ),
    Key(
        "logs",
        "show_log_on_edit",
        "bool",
        True,
        _("Post a before/after log in the channel on an edit."),
        label=_("Log edits"),
    ),
    Key(
        "logs",
        "show_log_on_delete",
        "bool",
        True,
        _("Post a log in the channel on a deletion."),
        label=_("Log deletions"),
    ),
)


class ConfigInvalid(ValueError):
    """A configuration value is wrong; ``field`` is its dotted path (``thread.user_message_color``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def path(key: Key) -> str:
    """The dotted path of a key as the API and TOML show it."""
    return f"bot.mode.{key.name}" if key.nested else f"{key.section}.{key.name}"


def _snowflake(value: Any, where: str) -> int:
    try:
        return parse_snowflake(value)
    except InvalidSnowflake:
        raise ConfigInvalid(where, gettext("must be a Discord ID (17 to 20 digits)")) from None


def _text(key: Key, value: str, where: str) -> str:
    """Length and NUL rules shared by every text value."""
    if "\x00" in value:
        raise ConfigInvalid(where, gettext("must not contain NUL characters"))
    longest = key.max_length or MAX_LENGTHS.get(key.kind, MAX_LENGTHS["str"])
    if len(value) > longest:
        raise ConfigInvalid(
            where, gettext("is too long (%(longest)s characters at most)") % {"longest": longest}
        )
    if len(value.strip()) < key.min_length:
        raise ConfigInvalid(where, gettext("must not be empty"))
    return value


def _url(value: str, where: str) -> str:
    """Empty (derived from the request), or an absolute http(s) URL with a host."""
    if not value:
        return value
    try:
        parts = urlsplit(value)
    except ValueError:
        raise ConfigInvalid(where, gettext("must be an http(s) URL")) from None
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or any(c.isspace() or not c.isprintable() for c in value)
    ):
        raise ConfigInvalid(where, gettext("must be an http(s) URL"))
    return value


def coerce(key: Key, value: Any) -> Any:
    """Check one value against its key and return it in its stored form, or raise ConfigInvalid."""
    where = path(key)
    kind = key.kind
    if kind == "snowflake":
        # 0 and "" mean "not set" (TOML has no null).
        if value is None or value == "" or (type(value) is int and value == 0):
            return None
        return _snowflake(value, where)
    if kind == "snowflakes":
        if not isinstance(value, list):
            raise ConfigInvalid(where, gettext("must be a list of Discord IDs"))
        if len(value) > MAX_LIST_ITEMS:
            raise ConfigInvalid(
                where, gettext("has too many items (%(most)s at most)") % {"most": MAX_LIST_ITEMS}
            )
        return list(dict.fromkeys(_snowflake(item, where) for item in value))
    if kind == "bool":
        if not isinstance(value, bool):
            raise ConfigInvalid(where, gettext("must be true or false"))
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigInvalid(where, gettext("must be an integer"))
        if key.minimum is not None and value < key.minimum:
            raise ConfigInvalid(where, gettext("must be at least %(minimum)s") % {"minimum": key.minimum})
        if value > key.maximum:
            raise ConfigInvalid(where, gettext("must be at most %(maximum)s") % {"maximum": key.maximum})
        return value
    if kind == "languages":
        if (
            not isinstance(value, list)
            or not value
            or len(value) > MAX_LANGUAGES
            or any(not isinstance(v, str) or v not in SUPPORTED_LANGUAGES for v in value)
        ):
            raise ConfigInvalid(
                where, gettext("must be a non-empty list among %(languages)s") % {"languages": LANGUAGE_LIST}
            )
        return list(dict.fromkeys(value))
    if not isinstance(value, str):
        raise ConfigInvalid(where, gettext("must be a string"))
    value = _text(key, value, where)
    if kind == "color":
        value = value.removeprefix("#")
        if not _COLOR.fullmatch(value):
            raise ConfigInvalid(where, gettext("must be a hex colour such as 5865f2"))
        return value.lower()
    if kind == "url":
        return _url(value, where)
    if kind == "timezone":
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            raise ConfigInvalid(where, gettext("must be an IANA time zone such as Europe/Paris")) from None
        return value
    if kind == "language":
        if value not in SUPPORTED_LANGUAGES:
            raise ConfigInvalid(where, gettext("must be one of %(languages)s") % {"languages": LANGUAGE_LIST})
        return value
    if kind == "mode":
        if value not in MODE_TYPES:
            raise ConfigInvalid(where, gettext("must be single or dual"))
        return value
    return value


def validate_whole(values: dict[str, Any], *, guilds_required: bool = True) -> None:
    """Rules across keys, on a mapping of model field name → value. ``guilds_required=False``
    accepts a mode whose guilds are not set yet (an import into an installation not set up)."""
    if values["mode_type"] == "single":
        if values["mode_guild_id"] is None and guilds_required:
            raise ConfigInvalid("bot.mode.guild_id", gettext("is required in single mode"))
    else:
        community, staff = values["mode_community_guild_id"], values["mode_staff_guild_id"]
        if community is None and guilds_required:
            raise ConfigInvalid("bot.mode.community_guild_id", gettext("is required in dual mode"))
        if staff is None and guilds_required:
            raise ConfigInvalid("bot.mode.staff_guild_id", gettext("is required in dual mode"))
        if community is not None and community == staff:
            raise ConfigInvalid("bot.mode.staff_guild_id", gettext("must differ from community_guild_id"))
    if (values["bot_enable_rustmail_logs"] or values["bot_enable_discord_logs"]) and not values[
        "bot_logs_channel_id"
    ]:
        raise ConfigInvalid("bot.logs_channel_id", gettext("is required when a logs flag is on"))
    if values["bot_enable_features"] and not values["bot_features_channel_id"]:
        raise ConfigInvalid("bot.features_channel_id", gettext("is required when enable_features is on"))
    if values["language_fallback_language"] not in values["language_supported_languages"]:
        raise ConfigInvalid("language.fallback_language", gettext("must be one of supported_languages"))
    if values["language_default_language"] not in values["language_supported_languages"]:
        raise ConfigInvalid("language.default_language", gettext("must be one of supported_languages"))


def mask(secret: str) -> str:
    """First 4 and last 4 characters around ``...``; short secrets are fully hidden."""
    if not secret:
        return ""
    if len(secret) <= 8:
        return "..."
    return f"{secret[:4]}...{secret[-4:]}"
