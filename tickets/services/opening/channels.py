"""A ticket's row and its Discord channel: opening the row, naming and creating the channel."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tickets import events, rendering, selectors
from tickets.discord import DiscordError, DiscordPort
from tickets.errors import DiscordFailure, TicketClosed
from tickets.models import BotConfig, GuildChannel, Ticket

from .._common import bot_language, community_guild_id, config, log, now, staff_guild_id
from ..bans import ban_recap_line


def _open_ticket_row(
    *,
    user_id: int,
    user_name: str,
    origin: str,
    silent: bool,
    cfg: BotConfig,
    category_id: int | None = None,
    category_name: str | None = None,
    ticket_category=None,
    dm_channel_id: int | None = None,
) -> tuple[Ticket, bool]:
    """The user's open ticket, created if none: ``(ticket, created)``. Safe under concurrency: the
    partial unique index lets one insert win; the others read the winner's row."""
    existing = selectors.open_ticket_for_user(user_id)
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            ticket = Ticket.objects.create(
                user_id=user_id,
                user_name=user_name[:100],
                origin=origin,
                silent=silent,
                guild_id=staff_guild_id(cfg),
                category_id=category_id or cfg.thread_inbox_category_id,
                category_name=category_name,
                ticket_category=ticket_category,
                dm_channel_id=dm_channel_id,
            )
            events.publish(events.EventType.TICKET_OPENED, ticket=ticket, data={"origin": origin})
        return ticket, True
    except IntegrityError:
        existing = selectors.open_ticket_for_user(user_id)
        if existing is None:  # closed in between: try once more
            return _open_ticket_row(
                user_id=user_id,
                user_name=user_name,
                origin=origin,
                silent=silent,
                cfg=cfg,
                category_id=category_id,
                category_name=category_name,
                ticket_category=ticket_category,
                dm_channel_id=dm_channel_id,
            )
        return existing, False


def channel_name(ticket: Ticket, staff_name: str | None = None, *, at: datetime | None = None) -> str:
    """``🔴・label・user・staff・age``: red when the user wrote last, blue when staff did."""
    dot = "🔴" if ticket.last_message_by == Ticket.LastMessageBy.USER else "🔵"
    age_seconds = int(((at or now()) - ticket.created_at).total_seconds()) if ticket.created_at else 0
    if age_seconds < 3600:
        age = f"{max(age_seconds // 60, 0)}m"
    elif age_seconds < 86400:
        age = f"{age_seconds // 3600}h"
    else:
        age = f"{age_seconds // 86400}d"
    parts = [dot]
    if ticket.label:
        parts.append(ticket.label)
    parts.append(ticket.user_name)
    if staff_name:
        parts.append(staff_name)
    parts.append(age)
    slug = "・".join(p.strip().lower().replace(" ", "-") for p in parts if p)
    return slug[:100]


def _recap(ticket: Ticket, cfg: BotConfig, port: DiscordPort) -> str:
    member = None
    try:
        member = port.get_member(community_guild_id(cfg), ticket.user_id)
    except DiscordError:
        member = None
    past = selectors.closed_tickets_of_user(ticket.user_id).count()
    lines = [
        _("New ticket with <@%(user)s> (%(name)s, ID %(user)s).")
        % {"user": ticket.user_id, "name": ticket.user_name},
        _("Past tickets: %(count)s") % {"count": past},
    ]
    if member and member.joined_at:
        lines.append(_("Joined the server: <t:%(ts)s:R>") % {"ts": int(member.joined_at.timestamp())})
    banned = ban_recap_line(guild_id=community_guild_id(cfg), user_id=ticket.user_id)
    if banned:
        lines.append(banned)
    if ticket.origin == Ticket.Origin.STAFF:
        lines.append(_("Opened by staff: the user sees nothing until the first reply."))
    return "\n".join(lines)


def ensure_channel(*, ticket: Ticket, port: DiscordPort, cfg: BotConfig | None = None) -> Ticket:
    """Create the ticket's channel once (the row lock makes concurrent callers wait for the first)."""
    if ticket.channel_id:
        return ticket
    cfg = cfg or config()
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if locked.channel_id:
            return locked
        if not locked.is_open:  # cancelled without a channel (see ticket_channel_repair)
            raise TicketClosed()
        guild_id = locked.guild_id or staff_guild_id(cfg)
        parent = locked.category_id or cfg.thread_inbox_category_id
        name = channel_name(locked)
        channel_id, parent = _create_in_inbox(
            guild_id=guild_id, name=name, parent=parent, topic=str(locked.user_id), port=port
        )
        locked.channel_id = channel_id
        locked.category_id = parent
        locked.channel_name = name
        locked.save(update_fields=["channel_id", "category_id", "channel_name"])
        events.publish(events.EventType.TICKET_UPDATED, ticket=locked, data={"change": "channel"})
    with bot_language(cfg):
        port.send(
            channel_id,
            rendering.system(
                cfg, _recap(locked, cfg, port), title=_("New ticket"), nonce=f"o{locked.pk.hex[:20]}"
            ),
        )
    return locked


def _create_in_inbox(
    *, guild_id: int, name: str, parent: int | None, topic: str, port: DiscordPort
) -> tuple[int, int | None]:
    """Create a ticket channel; when the category is full (50 channels), use or open an overflow
    category beside it with the same permissions (Rustmail only reports "category full")."""
    try:
        return port.create_channel(guild_id=guild_id, name=name, parent_id=parent, topic=topic), parent
    except DiscordError as error:
        if not error.category_full or parent is None:
            raise DiscordFailure(
                _("Discord refused to create the ticket channel: %(error)s") % {"error": error.message},
                code=error.code,
            ) from error
    original = port.get_channel(parent)
    base = original.get("name") or "inbox"
    # Users arriving together at a full inbox must share one overflow category: each takes the full
    # category's row in turn (an UPDATE locks it on PostgreSQL and takes SQLite's write lock) until
    # the caller's transaction ends, and sees the overflow categories made before it.
    GuildChannel.objects.get_or_create(
        channel_id=parent, defaults={"guild_id": guild_id, "name": base[:100], "type": 4}
    )
    GuildChannel.objects.filter(channel_id=parent).update(type=4)
    overflow = GuildChannel.objects.filter(guild_id=guild_id, type=4, name__startswith=f"{base} +").order_by(
        "channel_id"
    )
    for sibling in overflow:
        try:
            return port.create_channel(
                guild_id=guild_id, name=name, parent_id=sibling.channel_id, topic=topic
            ), sibling.channel_id
        except DiscordError as error:
            if not error.category_full:
                raise
    category_name = f"{base} +{overflow.count() + 1}"
    category_id = port.create_channel(
        guild_id=guild_id, name=category_name, kind=4, overwrites=original.get("permission_overwrites") or []
    )
    GuildChannel.objects.update_or_create(
        channel_id=category_id, defaults={"guild_id": guild_id, "name": category_name, "type": 4}
    )
    log.warning("Inbox category %s is full: opened overflow category %s", parent, category_id)
    return port.create_channel(guild_id=guild_id, name=name, parent_id=category_id, topic=topic), category_id


# closed_by of a ticket cancelled because it never got a channel and held no message.
