"""What the bot posted on the guild's behalf: how far the audit log was forwarded, and the feature
messages. Written by the bot; an operator may only delete a row (the audit log then starts again
from that moment, a feature message is posted again at the next start)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from tickets.models import AuditLogCursor, FeatureMessage


@admin.register(AuditLogCursor)
class AuditLogCursorAdmin(admin.ModelAdmin):
    list_display = ("guild_id", "last_entry_id", "forwarded", "pending_through_id", "updated_at")
    search_fields = ("guild_id__exact",)
    ordering = ("guild_id",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditLogCursor | None = None) -> bool:
        return False


@admin.register(FeatureMessage)
class FeatureMessageAdmin(admin.ModelAdmin):
    list_display = ("key", "channel_id", "message_id", "updated_at")
    search_fields = ("key", "channel_id__exact")
    ordering = ("key",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: FeatureMessage | None = None) -> bool:
        return False
