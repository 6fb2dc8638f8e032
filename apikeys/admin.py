"""API keys in the admin: inspect, rename, restrict, expire or revoke; never create.

A key is shown once, when it is made, and only its SHA-256 is stored: the admin cannot show it,
so keys are created by ``manage.py createapikey`` or the panel's API, which print or return it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import ApiKey, ApiKeyUsage

# The changelist's subtitle (it is also the page title: keep it short) and the change page's note.
CHANGELIST_HELP = _("Keys are created by “manage.py createapikey” or the API, which show the key once.")
CREATION_HELP = _(
    "Keys cannot be added here: create one with “manage.py createapikey” or the panel's API, "
    "which show the key once. Only its SHA-256 is stored, and never shown."
)


class ApiKeyForm(forms.ModelForm):
    """The permissions as checkboxes rather than raw JSON."""

    permissions = forms.MultipleChoiceField(
        choices=ApiKey.Permission.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("permissions"),
        help_text=_("What the key may do."),
    )

    class Meta:
        model = ApiKey
        fields = ("name", "permissions", "expires_at", "is_active")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    form = ApiKeyForm
    list_display = (
        "name",
        "key_preview",
        "permissions",
        "is_active",
        "created_at",
        "expires_at",
        "last_used_at",
    )
    list_filter = ("is_active", ("expires_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "key_preview")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    # The hash is never shown: with it, anyone reading the page could test guesses offline.
    readonly_fields = ("key_preview", "created_at", "last_used_at")
    fieldsets = (
        (None, {"fields": ("name", "permissions", "expires_at", "is_active")}),
        (
            _("Key"),
            {
                "fields": ("key_preview", "created_at", "last_used_at"),
                "description": CREATION_HELP,
            },
        ),
    )
    actions = ("revoke",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return super().changelist_view(request, {"subtitle": CHANGELIST_HELP, **(extra_context or {})})

    @admin.action(description=_("Revoke the selected keys"), permissions=("change",))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        count = queryset.filter(is_active=True).update(is_active=False)
        self.message_user(
            request, ngettext("%(count)d key revoked.", "%(count)d keys revoked.", count) % {"count": count}
        )


@admin.register(ApiKeyUsage)
class ApiKeyUsageAdmin(admin.ModelAdmin):
    """Per-key, per-day counters, read only: the API writes them."""

    list_display = ("key", "day", "requests", "tickets_created")
    list_filter = ("day",)
    search_fields = ("key__name",)
    date_hierarchy = "day"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ApiKeyUsage | None = None) -> bool:
        return False
