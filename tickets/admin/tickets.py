"""Tickets and their messages, attachments and edits."""

from __future__ import annotations

import uuid

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tickets.models import Attachment, MessageEdit, Ticket, TicketChange, TicketMessage

from .base import HistoryAdmin, ReadOnlyInline, preview


class TicketMessageInline(ReadOnlyInline):
    model = TicketMessage
    fields = ("created_at", "kind", "message_number", "author_name", "content_preview", "deleted_at")

    @admin.display(description=_("content"))
    def content_preview(self, obj: TicketMessage) -> str:
        return preview(obj.content)


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = (
        "user_name",
        "user_id",
        "status",
        "origin",
        "ticket_category",
        "category_name",
        "taken_by",
        "last_message_by",
        "created_at",
        "closed_at",
    )
    list_filter = ("status", "origin", "last_message_by", "silent", "user_left", "ticket_category")
    # ``field__exact`` on a number compares its text, so any search term is safe (see get_search_results).
    search_fields = (
        "user_name",
        "label",
        "category_name",
        "user_id__exact",
        "channel_id__exact",
        "dm_channel_id__exact",
        "taken_by__exact",
    )
    list_select_related = ("ticket_category",)
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    readonly_fields = ("id", "created_at", "next_message_number", "renames")
    inlines = (TicketMessageInline,)
    fieldsets = (
        (None, {"fields": ("id", "user_id", "user_name", "status", "origin", "silent", "label")}),
        (
            _("Discord"),
            {
                "fields": (
                    "guild_id",
                    "channel_id",
                    "channel_name",
                    "dm_channel_id",
                    "category_id",
                    "category_name",
                    "ticket_category",
                    "required_permissions",
                )
            },
        ),
        (
            _("Activity"),
            {
                "fields": (
                    "created_at",
                    "taken_by",
                    "last_message_by",
                    "last_message_at",
                    "last_user_message_at",
                    "next_message_number",
                    "user_left",
                    "leave_notice_message_id",
                    "renames",
                )
            },
        ),
        (_("Closing"), {"fields": ("closed_at", "closed_by", "close_silently")}),
    )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Ticket], search_term: str
    ) -> tuple[QuerySet[Ticket], bool]:
        """The text and Discord ID search, plus the ticket itself when the term is its UUID."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        try:
            ticket_id = uuid.UUID(search_term.strip())
        except ValueError:
            return results, may_have_duplicates
        return results | queryset.filter(pk=ticket_id), may_have_duplicates


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ("filename", "content_type", "size", "state", "sha256", "url", "discord_id")


class MessageEditInline(ReadOnlyInline):
    model = MessageEdit
    fields = ("edited_at", "edited_by", "before", "after")


@admin.register(TicketMessage)
class TicketMessageAdmin(admin.ModelAdmin):
    list_display = (
        "content_preview",
        "ticket",
        "kind",
        "author_name",
        "author_id",
        "message_number",
        "created_at",
        "edited_at",
        "deleted_at",
    )
    list_filter = (
        "kind",
        "is_internal",
        "is_anonymous",
        "recovered",
        ("edited_at", admin.EmptyFieldListFilter),
        ("deleted_at", admin.EmptyFieldListFilter),
    )
    search_fields = (
        "content",
        "author_name",
        "author_id__exact",
        "ticket__user_id__exact",
        "dm_message_id__exact",
        "inbox_message_id__exact",
    )
    list_select_related = ("ticket",)
    autocomplete_fields = ("ticket",)
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    inlines = (AttachmentInline, MessageEditInline)

    @admin.display(description=_("content"))
    def content_preview(self, obj: TicketMessage) -> str:
        return preview(obj.content) or "—"


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ("filename", "content_type", "size", "state", "message", "discord_id")
    list_filter = ("state", "content_type")
    search_fields = (
        "filename",
        "url",
        "sha256__exact",
        "discord_id__exact",
        "message__ticket__user_id__exact",
    )
    list_select_related = ("message",)
    raw_id_fields = ("message",)
    ordering = ("-id",)


@admin.register(MessageEdit)
class MessageEditAdmin(HistoryAdmin):
    list_display = ("message", "edited_by", "edited_at", "after_preview")
    search_fields = ("before", "after", "edited_by__exact", "message__ticket__user_id__exact")
    list_select_related = ("message",)
    raw_id_fields = ("message",)
    date_hierarchy = "edited_at"
    ordering = ("-edited_at", "-id")

    @admin.display(description=_("after"))
    def after_preview(self, obj: MessageEdit) -> str:
        return preview(obj.after)


@admin.register(TicketChange)
class TicketChangeAdmin(HistoryAdmin):
    list_display = ("ticket", "kind", "actor_id", "detail", "at")
    list_filter = ("kind",)
    search_fields = ("detail", "actor_id__exact", "ticket__user_id__exact")
    list_select_related = ("ticket",)
    raw_id_fields = ("ticket",)
    date_hierarchy = "at"
    ordering = ("-at", "-id")
