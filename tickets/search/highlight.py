"""Highlighted snippets: the engines mark matched words with two private-use characters; each
interface renders them its own way, the text escaped first (HTML for the panel and the API,
Discord markdown for the bot, from ``plain`` pieces)."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

MARK_START = "\ue000"
MARK_END = "\ue001"
MAX_CHARS = 300


@dataclass(frozen=True)
class Highlight:
    """Where a ticket matched: ``source`` is ``message`` (then ``message_id`` says which) or a ticket
    field (``user_name``, ``user_id``, ``label``, ``category``); ``text`` has the matched words
    between ``MARK_START`` and ``MARK_END``."""

    source: str
    text: str
    message_id: int | None = None

    def short(self) -> str:
        """The text on one line, cut at ``MAX_CHARS``, marks kept."""
        text = " ".join(self.text.split())
        return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1] + "…"

    def html(self) -> str:
        """The snippet as HTML: the text escaped, the matched words in ``<mark>``."""
        text = escape(self.short()).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
        # A snippet cut inside a match still closes its tag.
        return text + "</mark>" * (text.count("<mark>") - text.count("</mark>"))

    def plain(self) -> str:
        """The snippet without marks."""
        return self.short().replace(MARK_START, "").replace(MARK_END, "")

    def as_json(self) -> dict[str, object]:
        """The API's form: ``source``, ``message_id`` (null for a ticket field) and ``snippet`` (HTML)."""
        return {"source": self.source, "message_id": self.message_id, "snippet": self.html()}
