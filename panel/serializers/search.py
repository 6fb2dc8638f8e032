"""``GET /api/bot/tickets?q=``: a page of search results in the shape of any page, each ticket
with its ``highlights`` (documented by ``HighlightSerializer``)."""

from __future__ import annotations

import uuid
from typing import Any

from panel.selectors.search import SearchPage

from .tickets import page_json


def search_page_json(found: SearchPage) -> dict[str, Any]:
    """The page as ``page_json`` shows it, plus each ticket's highlights."""
    body = page_json(found.page)
    for thread in body["threads"]:
        key = thread["id"] if isinstance(thread["id"], uuid.UUID) else uuid.UUID(str(thread["id"]))
        thread["highlights"] = [h.as_json() for h in found.highlights.get(key, [])]
    return body
