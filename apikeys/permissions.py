"""DRF permission for the external API: an API key holding the view's permission."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.permissions import BasePermission

from .models import ApiKey

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


class HasApiKeyPermission(BasePermission):
    """401 without a key; 403 when the key lacks ``view.required_key_permission``."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        key = request.auth
        if not isinstance(key, ApiKey):
            raise NotAuthenticated(_("Missing API key: send it as X-API-Key or Authorization: Bearer"))
        needed = view.required_key_permission
        if needed not in key.permissions:
            raise PermissionDenied(_("Missing required permission: %(permission)s") % {"permission": needed})
        return True
