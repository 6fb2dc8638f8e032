"""What every service shares: the clock, the port, the configuration, the language, after-commit work."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from django.db import transaction
from django.utils import timezone, translation

from tickets.discord import DiscordPort, get_port
from tickets.errors import NotConfigured
from tickets.models import BotConfig

log = logging.getLogger("tickets.services")


def now() -> datetime:
    return timezone.now()


def port_or_default(port: DiscordPort | None) -> DiscordPort:
    return port if port is not None else get_port()


# The bot process hands its own copy of the configuration (refreshed within a second of a change) to
# the services it calls, so relaying a DM does not load the whole row again; elsewhere it is read
# fresh on every call.
_config_source: Callable[[], BotConfig] | None = None


def use_config(source: Callable[[], BotConfig] | None) -> None:
    """Make ``config()`` return ``source()`` in this process (``None``: read the database again)."""
    global _config_source
    _config_source = source


def config() -> BotConfig:
    """The bot configuration (do not change the object: save changes through ``config_update``)."""
    if _config_source is not None:
        return _config_source()
    return BotConfig.load()


def config_at(stamp: datetime | None, cfg: BotConfig) -> BotConfig:
    """The configuration as saved at ``stamp`` (its ``updated_at``, read with the caller's other
    facts): ``cfg`` (from ``config()``) when it is that one, else read again, so a change saved by
    any process applies from the next call on, without waiting for the bot's next refresh."""
    if stamp is None or cfg.updated_at == stamp:
        return cfg
    return BotConfig.load()


def staff_guild_id(cfg: BotConfig) -> int:
    """The guild holding ticket channels: the staff guild in dual mode, the only guild otherwise."""
    guild = cfg.mode_staff_guild_id if cfg.mode_type == "dual" else cfg.mode_guild_id
    if not guild:
        raise NotConfigured()
    return guild


def community_guild_id(cfg: BotConfig) -> int:
    """The guild users must belong to."""
    guild = cfg.mode_community_guild_id if cfg.mode_type == "dual" else cfg.mode_guild_id
    if not guild:
        raise NotConfigured()
    return guild


@contextmanager
def bot_language(cfg: BotConfig | None = None) -> Iterator[None]:
    """Render user-visible text in the configured language."""
    cfg = cfg or config()
    with translation.override(cfg.language_default_language or "en"):
        yield


def after_commit(func: Callable[[], None]) -> None:
    """Run Discord side effects once the current transaction commits (at once outside one)."""
    transaction.on_commit(func, robust=False)
