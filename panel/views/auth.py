"""``/api/auth/login|callback|logout``: the Discord OAuth2 login (django-allauth's Discord provider).

The login stores a one-time ``state`` in a short-lived session and sends the browser to Discord's authorize
URL (under ``DISCORD_API_BASE``); the callback checks that state (an unknown or replayed one is
refused), exchanges the code, creates or updates the Django user and its ``SocialAccount``
(``provider="discord"``, ``uid`` = the Discord ID) and opens the session.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.base.constants import AuthProcess
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView
from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView

from panel.auth.discord import PanelDiscordOAuth2Adapter
from tickets.errors import DomainError

_callback = OAuth2CallbackView.adapter_view(PanelDiscordOAuth2Adapter)


def _next_url(request: Request) -> str | None:
    """Where to land after the login: ``?next=`` (or Rustmail's ``?redirect=``), if it is on this site."""
    target = request.query_params.get("next") or request.query_params.get("redirect")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def _cross_site(request: Request) -> bool:
    """The request comes from another site: the browser says so (``Sec-Fetch-Site``), or its
    ``Origin`` or ``Referer`` names another origin than this one (or a trusted one)."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site:
        return fetch_site == "cross-site"
    own = {f"{request.scheme}://{request.get_host()}", *settings.CSRF_TRUSTED_ORIGINS}
    origin = request.headers.get("Origin")
    if origin:
        return origin not in own
    referer = request.headers.get("Referer")
    if referer:
        parts = urlsplit(referer)
        return f"{parts.scheme}://{parts.netloc}" not in own
    return False


class CrossSiteLogout(DomainError):
    status = 403
    default_message = gettext_lazy("Log out from the panel itself: a request from another site cannot.")


class LoginNotConfigured(DomainError):
    status = 503
    default_message = gettext_lazy("The Discord login is not configured (client ID and secret).")


class PublicView(APIView):
    """No authentication; the Django request keeps its own ``user`` for allauth and ``logout``."""

    authentication_classes: list = []
    permission_classes: list = []

    def perform_authentication(self, request: Request) -> None:
        # DRF would set the Django request's user to None (UNAUTHENTICATED_USER).
        return None


class LoginView(PublicView):
    """``GET /api/auth/login[?next=/path]`` → 302 to Discord's authorize URL, with a one-time ``state``.
    503 when no Discord client ID and secret are configured."""

    extra_error_statuses = (503,)

    @extend_schema(
        parameters=[OpenApiParameter("next", OpenApiTypes.STR, description="Where to land afterwards.")],
        responses={302: None},
    )
    def get(self, request: Request) -> HttpResponse:
        try:
            provider = get_adapter(request._request).get_provider(request._request, "discord")
        except SocialApp.DoesNotExist:
            raise LoginNotConfigured() from None
        response = provider.redirect(request._request, AuthProcess.LOGIN, next_url=_next_url(request))
        if not request._request.user.is_authenticated:
            # The session only carries the state to the callback: it ends soon unless the login
            # completes, so anonymous visits do not leave two-week rows behind.
            request._request.session.set_expiry(settings.LOGIN_STATE_SECONDS)
        return response


class CallbackView(PublicView):
    """``GET /api/auth/callback?code=...&state=...`` (Discord sends the browser here) → 302 to the panel
    (or the login's ``next``) with a session. 400 for an unknown, expired or replayed state or no code;
    401 when the user cancelled; 502 when Discord failed."""

    extra_error_statuses = (502, 503)

    @extend_schema(
        parameters=[
            OpenApiParameter("code", OpenApiTypes.STR, description="Authorization code from Discord."),
            OpenApiParameter("state", OpenApiTypes.STR, description="The state the login stored."),
        ],
        responses={302: None},
    )
    def get(self, request: Request) -> HttpResponse:
        try:
            response = _callback(request._request)
        except SocialApp.DoesNotExist:
            raise LoginNotConfigured() from None
        if request._request.user.is_authenticated:
            request._request.session.set_expiry(None)  # signed in: the normal session lifetime
        return response


class LogoutView(PublicView):
    """``GET /api/auth/logout`` (or POST) → 302 to the panel; the session ends. 403 when the request
    comes from another site (``Sec-Fetch-Site: cross-site``, or a foreign ``Origin``/``Referer``):
    a link or form elsewhere cannot end a panel session."""

    extra_error_statuses = (403,)

    @extend_schema(responses={302: None})
    def get(self, request: Request) -> HttpResponse:
        if _cross_site(request):
            raise CrossSiteLogout()
        logout(request._request)
        return HttpResponseRedirect(settings.PANEL_URL)

    @extend_schema(request=None, responses={302: None})
    def post(self, request: Request) -> HttpResponse:
        return self.get(request)
