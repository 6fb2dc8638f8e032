"""What a relay returns and the small helpers every part of opening shares."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from tickets.discord import DiscordError, DiscordPort
from tickets.discord.port import CANNOT_DM, UNKNOWN_USER
from tickets.models import BotConfig, GuildMember, Ticket, TicketMessage

from .._common import community_guild_id, log


class Relay(enum.StrEnum):
    """What became of a user's DM."""

    RELAYED = "relayed"
    OPENED = "opened"  # relayed, and it opened the ticket
    DUPLICATE = "duplicate"
    IGNORED = "ignored"  # from a bot
    BLOCKED = "blocked"
    NOT_MEMBER = "not_member"
    MAINTENANCE = "maintenance"
    REJECTED = "rejected"  # an attachment too large (before files were stored: kept for the record)
    PROMPTED = "prompted"  # held: the category prompt was sent
    QUEUED = "queued"  # held while the user chooses
    DELAYED = "delayed"  # stored, but Discord refused its copy: it goes with the next DM or recovery


@dataclass(frozen=True)
class IncomingAttachment:
    filename: str
    size: int
    content_type: str
    url: str
    discord_id: int | None = None


@dataclass
class RelayResult:
    outcome: Relay
    ticket: Ticket | None = None
    message: TicketMessage | None = None
    cancelled_close: bool = False
    alerted_staff: list[int] = field(default_factory=list)


def _send_dm(port: DiscordPort, user_id: int, message) -> int | None:
    """DM a user; None when they refuse DMs (Discord's 50007) or do not exist."""
    try:
        channel_id = port.open_dm(user_id)
        return port.send(channel_id, message).id
    except DiscordError as error:
        if error.code in (CANNOT_DM, UNKNOWN_USER):
            log.info("Cannot DM user %s: %s", user_id, error)
            return None
        raise


def _is_member(cfg: BotConfig, port: DiscordPort, user_id: int) -> bool:
    """Membership of the community guild: the bot's cache first, Discord when the cache does not know."""
    guild_id = community_guild_id(cfg)
    if GuildMember.objects.filter(guild_id=guild_id, user_id=user_id).exists():
        return True
    return port.get_member(guild_id, user_id) is not None
