"""Who handles a ticket and where it lives: take, release, label, staff access, moving, channel name."""

from __future__ import annotations

import time

from django.db import transaction
from django.utils.translation import gettext as _

from tickets import events
from tickets.discord import DiscordError, DiscordPort
from tickets.discord.port import STAFF_ACCESS
from tickets.errors import Conflict, DiscordFailure, InvalidInput, NotFound, TicketClosed
from tickets.models import GuildChannel, GuildMember, Ticket, TicketChange

from ._common import config, log, port_or_default, staff_guild_id
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
    limit). Returns True when it renamed; otherwise a later refresh will catch up (a rename Discord
    refused is forgotten, so the periodic refresh tries it again)."""
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
        previous = locked.channel_name
        locked.renames = [*recent, stamp]
        locked.channel_name = name
        locked.save(update_fields=["renames", "channel_name"])
    try:
        port.edit_channel(ticket.channel_id, name=name)
    except DiscordError as error:
        log.info("Could not rename channel %s: %s", ticket.channel_id, error)
        Ticket.objects.filter(pk=ticket.pk, channel_name=name).update(channel_name=previous)
        return False
    ticket.channel_name = name
    return True


def channel_name_behind(*, ticket: Ticket) -> bool:
    """The channel's name does not show the ticket's status yet: its rename waits for a free slot."""
    if not ticket.channel_id:
        return False
    return channel_name(ticket, _member_name(ticket.taken_by)) != ticket.channel_name


def ticket_take(*, ticket: Ticket, staff_id: int, port: DiscordPort | None = None) -> Ticket:
    """Mark ``staff_id`` as the one handling the ticket."""
    ticket = _open(ticket)
    if ticket.taken_by == staff_id:
        raise Conflict(_("You already handle this ticket."))
    Ticket.objects.filter(pk=ticket.pk).update(taken_by=staff_id)
    ticket.taken_by = staff_id
    TicketChange.objects.create(ticket=ticket, kind=TicketChange.Kind.TAKEN, actor_id=staff_id)
    events.publish(
        events.EventType.TICKET_UPDATED, ticket=ticket, data={"change": "taken", "staff_id": str(staff_id)}
    )
    channel_name_refresh(ticket=ticket, port=port)
    return ticket


def ticket_release(*, ticket: Ticket, by: int | None = None, port: DiscordPort | None = None) -> Ticket:
    """Nobody handles the ticket any more (``by``: who released it, when known)."""
    ticket = _open(ticket)
    if not ticket.taken_by:
        raise Conflict(_("Nobody handles this ticket."))
    Ticket.objects.filter(pk=ticket.pk).update(taken_by=None)
    TicketChange.objects.create(ticket=ticket, kind=TicketChange.Kind.RELEASED, actor_id=by)
    ticket.taken_by = None
    events.publish(events.EventType.TICKET_UPDATED, ticket=ticket, data={"change": "released"})
    channel_name_refresh(ticket=ticket, port=port)
    return ticket


def ticket_label(
    *, ticket: Ticket, label: str, by: int | None = None, port: DiscordPort | None = None
) -> Ticket:
    """Set (or clear, with an empty label) the label shown in the channel name (``by``: who)."""
    ticket = _open(ticket)
    label = label.strip()
    if len(label) > LABEL_LIMIT:
        raise InvalidInput(_("A label is limited to %(n)s characters.") % {"n": LABEL_LIMIT})
    Ticket.objects.filter(pk=ticket.pk).update(label=label)
    ticket.label = label
    TicketChange.objects.create(ticket=ticket, kind=TicketChange.Kind.LABELLED, actor_id=by, detail=label)
    events.publish(events.EventType.TICKET_UPDATED, ticket=ticket, data={"change": "label"})
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


def ticket_move(
    *, ticket: Ticket, category: str, by: int | None = None, port: DiscordPort | None = None
) -> GuildChannel:
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
        # Synced with the category as Discord has it now (the cache may lag), even with no overwrites.
        overwrites = port.get_channel(target.channel_id).get("permission_overwrites") or []
        port.edit_channel(ticket.channel_id, parent_id=target.channel_id, overwrites=overwrites)
    except DiscordError as error:
        if error.category_full:
            raise Conflict(_("The category %(name)s is full (50 channels).") % {"name": name}) from error
        raise DiscordFailure(_("Discord refused: %(e)s") % {"e": error.message}, code=error.code) from error
    Ticket.objects.filter(pk=ticket.pk).update(category_id=target.channel_id, category_name=target.name)
    TicketChange.objects.create(
        ticket=ticket, kind=TicketChange.Kind.MOVED, actor_id=by, detail=target.name[:200]
    )
    events.publish(
        events.EventType.TICKET_UPDATED,
        ticket_id=ticket.pk,
        category_id=target.channel_id,
        data={"change": "moved", "from_category_id": str(ticket.category_id) if ticket.category_id else None},
    )
    return target


def stale_channel_names(*, limit: int = 100) -> list[Ticket]:
    """Open tickets whose channel name is out of date (its status or age changed) and that were not
    renamed in the last 10 minutes: the periodic refresh uses one of Discord's two renames per
    window at most, so a rename caused by an event (a reply, a take) always has a slot."""
    stamp = time.time()
    names: dict[int, str] = {}
    found: list[Ticket] = []
    tickets = Ticket.objects.filter(status=Ticket.Status.OPEN, channel_id__isnull=False).order_by(
        "last_message_at"
    )
    for ticket in tickets.iterator(chunk_size=500):
        if any(stamp - t < RENAME_WINDOW for t in ticket.renames):
            continue
        if ticket.taken_by and ticket.taken_by not in names:
            names[ticket.taken_by] = _member_name(ticket.taken_by) or ""
        if channel_name(ticket, names.get(ticket.taken_by) or None) != ticket.channel_name:
            found.append(ticket)
            if len(found) >= limit:
                break
    return found


def channel_names_refresh(*, port: DiscordPort | None = None, limit: int = 100) -> int:
    """Bring the names of stale channels up to date (see ``stale_channel_names``). Returns how many
    were renamed."""
    port = port_or_default(port)
    return sum(channel_name_refresh(ticket=ticket, port=port) for ticket in stale_channel_names(limit=limit))
