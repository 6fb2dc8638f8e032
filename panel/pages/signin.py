"""``/`` the sign-in page, ``/login`` the password sign-in of Django superusers, ``/logout``.

The Discord login itself is the API's (``/api/auth/login`` → Discord → ``/api/auth/callback``): the
sign-in page links to it with ``?next=``. Signed-in users are sent on to the panel.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from panel.auth.adapter import discord_app
from panel.pages.access import access_for, not_member, safe_next

DEFAULT_LANDING = "/panel"


class PasswordSignInForm(forms.Form):
    """A Django superuser's username and password (other accounts sign in with Discord)."""

    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)

    error_messages = {
        "invalid": _("Wrong username or password, or not an administrator account."),
    }

    def __init__(self, request: HttpRequest, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = None
        self.fields["username"].widget.attrs.update(autocomplete="username", autocapitalize="none")
        self.fields["password"].widget.attrs.update(autocomplete="current-password")

    def clean(self) -> dict:
        data = super().clean()
        username, password = data.get("username"), data.get("password")
        if username and password:
            user = authenticate(self.request, username=username, password=password)
            # One message for a wrong password and for a non-superuser: nothing tells them apart.
            if user is None or not user.is_superuser or not user.is_active:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            self.user = user
        return data


def _landing(request: HttpRequest, source: dict) -> str:
    return safe_next(request, source.get("next")) or DEFAULT_LANDING


def _render_signin(request: HttpRequest, form: PasswordSignInForm, status: int = 200) -> HttpResponse:
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    discord_ready = discord_app() is not None
    query = urlencode({"next": next_url}) if next_url else ""
    return render(
        request,
        "panel/signin.html",
        {
            "form": form,
            "next": next_url or "",
            "discord_ready": discord_ready,
            "discord_login_url": "/api/auth/login" + (f"?{query}" if query else ""),
            "password_open": bool(form.is_bound or not discord_ready),
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD"])
def signin(request: HttpRequest) -> HttpResponse:
    """Visitors: the sign-in page. Signed-in panel users: on to ``next`` or the dashboard; signed-in
    Discord users outside the staff server: the page saying so."""
    access = access_for(request)
    if access is not None:
        if not access.may_use_panel:
            return not_member(request)
        return HttpResponseRedirect(_landing(request, request.GET))
    return _render_signin(request, PasswordSignInForm(request))


@require_http_methods(["GET", "HEAD", "POST"])
def password_login(request: HttpRequest) -> HttpResponse:
    """``POST /login``: a Django superuser signs in with a password (before Discord login is set up,
    for instance). A wrong password or a non-superuser keeps the form with one error (400)."""
    if request.method != "POST":
        query = request.GET.urlencode()
        return HttpResponseRedirect("/" + (f"?{query}" if query else ""))
    form = PasswordSignInForm(request, data=request.POST)
    if not form.is_valid():
        return _render_signin(request, form, status=400)
    login(request, form.user)
    return HttpResponseRedirect(_landing(request, request.POST))


@require_http_methods(["GET", "HEAD", "POST"])
def signout(request: HttpRequest) -> HttpResponse:
    """``POST /logout``: the session ends, the browser lands on the sign-in page.

    A GET (a typed or followed link) changes nothing — another site could make a browser follow
    it — and answers 405 with a page whose button logs out (a POST with its CSRF token)."""
    if request.method != "POST":
        response = render(request, "panel/logout.html", status=405)
        response["Allow"] = "POST"
        return response
    logout(request)
    return HttpResponseRedirect("/")
