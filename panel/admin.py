"""Panel permissions granted to Discord users and roles."""

from __future__ import annotations

from django.contrib import admin

from .models import PanelPermission


@admin.register(PanelPermission)
class PanelPermissionAdmin(admin.ModelAdmin):
    list_display = ("subject_type", "subject_id", "permission", "granted_by", "granted_at")
    list_filter = ("subject_type", "permission")
    search_fields = ("subject_id__exact", "granted_by__exact")
    date_hierarchy = "granted_at"
    ordering = ("subject_type", "subject_id", "permission")
