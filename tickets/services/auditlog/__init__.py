"""Forwarding the guild's audit log to the logs channel (``bot.enable_discord_logs``).

The gateway's GUILD_AUDIT_LOG_ENTRY_CREATE only wakes the forwarder; what to post is read from
``GET /guilds/{id}/audit-logs`` after the guild's :class:`~tickets.models.AuditLogCursor`. So:

- **in order, once**: entries are posted oldest first and the cursor moves past them when the
  message is sent; a restart resumes from the cursor (entries made while the bot was away are
  posted then, none twice);
- **a crash between posting and moving the cursor** is covered by writing the batch down first and
  posting it with a nonce Discord enforces: posted again after the restart, Discord answers with
  the first message instead of a second one (Discord remembers nonces for a few minutes);
- **within Discord's rate**: at most one message per :data:`MIN_INTERVAL` seconds per channel
  (Discord allows 5 per 5 s); entries that pile up meanwhile go out together, up to 10 embeds and
  6000 characters per message;
- turned on, forwarding starts from that moment (older entries are not dumped into the channel);
  turned off, the cursors are dropped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import transaction

from tickets.discord import DiscordPort, OutgoingMessage, get_port
from tickets.models import AuditLogCursor, BotConfig

from .formatting import EMBED_LIMIT, embed_size, entry_embed

log = logging.getLogger("rustmail.auditlog")

# Seconds between two posts in the logs channel: 4 per 5 s, under Discord's 5 per 5 s per channel
# (the ticket logs share the channel).
MIN_INTERVAL = 1.25
EMBEDS_PER_MESSAGE = 10
PAGE = 100
NO_PINGS = {"parse": []}
DISCORD_EPOCH_MS = 1420070400000

__all__ = [
    "MIN_INTERVAL",
    "ForwardResult",
    "audit_log_forward",
    "audit_log_guilds",
    "audit_log_pause",
    "audit_log_start",
    "entry_embed",
]


@dataclass(frozen=True)
class ForwardResult:
    """What one step did: entries posted, in how many messages (0 or 1), and whether more wait."""

    entries: int
    messages: int
    more: bool


def audit_log_guilds(cfg: BotConfig) -> list[int]:
    """The guilds whose audit log is forwarded (both in dual mode), when forwarding is on."""
    if not (cfg.bot_enable_discord_logs and cfg.bot_logs_channel_id):
        return []
    if cfg.mode_type == "dual":
        ids = [cfg.mode_community_guild_id, cfg.mode_staff_guild_id]
    else:
        ids = [cfg.mode_guild_id]
    return [int(i) for i in dict.fromkeys(ids) if i]


def _snowflake_now() -> int:
    ms = int(datetime.now(UTC).timestamp() * 1000)
    return (ms - DISCORD_EPOCH_MS) << 22


def audit_log_start(*, guild_id: int) -> AuditLogCursor:
    """The guild's cursor; a new one starts now, so only entries from now on are forwarded."""
    cursor, _created = AuditLogCursor.objects.get_or_create(
        guild_id=guild_id, defaults={"last_entry_id": _snowflake_now()}
    )
    return cursor


def audit_log_pause() -> int:
    """Forwarding was turned off: forget the cursors (turned on again, it starts afresh)."""
    deleted, _ = AuditLogCursor.objects.all().delete()
    return deleted


def _batch(entries: list[dict[str, Any]], users: dict) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """The first entries that fit in one message: 10 embeds, 6000 characters in all."""
    batch: list[tuple[dict[str, Any], dict[str, Any]]] = []
    total = 0
    for entry in entries[:EMBEDS_PER_MESSAGE]:
        embed = entry_embed(entry, users)
        size = embed_size(embed)
        if batch and total + size > EMBED_LIMIT:
            break
        batch.append((entry, embed))
        total += size
    return batch


def audit_log_forward(*, guild_id: int, channel_id: int, port: DiscordPort | None = None) -> ForwardResult:
    """Post the guild's next audit log entries (one message) and move its cursor past them.

    Call it again while ``more`` is true, no sooner than :data:`MIN_INTERVAL` seconds later. Raises
    ``DiscordError`` when Discord refuses (the cursor stays, so nothing is lost)."""
    port = port or get_port()
    cursor = audit_log_start(guild_id=guild_id)
    after = cursor.last_entry_id or 0
    page = port.audit_log(guild_id, after=after, limit=PAGE)
    waiting = [e for e in page.entries if int(e["id"]) > after]
    if cursor.pending_through_id:
        # A batch was being posted when the bot stopped: the same entries, with the same nonce.
        pending = [e for e in waiting if int(e["id"]) <= cursor.pending_through_id]
        if not pending:
            _advance(cursor, cursor.pending_through_id, 0)
            return ForwardResult(0, 0, True)
        batch = _batch(pending, page.users)
        nonce = cursor.pending_nonce
    else:
        if not waiting:
            return ForwardResult(0, 0, False)
        batch = _batch(waiting, page.users)
        nonce = f"al{batch[-1][0]['id']}"
        cursor.pending_through_id = int(batch[-1][0]["id"])
        cursor.pending_nonce = nonce
        cursor.save(update_fields=["pending_through_id", "pending_nonce", "updated_at"])
    message = OutgoingMessage(
        embeds=[embed for _entry, embed in batch], allowed_mentions=NO_PINGS, nonce=nonce
    )
    port.send(channel_id, message)
    _advance(cursor, int(batch[-1][0]["id"]), len(batch))
    more = len(waiting) > len(batch) or len(page.entries) >= PAGE
    return ForwardResult(len(batch), 1, more)


@transaction.atomic
def _advance(cursor: AuditLogCursor, through: int, count: int) -> None:
    """Move the cursor past a posted batch; the batch is no longer pending."""
    row = AuditLogCursor.objects.select_for_update().get(pk=cursor.pk)
    row.last_entry_id = max(row.last_entry_id or 0, through)
    if row.pending_through_id and row.pending_through_id <= row.last_entry_id:
        row.pending_through_id = None
        row.pending_nonce = ""
    row.forwarded += count
    row.save(
        update_fields=["last_entry_id", "pending_through_id", "pending_nonce", "forwarded", "updated_at"]
    )
