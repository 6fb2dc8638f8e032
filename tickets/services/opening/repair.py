"""Tickets left without a channel: created again, or cancelled when nothing was said."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from tickets import events, selectors
from tickets.discord import DiscordError, DiscordPort
from tickets.errors import DomainError
from tickets.models import BotConfig, Ticket, TicketMessage

from .._common import config, log, now, port_or_default
from ._base import Relay, RelayResult
from .channels import ensure_channel
from .delivery import _deliver_user_message

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
