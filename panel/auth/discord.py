"""allauth's Discord provider, pointed at ``DISCORD_API_BASE`` and at ``/api/auth/callback``.

With ``DISCORD_API_BASE`` unset the URLs are Discord's own (``https://discord.com/api/v10/...``);
set to the local emulator, the whole login runs against it.
"""

from __future__ import annotations

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.discord.provider import DiscordProvider
from allauth.socialaccount.providers.discord.views import DiscordOAuth2Adapter
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from tickets.models import BotConfig


class PanelDiscordOAuth2Adapter(DiscordOAuth2Adapter):
    """The OAuth2 endpoints under ``DISCORD_API_BASE``; the redirect URI is the configured
    ``bot.redirect_url`` (as in Rustmail), or ``/api/auth/callback`` on this server when empty."""

    @property
    def authorize_url(self) -> str:  # type: ignore[override]
        return f"{settings.DISCORD_API_BASE}/oauth2/authorize"

    @property
    def access_token_url(self) -> str:  # type: ignore[override]
        return f"{settings.DISCORD_API_BASE}/oauth2/token"

    @property
    def profile_url(self) -> str:  # type: ignore[override]
        return f"{settings.DISCORD_API_BASE}/users/@me"

    def complete_login(self, request: HttpRequest, app: SocialApp, token, **kwargs):
        """Who signed in (``/users/@me``); a failed or malformed answer is an ``OAuth2Error``, which
        the callback answers with 502 (allauth's own would read an error body as a profile)."""
        with get_adapter().get_requests_session() as session:
            response = session.get(self.profile_url, headers={"Authorization": f"Bearer {token.token}"})
        if response.status_code != 200:
            raise OAuth2Error(f"Discord answered {response.status_code} to /users/@me")
        try:
            profile = response.json()
        except ValueError as error:
            raise OAuth2Error("Discord's /users/@me answer is not JSON") from error
        if not isinstance(profile, dict) or not str(profile.get("id", "")).isdigit():
            raise OAuth2Error("Discord's /users/@me answer names no user")
        return self.get_provider().sociallogin_from_response(request, profile)

    def get_callback_url(self, request: HttpRequest, app: SocialApp) -> str:
        configured = BotConfig.load().bot_redirect_url.strip()
        return configured or request.build_absolute_uri(reverse("api-auth-callback"))


class PanelDiscordProvider(DiscordProvider):
    """Registered in place of allauth's own (``SOCIALACCOUNT_PROVIDERS["discord"]["provider_class"]``)."""

    oauth2_adapter_class = PanelDiscordOAuth2Adapter

    @classmethod
    def get_package(cls) -> str:
        # allauth mounts each provider's ``urls`` module from its package: keep the original's.
        return DiscordProvider.get_package()
