"""The allauth adapter: where the Discord application comes from, and errors as JSON."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.base.constants import AuthError
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _

from tickets.models import BotConfig


def discord_app() -> SocialApp | None:
    """The Discord OAuth2 application: DISCORD_CLIENT_ID / DISCORD_CLIENT_SECRET from the environment,
    else ``bot.client_id`` / ``bot.client_secret`` of the configuration (None when neither is set)."""
    cfg = BotConfig.load()
    client_id = settings.DISCORD_CLIENT_ID or cfg.bot_client_id
    secret = settings.DISCORD_CLIENT_SECRET or cfg.bot_client_secret
    if not client_id or not secret:
        return None
    return SocialApp(provider="discord", name="Discord", client_id=str(client_id), secret=secret)


class PanelSocialAccountAdapter(DefaultSocialAccountAdapter):
    """Only the Discord application above; login failures answer ``{"error": ...}``."""

    def list_apps(
        self, request: HttpRequest | None, provider: str | None = None, client_id: str | None = None
    ):
        if provider not in (None, "discord"):
            return []
        app = discord_app()
        if app is None or (client_id and app.client_id != client_id):
            return []
        return [app]

    def is_open_for_signup(self, request: HttpRequest, sociallogin) -> bool:
        # Local sign-up is closed (PanelAccountAdapter); a first Discord login creates the user.
        return True

    def on_authentication_error(
        self, request: HttpRequest, provider, error=None, exception=None, extra_context=None
    ) -> None:
        if error == AuthError.CANCELLED:
            message, status = _("Discord login was cancelled"), 401
        elif exception is not None:
            message, status = _("Discord login failed: %(error)s") % {"error": exception}, 502
        elif "state" not in (extra_context or {}):
            message, status = _("Invalid or expired login state: start again at /api/auth/login"), 400
        else:
            message, status = _("Discord did not return an authorization code"), 400
        raise ImmediateHttpResponse(JsonResponse({"error": message}, status=status))


class PanelAccountAdapter(DefaultAccountAdapter):
    """allauth's local accounts are closed: no sign-up, no password or e-mail flows (the panel's
    users come from Discord; superusers are made with ``manage.py createsuperuser``)."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False
