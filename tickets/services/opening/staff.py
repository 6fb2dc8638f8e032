"""Tickets opened by staff, through the API, or on an existing channel."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tickets import events, rendering, selectors
from tickets.discord import DiscordError, DiscordPort
from tickets.discord.port import UNKNOWN_USER
from tickets.errors import DiscordFailure, InvalidInput, NotAMember, NotFound, TicketAlreadyOpen, UserBlocked
from tickets.models import Ticket
from tickets.snowflake import InvalidSnowflake, parse_snowflake_or_mention
from tickets.snowflake import parse_snowflake as strict_snowflake

from .._common import bot_language, config, port_or_default, staff_guild_id
from ._base import _is_member
from .channels import _open_ticket_row, _recap
from .repair import _channel_or_cancel, _settled_open_ticket


def ticket_open_by_staff(*, user_id: int, staff_id: int, port: DiscordPort | None = None) -> Ticket:
    """Staff open a ticket with a user (``new_thread``): silent until the first staff reply.

    Refuses bots, unknown users, users outside the community guild, blocked users, and users who
    already have a ticket (``TicketAlreadyOpen`` carries it, so staff get a link)."""
    port = port_or_default(port)
    cfg = config()
    user = _discord_user(port, user_id)
    if user.bot:
        raise InvalidInput(_("Tickets cannot be opened for bots."))
    if selectors.active_block(user_id):
        raise UserBlocked()
    existing = _settled_open_ticket(user_id=user_id, port=port, cfg=cfg)
    if existing:
        raise TicketAlreadyOpen(
            existing,
            _("This user already has an open ticket: <#%(channel)s>.") % {"channel": existing.channel_id},
        )
    if not _is_member(cfg, port, user_id):
        raise NotAMember()
    ticket, created = _open_ticket_row(
        user_id=user_id, user_name=user.display_name, origin=Ticket.Origin.STAFF, silent=True, cfg=cfg
    )
    if not created:
        raise TicketAlreadyOpen(ticket)
    Ticket.objects.filter(pk=ticket.pk).update(taken_by=None, last_message_by=Ticket.LastMessageBy.STAFF)
    ticket.refresh_from_db()
    return _channel_or_cancel(ticket=ticket, port=port, cfg=cfg)


def ticket_open_external(
    *, discord_id: str, staff_discord_id: str | None = None, port: DiscordPort | None = None
) -> Ticket:
    """Open a ticket for a user from the external API, optionally pinging a staff member in it."""
    port = port_or_default(port)
    cfg = config()
    user_id = parse_snowflake(discord_id, _("Invalid Discord ID format"))
    staff_id = parse_snowflake(staff_discord_id, _("Invalid Discord ID format")) if staff_discord_id else None
    user = _discord_user(port, user_id)
    if user.bot:
        raise InvalidInput(_("Tickets cannot be opened for bots."))
    if selectors.active_block(user_id):
        raise UserBlocked()
    if _settled_open_ticket(user_id=user_id, port=port, cfg=cfg):
        raise TicketAlreadyOpen()
    if not _is_member(cfg, port, user_id):
        raise NotAMember()
    ticket, created = _open_ticket_row(
        user_id=user_id, user_name=user.display_name, origin=Ticket.Origin.API, silent=True, cfg=cfg
    )
    if not created:
        raise TicketAlreadyOpen(ticket)
    ticket = _channel_or_cancel(ticket=ticket, port=port, cfg=cfg)
    if staff_id:
        with bot_language(cfg):
            port.send(
                ticket.channel_id,
                rendering.system(
                    cfg,
                    _("Ticket opened through the API for <@%(user)s>.") % {"user": user_id},
                    pings=f"<@{staff_id}>",
                ),
            )
    return ticket


def parse_snowflake(value: object, message: str | None = None) -> int:
    """A Discord ID (or a mention of one) as ``tickets.snowflake`` parses it; ``InvalidInput`` otherwise."""
    try:
        if isinstance(value, str):
            return parse_snowflake_or_mention(value)
        return strict_snowflake(value)
    except InvalidSnowflake:
        raise InvalidInput(message or _("That is not a Discord ID.")) from None


def _discord_user(port: DiscordPort, user_id: int):
    try:
        return port.get_user(user_id)
    except DiscordError as error:
        if error.code == UNKNOWN_USER or error.status == 404:
            raise NotFound(_("Discord user not found")) from error
        raise DiscordFailure(error.message, code=error.code) from error


def ticket_open_on_channel(
    *, channel_id: int, user_id: int, staff_id: int | None = None, port: DiscordPort | None = None
) -> Ticket:
    """Staff made a channel in the inbox category for a user (``create_ticket_by_create_channel``):
    open the user's ticket bound to that channel instead of creating one. Silent until the first
    staff reply, like ``new_thread``; the same refusals (bots, unknown users, users outside the
    community guild, blocked users, users who already have a ticket); a channel is one ticket's."""
    from tickets.errors import Conflict

    port = port_or_default(port)
    cfg = config()
    if Ticket.objects.filter(channel_id=channel_id).exists():
        raise Conflict(_("This channel already belongs to a ticket."))
    channel = port.get_channel(channel_id)
    guild_id = int(channel.get("guild_id") or 0)
    if guild_id != staff_guild_id(cfg):
        raise InvalidInput(_("Tickets open in the staff server only."))
    user = _discord_user(port, user_id)
    if user.bot:
        raise InvalidInput(_("Tickets cannot be opened for bots."))
    if selectors.active_block(user_id):
        raise UserBlocked()
    existing = _settled_open_ticket(user_id=user_id, port=port, cfg=cfg)
    if existing:
        raise TicketAlreadyOpen(
            existing,
            _("This user already has an open ticket: <#%(channel)s>.") % {"channel": existing.channel_id},
        )
    if not _is_member(cfg, port, user_id):
        raise NotAMember()
    parent = int(channel["parent_id"]) if channel.get("parent_id") else cfg.thread_inbox_category_id
    try:
        with transaction.atomic():
            ticket = Ticket.objects.create(
                user_id=user_id,
                user_name=user.display_name[:100],
                origin=Ticket.Origin.CHANNEL,
                silent=True,
                guild_id=guild_id,
                channel_id=channel_id,
                channel_name=str(channel.get("name") or "")[:100],
                category_id=parent,
                last_message_by=Ticket.LastMessageBy.STAFF,
            )
            events.publish(
                events.EventType.TICKET_OPENED, ticket=ticket, data={"origin": Ticket.Origin.CHANNEL}
            )
    except IntegrityError:
        existing = selectors.open_ticket_for_user(user_id)
        if existing is not None:
            raise TicketAlreadyOpen(existing) from None
        raise Conflict(_("This channel already belongs to a ticket.")) from None
    with bot_language(cfg):
        recap = _recap(ticket, cfg, port)
        if staff_id:
            recap += "\n" + _("Opened by <@%(staff)s> from this channel.") % {"staff": staff_id}
        recap += "\n" + _("The user sees nothing until the first reply.")
        port.send(
            channel_id,
            rendering.system(cfg, recap, title=_("New ticket"), nonce=f"o{ticket.pk.hex[:20]}"),
        )
    return ticket
