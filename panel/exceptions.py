"""The API's one error shape: every failure becomes ``{"error": "message"}`` with its status.

Domain errors carry their own status (400, 403, 404, 409, 503...); DRF's errors keep theirs (401,
403, 404, 405, 415, 429 with ``Retry-After``); a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is a 413
(a 413 page outside the API); anything unexpected is logged and answered 500.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from tickets.errors import DomainError

log = logging.getLogger("panel.api")


def _message(detail: Any) -> str:
    """One readable line from DRF's error detail (a string, a list or a dict of fields)."""
    if isinstance(detail, dict):
        if not detail:
            return _("Invalid input")
        field, inner = next(iter(detail.items()))
        text = _message(inner)
        return text if field in ("detail", "non_field_errors") else f"{field}: {text}"
    if isinstance(detail, list | tuple):
        return _message(detail[0]) if detail else _("Invalid input")
    return str(detail)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF's ``EXCEPTION_HANDLER``."""
    if isinstance(exc, DomainError):
        set_rollback()
        return Response({"error": exc.message}, status=exc.status)
    if isinstance(exc, RequestDataTooBig):
        return Response({"error": _too_big()}, status=413)
    response = exception_handler(exc, context)
    if response is None:
        log.exception("Unhandled error in %s", context.get("view").__class__.__name__, exc_info=exc)
        set_rollback()
        return Response({"error": _("Internal server error")}, status=500)
    response.data = {"error": _message(response.data)}
    return response


@csrf_exempt
def not_found(request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
    """Any method on an unknown route under ``/api`` → 404 ``{"error": "Not found"}``."""
    return JsonResponse({"error": _("Not found")}, status=404)


def _too_big() -> str:
    return _("The request body is too large.")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's 400 handler (a bad Host header, say): JSON under ``/api``. A body over
    ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (Django raises it as a bad request) is a 413 instead."""
    if isinstance(exception, RequestDataTooBig):
        if request.path.startswith("/api/"):
            return JsonResponse({"error": _too_big()}, status=413)
        title = escape(_("Request too large"))
        return HttpResponse(
            f"<!doctype html><title>{title}</title><h1>{title}</h1><p>{escape(_too_big())}</p>",
            status=413,
        )
    if request.path.startswith("/api/"):
        return JsonResponse({"error": _("Bad request")}, status=400)
    return defaults.bad_request(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 handler (a failure outside the API's views, in a middleware say): JSON under ``/api``."""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": _("Internal server error")}, status=500)
    return defaults.server_error(request)
