"""Reads: the queries the interfaces need, with no side effects."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from tickets.models import (
    BlockedUser,
    BotConfig,
    GuildMember,
    GuildRole,
    MemberBan,
    Snippet,
    SystemState,
    Ticket,
    TicketMessage,
)

HEARTBEAT_FRESH_FOR = timedelta(seconds=30)


def bot_token() -> str:
    """The bot token: DISCORD_TOKEN from the environment wins over the stored configuration."""
    if settings.DISCORD_TOKEN:
        return settings.DISCORD_TOKEN
    return BotConfig.load().bot_token


def bot_is_alive(state: SystemState | None = None) -> bool:
    """True while the bot's heartbeat is fresh."""
    state = state or SystemState.load()
    beat = state.bot_heartbeat_at
    return bool(state.bot_connected and beat and timezone.now() - beat < HEARTBEAT_FRESH_FOR)


def health_report() -> dict[str, object]:
    """Database reachability and the bot's heartbeat, for ``/api/health``."""
    try:
        connection.ensure_connection()
        state = SystemState.load()
    except Exception:  # any database failure means "not healthy", whatever the driver raised
        return {"status": "error", "database": "unreachable", "bot": {"status": "unknown"}}
    beat = state.bot_heartbeat_at
    return {
        "status": "ok",
        "database": "ok",
        "bot": {
            "status": "running" if bot_is_alive(state) else "stopped",
            "desired_state": state.desired_state,
            "presence": state.presence,
            "last_heartbeat": int(beat.timestamp()) if beat else None,
        },
    }


def open_ticket_for_user(user_id: int) -> Ticket | None:
    return Ticket.objects.filter(user_id=user_id, status=Ticket.Status.OPEN).first()


def ticket_for_channel(channel_id: int) -> Ticket | None:
    """The open ticket whose channel this is."""
    return Ticket.objects.filter(channel_id=channel_id, status=Ticket.Status.OPEN).first()


def reply_number_of_message(*, channel_id: int, message_id: int) -> int | None:
    """The number of the staff reply whose channel copy is ``message_id`` in the open ticket of
    ``channel_id``, or None when that message is no such reply."""
    return (
        TicketMessage.objects.filter(
            ticket__channel_id=channel_id,
            ticket__status=Ticket.Status.OPEN,
            inbox_message_id=message_id,
            message_number__isnull=False,
        )
        .values_list("message_number", flat=True)
        .first()
    )


def active_block(user_id: int) -> BlockedUser | None:
    """The user's block, unless it has expired."""
    block = BlockedUser.objects.filter(user_id=user_id).first()
    if block and block.expires_at and block.expires_at <= timezone.now():
        return None
    return block


def ticket_messages(ticket: Ticket) -> QuerySet[TicketMessage]:
    return ticket.messages.prefetch_related("attachments").order_by("created_at", "id")


def closed_tickets_of_user(user_id: int) -> QuerySet[Ticket]:
    return Ticket.objects.filter(user_id=user_id, status=Ticket.Status.CLOSED).order_by("-closed_at")


def closed_tickets_page(user_id: int, *, page: int, per_page: int = 10) -> tuple[list[Ticket], int]:
    """One page (from 0) of a user's closed tickets, newest first, each with ``message_count``;
    and how many closed tickets they have in all."""
    tickets = closed_tickets_of_user(user_id)
    total = tickets.count()
    start = max(page, 0) * per_page
    rows = tickets.annotate(message_count=Count("messages", filter=Q(messages__is_internal=False)))
    return list(rows[start : start + per_page]), total


def snippet_list() -> QuerySet[Snippet]:
    """Every snippet, by key."""
    return Snippet.objects.order_by("key")


def _latest_ban_per_user(bans: QuerySet[MemberBan]) -> list[MemberBan]:
    seen: set[int] = set()
    latest = []
    for ban in bans.order_by("-recorded_at", "-pk")[:100]:
        if ban.user_id not in seen:
            seen.add(ban.user_id)
            latest.append(ban)
    return latest


def ban_find(guild_id: int, query: str, *, limit: int = 10) -> list[MemberBan]:
    """The bans ``baninfo`` shows for a query: the user's latest ban by ID or mention, or else the
    latest ban of each user whose username, display name or nickname is the query (any case)."""
    text = query.strip()
    if text.startswith("<@") and text.endswith(">"):
        text = text[2:-1].lstrip("!")
    text = text.lstrip("@").strip()
    bans = MemberBan.objects.filter(guild_id=guild_id)
    if text.isdigit() and len(text) <= 19:
        found = bans.filter(user_id=int(text)).order_by("-recorded_at", "-pk").first()
        if found is not None:
            return [found]
    if not text:
        return []
    named = bans.filter(Q(username__iexact=text) | Q(global_name__iexact=text) | Q(nickname__iexact=text))
    return _latest_ban_per_user(named)[:limit]


def ban_history(guild_id: int, user_id: int) -> QuerySet[MemberBan]:
    """Every ban of a user from the guild, latest first."""
    return MemberBan.objects.filter(guild_id=guild_id, user_id=user_id).order_by("-recorded_at", "-pk")


def bans_page(
    guild_id: int, *, page: int = 0, per_page: int = 50, active: bool | None = True, search: str = ""
) -> tuple[list[MemberBan], int]:
    """One page (from 0) of the guild's bans, latest first, for the bans page and the admin API:
    ``active`` True (still banned), False (lifted) or None (all); ``search`` matches a user ID or
    part of a name. Returns the page and how many bans match in all."""
    bans = MemberBan.objects.filter(guild_id=guild_id)
    if active is not None:
        bans = bans.filter(unbanned_at__isnull=active)
    search = search.strip()
    if search:
        by_name = (
            Q(username__icontains=search) | Q(global_name__icontains=search) | Q(nickname__icontains=search)
        )
        bans = (
            bans.filter(by_name | Q(user_id=int(search)))
            if search.isdigit() and len(search) <= 19
            else bans.filter(by_name)
        )
    total = bans.count()
    start = max(page, 0) * per_page
    return list(bans.order_by("-recorded_at", "-pk")[start : start + per_page]), total


def bans_named(bans: list[MemberBan]) -> list[MemberBan]:
    """The bans with names from the guild cache, as Rustmail's bans list shows them: ``role_names``
    (a role the cache no longer knows keeps its ID), ``banned_by_name`` and ``unbanned_by_name``
    ("" when unknown). Two queries for a whole page."""
    roles = dict(
        GuildRole.objects.filter(role_id__in={r for b in bans for r in b.role_ids}).values_list(
            "role_id", "name"
        )
    )
    people = {b.banned_by for b in bans} | {b.unbanned_by for b in bans}
    names = {
        m.user_id: m.global_name or m.username
        for m in GuildMember.objects.filter(user_id__in=people - {None}).only(
            "user_id", "global_name", "username"
        )
    }
    for ban in bans:
        ban.role_names = [roles.get(r, str(r)) for r in ban.role_ids]
        ban.banned_by_name = names.get(ban.banned_by, "")
        ban.unbanned_by_name = names.get(ban.unbanned_by, "")
    return bans
