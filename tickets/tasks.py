"""Celery tasks: what happens at a time rather than in answer to a message.

Celery beat sends each task on a schedule (``CELERY_BEAT_SCHEDULE`` in ``rustmail.settings``). A task
is thin: it calls one service, which claims its jobs in the database, so any number of workers may
run it at once, and a task delivered twice does nothing twice. Discord is reached through the
port's REST adapter: the bot process need not be up.
"""

from __future__ import annotations

import logging
import threading
from importlib import import_module

from celery import shared_task
from celery.signals import worker_shutting_down
from django.conf import settings

from tickets import events, services
from tickets.discord import DiscordPort, get_port, set_port
from tickets.discord.rest import RestDiscordPort
from tickets.selectors import bot_token
from tickets.services.botcontrol import bot_status_check

log = logging.getLogger("tickets.tasks")

# Set when the worker is asked to stop: running tasks finish the jobs they claimed and claim no more.
STOPPING = threading.Event()
# Set once "no bot token" was logged, so the log says it once rather than every few seconds.
_NO_TOKEN_LOGGED = threading.Event()


@worker_shutting_down.connect
def _stop_claiming(**kwargs) -> None:
    STOPPING.set()


def _discord() -> DiscordPort | None:
    """The process's Discord port, following a token changed since it was made; None while no bot
    token is configured (the jobs then wait, untouched, instead of failing against Discord)."""
    port = get_port()
    if not isinstance(port, RestDiscordPort):
        return port
    token = bot_token()
    if not token:
        if not _NO_TOKEN_LOGGED.is_set():
            _NO_TOKEN_LOGGED.set()
            log.warning("No bot token configured: scheduled closes and reminders wait until one is set.")
        return None
    _NO_TOKEN_LOGGED.clear()
    if port.token != token:
        set_port(None)
        port = get_port()
    return port


def _report(what: str, tally: dict[str, int]) -> dict[str, int]:
    if tally:
        log.info("%s: %s", what, ", ".join(f"{count} {state}" for state, count in sorted(tally.items())))
    return tally


@shared_task(name="tickets.run_due_closures")
def run_due_closures() -> dict[str, int]:
    """Carry out the scheduled closes that are due."""
    port = _discord()
    if port is None:
        return {}
    tally = services.closures_run_due(
        port=port, threads=settings.SCHEDULER_THREADS, should_stop=STOPPING.is_set
    )
    return _report("Scheduled closes", tally)


@shared_task(name="tickets.run_due_reminders")
def run_due_reminders() -> dict[str, int]:
    """Post the reminders that are due."""
    port = _discord()
    if port is None:
        return {}
    tally = services.reminders_run_due(
        port=port, threads=settings.SCHEDULER_THREADS, should_stop=STOPPING.is_set
    )
    return _report("Reminders", tally)


@shared_task(name="tickets.expire_category_prompts")
def expire_category_prompts() -> int:
    """Open the tickets of category prompts whose timeout passed, in the default inbox."""
    port = _discord()
    if port is None:
        return 0
    opened = services.selections_expire(port=port)
    if opened:
        log.info("Category prompts timed out: %s ticket(s) opened", opened)
    return opened


@shared_task(name="tickets.expire_blocks")
def expire_blocks() -> int:
    """Lift the blocks whose time is up."""
    lifted = services.blocks_expire()
    if lifted:
        log.info("Blocks lifted: %s", lifted)
    return lifted


@shared_task(name="tickets.refresh_channel_names")
def refresh_channel_names() -> int:
    """Bring ticket channel names (status, age) up to date, within Discord's rename limit."""
    port = _discord()
    if port is None:
        return 0
    return services.channel_names_refresh(port=port)


@shared_task(name="tickets.repair_stuck_tickets")
def repair_stuck_tickets() -> dict[str, int]:
    """Repair (or cancel, when empty) the tickets left without a channel past the grace period."""
    port = _discord()
    if port is None:
        return {}
    return _report("Tickets without a channel", services.tickets_repair_stuck(port=port))


@shared_task(name="tickets.clear_expired_sessions")
def clear_expired_sessions() -> None:
    """Delete the expired sessions (``manage.py clearsessions``): a login started and never
    finished, a panel user who never came back."""
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()


@shared_task(name="tickets.live_events_housekeeping")
def live_events_housekeeping() -> int:
    """Announce a bot that died without a word (its heartbeat went stale), and trim the live event
    outbox to its retention (``LIVE_EVENTS_RETENTION``). Returns how many events were trimmed."""
    bot_status_check()
    return events.trim()


@shared_task(name="tickets.attachments_housekeeping")
def attachments_housekeeping() -> dict[str, int]:
    """Delete stored attachments past ``ATTACHMENT_RETENTION_DAYS`` (0 keeps them) and fetch the
    ones left pending by a process that stopped before downloading them."""
    from tickets.services.attachments import attachments_housekeeping as housekeeping

    port = _discord()
    if port is None:
        return {}
    return _report("Attachments", housekeeping(port=port))
