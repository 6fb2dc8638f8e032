"""Middleware of the project itself."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

# What Django's date drill-down (``date_hierarchy``) can build a date from: datetime() and the
# "next year/month" it computes overflow or fail beyond these, which Django answers with a 500.
_DATE_PART_RANGES = {"year": (1, 9998), "month": (1, 12), "day": (1, 31)}


def _valid_date_part(part: str, value: str) -> bool:
    low, high = _DATE_PART_RANGES[part]
    return value.isascii() and value.isdigit() and len(value) <= 4 and low <= int(value) <= high


class AdminDateFilterGuard:
    """Every admin changelist with a ``date_hierarchy``: a ``...__year``, ``__month`` or ``__day``
    filter that is no sensible date part (``?created_at__year=99999999999999999999``) is dropped,
    by a redirect to the same list without it, instead of failing with a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "GET" and request.path.startswith("/admin/") and request.GET:
            kept = [
                (name, value)
                for name, values in request.GET.lists()
                for value in values
                if not self._invalid(name, value)
            ]
            if len(kept) != sum(len(values) for _name, values in request.GET.lists()):
                query = urlencode(kept)
                return HttpResponseRedirect(f"{request.path}?{query}" if query else request.path)
        return self.get_response(request)

    @staticmethod
    def _invalid(name: str, value: str) -> bool:
        _field, sep, part = name.rpartition("__")
        return bool(sep) and part in _DATE_PART_RANGES and not _valid_date_part(part, value)
