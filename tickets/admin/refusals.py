"""DMs the bot refused, and why (read only: the bot records them when it answers a refusal)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from tickets.models import RefusedMessage


@admin.register(RefusedMessage)
class RefusedMessageAdmin(admin.ModelAdmin):
    list_display = ("dm_message_id", "user_id", "reason", "refused_at")
    list_filter = ("reason",)
    search_fields = ("user_id__exact", "dm_message_id__exact")
    date_hierarchy = "refused_at"
    ordering = ("-refused_at", "-pk")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: RefusedMessage | None = None) -> bool:
        return False
