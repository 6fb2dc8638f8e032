"""Django admin of the modmail tables: one module per models module, registered on import."""

from . import (
    bans,
    categories,
    config,
    discordlogs,
    events,
    guild,
    moderation,
    refusals,
    scheduling,
    system,
    tickets,
)

__all__ = [
    "bans",
    "categories",
    "config",
    "discordlogs",
    "events",
    "guild",
    "moderation",
    "refusals",
    "scheduling",
    "system",
    "tickets",
]
