"""The API's JSON parser: DRF's, with a body too deeply nested refused as a 400 rather than a 500."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class ApiJSONParser(JSONParser):
    """``json.loads`` raises ``RecursionError`` on arrays or objects nested a few thousand deep
    (``[[[[...]]]]``): no request of this API needs more than a handful of levels."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON parse error - the body is nested too deeply.")) from None
