"""The staff guild's members and roles (from the cache the bot fills) and the panel grants."""

from __future__ import annotations

from django.db.models import QuerySet

from panel.models import PanelPermission
from tickets.errors import NotConfigured
from tickets.models import BotConfig, GuildMember, GuildRole

from .access import staff_guild


def _guild() -> int:
    guild_id = staff_guild(BotConfig.load())
    if not guild_id:
        raise NotConfigured()
    return guild_id


def guild_members() -> QuerySet[GuildMember]:
    """Members of the staff guild, by username; ``NotConfigured`` until the guild is set."""
    return GuildMember.objects.filter(guild_id=_guild()).order_by("username", "user_id")


def guild_roles() -> QuerySet[GuildRole]:
    """Roles of the staff guild, highest position first; ``NotConfigured`` until the guild is set."""
    return GuildRole.objects.filter(guild_id=_guild()).order_by("-position", "role_id")


def permission_grants() -> QuerySet[PanelPermission]:
    """Every panel grant, newest first."""
    return PanelPermission.objects.order_by("-granted_at", "-id")
