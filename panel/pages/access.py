"""Who may open a panel page: the ``@panel_page`` decorator, the template context, the error pages.

The rules are the API's (``panel.auth``): a session is valid for members of the staff guild and for
admins; a page may also need one panel permission. Unlike the API, a page answers with HTML: the
sign-in page for anonymous visitors, a "not in the staff server" page, or a 403 page.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme

from panel.selectors import PanelAccess, discord_account, panel_access_cached

View = Callable[..., HttpResponse]


def safe_next(request: HttpRequest, target: str | None) -> str | None:
    """``target`` when it is a local path of this site (``/panel/tickets?x=1``), else None.

    Only paths are accepted: no scheme, no host, no ``//evil.example`` nor ``/\\evil.example``.
    """
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if not url_has_allowed_host_and_scheme(target, allowed_hosts=None, require_https=False):
        return None
    return target


def signin_redirect(request: HttpRequest) -> HttpResponseRedirect:
    """302 to the sign-in page, which sends the visitor back here after the login."""
    return HttpResponseRedirect("/?" + urlencode({"next": request.get_full_path()}))


def access_for(request: HttpRequest) -> PanelAccess | None:
    """The signed-in user's ``PanelAccess`` (computed once per request), None for visitors."""
    if not request.user.is_authenticated:
        return None
    access = getattr(request, "_panel_access", None)
    if access is None:
        access = panel_access_cached(user=request.user)
        request._panel_access = access
    return access


def forbidden(request: HttpRequest, permission: str | None = None) -> HttpResponse:
    """The 403 page (a permission is missing)."""
    return render(request, "panel/403.html", {"permission": permission}, status=403)


def not_member(request: HttpRequest) -> HttpResponse:
    """The 403 page of a signed-in Discord user who is not in the staff server."""
    return render(request, "panel/not_member.html", status=403)


def panel_page(permission: str | None = None) -> Callable[[View], View]:
    """Guard a page or action view.

    Anonymous → 302 to ``/?next=<path>``; signed in but neither a staff-server member nor an admin →
    403 ``not_member.html``; lacking ``permission`` (a ``PanelPermission.Permission`` value) → 403
    ``403.html``. Otherwise the view runs with ``request.access`` set to the caller's ``PanelAccess``.
    """

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            access = access_for(request)
            if access is None:
                return signin_redirect(request)
            if not access.may_use_panel:
                return not_member(request)
            if permission is not None and not access.has(permission):
                return forbidden(request, permission)
            request.access = access
            return view(request, *args, **kwargs)

        wrapper.panel_permission = permission  # read by the permission matrix test
        return wrapper

    return decorate


def _panel_user(request: HttpRequest) -> dict[str, Any] | None:
    """Who is signed in, for the user menu: Discord name and ID when they logged in with Discord."""
    user = request.user
    if not user.is_authenticated:
        return None
    discord_id, profile = discord_account(user)
    name = profile.get("global_name") or profile.get("username") or user.get_username()
    return {"name": name, "discord_id": discord_id, "avatar": profile.get("avatar") or None}


def panel_context(request: HttpRequest) -> dict[str, Any]:
    """Template context of every page: ``access`` (None for visitors) for the nav and the buttons,
    ``panel_user`` (name, Discord ID, avatar; computed only when a template reads it)."""
    if not hasattr(request, "user"):
        return {"access": None, "panel_user": None}
    return {
        "access": access_for(request),
        "panel_user": SimpleLazyObject(lambda: _panel_user(request) or {}),
    }


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's 404 handler: JSON under ``/api``, the panel's 404 page elsewhere."""
    if request.path.startswith("/api/"):
        from panel.exceptions import not_found

        return not_found(request)
    return render(request, "panel/404.html", status=404)
