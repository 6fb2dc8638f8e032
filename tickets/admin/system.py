"""The system state shared by the processes (one row)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models import SystemState

from .base import SingletonAdmin


@admin.register(SystemState)
class SystemStateAdmin(SingletonAdmin):
    """What the panel asks for (editable) and what the bot reports (read-only)."""

    list_display = ("__str__", "desired_state", "presence", "bot_connected", "bot_heartbeat_at")
    readonly_fields = ("bot_heartbeat_at", "bot_connected", "bot_started_at", "last_recovery_at")
    fieldsets = (
        (_("Requested"), {"fields": ("desired_state", "presence", "restart_requested_at")}),
        (
            _("Reported by the bot"),
            {"fields": ("bot_connected", "bot_heartbeat_at", "bot_started_at", "last_recovery_at")},
        ),
    )
    actions = ("request_restart",)

    @admin.action(description=_("Ask the bot to restart"), permissions=("change",))
    def request_restart(self, request: HttpRequest, queryset: QuerySet[SystemState]) -> None:
        queryset.update(restart_requested_at=timezone.now())
        self.message_user(request, _("Restart requested: the bot restarts when it sees it."))
