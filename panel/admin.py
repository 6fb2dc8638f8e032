"""Panel permissions granted to Discord users and roles."""

from __future__ import annotations

from django.contrib import admin

from .models import PanelPermission, PanelPreference, SetupToken


@admin.register(PanelPermission)
class PanelPermissionAdmin(admin.ModelAdmin):
    list_display = ("subject_type", "subject_id", "permission", "granted_by", "granted_at")
    list_filter = ("subject_type", "permission")
    search_fields = ("subject_id__exact", "granted_by__exact")
    date_hierarchy = "granted_at"
    ordering = ("subject_type", "subject_id", "permission")


@admin.register(SetupToken)
class SetupTokenAdmin(admin.ModelAdmin):
    """Read-only: a token is issued by ``manage.py runall`` and shown once; deleting one revokes it."""

    list_display = ("__str__", "created_at")
    readonly_fields = ("digest", "created_at")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PanelPreference)
class PanelPreferenceAdmin(admin.ModelAdmin):
    """Each panel user's interface language."""

    list_display = ("user", "language")
    list_filter = ("language",)
    search_fields = ("user__username",)
    autocomplete_fields = ()
    raw_id_fields = ("user",)
