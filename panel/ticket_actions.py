"""What staff do to a ticket from the panel, through the bot's own services.

Each action calls the service its bot command calls (``tickets.services``), so the user receives
exactly what ``!reply`` would send, and then tells the ticket channel what the command would have
said there (the cogs announce take, release, move and scheduled closes in the channel), in the
bot's language. A refusal is the service's domain error, raised unchanged for the page to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from panel.selectors import PanelAccess
from tickets import rendering, services
from tickets.discord import DiscordError, DiscordPort
from tickets.errors import DiscordFailure, InvalidInput, PermissionDenied, TicketClosed
from tickets.models import GuildMember, GuildRole, Ticket, TicketMessage
from tickets.services._common import bot_language, config, log, port_or_default

NOTE_LIMIT = 1800


def staff_identity(access: PanelAccess) -> services.StaffIdentity:
    """The panel user as the services name staff, as the bot names the author of a command: their
    display name in the staff guild and the name of their highest role. Refused for an account
    with no Discord identity (a password-only superuser): replies go out in a staff member's name."""
    if not access.discord_id:
        raise PermissionDenied(_("Sign in with Discord to act on tickets: replies carry your Discord name."))
    member = (
        GuildMember.objects.filter(guild_id=access.guild_id, user_id=access.discord_id)
        .only("username", "global_name", "role_ids")
        .first()
    )
    if member is None:
        return services.StaffIdentity(id=access.discord_id, name=str(access.discord_id))
    role_ids = [int(r) for r in member.role_ids or () if str(r).isdigit() and int(r) != access.guild_id]
    top = GuildRole.objects.filter(role_id__in=role_ids).order_by("-position").values_list("name", flat=True)
    return services.StaffIdentity(
        id=access.discord_id, name=member.global_name or member.username, role=top.first() or ""
    )


def _tell_channel(ticket: Ticket, text: str, port: DiscordPort) -> None:
    """Post a notice in the ticket channel, as the bot's commands answer there; best effort (the
    action itself is done and recorded)."""
    if not ticket.channel_id:
        return
    try:
        port.send(ticket.channel_id, rendering.system(config(), text))
    except DiscordError as error:
        log.info("Could not tell channel %s: %s", ticket.channel_id, error)


def _stamp(moment: datetime) -> str:
    seconds = int(moment.timestamp())
    return f"<t:{seconds}:f> (<t:{seconds}:R>)"


def reply(
    *,
    ticket: Ticket,
    access: PanelAccess,
    content: str,
    anonymous: bool = False,
    port: DiscordPort | None = None,
) -> TicketMessage:
    """``!reply`` / ``!anonreply`` from the panel: the next numbered reply, to the user and the channel."""
    return services.ticket_reply(
        ticket=ticket, staff=staff_identity(access), content=content, anonymous=anonymous, port=port
    )


def note(
    *, ticket: Ticket, access: PanelAccess, content: str, port: DiscordPort | None = None
) -> TicketMessage:
    """An internal note: posted in the ticket channel (where staff's own notes are typed), then kept
    as the bot keeps a note typed there; never sent to the user."""
    port = port_or_default(port)
    staff = staff_identity(access)
    content = content.strip()
    if not content:
        raise InvalidInput(_("A note needs text."))
    if len(content) > NOTE_LIMIT:
        raise InvalidInput(_("A note is limited to %(n)s characters.") % {"n": NOTE_LIMIT})
    ticket.refresh_from_db()
    if not ticket.is_open:
        raise TicketClosed()
    inbox_message_id = None
    if ticket.channel_id:
        with bot_language():
            text = _("📝 Note from %(staff)s (panel):") % {"staff": staff.name} + "\n" + content
        try:
            inbox_message_id = port.send(ticket.channel_id, rendering.system(config(), text)).id
        except DiscordError as error:
            raise DiscordFailure(
                _("Discord refused: %(e)s") % {"e": error.message}, code=error.code
            ) from error
    message = services.note_add(
        ticket=ticket, author=staff, content=content, inbox_message_id=inbox_message_id
    )
    assert message is not None  # a fresh channel message cannot be a replay
    return message


def close_now(
    *, ticket: Ticket, access: PanelAccess, silent: bool, port: DiscordPort | None = None
) -> Ticket:
    """``!close`` (``-s``: without the close message)."""
    staff = staff_identity(access)
    return services.ticket_close(ticket=ticket, closed_by=str(staff.id), silent=silent, port=port)


def close_later(
    *, ticket: Ticket, access: PanelAccess, delay: str, silent: bool, port: DiscordPort | None = None
) -> datetime:
    """``!close 2h`` (``-s``): plan the close, and announce it in the channel as the command does.
    Returns when it will close."""
    port = port_or_default(port)
    staff = staff_identity(access)
    scheduled = services.close_schedule(ticket=ticket, delay=delay, staff_id=staff.id, silent=silent)
    cfg = config()
    when = _stamp(scheduled.closure.due_at)
    with bot_language(cfg):
        if scheduled.closure.silent:
            text = _("This ticket will close silently on %(when)s.") % {"when": when}
        else:
            text = _("This ticket will close on %(when)s.") % {"when": when}
        text += "\n" + _("A message from the user cancels it; so does %(command)s.") % {
            "command": f"`{cfg.command_prefix or '!'}close -c`"
        }
        if scheduled.replaced is not None:
            text += "\n⚠️ " + _("This replaces the close that was scheduled for %(when)s.") % {
                "when": _stamp(scheduled.replaced.due_at)
            }
    _tell_channel(ticket, text, port)
    return scheduled.closure.due_at


def close_cancel(*, ticket: Ticket, access: PanelAccess, port: DiscordPort | None = None) -> None:
    """``!close -c``: cancel the scheduled close."""
    port = port_or_default(port)
    staff_identity(access)
    services.close_cancel(ticket=ticket)
    with bot_language():
        _tell_channel(ticket, _("The scheduled close was cancelled."), port)


def _status_changed(ticket: Ticket, text: str, port: DiscordPort) -> None:
    if services.channel_name_behind(ticket=ticket):
        text += "\n" + _(
            "The channel name follows within 10 minutes (Discord allows 2 renames per 10 minutes)."
        )
    _tell_channel(ticket, text, port)


def take(*, ticket: Ticket, access: PanelAccess, port: DiscordPort | None = None) -> Ticket:
    """``!take``: the caller handles the ticket."""
    port = port_or_default(port)
    staff = staff_identity(access)
    ticket = services.ticket_take(ticket=ticket, staff_id=staff.id, port=port)
    with bot_language():
        _status_changed(ticket, _("%(staff)s now handles this ticket.") % {"staff": f"<@{staff.id}>"}, port)
    return ticket


def release(*, ticket: Ticket, access: PanelAccess, port: DiscordPort | None = None) -> Ticket:
    """``!release``: nobody handles the ticket any more."""
    port = port_or_default(port)
    staff = staff_identity(access)
    ticket = services.ticket_release(ticket=ticket, by=staff.id, port=port)
    with bot_language():
        _status_changed(ticket, _("Nobody handles this ticket any more."), port)
    return ticket


@dataclass(frozen=True)
class Moved:
    name: str
    channel_id: int


def move(*, ticket: Ticket, access: PanelAccess, category: str, port: DiscordPort | None = None) -> Moved:
    """``!move_thread <category>``: the channel moves and takes the category's permissions."""
    port = port_or_default(port)
    staff = staff_identity(access)
    target = services.ticket_move(ticket=ticket, category=category, by=staff.id, port=port)
    with bot_language():
        text = _("Moved to %(category)s; the channel now has its permissions.") % {
            "category": f"**{target.name}**"
        }
        _tell_channel(ticket, text, port)
    return Moved(name=target.name, channel_id=target.channel_id)
