"""Reads: the queries the interfaces need, with no side effects."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from tickets.models import BlockedUser, BotConfig, Snippet, SystemState, Ticket, TicketMessage

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
