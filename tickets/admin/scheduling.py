"""Scheduled closes, reminders, reminder opt-outs and staff alerts."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tickets.models import Reminder, ReminderOptOut, ScheduledClosure, StaffAlert

from .base import JobAdmin, preview


@admin.register(ScheduledClosure)
class ScheduledClosureAdmin(JobAdmin):
    list_display = ("ticket", "due_at", "state", "silent", "scheduled_by", "attempts")
    list_filter = ("state", "silent")
    search_fields = ("ticket__user_name", "ticket__user_id__exact", "scheduled_by__exact")
    list_select_related = ("ticket",)
    autocomplete_fields = ("ticket",)
    readonly_fields = (*JobAdmin.readonly_fields, "steps")
    fieldsets = ((None, {"fields": ("ticket", "silent", "scheduled_by", "steps")}), JobAdmin.job_fieldset)


@admin.register(Reminder)
class ReminderAdmin(JobAdmin):
    list_display = ("content_preview", "ticket", "due_at", "state", "created_by", "attempts")
    search_fields = (
        "content",
        "ticket__user_name",
        "ticket__user_id__exact",
        "created_by__exact",
        "channel_id__exact",
    )
    list_select_related = ("ticket",)
    autocomplete_fields = ("ticket",)
    ordering = ("due_at",)
    fieldsets = (
        (None, {"fields": ("ticket", "channel_id", "created_by", "content", "role_ids")}),
        JobAdmin.job_fieldset,
    )

    @admin.display(description=_("content"), ordering="content")
    def content_preview(self, obj: Reminder) -> str:
        return preview(obj.content)


@admin.register(ReminderOptOut)
class ReminderOptOutAdmin(admin.ModelAdmin):
    list_display = ("user_id", "role_id", "created_at")
    search_fields = ("user_id__exact", "role_id__exact")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)


@admin.register(StaffAlert)
class StaffAlertAdmin(admin.ModelAdmin):
    list_display = ("staff_id", "ticket", "created_at", "fired_at")
    list_filter = (("fired_at", admin.EmptyFieldListFilter),)
    search_fields = ("staff_id__exact", "ticket__user_name", "ticket__user_id__exact")
    list_select_related = ("ticket",)
    autocomplete_fields = ("ticket",)
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
