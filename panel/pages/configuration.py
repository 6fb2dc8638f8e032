"""``/panel/configuration``: the bot configuration's eight sections (ViewPanel sees, ManageConfig saves),
and ``/panel/configuration/history``: who changed which keys, and when.

The form is generated from the schema (``forms_config``); saving goes through ``config_update``,
which validates the whole: when it refuses, its error is shown beside the field it names and
nothing is saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from panel.models import PanelPermission
from panel.pages.access import forbidden, panel_page
from panel.pages.forms_config import ConfigForm
from tickets.configschema import KEYS, MASKED_KEYS, ConfigInvalid, path
from tickets.errors import DomainError
from tickets.models import ConfigRevision, GuildMember
from tickets.services.config import config_as_dict, config_update
from tickets.snowflake import InvalidSnowflake, parse_snowflake

Permission = PanelPermission.Permission
SECRET_PATHS = {f"{section}.{name}" for section, name in MASKED_KEYS}
RECENT_REVISIONS = 5


def _error_fields(error: DomainError) -> list[tuple[str | None, str]]:
    """The dotted paths a service error names, each with its message."""
    refused = getattr(error, "fields", None)
    if refused:
        return [(field_path, error.message) for field_path in refused]
    return [_error_field(error)]


def _error_field(error: DomainError) -> tuple[str | None, str]:
    cause = error.__cause__
    if isinstance(cause, ConfigInvalid):
        return cause.field, cause.message
    field_path, sep, message = error.message.partition(": ")
    if sep and any(path(key) == field_path for key in KEYS):
        return field_path, message
    return None, error.message


def _may_change_access(request: HttpRequest) -> bool:
    """The caller's standing for the keys that decide who may use the panel (``config_update``)."""
    return request.access.has(Permission.MANAGE_PERMISSIONS)


def _locked(request: HttpRequest) -> list[str]:
    """The keys shown disabled: those ``config_update`` would refuse this caller to change."""
    if _may_change_access(request):
        return []
    return [path(key) for key in KEYS if getattr(key, "grants_access", False)]


def _saved_by(request: HttpRequest) -> str:
    return str(request.access.discord_id or request.user.get_username())


@panel_page(permission=Permission.VIEW_PANEL)
def configuration(request: HttpRequest) -> HttpResponse:
    """GET: the form (read-only without ManageConfig). POST (ManageConfig): save the whole, or show
    the errors beside their fields with nothing saved."""
    may_save = request.access.has(Permission.MANAGE_CONFIG)
    if request.method == "POST":
        if not may_save:
            return forbidden(request, Permission.MANAGE_CONFIG)
        form = ConfigForm(request.POST, locked=_locked(request))
        if form.is_valid():
            try:
                config_update(
                    data=form.config_data(),
                    saved_by=_saved_by(request),
                    may_change_access=_may_change_access(request),
                )
            except DomainError as error:
                for field_path, message in _error_fields(error):
                    form.add_service_error(field_path, message)
            else:
                messages.success(request, _("Configuration saved. Restart the bot to apply the changes."))
                return redirect("panel:configuration")
        status = 400
    else:
        form = ConfigForm(locked=_locked(request), read_only=not may_save)
        status = 200
    revisions = revision_changes(ConfigRevision.objects.all()[:RECENT_REVISIONS])
    context = {
        "form": form,
        "may_save": may_save,
        "revisions": revisions,
        "more_revisions": ConfigRevision.objects.count() > RECENT_REVISIONS,
    }
    return render(request, "panel/configuration.html", context, status=status)


@panel_page(permission=Permission.VIEW_PANEL)
def configuration_history(request: HttpRequest) -> HttpResponse:
    """Every configuration change, newest first, 25 per page."""
    page = Paginator(ConfigRevision.objects.all(), 25).get_page(request.GET.get("page"))
    context = {"page": page, "revisions": revision_changes(list(page.object_list))}
    return render(request, "panel/configuration_history.html", context)


# --- The revision history ---------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One key a save changed. ``secret``: its values are never shown."""

    path: str
    before: Any
    after: Any
    secret: bool


@dataclass(frozen=True)
class RevisionChanges:
    at: datetime
    by: str
    changes: list[Change]


def _flat(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, value in (data or {}).items():
        if isinstance(value, dict):
            flat.update(_flat(value, f"{prefix}{name}."))
        else:
            flat[f"{prefix}{name}"] = value
    return flat


def _discord_id(saved_by: str) -> int | None:
    """The Discord ID a revision's ``saved_by`` spells, if it is one (else a username, or nothing).
    Strict: ``str.isdigit`` also accepts ``"²"`` or ``"١٢٣"``, which ``int`` then refuses."""
    try:
        return parse_snowflake(saved_by)
    except InvalidSnowflake:
        return None


def _who(saved_by: str, names: dict[int, str]) -> str:
    discord_id = _discord_id(saved_by)
    if discord_id is not None and discord_id in names:
        return f"{names[discord_id]} ({saved_by})"
    return saved_by or "?"


def revision_changes(revisions: list[ConfigRevision]) -> list[RevisionChanges]:
    """What each save changed: a revision keeps the configuration as it was before the save, so the
    save's result is the next newer revision (or today's configuration for the newest)."""
    revisions = list(revisions)
    if not revisions:
        return []
    newest = revisions[0]
    newer = ConfigRevision.objects.filter(created_at__gte=newest.created_at, pk__gt=newest.pk).last()
    # Revisions keep secrets masked: compare masked values (a changed secret shows, never its value).
    after = newer.data if newer is not None else config_as_dict(masked=True)
    ids = {discord_id for r in revisions if (discord_id := _discord_id(r.saved_by)) is not None}
    names = {
        m.user_id: m.global_name or m.username for m in GuildMember.objects.filter(user_id__in=ids).distinct()
    }
    result = []
    for revision in revisions:
        before, later = _flat(revision.data), _flat(after)
        changes = [
            Change(
                path=key,
                before=before.get(key),
                after=later.get(key),
                secret=key in SECRET_PATHS,
            )
            for key in sorted(set(before) | set(later))
            if before.get(key) != later.get(key)
        ]
        result.append(
            RevisionChanges(at=revision.created_at, by=_who(revision.saved_by, names), changes=changes)
        )
        after = revision.data
    return result
