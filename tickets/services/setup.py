"""The first-run setup: checking what the wizard is told against Discord, and saving it.

Every check goes through the Discord port with the candidate token (``port.with_token``), so the
wizard shows what Discord itself answers: the bot's name and avatar, the guilds it is in, their
channels and roles. Saving creates the channels asked for, writes the configuration through
``config_update`` (the one place its rules live) and orders the bot to run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from tickets.discord import DiscordPort
from tickets.discord.port import (
    UNKNOWN_GUILD,
    DiscordChannel,
    DiscordError,
    DiscordGuild,
    DiscordRole,
    DiscordUser,
)
from tickets.errors import InvalidInput
from tickets.models import BotConfig
from tickets.selectors import bot_token

from ._common import port_or_default
from .botcontrol import bot_restart
from .config import config_update

log = logging.getLogger("tickets.services")

CATEGORY = 4
TEXT_CHANNEL = 0

# The permissions the bot uses, and why: the invite link asks for exactly these.
BOT_PERMISSIONS: dict[str, tuple[int, str]] = {
    "MANAGE_CHANNELS": (1 << 4, "create, rename, move and delete ticket channels"),
    "ADD_REACTIONS": (1 << 6, "mark relayed messages with ✅ or ⚠️"),
    "VIEW_CHANNEL": (1 << 10, "see the inbox category and the ticket channels"),
    "SEND_MESSAGES": (1 << 11, "relay messages and answer commands"),
    "MANAGE_MESSAGES": (1 << 13, "remove a staff member's command after relaying it"),
    "EMBED_LINKS": (1 << 14, "relay messages as embeds"),
    "ATTACH_FILES": (1 << 15, "relay attachments"),
    "READ_MESSAGE_HISTORY": (1 << 16, "recover messages sent while the bot was away"),
    "MENTION_EVERYONE": (1 << 17, "mention the roles of a category and of reminders"),
    "MANAGE_ROLES": (1 << 28, "give staff access to ticket channels (permission overwrites)"),
}


def bot_permission_bits() -> int:
    """The permission bit set the bot needs in the staff guild."""
    bits = 0
    for bit, _why in BOT_PERMISSIONS.values():
        bits |= bit
    return bits


def discord_web_origin() -> str:
    """Where Discord's web pages are: discord.com, or the origin of ``DISCORD_API_BASE`` when it
    points elsewhere (the local emulator)."""
    parts = urlsplit(settings.DISCORD_API_BASE)
    if parts.hostname in ("discord.com", "discordapp.com"):
        return "https://discord.com"
    return f"{parts.scheme}://{parts.netloc}"


def invite_url(*, application_id: int, guild_id: int | None = None) -> str:
    """The link that adds the bot to a guild with the permissions it needs (and slash commands)."""
    query: dict[str, Any] = {
        "client_id": application_id,
        "permissions": bot_permission_bits(),
        "scope": "bot applications.commands",
    }
    if guild_id:
        query["guild_id"] = guild_id
        query["disable_guild_select"] = "true"
    return f"{discord_web_origin()}/oauth2/authorize?{urlencode(query)}"


def avatar_url(user: DiscordUser) -> str | None:
    """The user's avatar on Discord's CDN, None when they have none (the page draws an initial)."""
    if not user.avatar:
        return None
    return f"https://cdn.discordapp.com/avatars/{user.id}/{user.avatar}.png?size=128"


@dataclass(frozen=True)
class BotIdentity:
    """Who a bot token belongs to, as Discord says."""

    id: int
    name: str
    avatar_url: str | None
    application_id: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "avatar_url": self.avatar_url,
            "application_id": str(self.application_id),
        }


def _explain(error: DiscordError) -> str:
    """A sentence for the person in front of the wizard."""
    if error.status == 401:
        return _("Discord refused this token. Copy it again from the Bot page of your application.")
    if error.status == 0:
        return _("Discord could not be reached: %(reason)s") % {"reason": error.message}
    if error.code == 50013 or error.status == 403:
        return _("The bot lacks a permission there (Discord said: %(reason)s).") % {"reason": error.message}
    return _("Discord answered with an error: %(reason)s") % {"reason": str(error)}


def _port_for(token: str, port: DiscordPort | None) -> DiscordPort:
    token = token.strip()
    if not token:
        raise InvalidInput(_("Enter the bot token."))
    return port_or_default(port).with_token(token)


def setup_needed() -> bool:
    """True while there is no bot configuration: no bot token, or no guild to work in."""
    cfg = BotConfig.load()
    guild = cfg.mode_staff_guild_id if cfg.mode_type == "dual" else cfg.mode_guild_id
    return not (bot_token() and guild)


def setup_check_token(*, token: str, port: DiscordPort | None = None) -> BotIdentity:
    """Ask Discord who ``token`` belongs to; ``InvalidInput`` with a clear reason when it refuses."""
    if any(ch.isspace() for ch in token.strip()):
        raise InvalidInput(_("A bot token has no spaces."))
    discord = _port_for(token, port)
    try:
        user = discord.current_user()
        application_id = discord.current_application_id()
    except DiscordError as error:
        raise InvalidInput(_explain(error)) from error
    if not user.bot:
        raise InvalidInput(_("This token belongs to a user account, not to a bot."))
    return BotIdentity(
        id=user.id, name=user.display_name, avatar_url=avatar_url(user), application_id=application_id
    )


def setup_guilds(*, token: str, port: DiscordPort | None = None) -> list[DiscordGuild]:
    """The guilds the bot is in."""
    try:
        return _port_for(token, port).current_guilds()
    except DiscordError as error:
        raise InvalidInput(_explain(error)) from error


@dataclass(frozen=True)
class GuildLayout:
    """A guild's categories, text channels and roles, as the wizard offers them."""

    categories: list[DiscordChannel]
    text_channels: list[DiscordChannel]
    roles: list[DiscordRole]


def setup_guild_layout(*, token: str, guild_id: int, port: DiscordPort | None = None) -> GuildLayout:
    """What there is to pick from in ``guild_id``; ``InvalidInput`` when the bot is not in it."""
    discord = _port_for(token, port)
    try:
        channels = discord.guild_channels(guild_id)
        roles = discord.guild_roles(guild_id)
    except DiscordError as error:
        if error.code == UNKNOWN_GUILD or error.status == 404:
            raise InvalidInput(_("The bot is not in this server.")) from error
        raise InvalidInput(_explain(error)) from error
    return GuildLayout(
        categories=[c for c in channels if c.kind == CATEGORY],
        text_channels=[c for c in channels if c.kind == TEXT_CHANNEL],
        roles=[r for r in roles if r.id != guild_id and not r.managed],
    )


@dataclass
class SetupChoices:
    """Everything the wizard collected. A channel is an existing ID, or None with a name to create."""

    token: str
    guild_id: int
    inbox_category_id: int | None = None
    inbox_category_name: str = ""
    logs_channel_id: int | None = None
    logs_channel_name: str = ""
    mode: str = "single"
    community_guild_id: int | None = None
    client_id: int | None = None
    client_secret: str = ""
    redirect_url: str = ""
    super_admin_users: list[int] = field(default_factory=list)
    super_admin_roles: list[int] = field(default_factory=list)
    default_language: str = "en"
    status: str | None = None
    welcome_message: str | None = None
    close_message: str | None = None

    def config_data(self, *, inbox: int | None, logs: int | None) -> dict[str, Any]:
        """The configuration object ``config_update`` takes."""
        mode: dict[str, Any] = {"type": self.mode}
        if self.mode == "dual":
            mode.update(staff_guild_id=self.guild_id, community_guild_id=self.community_guild_id)
        else:
            mode.update(guild_id=self.guild_id)
        bot: dict[str, Any] = {
            "mode": mode,
            "client_id": self.client_id,
            "redirect_url": self.redirect_url,
            "logs_channel_id": logs,
            "enable_rustmail_logs": logs is not None,
            "panel_super_admin_users": list(self.super_admin_users),
            "panel_super_admin_roles": list(self.super_admin_roles),
        }
        # Environment variables win over stored values: store only what was typed.
        if self.token:
            bot["token"] = self.token
        if self.client_secret:
            bot["client_secret"] = self.client_secret
        for name in ("status", "welcome_message", "close_message"):
            value = getattr(self, name)
            if value is not None:
                bot[name] = value
        language = self.default_language
        return {
            "bot": bot,
            "thread": {"inbox_category_id": inbox},
            "language": {
                "default_language": language,
                "fallback_language": language,
                "supported_languages": sorted({language, *BotConfig.load().language_supported_languages}),
            },
        }


def setup_save(*, choices: SetupChoices, saved_by: str, port: DiscordPort | None = None) -> BotConfig:
    """Create the channels asked for, write the configuration and order the bot to run.

    Whoever runs the setup is the operator (the holder of the printed link, or a Django superuser):
    they name the super admins and the OAuth application. When Discord refuses a channel, or the
    configuration is refused, nothing is saved and the channels this call created are removed again.
    """
    token = choices.token or bot_token()
    discord = _port_for(token, port)
    created: list[int] = []
    try:
        inbox = choices.inbox_category_id
        if inbox is None:
            name = choices.inbox_category_name.strip() or "Modmail"
            inbox = discord.create_channel(guild_id=choices.guild_id, name=name[:100], kind=CATEGORY)
            created.append(inbox)
        logs = choices.logs_channel_id
        if logs is None and choices.logs_channel_name.strip():
            logs = discord.create_channel(
                guild_id=choices.guild_id,
                name=choices.logs_channel_name.strip()[:100],
                parent_id=inbox,
                kind=TEXT_CHANNEL,
            )
            created.append(logs)
        cfg = config_update(
            data=choices.config_data(inbox=inbox, logs=logs), saved_by=saved_by, may_change_access=True
        )
    except DiscordError as error:
        _remove(discord, created)
        raise InvalidInput(_explain(error)) from error
    except Exception:
        _remove(discord, created)
        raise
    bot_restart()
    return cfg


def _remove(discord: DiscordPort, channels: list[int]) -> None:
    for channel_id in reversed(channels):
        try:
            discord.delete_channel(channel_id)
        except DiscordError:
            log.warning("Could not remove channel %s created by an unfinished setup", channel_id)
