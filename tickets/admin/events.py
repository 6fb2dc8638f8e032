"""The live event outbox: readable for diagnosis, never written from the admin."""

from __future__ import annotations

from django.contrib import admin

from tickets.models import LiveEvent

from .base import HistoryAdmin


@admin.register(LiveEvent)
class LiveEventAdmin(HistoryAdmin):
    """The events the web processes follow, newest first (the worker trims old ones)."""

    list_display = ("id", "type", "created_at", "ticket_id", "category_id")
    list_filter = ("type",)
    ordering = ("-id",)
    readonly_fields = ("id", "type", "created_at", "ticket_id", "category_id", "data")
