"""Session authentication for the panel endpoints.

The session comes from the Discord login; DRF's ``SessionAuthentication`` finds the user and
enforces CSRF on unsafe methods. The caller's panel standing is then computed once and becomes
``request.auth`` (a ``PanelAccess``). As in Rustmail, a session is valid only for members of the
staff guild (and for those who hold every permission): anyone else gets 401.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed

from panel.selectors import PanelAccess, panel_access_cached

if TYPE_CHECKING:
    from rest_framework.request import Request


class PanelSessionAuthentication(SessionAuthentication):
    """``(user, PanelAccess)`` for a valid panel session; None without a session (→ 401)."""

    def authenticate(self, request: Request) -> tuple[object, PanelAccess] | None:
        found = super().authenticate(request)
        if found is None:
            return None
        user = found[0]
        access = panel_access_cached(user=user)
        if not access.may_use_panel:
            raise AuthenticationFailed(_("Invalid session: you are not a member of the staff server"))
        return user, access

    def authenticate_header(self, request: Request) -> str:
        # Any value makes DRF answer 401 rather than 403 to a missing session.
        return 'Session realm="panel"'
