"""Ticket categories, the prompt's settings, and the selections waiting on it."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tickets.models import (
    CategoryRole,
    CategorySettings,
    PendingCategorySelection,
    PendingMessage,
    TicketCategory,
)

from .base import JobAdmin, SingletonAdmin, preview


class CategoryRoleInline(admin.TabularInline):
    model = CategoryRole
    extra = 0


@admin.register(TicketCategory)
class TicketCategoryAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "emoji",
        "description",
        "discord_category_id",
        "position",
        "enabled",
        "role_count",
    )
    list_editable = ("position", "enabled")
    list_filter = ("enabled",)
    search_fields = ("name", "description", "discord_category_id__exact")
    ordering = ("position", "id")
    readonly_fields = ("created_at",)
    inlines = (CategoryRoleInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[TicketCategory]:
        return super().get_queryset(request).annotate(role_count=Count("roles"))

    @admin.display(description=_("roles pinged"), ordering="role_count")
    def role_count(self, obj: TicketCategory) -> int:
        return obj.role_count


@admin.register(CategoryRole)
class CategoryRoleAdmin(admin.ModelAdmin):
    list_display = ("category", "role_id")
    list_filter = ("category",)
    search_fields = ("category__name", "role_id__exact")
    list_select_related = ("category",)
    ordering = ("category__position", "category_id", "role_id")


@admin.register(CategorySettings)
class CategorySettingsAdmin(SingletonAdmin):
    list_display = ("__str__", "prompt_enabled", "selection_timeout")


class PendingMessageInline(admin.TabularInline):
    model = PendingMessage
    extra = 0
    fields = ("created_at", "dm_message_id", "content", "attachments")


@admin.register(PendingCategorySelection)
class PendingCategorySelectionAdmin(JobAdmin):
    list_display = ("user_name", "user_id", "state", "due_at", "chosen_category", "attempts")
    list_filter = ("state", "chosen_category")
    search_fields = ("user_name", "user_id__exact", "dm_channel_id__exact")
    list_select_related = ("chosen_category",)
    inlines = (PendingMessageInline,)
    fieldsets = (
        (None, {"fields": ("user_id", "user_name", "dm_channel_id", "prompt_message_id", "chosen_category")}),
        JobAdmin.job_fieldset,
    )


@admin.register(PendingMessage)
class PendingMessageAdmin(admin.ModelAdmin):
    list_display = ("content_preview", "selection", "dm_message_id", "created_at")
    search_fields = ("content", "dm_message_id__exact", "selection__user_name", "selection__user_id__exact")
    list_select_related = ("selection",)
    raw_id_fields = ("selection",)
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")

    @admin.display(description=_("content"))
    def content_preview(self, obj: PendingMessage) -> str:
        return preview(obj.content) or "—"
