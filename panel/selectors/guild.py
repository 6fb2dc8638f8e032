"""The staff guild's members and roles (from the cache the bot fills) and the panel grants."""

from __future__ import annotations

from django.db.models import QuerySet

from panel.models import PanelPermission
from tickets.models import BotConfig, GuildMember, GuildRole
from tickets.services._common import staff_guild_id


def _guild() -> int:
    return staff_guild_id(BotConfig.load())


def guild_members() -> QuerySet[GuildMember]:
    """Members of the staff guild, by username; ``NotConfigured`` until the guild is set."""
    return GuildMember.objects.filter(guild_id=_guild()).order_by("username", "user_id")


def guild_roles() -> QuerySet[GuildRole]:
    """Roles of the staff guild, highest position first; ``NotConfigured`` until the guild is set."""
    return GuildRole.objects.filter(guild_id=_guild()).order_by("-position", "role_id")


def permission_grants() -> QuerySet[PanelPermission]:
    """Every panel grant, newest first."""
    return PanelPermission.objects.order_by("-granted_at", "-id")
