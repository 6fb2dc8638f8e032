"""Opening tickets and relaying what users send.

A user's DM goes through ``user_message_relay``: refused (bot, blocked, not a member, maintenance),
held (category prompt), or stored in the user's open ticket (opened if needed) and copied into its
channel. The database decides everything first, in one transaction; Discord follows after commit.
Exactly once: the DM's ID is unique in ``TicketMessage``; the channel copy carries a nonce derived
from it, so a replay after a crash returns the first copy instead of posting a second.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.utils.translation import gettext as _

from tickets import events, rendering, selectors
from tickets.discord import DiscordError, DiscordPort
from tickets.discord.port import CANNOT_DM, UNKNOWN_USER
from tickets.errors import (
    DiscordFailure,
    DomainError,
    InvalidInput,
    NotAMember,
    NotFound,
    TicketAlreadyOpen,
    TicketClosed,
    UserBlocked,
)
from tickets.models import (
    Attachment,
    BotConfig,
    GuildChannel,
    GuildMember,
    ScheduledClosure,
    StaffAlert,
    Ticket,
    TicketMessage,
)
from tickets.snowflake import InvalidSnowflake, parse_snowflake_or_mention
from tickets.snowflake import parse_snowflake as strict_snowflake

from ._common import (
    bot_language,
    community_guild_id,
    config,
    config_at,
    log,
    now,
    port_or_default,
    staff_guild_id,
)
from ._relay_state import DmSnapshot, dm_snapshot, insert_user_message, message_copied, ticket_user_wrote
from .attachments import relay_files
from .bans import ban_recap_line
from .refusals import Reason, block_notice, refusal_record


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
CANCELLED_WITHOUT_CHANNEL = "no_channel"


def _channel_or_cancel(*, ticket: Ticket, port: DiscordPort, cfg: BotConfig) -> Ticket:
    """The channel of a ticket this request just opened; when Discord refuses it, the ticket is
    cancelled at once (it holds nothing yet) so that it never blocks its user, and the error raised."""
    try:
        return ensure_channel(ticket=ticket, port=port, cfg=cfg)
    except (DiscordError, DomainError):
        if _cancel_if_empty(ticket):
            log.warning("Ticket %s cancelled: Discord refused its channel", ticket.pk)
        raise


def _cancel_if_empty(ticket: Ticket) -> bool:
    """Cancel a ticket that is open, has no channel and holds no message; False when it does not
    qualify any more (its channel was made, or a DM was stored in it meanwhile)."""
    with transaction.atomic():
        # The row lock orders this with a DM being stored (its insert references the row) and with
        # ensure_channel: whichever comes second sees what the first did.
        locked = (
            Ticket.objects.select_for_update()
            .filter(pk=ticket.pk, status=Ticket.Status.OPEN, channel_id__isnull=True)
            .first()
        )
        if locked is None or TicketMessage.objects.filter(ticket_id=ticket.pk).exists():
            return False
        Ticket.objects.filter(pk=ticket.pk).update(
            status=Ticket.Status.CLOSED,
            closed_at=now(),
            closed_by=CANCELLED_WITHOUT_CHANNEL,
            close_silently=True,
        )
        events.publish(
            events.EventType.TICKET_CLOSED, ticket=locked, data={"closed_by": CANCELLED_WITHOUT_CHANNEL}
        )
    return True


def _stale(ticket: Ticket, *, at: datetime | None = None) -> bool:
    """Old enough that no request is still creating its channel (``TICKET_CHANNEL_GRACE_SECONDS``)."""
    grace = timedelta(seconds=settings.TICKET_CHANNEL_GRACE_SECONDS)
    return ticket.created_at is not None and ticket.created_at <= (at or now()) - grace


def ticket_channel_repair(*, ticket: Ticket, port: DiscordPort | None = None) -> Ticket | None:
    """Settle a ticket left open without a channel (Discord refused it, or the process creating it
    died): with stored messages it is repaired (the channel created, the user's messages copied in
    the order they were sent, each once, ✅ on them); with none it is cancelled. Returns the ticket,
    or None when it was cancelled. A Discord refusal raises and leaves the ticket, and its
    messages, as they were for the next attempt."""
    port = port_or_default(port)
    ticket = Ticket.objects.get(pk=ticket.pk)
    if not ticket.is_open or ticket.channel_id:
        return ticket if ticket.is_open else None
    if _cancel_if_empty(ticket):
        log.warning("Ticket %s had no channel and no message: cancelled", ticket.pk)
        return None
    cfg = config()
    last = (
        TicketMessage.objects.filter(
            ticket=ticket,
            kind=TicketMessage.Kind.USER,
            inbox_message_id__isnull=True,
            dm_message_id__isnull=False,
        )
        .order_by("-dm_message_id")
        .first()
    )
    if last is None:  # nothing of the user's to copy: the channel alone
        repaired = ensure_channel(ticket=ticket, port=port, cfg=cfg)
    else:
        result = RelayResult(Relay.RELAYED, ticket=ticket, message=last)
        _deliver_user_message(result=result, cfg=cfg, port=port, dm_channel_id=None)
        repaired = result.ticket
    log.warning("Ticket %s had no channel: repaired as %s", ticket.pk, repaired.channel_id)
    return repaired


def _settled_open_ticket(*, user_id: int, port: DiscordPort, cfg: BotConfig) -> Ticket | None:
    """The user's open ticket, once one left without a channel past the grace period was settled
    (repaired, or cancelled: then None). A younger one is still being created: it is returned as is.
    A repair Discord refuses leaves the ticket (it holds the user's messages) and returns it."""
    ticket = selectors.open_ticket_for_user(user_id)
    if ticket is None or ticket.channel_id or not _stale(ticket):
        return ticket
    try:
        return ticket_channel_repair(ticket=ticket, port=port)
    except (DiscordError, DomainError) as error:
        log.warning("Ticket %s still has no channel: %s", ticket.pk, error)
        return Ticket.objects.filter(pk=ticket.pk, status=Ticket.Status.OPEN).first()


def tickets_repair_stuck(*, port: DiscordPort | None = None, limit: int = 100) -> dict[str, int]:
    """The worker's sweep: every open ticket without a channel past the grace period is repaired or
    cancelled (``ticket_channel_repair``); one Discord refuses is counted ``failed`` and tried again
    at the next sweep. Returns the tally by outcome."""
    port = port_or_default(port)
    cutoff = now() - timedelta(seconds=settings.TICKET_CHANNEL_GRACE_SECONDS)
    stuck = Ticket.objects.filter(
        status=Ticket.Status.OPEN, channel_id__isnull=True, created_at__lte=cutoff
    ).order_by("created_at")[:limit]
    tally: dict[str, int] = {}
    for ticket in stuck:
        try:
            outcome = "repaired" if ticket_channel_repair(ticket=ticket, port=port) else "cancelled"
        except (DiscordError, DomainError) as error:
            log.warning("Ticket %s still has no channel: %s", ticket.pk, error)
            outcome = "failed"
        tally[outcome] = tally.get(outcome, 0) + 1
    return tally


def _refusal(port: DiscordPort, cfg: BotConfig, user_id: int, text: str) -> None:
    with bot_language(cfg):
        _send_dm(port, user_id, rendering.system(cfg, text))


def user_message_relay(
    *,
    user_id: int,
    user_name: str,
    dm_message_id: int,
    dm_channel_id: int | None = None,
    content: str = "",
    attachments: list[IncomingAttachment] | None = None,
    created_at: datetime | None = None,
    is_bot: bool = False,
    recovered: bool = False,
    confirm: bool = True,
    port: DiscordPort | None = None,
) -> RelayResult:
    """Take a DM the user sent the bot: store it in their open ticket (opening one if needed) and copy
    it into the ticket channel, exactly once. Returns what happened; refusals are recorded, then told
    to the user, and so is a DM that was stored but whose copy Discord refused (``Relay.DELAYED``).
    A DM seen before (relayed, held by a category prompt, or refused) is a ``Relay.DUPLICATE``: a
    refused DM stays refused once the reason is gone (recovery and replays never relay it).

    ``confirm=False`` skips the ✅ on this DM: the caller knows a later DM of the same user is about
    to be relayed, and its ✅ acknowledges this one too (one Discord request saved per DM in a burst)."""
    port = port_or_default(port)
    attachments = attachments or []
    if is_bot:
        return RelayResult(Relay.IGNORED)
    # One query tells "new", "seen before" and "stored, copy missing" apart, with all the rest the
    # decision needs (the hot path: see ``_relay_state``).
    cached = config()
    try:
        guild_id = community_guild_id(cached)
    except DomainError:
        guild_id = None  # not configured: the membership check below says so
    facts = dm_snapshot(user_id=user_id, dm_message_id=dm_message_id, guild_id=guild_id)
    if facts.seen:
        return RelayResult(Relay.DUPLICATE)
    cfg = config_at(facts.config_stamp, cached)
    if cfg is not cached and guild_id != _guild_or_none(cfg):
        facts.member = False  # the community guild changed meanwhile: ask again
    if facts.stored_pk is not None:
        existing = TicketMessage.objects.select_related("ticket").get(pk=facts.stored_pk)
    else:
        existing = None
    if existing is None:
        refusal = _refuse(cfg=cfg, port=port, user_id=user_id, facts=facts)
        if refusal is not None:
            outcome, text = refusal
            refusal_record(user_id=user_id, dm_message_id=dm_message_id, reason=Reason(outcome.value))
            _refusal(port, cfg, user_id, text)
            return RelayResult(outcome)
        if facts.ticket is None and facts.prompt_enabled:  # the prompt only stands before a ticket
            from .categories import selection_hold

            held = selection_hold(
                cfg=cfg,
                port=port,
                user_id=user_id,
                user_name=user_name,
                dm_message_id=dm_message_id,
                dm_channel_id=dm_channel_id,
                content=content,
                attachments=attachments,
                created_at=created_at,
            )
            if held is not None:
                return RelayResult(held)
        result = _store_user_message(
            cfg=cfg,
            user_id=user_id,
            user_name=user_name,
            dm_message_id=dm_message_id,
            dm_channel_id=dm_channel_id,
            content=content,
            attachments=attachments,
            created_at=created_at or now(),
            recovered=recovered,
            known_ticket=facts.ticket,
        )
        if result.outcome == Relay.DUPLICATE:
            return result
        earlier_uncopied = facts.earlier_uncopied or result.outcome == Relay.OPENED
    else:  # stored earlier but its channel copy may be missing (a crash in between): finish the job
        result = RelayResult(Relay.RELAYED, ticket=existing.ticket, message=existing)
        earlier_uncopied = True
    try:
        _deliver_user_message(
            result=result,
            cfg=cfg,
            port=port,
            dm_channel_id=dm_channel_id,
            confirm=confirm,
            earlier_uncopied=earlier_uncopied,
        )
    except (DiscordError, DomainError) as error:
        # Kept: the user's next DM (or the next recovery) delivers it first, in order.
        log.warning("DM %s stored but not copied to its ticket: %s", dm_message_id, error)
        _tell_delayed(cfg=cfg, port=port, user_id=user_id, dm_channel_id=dm_channel_id, dm_id=dm_message_id)
        return RelayResult(Relay.DELAYED, ticket=result.ticket, message=result.message)
    return result


def _tell_delayed(
    *, cfg: BotConfig, port: DiscordPort, user_id: int, dm_channel_id: int | None, dm_id: int
) -> None:
    """Tell the user their DM has not reached the staff yet (a ⚠️ on it, and why)."""
    try:
        if dm_channel_id:
            port.react(dm_channel_id, dm_id, "⚠️")
        with bot_language(cfg):
            text = _(
                "Your message could not reach the staff yet. It is kept and will be delivered "
                "with your next message."
            )
            _refusal(port, cfg, user_id, text)
    except DiscordError as error:
        log.info("Could not tell user %s about a delayed DM: %s", user_id, error)


def user_message_failed(
    *, user_id: int, dm_channel_id: int, dm_message_id: int, port: DiscordPort | None = None
) -> None:
    """A DM could not even be stored (``user_message_relay`` raised): put ⚠️ on it and ask the user
    to send it again. Never raises: there is nobody left to tell. Unless it was stored after all,
    it is recorded as refused: the user sends it again, so relaying this one later would repeat it."""
    port = port_or_default(port)
    try:
        if not TicketMessage.objects.filter(dm_message_id=dm_message_id).exists() and not _held(
            dm_message_id
        ):
            refusal_record(user_id=user_id, dm_message_id=dm_message_id, reason=Reason.FAILED)
    except DatabaseError as error:
        log.warning("DM %s could not be recorded as refused: %s", dm_message_id, error)
    try:
        cfg = config()
        port.react(dm_channel_id, dm_message_id, "⚠️")
        with bot_language(cfg):
            _refusal(port, cfg, user_id, _("Your message could not be delivered. Please send it again."))
    except DiscordError as error:
        log.info("Could not tell user %s that DM %s failed: %s", user_id, dm_message_id, error)


def _held(dm_message_id: int) -> bool:
    """The DM waits in a category prompt's queue."""
    from tickets.models import PendingMessage

    return PendingMessage.objects.filter(dm_message_id=dm_message_id).exists()


def _guild_or_none(cfg: BotConfig) -> int | None:
    try:
        return community_guild_id(cfg)
    except DomainError:
        return None


def _refuse(
    *,
    cfg: BotConfig,
    port: DiscordPort,
    user_id: int,
    facts: DmSnapshot,
) -> tuple[Relay, str] | None:
    """Why this DM opens nothing and what the user is told, or None when it may go through."""
    with bot_language(cfg):
        if facts.blocked:
            return Relay.BLOCKED, block_notice()
        if facts.maintenance:
            return Relay.MAINTENANCE, _("The bot is under maintenance. Please try again later.")
        # A member in the bot's cache needs no question to Discord.
        if not facts.member and port.get_member(community_guild_id(cfg), user_id) is None:
            return Relay.NOT_MEMBER, _("You must be a member of the server to contact the staff.")
    return None


class _TicketGone(Exception):
    """The ticket a DM was being stored in was cancelled meanwhile: store it in a new one."""


def _store_user_message(*, known_ticket: Ticket | None = None, **kwargs) -> RelayResult:
    """Store a DM in the user's open ticket (opened if needed): ``_store_in_open_ticket``, again
    when the ticket it found was cancelled in between (a ticket left without a channel).
    ``known_ticket``: the user's open ticket as the caller just read it (the first attempt uses it)."""
    for _attempt in range(3):
        try:
            return _store_in_open_ticket(known_ticket=known_ticket, **kwargs)
        except _TicketGone:
            known_ticket = None
            continue
    raise DomainError(_("Your message could not be stored. Please send it again."))


def _store_in_open_ticket(
    *,
    cfg: BotConfig,
    user_id: int,
    user_name: str,
    dm_message_id: int,
    dm_channel_id: int | None,
    content: str,
    attachments: list[IncomingAttachment],
    created_at: datetime,
    recovered: bool,
    ticket_category=None,
    category_id: int | None = None,
    category_name: str | None = None,
    known_ticket: Ticket | None = None,
) -> RelayResult:
    """One transaction: the message (its unique DM ID makes a replay fail here: a duplicate), the
    ticket's "user wrote last" (only while it is open), the live event, and, when the ticket update
    reports any, the cancelled scheduled close and the staff alerts that fire."""
    if known_ticket is not None:
        ticket, created = known_ticket, False
    else:
        ticket, created = _open_ticket_row(
            user_id=user_id,
            user_name=user_name,
            origin=Ticket.Origin.DM,
            silent=False,
            cfg=cfg,
            dm_channel_id=dm_channel_id,
            ticket_category=ticket_category,
            category_id=category_id,
            category_name=category_name,
        )
    stamp = now()
    try:
        with transaction.atomic():
            message = insert_user_message(
                ticket=ticket,
                author_id=user_id,
                author_name=user_name,
                dm_message_id=dm_message_id,
                dm_channel_id=dm_channel_id,
                content=content,
                created_at=created_at,
                recovered=recovered,
            )
            stored = [
                Attachment(
                    message=message,
                    discord_id=a.discord_id,
                    filename=a.filename[:255],
                    size=a.size,
                    content_type=a.content_type[:255],
                    url=a.url,
                )
                for a in attachments
            ]
            if stored:
                Attachment.objects.bulk_create(stored)
            _known_attachments(message, stored)
            # The ticket's "user wrote last" (it updates ``ticket``), and what else the DM settles.
            pending = ticket_user_wrote(ticket=ticket, at=stamp, dm_channel_id=dm_channel_id)
            if pending is None:
                raise _TicketGone()
            events.publish(
                events.EventType.MESSAGE_CREATED,
                ticket=ticket,
                data={"message_id": message.pk, "kind": "user"},
            )
            has_closure, has_alerts = pending
            cancelled = 0
            if has_closure:
                cancelled = ScheduledClosure.objects.filter(
                    ticket=ticket, state=ScheduledClosure.State.PENDING
                ).update(state=ScheduledClosure.State.CANCELLED, finished_at=stamp)
            alerts = []
            if has_alerts:
                waiting = StaffAlert.objects.select_for_update().filter(ticket=ticket, fired_at__isnull=True)
                alerts = list(waiting)
                StaffAlert.objects.filter(pk__in=[a.pk for a in alerts]).update(fired_at=stamp)
    except IntegrityError:
        return RelayResult(Relay.DUPLICATE)
    return RelayResult(
        Relay.OPENED if created else Relay.RELAYED,
        ticket=ticket,
        message=message,
        cancelled_close=bool(cancelled),
        alerted_staff=[a.staff_id for a in alerts],
    )


def _deliver_user_message(
    *,
    result: RelayResult,
    cfg: BotConfig,
    port: DiscordPort,
    dm_channel_id: int | None,
    confirm: bool = True,
    earlier_uncopied: bool = True,
) -> None:
    """Discord's half of a relay: the channel (created once), the copies still missing in the order
    the user sent them (an earlier DM whose copy Discord refused goes first), then notices.
    ``earlier_uncopied=False``: the caller knows no earlier DM misses its copy (no query for them)."""
    had_channel = bool(result.ticket.channel_id)
    ticket = ensure_channel(ticket=result.ticket, port=port, cfg=cfg)
    result.ticket = ticket
    message = result.message
    # The welcome goes with the ticket's first copy, even when its channel could only be made later.
    opened = result.outcome == Relay.OPENED or (not had_channel and ticket.origin == Ticket.Origin.DM)
    with bot_language(cfg):
        if opened and cfg.bot_welcome_message:
            _send_dm(
                port,
                ticket.user_id,
                rendering.system(cfg, cfg.bot_welcome_message, nonce=f"w{ticket.pk.hex[:20]}"),
            )
        for earlier in _undelivered_before(message) if earlier_uncopied else ():
            _copy_to_channel(cfg, port, ticket, earlier)
            if confirm:
                _confirm(port, earlier)
        _copy_to_channel(cfg, port, ticket, message)
        if result.cancelled_close:
            port.send(
                ticket.channel_id,
                rendering.system(cfg, _("The scheduled close was cancelled: the user wrote again.")),
            )
        if result.alerted_staff:
            pings = " ".join(f"<@{staff}>" for staff in result.alerted_staff)
            port.send(ticket.channel_id, rendering.system(cfg, _("The user answered."), pings=pings))
    if confirm:
        _confirm(port, message, dm_channel_id)


def _known_attachments(message: TicketMessage, attachments: list[Attachment]) -> None:
    """Let ``message.attachments.all()`` return the attachments just stored with it, unread."""
    cached = Attachment.objects.filter(message=message)
    cached._result_cache = list(attachments)  # iterated as is: no query, not even compiled
    cached._prefetch_done = True
    message._prefetched_objects_cache = {"attachments": cached}


def _undelivered_before(message: TicketMessage) -> list[TicketMessage]:
    """The user's earlier DMs in the same ticket whose channel copy was never sent, oldest first."""
    if not message.dm_message_id:
        return []
    return list(
        TicketMessage.objects.filter(
            ticket_id=message.ticket_id,
            kind=TicketMessage.Kind.USER,
            inbox_message_id__isnull=True,
            dm_message_id__lt=message.dm_message_id,
        )
        .prefetch_related("attachments")
        .order_by("dm_message_id")
    )


def _copy_to_channel(cfg: BotConfig, port: DiscordPort, ticket: Ticket, message: TicketMessage) -> None:
    """Post a user message's copy in its ticket channel, split in as many parts as it needs; each
    part's nonce comes from the DM, so a repeat returns the first copy instead of posting another.
    The DM's files are uploaded with the first part (fetched and stored first: ``relay_files``)."""
    files = relay_files(list(message.attachments.all()), port=port, channel_id=ticket.channel_id)
    parts = rendering.user_message_to_inbox(
        cfg=cfg,
        author=message.author_name,
        author_id=message.author_id,
        content=message.content,
        attachments=files.notes,
        nonce=f"u{message.dm_message_id}",
    )
    parts[0].files = files.files
    first_id = None
    for part in parts:
        sent = port.send(ticket.channel_id, part)
        first_id = first_id or sent.id
    message_copied(message, first_id)


def _confirm(port: DiscordPort, message: TicketMessage, dm_channel_id: int | None = None) -> None:
    """React ✅ on the user's DM: it reached the staff."""
    channel_id = dm_channel_id or message.dm_channel_id
    if not (channel_id and message.dm_message_id):
        return
    try:
        port.react(channel_id, message.dm_message_id, "✅")
    except DiscordError as error:
        log.info("Could not react to DM %s: %s", message.dm_message_id, error)


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
