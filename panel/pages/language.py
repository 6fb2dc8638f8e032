"""``POST /language``: the interface language, chosen per user and remembered.

The choice goes into the language cookie (so the sign-in page keeps it after a logout) and, for a
signed-in user, into their preferences, which win on any browser they sign in from. Without a choice
the browser's Accept-Language decides (Django's LocaleMiddleware).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import translation
from django.views.decorators.http import require_POST

from panel.pages.access import safe_next


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


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch to ``language`` (one of ``settings.LANGUAGES``) and go back to ``next`` (a local path).
    An unknown language changes nothing (400)."""
    language = request.POST.get("language", "")
    target = safe_next(request, request.POST.get("next")) or "/"
    if language not in dict(settings.LANGUAGES):
        return HttpResponse(status=400)
    translation.activate(language)
    response = HttpResponseRedirect(target)
    set_language_cookie(response, language)
    return response
