"""Django admin of the modmail tables: one module per models module, registered on import."""

from . import categories, config, guild, moderation, scheduling, system, tickets

__all__ = ["categories", "config", "guild", "moderation", "scheduling", "system", "tickets"]
