"""A hostile ticket: HTML, scripts, ``javascript:`` links, a 4,000-character line, emoji and
right-to-left text. The HTML page runs nothing and links nowhere but http(s); every format keeps
the text as it was written."""

from __future__ import annotations

import json
from html.parser import HTMLParser

from tickets.transcripts import transcript_bytes

from .conftest import EMOJI, HOSTILE, LONG_LINE, RTL, SCRIPT

# The tags the page is made of: the template's, and those nh3 lets through in a message.
PAGE_TAGS = {"html", "head", "meta", "title", "style", "body", "div", "h1", "p", "main", "footer"}
MESSAGE_TAGS = {
    "article",
    "span",
    "img",
    "header",
    "strong",
    "time",
    "a",
    "br",
    "code",
    "pre",
    "em",
    "s",
    "u",
}
MESSAGE_TAGS |= {"details", "summary", "ol", "li"}


class Tags(HTMLParser):
    """Every start tag of a page with its attributes, and the text of ``<style>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(page: str) -> Tags:
    parser = Tags()
    parser.feed(page)
    parser.close()
    return parser


def test_html_runs_nothing_a_user_wrote(hostile_ticket) -> None:
    page = transcript_bytes(hostile_ticket, "html").decode()
    parsed = _parse(page)

    assert {tag for tag, _ in parsed.tags} <= PAGE_TAGS | MESSAGE_TAGS
    for tag, attrs in parsed.tags:
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        for name in ("href", "src"):
            if attrs.get(name) is not None:
                assert attrs[name].startswith(("https://", "http://")), (tag, attrs)
        assert "javascript:" not in " ".join(str(v) for v in attrs.values())


def test_html_shows_what_a_user_wrote_as_text(hostile_ticket) -> None:
    text = "".join(_parse(transcript_bytes(hostile_ticket, "html").decode()).text)

    assert SCRIPT in text
    assert "[click me](javascript:alert(1)) javascript:alert(2)" in text
    assert '"><img src=x onerror=alert(3)>' in text
    assert '<b onmouseover="x()">Mallory</b>' in text  # the user's name, in the title and header
    assert "<script>staff()</script>" in text and '"><svg onload=x()>' in text
    assert "<img src=x onerror=alert(4)>.png" in text  # the file name, its link dropped
    assert LONG_LINE in text and EMOJI in text and RTL in text


def test_html_keeps_long_lines_and_mixed_directions_readable(hostile_ticket) -> None:
    page = transcript_bytes(hostile_ticket, "html").decode()

    assert "overflow-wrap: anywhere" in page  # the 4,000 characters wrap instead of widening the page
    assert page.count('dir="auto"') == len(HOSTILE) + 1  # each message finds its own direction
    assert '<meta charset="utf-8">' in page


def test_json_and_text_keep_every_message_exactly(hostile_ticket) -> None:
    body = json.loads(transcript_bytes(hostile_ticket, "json"))
    assert [m["content"] for m in body["messages"]] == [*HOSTILE, SCRIPT]
    assert body["ticket"]["user_name"] == '<b onmouseover="x()">Mallory</b>'

    text = transcript_bytes(hostile_ticket, "txt").decode()
    for content in HOSTILE:
        assert f"    {content}\n" in text
