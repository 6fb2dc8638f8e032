"""Reads for the REST API: panel access, tickets, the guild cache and the grants."""

from .access import (
    ALL_PERMISSIONS,
    PanelAccess,
    channel_permissions,
    discord_account,
    forget_panel_access,
    hidden_categories,
    panel_access,
    panel_access_cached,
    staff_guild,
)
from .guild import guild_members, guild_roles, permission_grants
from .tickets import MAX_PAGE_SIZE, SORT_FIELDS, TicketPage, ticket_detail, ticket_page, ticket_page_of

__all__ = [
    "ALL_PERMISSIONS",
    "MAX_PAGE_SIZE",
    "SORT_FIELDS",
    "PanelAccess",
    "TicketPage",
    "channel_permissions",
    "discord_account",
    "forget_panel_access",
    "guild_members",
    "guild_roles",
    "hidden_categories",
    "panel_access",
    "panel_access_cached",
    "permission_grants",
    "staff_guild",
    "ticket_detail",
    "ticket_page",
    "ticket_page_of",
]
