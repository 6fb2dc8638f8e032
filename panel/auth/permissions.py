"""The panel permission a view needs: ``panel_permission`` on the view, one for all methods or a
mapping of method → permission. None means any valid panel session."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.permissions import BasePermission

from apikeys.models import ApiKey
from panel.models import PanelPermission
from panel.selectors import PanelAccess

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


def required_permission(view: APIView, method: str) -> str | None:
    """The permission ``view`` needs for ``method``."""
    needed = getattr(view, "panel_permission", None)
    if isinstance(needed, dict):
        # HEAD and OPTIONS read what GET reads.
        return needed.get("GET" if method in ("HEAD", "OPTIONS") else method)
    return needed


class HasPanelPermission(BasePermission):
    """401 without a panel session (an API key is not one); 403 without the permission."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        access = request.auth
        if not isinstance(access, PanelAccess):
            raise NotAuthenticated(_("Unauthorized: log in with Discord at /api/auth/login"))
        needed = required_permission(view, request.method)
        if needed is not None and not access.has(needed):
            raise PermissionDenied(
                _("Insufficient permissions: %(permission)s needed") % {"permission": needed}
            )
        return True


class CanReadTickets(BasePermission):
    """Readers of tickets: a panel session holding ViewPanel, or an API key holding ReadTickets;
    401 with neither, 403 without the permission. (The ticket's category rule is the view's.)"""

    def has_permission(self, request: Request, view: APIView) -> bool:
        auth = request.auth
        if isinstance(auth, PanelAccess):
            needed = PanelPermission.Permission.VIEW_PANEL
            if not auth.has(needed):
                raise PermissionDenied(
                    _("Insufficient permissions: %(permission)s needed") % {"permission": needed}
                )
            return True
        if isinstance(auth, ApiKey):
            needed = ApiKey.Permission.READ_TICKETS
            if needed not in auth.permissions:
                raise PermissionDenied(
                    _("Missing required permission: %(permission)s") % {"permission": needed}
                )
            return True
        raise NotAuthenticated(_("Log in with Discord at /api/auth/login, or send an API key."))
