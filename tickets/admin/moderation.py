"""Blocked users and snippets."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tickets.models import BlockedUser, Snippet

from .base import preview


@admin.register(BlockedUser)
class BlockedUserAdmin(admin.ModelAdmin):
    list_display = ("user_name", "user_id", "reason", "blocked_by", "blocked_at", "expires_at")
    list_filter = (("expires_at", admin.EmptyFieldListFilter),)
    search_fields = ("user_name", "reason", "user_id__exact", "blocked_by__exact")
    date_hierarchy = "blocked_at"
    ordering = ("-blocked_at",)
    readonly_fields = ("blocked_at",)


@admin.register(Snippet)
class SnippetAdmin(admin.ModelAdmin):
    list_display = ("key", "content_preview", "created_by", "updated_at")
    search_fields = ("key", "content", "created_by__exact")
    ordering = ("key",)
    readonly_fields = ("created_at", "updated_at")

    @admin.display(description=_("content"))
    def content_preview(self, obj: Snippet) -> str:
        return preview(obj.content)
