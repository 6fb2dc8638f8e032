"""The community guild's bans, as the bot recorded them (read only: Discord is the source)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tickets.models import MemberBan

from .base import preview


@admin.register(MemberBan)
class MemberBanAdmin(admin.ModelAdmin):
    list_display = (
        "username",
        "global_name",
        "user_id",
        "banned_at",
        "banned_by",
        "reason_preview",
        "unbanned_at",
    )
    list_filter = (("unbanned_at", admin.EmptyFieldListFilter), "roles_unknown")
    search_fields = ("username", "global_name", "nickname", "user_id__exact", "banned_by__exact")
    date_hierarchy = "recorded_at"
    ordering = ("-recorded_at", "-pk")

    @admin.display(description=_("reason"), ordering="reason")
    def reason_preview(self, obj: MemberBan) -> str:
        return preview(obj.reason)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: MemberBan | None = None) -> bool:
        return False
