"""Alerts (a one-shot ping on the user's next message) and reminders (a ping at a time)."""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tickets import rendering
from tickets.discord import DiscordPort
from tickets.errors import Conflict, InvalidInput, NotFound, PermissionDenied, TicketClosed
from tickets.models import BotConfig, GuildMember, Reminder, ReminderOptOut, StaffAlert, Ticket

from ._common import bot_language, config, now, port_or_default
from ._jobs import claimable, job_claim, job_run_claimed, jobs_run_due
from .closing import parse_duration

_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def alert_set(*, ticket: Ticket, staff_id: int) -> StaffAlert:
    """Ping ``staff_id`` on the user's next message (once)."""
    ticket.refresh_from_db()
    if not ticket.is_open:
        raise TicketClosed()
    try:
        with transaction.atomic():
            return StaffAlert.objects.create(ticket=ticket, staff_id=staff_id)
    except IntegrityError:
        raise Conflict(_("You already have an alert on this ticket.")) from None


def alert_cancel(*, ticket: Ticket, staff_id: int) -> None:
    deleted, _n = StaffAlert.objects.filter(ticket=ticket, staff_id=staff_id, fired_at__isnull=True).delete()
    if not deleted:
        raise NotFound(_("You have no alert on this ticket."))


def reminder_due_time(*, when: str, at: datetime | None = None, tz: str | None = None) -> datetime:
    """``HH:MM`` in the bot's time zone (tomorrow if already past today) or a duration (``2h``)."""
    at = at or now()
    match = _CLOCK.match(when.strip())
    if not match:
        return at + parse_duration(when)
    zone = zoneinfo.ZoneInfo(tz or config().bot_timezone or "UTC")
    local = at.astimezone(zone)
    target = local.replace(hour=int(match.group(1)), minute=int(match.group(2)), second=0, microsecond=0)
    if target <= local:
        target += timedelta(days=1)
    return target


def reminder_add(
    *, ticket: Ticket, staff_id: int, when: str, content: str, role_ids: list[int] | None = None
) -> Reminder:
    """Plan a reminder in the ticket channel, pinging its author and the members of ``role_ids``."""
    ticket.refresh_from_db()
    if not ticket.is_open or not ticket.channel_id:
        raise TicketClosed()
    content = content.strip()
    if not content:
        raise InvalidInput(_("A reminder needs a text."))
    if len(content) > 1800:
        raise InvalidInput(_("A reminder is limited to 1800 characters."))
    if ticket.guild_id and ticket.guild_id in {int(r) for r in role_ids or []}:
        raise InvalidInput(_("A reminder cannot ping @everyone."))
    return Reminder.objects.create(
        ticket=ticket,
        channel_id=ticket.channel_id,
        created_by=staff_id,
        content=content,
        role_ids=[int(r) for r in role_ids or []],
        due_at=reminder_due_time(when=when),
    )


def reminder_remove(*, reminder_id: int, staff_id: int | None = None) -> Reminder:
    """Cancel a pending reminder."""
    query = Reminder.objects.filter(pk=reminder_id, state=Reminder.State.PENDING)
    reminder = query.first()
    if reminder is None or not query.update(state=Reminder.State.CANCELLED, finished_at=now()):
        raise NotFound(_("There is no pending reminder #%(id)s.") % {"id": reminder_id})
    return reminder


def reminder_optout_toggle(*, role_id: int, user_id: int) -> bool:
    """Stop (or resume) pings for reminders addressed to ``role_id``. Returns True when opted out."""
    deleted, _n = ReminderOptOut.objects.filter(role_id=role_id, user_id=user_id).delete()
    if deleted:
        return False
    ReminderOptOut.objects.get_or_create(role_id=role_id, user_id=user_id)
    return True


def reminder_subscription_set(
    *, role_id: int, user_id: int, member_role_ids: Iterable[int], subscribe: bool
) -> None:
    """Subscribe to (or unsubscribe from) the reminders addressed to one of one's roles, as
    Rustmail's ``remind subscribe|unsubscribe <role>``: everyone with the role is subscribed until
    they unsubscribe. The opt-outs are the one record of it (``reminder_optout`` toggles the same)."""
    role = f"<@&{role_id}>"
    if int(role_id) not in {int(r) for r in member_role_ids}:
        raise PermissionDenied(
            _("You must have the %(role)s role to change your subscription.") % {"role": role}
        )
    optouts = ReminderOptOut.objects.filter(role_id=role_id, user_id=user_id)
    if subscribe:
        deleted, _n = optouts.delete()
        if not deleted:
            raise Conflict(_("You are already subscribed to reminders for %(role)s.") % {"role": role})
        return
    _optout, created = ReminderOptOut.objects.get_or_create(role_id=role_id, user_id=user_id)
    if not created:
        raise Conflict(_("You are already unsubscribed from reminders for %(role)s.") % {"role": role})


def reminder_mentions(reminder: Reminder) -> list[int]:
    """Who a reminder pings: its author, and its roles' members who did not opt out."""
    people = {reminder.created_by}
    if reminder.role_ids:
        opted = set(
            ReminderOptOut.objects.filter(role_id__in=reminder.role_ids).values_list("role_id", "user_id")
        )
        for member in GuildMember.objects.filter(is_bot=False):
            for role in member.role_ids:
                if role in reminder.role_ids and (role, member.user_id) not in opted:
                    people.add(member.user_id)
    return sorted(people)


def reminder_run(*, reminder_id: int, port: DiscordPort | None = None) -> str:
    """Post one due reminder, exactly once (claimed by a conditional update). A Discord failure is
    recorded and raised, and the reminder is tried again after a backoff. Returns its final state."""
    if not job_claim(Reminder, reminder_id):
        return Reminder.objects.get(pk=reminder_id).state
    reminder = Reminder.objects.select_related("ticket").get(pk=reminder_id)
    return job_run_claimed(Reminder, reminder, _reminder_runner(port=port_or_default(port), cfg=config()))


def reminders_run_due(
    *,
    at: datetime | None = None,
    port: DiscordPort | None = None,
    threads: int = 1,
    should_stop: Callable[[], bool] | None = None,
) -> dict[str, int]:
    """Post every reminder due at ``at`` (default: now), each claimed once (see ``reminder_run``).
    Returns how many ended in each state."""
    return jobs_run_due(
        model=Reminder,
        run=_reminder_runner(port=port_or_default(port), cfg=config()),
        at=at,
        threads=threads,
        related=("ticket",),
        should_stop=should_stop,
    )


def due_reminders(*, at: datetime | None = None) -> list[int]:
    """IDs of reminders a worker may post now: due, or left running by a worker that died."""
    return list(
        Reminder.objects.filter(claimable(at or now())).order_by("due_at").values_list("pk", flat=True)
    )


def _reminder_runner(*, port: DiscordPort, cfg: BotConfig) -> Callable[[Reminder], str]:
    def run(reminder: Reminder) -> str:
        if not reminder.ticket.is_open:
            return Reminder.State.SKIPPED
        with bot_language(cfg):
            message = rendering.system(
                cfg,
                reminder.content,
                title=_("Reminder #%(id)s") % {"id": reminder.pk},
                pings=" ".join(f"<@{p}>" for p in reminder_mentions(reminder)),
                nonce=f"m{reminder.pk}",
            )
        message.embeds = [dict(e, color=int(cfg.reminders_embed_color, 16)) for e in message.embeds]
        port.send(reminder.channel_id, message)
        return Reminder.State.DONE

    return run
