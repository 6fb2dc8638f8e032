"""DRF authentication by API key, for ``/api/externals/*`` only.

The key comes as ``X-API-Key: rustmail_...`` or ``Authorization: Bearer rustmail_...``. A request
carrying neither is anonymous (the view's permission answers 401); an unknown, revoked or expired
key is refused with 401 at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed

from tickets.errors import DomainError

from .models import ApiKey
from .services import apikey_authenticate

if TYPE_CHECKING:
    from rest_framework.request import Request


def key_from_headers(request: Request) -> str | None:
    """The key the request carries, if any."""
    key = request.headers.get("X-API-Key", "").strip()
    if key:
        return key
    scheme, _sep, credentials = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return None


class ApiKeyAuthentication(BaseAuthentication):
    """``request.auth`` becomes the ``ApiKey``; ``request.user`` stays anonymous (None)."""

    def authenticate(self, request: Request) -> tuple[None, ApiKey] | None:
        secret = key_from_headers(request)
        if secret is None:
            return None
        try:
            return None, apikey_authenticate(secret=secret)
        except DomainError as error:
            raise AuthenticationFailed(error.message) from error

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
