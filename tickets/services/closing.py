"""Closing tickets: now, silently, on a schedule, by force, or because the user left."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tickets import events, rendering, transcripts
from tickets.discord import DiscordError, DiscordPort, OutgoingFile, OutgoingMessage
from tickets.discord.port import CANNOT_DM, DEFAULT_UPLOAD_LIMIT, UNKNOWN_CHANNEL, UNKNOWN_USER
from tickets.errors import Conflict, InvalidInput, NotFound, TicketClosed
from tickets.links import panel_base_url, panel_ticket_url
from tickets.models import (
    BotConfig,
    PendingCategorySelection,
    Reminder,
    ScheduledClosure,
    StaffAlert,
    Ticket,
)

from ._common import bot_language, community_guild_id, config, log, now, port_or_default
from ._jobs import claimable, job_claim, job_run_claimed, jobs_run_due, retry_delay

_DURATION = re.compile(r"^(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?$")
MAX_DELAY = timedelta(days=365)
USER_LEFT = "user_left_server"
# The steps of a close, recorded on its closure job so that a retry does not repeat them.
STEP_CLOSED, STEP_DM, STEP_CHANNEL, STEP_LOG = "closed", "dm", "channel", "log"


def parse_duration(text: str) -> timedelta:
    """``30m``, ``2h``, ``1d``, ``1d12h``, ``90s`` or bare seconds (``3600``); positive, a year at most."""
    value = (text or "").strip().lower()
    if value.isascii() and value.isdigit():
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
    """Close the ticket: mark it closed (once: its row is locked, then checked open), cancel what
    was pending on it, then tell the user (unless silent), remove the channel and post the log.

    When Discord fails after the ticket was marked closed, a closure job takes over what is left
    (the worker retries it with backoff), so the channel is never left behind."""
    port = port_or_default(port)
    cfg = config()
    with transaction.atomic():
        if not _mark_closed(closing={ticket.pk: (silent, None)}, closed_by=closed_by):
            raise TicketClosed()
    ticket.refresh_from_db()
    done = {STEP_CLOSED}
    try:
        _close_on_discord(ticket=ticket, cfg=cfg, port=port, done=done)
    except DiscordError as error:
        _finish_close_later(ticket=ticket, done=done, error=error)
    return ticket


def _mark_closed(
    *,
    closing: dict[uuid.UUID, tuple[bool, datetime | None]],
    closed_by: str,
    keep: Iterable[int] = (),
) -> dict[uuid.UUID, datetime]:
    """The database half of closing tickets (call it in a transaction): ``closing`` maps each ticket
    to (silent, quiet_since). An open ticket is closed unless the user wrote after its quiet_since;
    then every pending close on it (but those in ``keep``), reminder and alert is cancelled. The rows
    are locked first, so a concurrent close or user message waits. Returns the tickets closed, with
    the time."""
    stamp = now()
    rows = (
        Ticket.objects.select_for_update()
        .filter(pk__in=list(closing), status=Ticket.Status.OPEN)
        .values_list("pk", "last_user_message_at")
    )
    closed = [
        pk
        for pk, wrote_at in rows
        if closing[pk][1] is None or wrote_at is None or wrote_at <= closing[pk][1]
    ]
    if not closed:
        return {}
    for silent in (False, True):
        group = [pk for pk in closed if closing[pk][0] == silent]
        if group:
            Ticket.objects.filter(pk__in=group).update(
                status=Ticket.Status.CLOSED,
                closed_at=stamp,
                closed_by=str(closed_by)[:32],
                close_silently=silent,
            )
    ScheduledClosure.objects.filter(ticket_id__in=closed, state=ScheduledClosure.State.PENDING).exclude(
        pk__in=list(keep)
    ).update(state=ScheduledClosure.State.CANCELLED, finished_at=stamp)
    Reminder.objects.filter(ticket_id__in=closed, state=Reminder.State.PENDING).update(
        state=Reminder.State.CANCELLED, finished_at=stamp
    )
    StaffAlert.objects.filter(ticket_id__in=closed, fired_at__isnull=True).delete()
    events.publish_for_tickets(
        events.EventType.TICKET_CLOSED,
        Ticket.objects.filter(pk__in=closed).values_list("pk", "category_id"),
        data={"closed_by": str(closed_by)[:32]},
    )
    return dict.fromkeys(closed, stamp)


def _refused_for_good(error: DiscordError) -> bool:
    """A 4xx other than a rate limit: trying again would get the same answer."""
    return 400 <= error.status < 500 and error.status != 429


def _close_on_discord(
    *,
    ticket: Ticket,
    cfg: BotConfig,
    port: DiscordPort,
    done: set[str],
    record: Callable[[set[str]], None] | None = None,
) -> None:
    """Discord's half of a close, from the closed ticket's row, each step once: the close message
    (nonce), the channel's removal (an unknown channel is removed), the log (nonce). Steps already in
    ``done`` are skipped; ``record`` saves progress after the message, the one step Discord could
    repeat visibly. Raises ``DiscordError`` when a step should be tried again later."""
    with bot_language(cfg):
        if STEP_DM not in done:
            if not ticket.close_silently and not ticket.user_left and cfg.bot_close_message:
                _send_close_message(ticket=ticket, cfg=cfg, port=port)
            done.add(STEP_DM)
            if record:
                record(done)
        if STEP_CHANNEL not in done:
            if ticket.channel_id:
                try:
                    port.delete_channel(ticket.channel_id)
                except DiscordError as error:
                    if error.code != UNKNOWN_CHANNEL:
                        raise
            done.add(STEP_CHANNEL)
        if STEP_LOG not in done:
            if cfg.bot_enable_rustmail_logs and cfg.bot_logs_channel_id:
                _post_close_log(ticket=ticket, cfg=cfg, port=port)
            done.add(STEP_LOG)


def _send_close_message(*, ticket: Ticket, cfg: BotConfig, port: DiscordPort) -> None:
    """The close message to the user, in the DM channel the ticket knows (one request fewer)."""
    message = rendering.system(cfg, cfg.bot_close_message, nonce=f"x{ticket.pk.hex[:20]}")
    try:
        channel_id = ticket.dm_channel_id or port.open_dm(ticket.user_id)
        port.send(channel_id, message)
    except DiscordError as error:
        if error.code in (CANNOT_DM, UNKNOWN_USER):
            log.info("Cannot DM user %s the close message: %s", ticket.user_id, error)
        elif _refused_for_good(error):
            log.warning("Discord refused the close message of ticket %s: %s", ticket.pk, error)
        else:
            raise


def _post_close_log(*, ticket: Ticket, cfg: BotConfig, port: DiscordPort) -> None:
    text = _("Ticket with <@%(user)s> (%(name)s) closed by %(by)s: %(count)s message(s).") % {
        "user": ticket.user_id,
        "name": ticket.user_name,
        "by": _closer(ticket.closed_by or ""),
        "count": ticket.messages.count(),
    }
    text, files = _with_transcript(ticket=ticket, cfg=cfg, port=port, text=text)
    message = rendering.system(cfg, text, title=_("Ticket closed"), nonce=f"l{ticket.pk.hex[:20]}")
    message.files = files
    try:
        port.send(cfg.bot_logs_channel_id, message)
    except DiscordError as error:
        if not _refused_for_good(error):
            raise
        log.warning("Could not post the close log of ticket %s: %s", ticket.pk, error)


def _with_transcript(
    *, ticket: Ticket, cfg: BotConfig, port: DiscordPort, text: str
) -> tuple[str, list[OutgoingFile]]:
    """The close log's text with a link to the panel's ticket page, and the HTML transcript as a
    file when it fits the log channel's upload limit (otherwise the text says so)."""
    url = panel_ticket_url(cfg, ticket.pk)
    base_url = panel_base_url(cfg)
    try:
        limit = port.upload_limit(cfg.bot_logs_channel_id)
    except DiscordError as error:
        log.info("Upload limit of the log channel unknown (%s): assuming Discord's default", error)
        limit = DEFAULT_UPLOAD_LIMIT
    data = transcripts.transcript_bytes(ticket, "html", base_url=base_url, limit=limit)
    files = []
    if data is None:
        text += "\n" + _("The transcript is over Discord's upload limit: read it in the panel.")
    else:
        name = transcripts.transcript_filename(ticket, "html")
        files.append(OutgoingFile(name=name, data=data, content_type="text/html"))
    if url:
        text += "\n" + _("[Open the ticket in the panel](%(url)s)") % {"url": url}
    return text, files


def _finish_close_later(*, ticket: Ticket, done: set[str], error: DiscordError) -> None:
    """Discord failed in the middle of a close: leave the rest to a closure job the worker retries."""
    log.warning("Discord failed while closing ticket %s (%s): the worker will finish it", ticket.pk, error)
    closer = ticket.closed_by or ""
    try:
        with transaction.atomic():
            ScheduledClosure.objects.create(
                ticket=ticket,
                due_at=now() + retry_delay(1),
                attempts=1,
                last_error=f"{type(error).__name__}: {error}"[:2000],
                steps=sorted(done),
                silent=ticket.close_silently,
                scheduled_by=int(closer) if closer.isdigit() else 0,
            )
    except IntegrityError:
        log.info("Ticket %s already has a closure job pending", ticket.pk)


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
                events.publish(
                    events.EventType.TICKET_UPDATED,
                    ticket=ticket,
                    data={"change": "close_scheduled", "due_at": closure.due_at},
                )
            return CloseScheduled(closure, previous)
        except IntegrityError:
            continue
    raise Conflict(_("Another close was being scheduled at the same time: try again."))


def close_cancel(*, ticket: Ticket) -> ScheduledClosure:
    """Cancel the pending scheduled close (not one that already closed the ticket and is finishing)."""
    closure = ScheduledClosure.objects.filter(ticket=ticket, state=ScheduledClosure.State.PENDING).first()
    if closure is None or STEP_CLOSED in closure.steps:
        raise NotFound(_("No close is scheduled for this ticket."))
    if not ScheduledClosure.objects.filter(pk=closure.pk, state=ScheduledClosure.State.PENDING).update(
        state=ScheduledClosure.State.CANCELLED, finished_at=now()
    ):
        raise NotFound(_("No close is scheduled for this ticket."))
    events.publish(events.EventType.TICKET_UPDATED, ticket=ticket, data={"change": "close_cancelled"})
    return closure


def closure_run(*, closure_id: int, port: DiscordPort | None = None) -> str:
    """Carry out one due scheduled close, exactly once: claimed by a conditional update; skipped if it
    was cancelled or the user wrote since it was planned. A Discord failure is recorded and raised,
    and the close is tried again after a backoff (steps already done are not repeated). Returns the
    closure's final state."""
    if not job_claim(ScheduledClosure, closure_id):
        return ScheduledClosure.objects.get(pk=closure_id).state
    closure = ScheduledClosure.objects.select_related("ticket").get(pk=closure_id)
    return job_run_claimed(
        ScheduledClosure,
        closure,
        _closure_runner(port=port_or_default(port), cfg=config()),
        prepare=_closures_mark_closed,
    )


def closures_run_due(
    *,
    at: datetime | None = None,
    port: DiscordPort | None = None,
    threads: int = 1,
    should_stop: Callable[[], bool] | None = None,
) -> dict[str, int]:
    """Carry out every scheduled close due at ``at`` (default: now) on ``threads`` threads, each close
    claimed once (see ``closure_run``); the database half of a batch of closes is one transaction.
    Returns how many ended in each state."""
    return jobs_run_due(
        model=ScheduledClosure,
        prepare=_closures_mark_closed,
        run=_closure_runner(port=port_or_default(port), cfg=config()),
        at=at,
        threads=threads,
        related=("ticket",),
        should_stop=should_stop,
    )


def _closures_mark_closed(closures: list[ScheduledClosure]) -> None:
    """Close the tickets of claimed closures that have not done so yet (one transaction), and record
    it on each closure; a closure whose ticket stays open (closed meanwhile, or the user wrote since
    it was planned) keeps no ``closed`` step and is skipped."""
    owners: dict[uuid.UUID, ScheduledClosure] = {}
    for closure in closures:
        if STEP_CLOSED not in closure.steps:
            owners.setdefault(closure.ticket_id, closure)  # one closure per ticket does the close
    if not owners:
        return
    with transaction.atomic():
        closed = _mark_closed(
            closing={ticket_id: (c.silent, c.created_at) for ticket_id, c in owners.items()},
            closed_by="scheduled",
            keep=[c.pk for c in closures],
        )
        done = [c for ticket_id, c in owners.items() if ticket_id in closed]
        ScheduledClosure.objects.filter(pk__in=[c.pk for c in done]).update(steps=[STEP_CLOSED])
    for closure in done:
        closure.steps = [STEP_CLOSED]
        ticket = closure.ticket
        ticket.status, ticket.closed_at = Ticket.Status.CLOSED, closed[ticket.pk]
        ticket.closed_by, ticket.close_silently = "scheduled", closure.silent


def _closure_runner(*, port: DiscordPort, cfg: BotConfig) -> Callable[[ScheduledClosure], str]:
    """Discord's half of a claimed closure, after ``_closures_mark_closed``."""

    def run(closure: ScheduledClosure) -> str:
        if STEP_CLOSED not in closure.steps:
            return ScheduledClosure.State.SKIPPED

        def record(steps: set[str]) -> None:
            ScheduledClosure.objects.filter(pk=closure.pk).update(steps=sorted(steps))

        _close_on_discord(ticket=closure.ticket, cfg=cfg, port=port, done=set(closure.steps), record=record)
        return ScheduledClosure.State.DONE

    return run


def ticket_force_close(*, ticket: Ticket, staff_id: int, port: DiscordPort | None = None) -> Ticket:
    """Close an orphaned ticket (the user left): silently, whatever its state on Discord. Refused
    while the user is still in the community guild (``close`` is for them, as in Rustmail)."""
    port = port_or_default(port)
    if not ticket.user_left:
        if port.get_member(community_guild_id(config()), ticket.user_id) is not None:
            raise Conflict(_("The user is still in the server: use close instead."))
        # They left while nobody saw it (the bot was down): record it like ``user_left`` would.
        Ticket.objects.filter(pk=ticket.pk).update(user_left=True)
        ticket.user_left = True
    return ticket_close(ticket=ticket, closed_by=str(staff_id), silent=True, port=port)


def channel_force_close(*, channel_id: int, staff_id: int, port: DiscordPort | None = None) -> Ticket | None:
    """``force_close`` typed in a channel: an open ticket's is closed as orphaned
    (``ticket_force_close``); a channel left behind without an open ticket (a closed ticket's, or
    any channel in the inbox category but the logs) is deleted, as Rustmail does. Returns the closed
    ticket, or None when a leftover channel was deleted."""
    port = port_or_default(port)
    ticket = Ticket.objects.filter(channel_id=channel_id, status=Ticket.Status.OPEN).first()
    if ticket is not None:
        return ticket_force_close(ticket=ticket, staff_id=staff_id, port=port)
    cfg = config()
    leftover = Ticket.objects.filter(channel_id=channel_id).exists()
    if not leftover and channel_id != cfg.bot_logs_channel_id and cfg.thread_inbox_category_id:
        parent = port.get_channel(channel_id).get("parent_id")
        leftover = parent is not None and int(parent) == cfg.thread_inbox_category_id
    if not leftover:
        raise NotFound(_("This channel is not a ticket channel."))
    try:
        port.delete_channel(channel_id)
    except DiscordError as error:
        if error.code != UNKNOWN_CHANNEL:
            raise
    return None


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
    events.publish(events.EventType.TICKET_UPDATED, ticket=ticket, data={"change": "user_left"})
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


def user_returned(*, user_id: int, port: DiscordPort | None = None) -> Ticket | None:
    """The user joined the community guild again: their open ticket is no longer orphaned (replies
    reach them again), and staff are told in the channel; the Keep/Close buttons go."""
    ticket = Ticket.objects.filter(user_id=user_id, status=Ticket.Status.OPEN, user_left=True).first()
    if ticket is None or not Ticket.objects.filter(pk=ticket.pk, user_left=True).update(
        user_left=False, leave_notice_message_id=None
    ):
        return None
    events.publish(events.EventType.TICKET_UPDATED, ticket=ticket, data={"change": "user_returned"})
    port = port_or_default(port)
    cfg = config()
    if ticket.channel_id:
        with bot_language(cfg):
            if ticket.leave_notice_message_id:
                notice = rendering.system(cfg, _("The user left the server, and came back."))
                try:
                    port.edit(ticket.channel_id, ticket.leave_notice_message_id, notice)
                except DiscordError as error:
                    log.info("Could not update the leave notice of ticket %s: %s", ticket.pk, error)
            try:
                port.send(ticket.channel_id, rendering.system(cfg, _("The user is back in the server.")))
            except DiscordError as error:
                log.info("Could not tell ticket %s that its user is back: %s", ticket.pk, error)
    ticket.user_left = False
    return ticket


def due_closures(*, at: datetime | None = None) -> list[int]:
    """IDs of scheduled closes a worker may run now: due, or left running by a worker that died."""
    return list(
        ScheduledClosure.objects.filter(claimable(at or now()))
        .order_by("due_at")
        .values_list("pk", flat=True)
    )
