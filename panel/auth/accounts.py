"""What answers under ``/accounts/``: allauth is only the Discord login here.

Its own pages (local sign-up and login, password reset, e-mail management, the provider's login
and callback) are not offered: the Discord login starts at ``/api/auth/login`` and ends at
``/api/auth/callback``; every other address under ``/accounts/`` goes to the panel. allauth's URL
names stay registered behind these routes, so its code can still build them.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse


def discord_login(request: HttpRequest) -> HttpResponseRedirect:
    """``/accounts/discord/login/`` → the Discord login (``?next=`` kept)."""
    target = reverse("api-auth-login")
    query = request.GET.urlencode()
    return HttpResponseRedirect(f"{target}?{query}" if query else target)


def closed(request: HttpRequest, *args, **kwargs) -> HttpResponseRedirect:
    """Any other allauth page → the panel, whose sign-in page offers the Discord button."""
    return HttpResponseRedirect(settings.PANEL_URL)
