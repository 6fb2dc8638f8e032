"""Building blocks shared by the modmail admins: singletons, read-only history and scheduled jobs."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

PREVIEW_LENGTH = 60


def preview(text: str, length: int = PREVIEW_LENGTH) -> str:
    """The start of a text, on one line, for a list column."""
    return Truncator(" ".join(text.split())).chars(length)


class SingletonAdmin(admin.ModelAdmin):
    """A one-row table (``Model.load()`` reads pk 1): no add once the row exists, never a delete."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not self.model._default_manager.exists()

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: bool) -> None:
        if not change:
            obj.pk = 1  # the row ``load()`` reads
        super().save_model(request, obj, form, change)


class SuperuserOnlyMixin:
    """Visible to superusers only, whatever model permissions a staff member holds (secrets inside)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return request.user.is_superuser and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return request.user.is_superuser and super().has_delete_permission(request, obj)


class HistoryAdmin(admin.ModelAdmin):
    """A record of what happened: it can be read and purged, never written from the admin."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """An inline that lists related rows without editing them; each links to its own page."""

    extra = 0
    can_delete = False
    show_change_link = True

    def get_readonly_fields(self, request: HttpRequest, obj: models.Model | None = None) -> list[str]:
        return list(self.fields or ())

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


class JobAdmin(admin.ModelAdmin):
    """A scheduled job (``tickets.models.scheduling.Job``): due time, state and run history."""

    job_fieldset = (
        _("Schedule"),
        {"fields": ("due_at", "state", "attempts", "claimed_at", "finished_at", "last_error", "created_at")},
    )
    list_filter = ("state",)
    date_hierarchy = "due_at"
    ordering = ("-due_at",)
    readonly_fields = ("attempts", "claimed_at", "finished_at", "last_error", "created_at")
