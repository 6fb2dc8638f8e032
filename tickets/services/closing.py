"""Closing tickets: now, silently, on a schedule, by force, or because the user left."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tickets import rendering
from tickets.discord import DiscordError, DiscordPort, OutgoingMessage
from tickets.discord.port import UNKNOWN_CHANNEL
from tickets.errors import Conflict, InvalidInput, NotFound, TicketClosed
from tickets.models import PendingCategorySelection, Reminder, ScheduledClosure, StaffAlert, Ticket

from ._common import bot_language, config, log, now, port_or_default
from .opening import _send_dm

_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
MAX_DELAY = timedelta(days=365)
USER_LEFT = "user_left_server"


def parse_duration(text: str) -> timedelta:
    """``30m``, ``2h``, ``1d``, ``1d12h``, ``90s`` or bare seconds (``3600``); positive, a year at most."""
    value = (text or "").strip().lower()
    if value.isdigit():
        delay = timedelta(seconds=int(value))
    else:
        match = _DURATION.match(value)
        if not value or not match or not any(match.groups()):
            raise InvalidInput(
                _("%(text)s is not a duration (use 30m, 2h, 1d, 1d12h or seconds).") % {"text": text}
            )
        days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
        delay = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    if delay <= timedelta(0):
        raise InvalidInput(_("The duration must be more than zero."))
    if delay > MAX_DELAY:
        raise InvalidInput(_("The duration must be a year or less."))
    return delay


def ticket_close(
    *, ticket: Ticket, closed_by: str, silent: bool = False, port: DiscordPort | None = None
) -> Ticket:
    """Close the ticket: mark it closed (once: a conditional update), cancel what was pending on it,
    then tell the user (unless silent), remove the channel and post the log if configured."""
    port = port_or_default(port)
    cfg = config()
    stamp = now()
    with transaction.atomic():
        closed = Ticket.objects.filter(pk=ticket.pk, status=Ticket.Status.OPEN).update(
            status=Ticket.Status.CLOSED, closed_at=stamp, closed_by=str(closed_by)[:32], close_silently=silent
        )
        if not closed:
            raise TicketClosed()
        ScheduledClosure.objects.filter(ticket=ticket, state=ScheduledClosure.State.PENDING).update(
            state=ScheduledClosure.State.CANCELLED, finished_at=stamp
        )
        Reminder.objects.filter(ticket=ticket, state=Reminder.State.PENDING).update(
            state=Reminder.State.CANCELLED, finished_at=stamp
        )
        StaffAlert.objects.filter(ticket=ticket, fired_at__isnull=True).delete()
    ticket.refresh_from_db()
    with bot_language(cfg):
        if not silent and not ticket.user_left and cfg.bot_close_message:
            _send_dm(
                port,
                ticket.user_id,
                rendering.system(cfg, cfg.bot_close_message, nonce=f"x{ticket.pk.hex[:20]}"),
            )
        if ticket.channel_id:
            try:
                port.delete_channel(ticket.channel_id)
            except DiscordError as error:
                if error.code != UNKNOWN_CHANNEL:
                    log.warning(
                        "Could not delete channel %s of ticket %s: %s", ticket.channel_id, ticket.pk, error
                    )
        if cfg.bot_enable_rustmail_logs and cfg.bot_logs_channel_id:
            count = ticket.messages.count()
            text = _("Ticket with <@%(user)s> (%(name)s) closed by %(by)s: %(count)s message(s).") % {
                "user": ticket.user_id,
                "name": ticket.user_name,
                "by": _closer(closed_by),
                "count": count,
            }
            try:
                port.send(cfg.bot_logs_channel_id, rendering.system(cfg, text, title=_("Ticket closed")))
            except DiscordError as error:
                log.warning("Could not post the close log: %s", error)
    return ticket


def _closer(closed_by: str) -> str:
    if str(closed_by).isdigit():
        return f"<@{closed_by}>"
    return {USER_LEFT: _("the user leaving"), "scheduled": _("schedule"), "api": _("the API")}.get(
        closed_by, closed_by
    )


@dataclass(frozen=True)
class CloseScheduled:
    closure: ScheduledClosure
    replaced: ScheduledClosure | None


def close_schedule(*, ticket: Ticket, delay: str, staff_id: int, silent: bool = False) -> CloseScheduled:
    """Plan a close after ``delay``; a new plan replaces the pending one (and says so)."""
    span = parse_duration(delay)
    ticket.refresh_from_db()
    if not ticket.is_open:
        raise TicketClosed()
    for _attempt in range(3):
        try:
            with transaction.atomic():
                previous = (
                    ScheduledClosure.objects.select_for_update()
                    .filter(ticket=ticket, state=ScheduledClosure.State.PENDING)
                    .first()
                )
                if previous:
                    previous.state = ScheduledClosure.State.CANCELLED
                    previous.finished_at = now()
                    previous.save(update_fields=["state", "finished_at"])
                closure = ScheduledClosure.objects.create(
                    ticket=ticket, due_at=now() + span, silent=silent, scheduled_by=staff_id
                )
            return CloseScheduled(closure, previous)
        except IntegrityError:
            continue
    raise Conflict(_("Another close was being scheduled at the same time: try again."))


def close_cancel(*, ticket: Ticket) -> ScheduledClosure:
    """Cancel the pending scheduled close."""
    closure = ScheduledClosure.objects.filter(ticket=ticket, state=ScheduledClosure.State.PENDING).first()
    if closure is None or not ScheduledClosure.objects.filter(
        pk=closure.pk, state=ScheduledClosure.State.PENDING
    ).update(state=ScheduledClosure.State.CANCELLED, finished_at=now()):
        raise NotFound(_("No close is scheduled for this ticket."))
    return closure


def closure_run(*, closure_id: int, port: DiscordPort | None = None) -> str:
    """Carry out one due scheduled close, exactly once: claimed by a conditional update; skipped if it
    was cancelled or the user wrote since it was planned. Returns the closure's final state."""
    stamp = now()
    claimed = ScheduledClosure.objects.filter(
        pk=closure_id, state=ScheduledClosure.State.PENDING, due_at__lte=stamp
    ).update(state=ScheduledClosure.State.RUNNING, claimed_at=stamp)
    closure = ScheduledClosure.objects.select_related("ticket").get(pk=closure_id)
    if not claimed:
        return closure.state
    ticket = closure.ticket
    wrote_since = ticket.last_user_message_at and ticket.last_user_message_at > closure.created_at
    if not ticket.is_open or wrote_since:
        final = ScheduledClosure.State.SKIPPED
    else:
        try:
            ticket_close(ticket=ticket, closed_by="scheduled", silent=closure.silent, port=port)
            final = ScheduledClosure.State.DONE
        except TicketClosed:
            final = ScheduledClosure.State.SKIPPED
        except Exception as error:
            ScheduledClosure.objects.filter(pk=closure_id).update(
                state=ScheduledClosure.State.PENDING,
                attempts=closure.attempts + 1,
                last_error=str(error)[:2000],
            )
            raise
    ScheduledClosure.objects.filter(pk=closure_id).update(
        state=final, finished_at=now(), attempts=closure.attempts + 1
    )
    return final


def ticket_force_close(*, ticket: Ticket, staff_id: int, port: DiscordPort | None = None) -> Ticket:
    """Close an orphaned ticket (the user left): silently, whatever its state on Discord."""
    return ticket_close(ticket=ticket, closed_by=str(staff_id), silent=True, port=port)


def user_left(*, user_id: int, port: DiscordPort | None = None) -> Ticket | None:
    """The user left the community guild: close their ticket when ``close_on_leave``, otherwise mark
    it and post a notice with Keep/Close buttons. Pending category prompts are dropped."""
    port = port_or_default(port)
    cfg = config()
    PendingCategorySelection.objects.filter(
        user_id=user_id, state=PendingCategorySelection.State.PENDING
    ).update(state=PendingCategorySelection.State.CANCELLED, finished_at=now())
    ticket = Ticket.objects.filter(user_id=user_id, status=Ticket.Status.OPEN).first()
    if ticket is None:
        return None
    if not Ticket.objects.filter(pk=ticket.pk, user_left=False).update(user_left=True):
        return ticket
    ticket.user_left = True
    if cfg.thread_close_on_leave:
        try:
            return ticket_close(ticket=ticket, closed_by=USER_LEFT, silent=True, port=port)
        except TicketClosed:
            return ticket
    if ticket.channel_id:
        with bot_language(cfg):
            notice = rendering.system(cfg, _("The user left the server. Keep the ticket open or close it?"))
            notice = OutgoingMessage(
                content=notice.content,
                embeds=notice.embeds,
                components=[
                    {
                        "type": 1,
                        "components": [
                            {
                                "type": 2,
                                "style": 2,
                                "label": _("Keep"),
                                "custom_id": f"leave:keep:{ticket.pk}",
                            },
                            {
                                "type": 2,
                                "style": 4,
                                "label": _("Close"),
                                "custom_id": f"leave:close:{ticket.pk}",
                            },
                        ],
                    }
                ],
            )
            sent = port.send(ticket.channel_id, notice)
        Ticket.objects.filter(pk=ticket.pk).update(leave_notice_message_id=sent.id)
    return ticket


def due_closures(*, at: datetime | None = None) -> list[int]:
    """IDs of scheduled closes that are due."""
    return list(
        ScheduledClosure.objects.filter(state=ScheduledClosure.State.PENDING, due_at__lte=at or now())
        .order_by("due_at")
        .values_list("pk", flat=True)
    )
