"""The REST API's JSON renderer: orjson, several times faster than the standard library's encoder.

The output is what DRF's ``JSONRenderer`` gives (compact, UTF-8, ``datetime`` as ISO 8601 with
``Z`` for UTC, UUIDs and lazy translations as strings, decimals as strings): only the speed differs.
A client asking for indented JSON (``Accept: application/json; indent=4``) gets DRF's renderer.
"""

from __future__ import annotations

from typing import Any

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_encoder = JSONEncoder()
# datetimes go through DRF's encoder ("Z" for UTC), subclasses of str/int/dict/list (enums, ReturnDict)
# are serialized as their base types, dict keys that are not strings become strings like json.dumps does.
OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS


class JsonText:
    """A piece of JSON text made elsewhere (such as the messages PostgreSQL writes for a page of
    tickets), written into the response as it is."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _default(value: Any) -> Any:
    """What orjson does not know: JSON text as it is, else DRF's encoder (lazy strings, decimals,
    timedeltas, querysets...)."""
    if isinstance(value, JsonText):
        return orjson.Fragment(value.text)
    return _encoder.default(value)


class _IndentEncoder(JSONEncoder):
    """DRF's encoder, for indented JSON: also takes ``JsonText``."""

    def default(self, obj: Any) -> Any:
        if isinstance(obj, JsonText):
            return orjson.loads(obj.text)
        return super().default(obj)


class FastJSONRenderer(JSONRenderer):
    """DRF's JSON renderer, encoding with orjson (the ``DEFAULT_RENDERER_CLASSES`` of the API).
    Pieces of JSON text already made (``JsonText``) are written as they are."""

    encoder_class = _IndentEncoder

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        return orjson.dumps(data, default=_default, option=OPTIONS)
