"""The typing proxy: a user typing in their DM shows in the ticket channel, and staff typing in the
ticket channel shows in the user's DM, each when the configuration asks for it."""

from __future__ import annotations

from tickets.discord import DiscordError, DiscordPort
from tickets.models import Ticket

from ._common import config, log, port_or_default


def user_typing(*, user_id: int, port: DiscordPort | None = None) -> bool:
    """Show the user's typing in their open ticket's channel. True when shown."""
    if not config().bot_typing_proxy_from_user:
        return False
    channel_id = (
        Ticket.objects.filter(user_id=user_id, status=Ticket.Status.OPEN, channel_id__isnull=False)
        .values_list("channel_id", flat=True)
        .first()
    )
    return bool(channel_id) and _typing(port_or_default(port), channel_id)


def staff_typing(*, channel_id: int, port: DiscordPort | None = None) -> bool:
    """Show staff typing in a ticket channel to the user, in their DM. True when shown."""
    if not config().bot_typing_proxy_from_staff:
        return False
    ticket = Ticket.objects.filter(channel_id=channel_id, status=Ticket.Status.OPEN).first()
    if ticket is None or ticket.user_left or ticket.silent:
        return False
    port = port_or_default(port)
    dm_channel_id = ticket.dm_channel_id
    if not dm_channel_id:
        try:
            dm_channel_id = port.open_dm(ticket.user_id)
        except DiscordError as error:
            log.info("No DM channel for the typing proxy of %s: %s", ticket.user_id, error)
            return False
    return _typing(port, dm_channel_id)


def _typing(port: DiscordPort, channel_id: int) -> bool:
    try:
        port.typing(channel_id)
    except DiscordError as error:  # typing is a courtesy: never fail anything over it
        log.info("Typing indicator refused in %s: %s", channel_id, error)
        return False
    return True
