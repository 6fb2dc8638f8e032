"""Storing a user's DM in their open ticket, then copying it into the ticket's channel (exactly once)."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tickets import events, rendering
from tickets.discord import DiscordError, DiscordPort, courtesy
from tickets.errors import DomainError
from tickets.models import Attachment, BotConfig, ScheduledClosure, StaffAlert, Ticket, TicketMessage

from .._common import bot_language, log, now, port_or_default
from .._relay_state import insert_user_message, message_copied, ticket_user_wrote
from ..attachments import relay_files
from ._base import IncomingAttachment, Relay, RelayResult, _send_dm
from .channels import _open_ticket_row, ensure_channel


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
            _confirm(port, earlier)  # it may bear a ⚠️ (not delivered yet): the ✅ says it now is
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


def user_message_confirm(*, dm_channel_id: int, dm_message_id: int, port: DiscordPort | None = None) -> None:
    """React ✅ on a user's DM that was relayed (``user_message_relay(confirm=False)``), as a
    courtesy: the request waits until the Discord budget is not needed for anything else."""
    port = port_or_default(port)
    with courtesy():
        try:
            port.react(dm_channel_id, dm_message_id, "✅")
        except DiscordError as error:
            log.info("Could not react to DM %s: %s", dm_message_id, error)


def _confirm(port: DiscordPort, message: TicketMessage, dm_channel_id: int | None = None) -> None:
    """React ✅ on the user's DM: it reached the staff."""
    channel_id = dm_channel_id or message.dm_channel_id
    if not (channel_id and message.dm_message_id):
        return
    try:
        port.react(channel_id, message.dm_message_id, "✅")
    except DiscordError as error:
        log.info("Could not react to DM %s: %s", message.dm_message_id, error)
