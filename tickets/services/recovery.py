"""Recovery: relay, in order and exactly once, the DMs users sent while the bot was away."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Max
from django.utils.translation import gettext as _

from tickets import rendering
from tickets.discord import DiscordError, DiscordPort
from tickets.models import SystemState, Ticket, TicketMessage

from ._common import bot_language, config, log, now, port_or_default
from .opening import IncomingAttachment, Relay, user_message_relay

RECENT = timedelta(days=30)


@dataclass(frozen=True)
class RecoverySource:
    """A DM channel to read, and the last DM from it already stored."""

    user_id: int
    user_name: str
    dm_channel_id: int
    after: int | None


def recovery_sources() -> list[RecoverySource]:
    """DM channels of open tickets and of recently closed ones (a DM sent while away opens a new one)."""
    tickets = Ticket.objects.filter(dm_channel_id__isnull=False).filter(
        status=Ticket.Status.OPEN
    ) | Ticket.objects.filter(dm_channel_id__isnull=False, closed_at__gte=now() - RECENT)
    latest: dict[int, Ticket] = {}
    for ticket in tickets.order_by("created_at"):
        latest[ticket.user_id] = ticket
    last_ids = dict(
        TicketMessage.objects.filter(
            author_id__in=list(latest), kind=TicketMessage.Kind.USER, dm_message_id__isnull=False
        )
        .values("author_id")
        .annotate(last=Max("dm_message_id"))
        .values_list("author_id", "last")
    )
    return [
        RecoverySource(t.user_id, t.user_name, t.dm_channel_id, last_ids.get(t.user_id))
        for t in latest.values()
    ]


def recover(*, port: DiscordPort | None = None) -> int:
    """Fetch every DM newer than the last stored one and relay it; post "N message(s) recovered" in
    each ticket that got some. Returns the total."""
    port = port_or_default(port)
    cfg = config()
    total = 0
    for source in recovery_sources():
        after = source.after
        recovered_here = 0
        ticket = None
        while True:
            try:
                batch = port.history(source.dm_channel_id, after=after, limit=100)
            except DiscordError as error:
                log.warning("Recovery could not read DMs of %s: %s", source.user_id, error)
                break
            for remote in batch:
                after = remote.id
                if remote.author_id != source.user_id:
                    continue
                result = user_message_relay(
                    user_id=source.user_id,
                    user_name=remote.author_name or source.user_name,
                    dm_message_id=remote.id,
                    dm_channel_id=source.dm_channel_id,
                    content=remote.content,
                    attachments=[
                        IncomingAttachment(
                            filename=a.get("filename", "file"),
                            size=int(a.get("size", 0)),
                            content_type=a.get("content_type", "") or "",
                            url=a.get("url", ""),
                            discord_id=int(a["id"]) if a.get("id") else None,
                        )
                        for a in remote.attachments
                    ],
                    created_at=remote.created_at,
                    recovered=True,
                    port=port,
                )
                if result.outcome in (Relay.RELAYED, Relay.OPENED):
                    recovered_here += 1
                    ticket = result.ticket
            if len(batch) < 100:
                break
        if recovered_here and ticket and ticket.channel_id:
            with bot_language(cfg):
                text = _("%(n)s message(s) recovered.") % {"n": recovered_here}
                port.send(ticket.channel_id, rendering.system(cfg, text))
        total += recovered_here
    state = SystemState.load()
    state.last_recovery_at = now()
    state.save(update_fields=["last_recovery_at"])
    return total
