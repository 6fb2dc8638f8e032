"""Cached panel access goes stale whenever something it was computed from changes."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from panel.models import PanelPermission
from panel.selectors import forget_panel_access
from tickets.models import BotConfig, GuildChannel, GuildMember, GuildRole, GuildSnapshot

SOURCES = (PanelPermission, BotConfig, GuildMember, GuildRole, GuildSnapshot, GuildChannel)


def _forget(sender: type, **kwargs: object) -> None:
    forget_panel_access()


def connect() -> None:
    """Called once, from ``PanelConfig.ready``."""
    for model in SOURCES:
        post_save.connect(_forget, sender=model, dispatch_uid=f"panel-access-{model.__name__}-save")
        post_delete.connect(_forget, sender=model, dispatch_uid=f"panel-access-{model.__name__}-delete")
