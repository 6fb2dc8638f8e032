"""The modmail domain's tables. One module per concern; everything is importable from here."""

from .bans import MemberBan
from .categories import (
    CategoryRole,
    CategorySettings,
    PendingCategorySelection,
    PendingMessage,
    TicketCategory,
)
from .config import BotConfig, ConfigRevision
from .discordlogs import AuditLogCursor, FeatureMessage
from .events import LiveEvent
from .guild import GuildChannel, GuildMember, GuildRole, GuildSnapshot
from .moderation import BlockedUser, Snippet
from .refusals import RefusedMessage
from .scheduling import Reminder, ReminderOptOut, ScheduledClosure, StaffAlert
from .system import SystemState
from .tickets import Attachment, MessageEdit, Ticket, TicketChange, TicketMessage

__all__ = [
    "Attachment",
    "AuditLogCursor",
    "BlockedUser",
    "BotConfig",
    "CategoryRole",
    "CategorySettings",
    "ConfigRevision",
    "FeatureMessage",
    "GuildChannel",
    "GuildMember",
    "GuildRole",
    "GuildSnapshot",
    "LiveEvent",
    "MemberBan",
    "MessageEdit",
    "PendingCategorySelection",
    "PendingMessage",
    "RefusedMessage",
    "Reminder",
    "ReminderOptOut",
    "ScheduledClosure",
    "Snippet",
    "StaffAlert",
    "SystemState",
    "Ticket",
    "TicketCategory",
    "TicketChange",
    "TicketMessage",
]
