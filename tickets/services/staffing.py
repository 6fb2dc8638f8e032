"""Who handles a ticket and where it lives: take, release, label, staff access, moving, channel name."""

from __future__ import annotations

import time

from django.db import transaction
from django.utils.translation import gettext as _

from tickets.discord import DiscordError, DiscordPort
from tickets.discord.port import STAFF_ACCESS
from tickets.errors import Conflict, DiscordFailure, InvalidInput, NotFound, TicketClosed
from tickets.models import GuildChannel, GuildMember, Ticket

from ._common import config, port_or_default, staff_guild_id
from .categories import category_nearest
from .opening import channel_name

RENAME_WINDOW = 600
RENAMES_PER_WINDOW = 2
MAX_STAFF_FROM_ROLE = 50
LABEL_LIMIT = 40


def _open(ticket: Ticket) -> Ticket:
    ticket.refresh_from_db()
    if not ticket.is_open:
        raise TicketClosed()
    return ticket


def _member_name(user_id: int | None) -> str | None:
    if not user_id:
        return None
    member = GuildMember.objects.filter(user_id=user_id).first()
    return (member.global_name or member.username) if member else str(user_id)


def channel_name_refresh(*, ticket: Ticket, port: DiscordPort | None = None, force: bool = False) -> bool:
    """Rename the channel to its status name if it changed, at most twice per 10 minutes (Discord's
    limit). Returns True when it renamed; otherwise a later refresh will catch up."""
    port = port_or_default(port)
    if not ticket.channel_id or not ticket.is_open:
        return False
    name = channel_name(ticket, _member_name(ticket.taken_by))
    if name == ticket.channel_name and not force:
        return False
    stamp = time.time()
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        recent = [t for t in locked.renames if stamp - t < RENAME_WINDOW]
        if len(recent) >= RENAMES_PER_WINDOW:
            return False
        locked.renames = [*recent, stamp]
        locked.channel_name = name
        locked.save(update_fields=["renames", "channel_name"])
    try:
        port.edit_channel(ticket.channel_id, name=name)
    except DiscordError:
        return False
    ticket.channel_name = name
    return True


def ticket_take(*, ticket: Ticket, staff_id: int, port: DiscordPort | None = None) -> Ticket:
    """Mark ``staff_id`` as the one handling the ticket."""
    ticket = _open(ticket)
    if ticket.taken_by == staff_id:
        raise Conflict(_("You already handle this ticket."))
    Ticket.objects.filter(pk=ticket.pk).update(taken_by=staff_id)
    ticket.taken_by = staff_id
    channel_name_refresh(ticket=ticket, port=port)
    return ticket


def ticket_release(*, ticket: Ticket, port: DiscordPort | None = None) -> Ticket:
    """Nobody handles the ticket any more."""
    ticket = _open(ticket)
    if not ticket.taken_by:
        raise Conflict(_("Nobody handles this ticket."))
    Ticket.objects.filter(pk=ticket.pk).update(taken_by=None)
    ticket.taken_by = None
    channel_name_refresh(ticket=ticket, port=port)
    return ticket


def ticket_label(*, ticket: Ticket, label: str, port: DiscordPort | None = None) -> Ticket:
    """Set (or clear, with an empty label) the label shown in the channel name."""
    ticket = _open(ticket)
    label = label.strip()
    if len(label) > LABEL_LIMIT:
        raise InvalidInput(_("A label is limited to %(n)s characters.") % {"n": LABEL_LIMIT})
    Ticket.objects.filter(pk=ticket.pk).update(label=label)
    ticket.label = label
    channel_name_refresh(ticket=ticket, port=port)
    return ticket


def _targets(*, target_id: int, is_role: bool, guild_id: int) -> list[int]:
    if not is_role:
        return [target_id]
    if target_id == guild_id:
        raise InvalidInput(_("@everyone cannot be added to a ticket."))
    members = [
        m.user_id
        for m in GuildMember.objects.filter(guild_id=guild_id, is_bot=False)
        if target_id in m.role_ids
    ]
    if not members:
        raise NotFound(_("That role has no members."))
    if len(members) > MAX_STAFF_FROM_ROLE:
        raise InvalidInput(_("That role has more than %(n)s members.") % {"n": MAX_STAFF_FROM_ROLE})
    return members


def staff_add(
    *, ticket: Ticket, target_id: int, is_role: bool = False, port: DiscordPort | None = None
) -> list[int]:
    """Give members (a role expands to its members, 50 at most) access to the ticket channel."""
    port = port_or_default(port)
    ticket = _open(ticket)
    members = _targets(target_id=target_id, is_role=is_role, guild_id=staff_guild_id(config()))
    try:
        for member in members:
            port.set_permission(ticket.channel_id, member, member=True, allow=STAFF_ACCESS)
    except DiscordError as error:
        raise DiscordFailure(_("Discord refused: %(e)s") % {"e": error.message}, code=error.code) from error
    return members


def staff_remove(
    *, ticket: Ticket, target_id: int, is_role: bool = False, port: DiscordPort | None = None
) -> list[int]:
    """Take the channel access given by ``staff_add`` back."""
    port = port_or_default(port)
    ticket = _open(ticket)
    members = _targets(target_id=target_id, is_role=is_role, guild_id=staff_guild_id(config()))
    try:
        for member in members:
            port.delete_permission(ticket.channel_id, member)
    except DiscordError as error:
        raise DiscordFailure(_("Discord refused: %(e)s") % {"e": error.message}, code=error.code) from error
    return members


def ticket_move(*, ticket: Ticket, category: str, port: DiscordPort | None = None) -> GuildChannel:
    """Move the channel to a Discord category found by name (exact, substring, then closest),
    taking that category's permissions. A full category is reported, nothing moves."""
    port = port_or_default(port)
    ticket = _open(ticket)
    guild_id = staff_guild_id(config())
    categories = {c.name: c for c in GuildChannel.objects.filter(guild_id=guild_id, type=4)}
    name = category_nearest(query=category, names=list(categories))
    if name is None:
        raise NotFound(_("No category matches %(query)s.") % {"query": category})
    target = categories[name]
    if target.channel_id == ticket.category_id:
        raise Conflict(_("The ticket is already in %(name)s.") % {"name": name})
    try:
        port.edit_channel(
            ticket.channel_id, parent_id=target.channel_id, overwrites=target.overwrites or None
        )
    except DiscordError as error:
        if error.category_full:
            raise Conflict(_("The category %(name)s is full (50 channels).") % {"name": name}) from error
        raise DiscordFailure(_("Discord refused: %(e)s") % {"e": error.message}, code=error.code) from error
    Ticket.objects.filter(pk=ticket.pk).update(category_id=target.channel_id, category_name=target.name)
    return target


def stale_channel_names(*, limit: int = 100) -> list[Ticket]:
    """Open tickets whose channel name may be out of date (for the periodic refresh)."""
    # The age part changes with time, so every open ticket is a candidate.
    return list(
        Ticket.objects.filter(status=Ticket.Status.OPEN, channel_id__isnull=False).order_by(
            "last_message_at"
        )[:limit]
    )
