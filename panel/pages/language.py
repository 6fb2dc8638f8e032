"""``POST /language``: the interface language, chosen per user and remembered.

Without a choice, the browser's Accept-Language decides (Django's ``LocaleMiddleware``). A choice
goes into the language cookie (so the sign-in page keeps it after a logout) and, for a signed-in
user, into their ``PanelPreference``, which wins on any browser they sign in from: the login copies
it into the session, and ``UserLanguageMiddleware`` applies the session's choice to every request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.utils import translation
from django.views.decorators.http import require_POST

from panel.models import PanelPreference
from panel.pages.access import safe_next

SESSION_KEY = "panel_language"


def supported(language: str | None) -> bool:
    """Whether ``language`` is one of ``settings.LANGUAGES``."""
    return bool(language) and language in dict(settings.LANGUAGES)


def set_language_cookie(response: HttpResponse, language: str) -> None:
    """Remember ``language`` in this browser (Django's language cookie, read by LocaleMiddleware)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE or 365 * 24 * 3600,
        path=settings.LANGUAGE_COOKIE_PATH,
        samesite="Lax",
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
    )


def user_language(user: Any) -> str:
    """The language ``user`` chose ("" when they never did)."""
    if not getattr(user, "is_authenticated", False):
        return ""
    return PanelPreference.objects.filter(user=user).values_list("language", flat=True).first() or ""


def remember_language(user: Any, language: str) -> None:
    """Store ``user``'s choice (a supported language)."""
    PanelPreference.objects.update_or_create(user=user, defaults={"language": language})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch to ``language`` (one of ``settings.LANGUAGES``) and go back to ``next`` (a local path).
    An unknown language changes nothing (400)."""
    language = request.POST.get("language", "")
    if not supported(language):
        return HttpResponseBadRequest("Unknown language")
    if request.user.is_authenticated:
        remember_language(request.user, language)
        request.session[SESSION_KEY] = language
    translation.activate(language)
    response = HttpResponseRedirect(safe_next(request, request.POST.get("next")) or "/")
    set_language_cookie(response, language)
    return response


@receiver(user_logged_in, dispatch_uid="panel-language-on-login")
def _language_on_login(sender: type, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """A user who chose a language gets it back at every login, on any browser."""
    language = user_language(user)
    if request is not None and supported(language):
        request.session[SESSION_KEY] = language


class UserLanguageMiddleware:
    """After ``AuthenticationMiddleware``: the signed-in user's chosen language (kept in the session
    since their login) wins over the cookie and Accept-Language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        language = session.get(SESSION_KEY) if session is not None else None
        if supported(language):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if supported(language) and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
            # The sign-in page keeps that language after a logout on this browser.
            set_language_cookie(response, language)
        return response
