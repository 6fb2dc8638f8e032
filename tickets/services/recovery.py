"""Recovery: relay, in order and exactly once, the DMs users sent while the bot was away.

Two kinds of DM are missing after an outage: those the bot never saw (read back from the DM
channel's history), and those it stored but whose channel copy was never sent (the process died
between the two). Reading starts just before the oldest of the latter, so both are completed in
the order the user sent them; what is already relayed is recognised by its DM ID and skipped, and
so is what was refused (the user was told it was not delivered: see ``refusals``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Max, Min
from django.utils.translation import gettext as _

from tickets import rendering
from tickets.discord import DiscordError, DiscordPort, RemoteMessage
from tickets.errors import DomainError
from tickets.models import RefusedMessage, SystemState, Ticket, TicketMessage

from ._common import bot_language, config, log, now, port_or_default
from .opening import IncomingAttachment, Relay, RelayResult, user_message_relay

RECENT = timedelta(days=30)


@dataclass(frozen=True)
class RecoverySource:
    """A DM channel to read, and where to start: after ``after`` (None: from the beginning)."""

    user_id: int
    user_name: str
    dm_channel_id: int
    after: int | None


def recovery_sources() -> list[RecoverySource]:
    """DM channels of open tickets and of recently closed ones (a DM sent while away opens a new one).

    Each is read after the newest DM of the user that was stored or refused, or, when an open ticket
    holds DMs whose channel copy is missing, from just before the oldest of those."""
    tickets = Ticket.objects.filter(dm_channel_id__isnull=False).filter(
        status=Ticket.Status.OPEN
    ) | Ticket.objects.filter(dm_channel_id__isnull=False, closed_at__gte=now() - RECENT)
    latest: dict[int, Ticket] = {}
    for ticket in tickets.order_by("created_at"):
        latest[ticket.user_id] = ticket
    user_dms = TicketMessage.objects.filter(
        author_id__in=list(latest), kind=TicketMessage.Kind.USER, dm_message_id__isnull=False
    )
    last_ids = dict(
        user_dms.values("author_id").annotate(last=Max("dm_message_id")).values_list("author_id", "last")
    )
    refused = (
        RefusedMessage.objects.filter(user_id__in=list(latest))
        .values("user_id")
        .annotate(last=Max("dm_message_id"))
        .values_list("user_id", "last")
    )
    for user_id, last in refused:
        last_ids[user_id] = max(last, last_ids.get(user_id) or 0)
    # Only an open ticket's channel can still take the copy; a closed one's is archived or gone.
    open_ids = [t.pk for t in latest.values() if t.status == Ticket.Status.OPEN]
    first_undelivered = dict(
        user_dms.filter(ticket_id__in=open_ids, inbox_message_id__isnull=True)
        .values("author_id")
        .annotate(first=Min("dm_message_id"))
        .values_list("author_id", "first")
    )
    sources = []
    for ticket in latest.values():
        undelivered = first_undelivered.get(ticket.user_id)
        after = undelivered - 1 if undelivered is not None else last_ids.get(ticket.user_id)
        sources.append(RecoverySource(ticket.user_id, ticket.user_name, ticket.dm_channel_id, after))
    return sources


def recover(*, port: DiscordPort | None = None) -> int:
    """Relay every DM the bot missed (never seen, or stored without its channel copy), in order and
    exactly once; post "N message(s) recovered" in each ticket that got some. Returns the total.

    A DM that cannot be relayed now (Discord refused) is logged and left for the next recovery; the
    user's later DMs still go through."""
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
                try:
                    result = _relay_remote(source, remote, port)
                except (DiscordError, DomainError) as error:
                    log.warning("Recovery could not relay DM %s of %s: %s", remote.id, source.user_id, error)
                    continue
                if result.outcome in (Relay.RELAYED, Relay.OPENED):
                    recovered_here += 1
                    ticket = result.ticket
            if len(batch) < 100:
                break
        if recovered_here and ticket and ticket.channel_id:
            with bot_language(cfg):
                text = _("%(n)s message(s) recovered.") % {"n": recovered_here}
                try:
                    port.send(ticket.channel_id, rendering.system(cfg, text))
                except DiscordError as error:
                    log.warning("Recovery summary not posted in %s: %s", ticket.channel_id, error)
        total += recovered_here
    state = SystemState.load()
    state.last_recovery_at = now()
    state.save(update_fields=["last_recovery_at"])
    return total


def _relay_remote(source: RecoverySource, remote: RemoteMessage, port: DiscordPort) -> RelayResult:
    return user_message_relay(
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
