"""live.js in a real browser: events become ``rm:<type>`` DOM events, a server restart loses none,
and a page back too late is told to resync."""

from __future__ import annotations

import socket as sockets
import uuid
from datetime import timedelta
from typing import Any

import pytest

from tests.api.conftest import INBOX
from tickets.events import EventType, latest_id, publish, trim

from .conftest import start_panel_server

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = """() => {
  window.__got = [];
  for (const name of ["rm:message.created", "rm:resync"]) {
    document.body.addEventListener(name, (e) =>
      window.__got.push([name, e.detail.id || null, e.detail.ticket_id || null]));
  }
}"""


def free_port() -> int:
    with sockets.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def got(page: Any) -> list[list]:
    return page.evaluate("window.__got")


def wait_got(page: Any, count: int, timeout: float = 20_000) -> list[list]:
    page.wait_for_function("n => window.__got.length >= n", arg=count, timeout=timeout)
    return got(page)


def message(ticket: uuid.UUID) -> int:
    publish(EventType.MESSAGE_CREATED, ticket_id=ticket, category_id=INBOX, data={"message_id": 1})
    return latest_id()


def test_events_reach_the_page_and_survive_a_server_restart(browser_page, signed_in, panel_discord) -> None:
    page = browser_page
    signed_in(page, "superuser")
    port = free_port()
    server = start_panel_server(panel_discord.api_base, port=port)
    try:
        page.goto(f"http://127.0.0.1:{port}/panel")
        page.evaluate(LISTEN)
        page.wait_for_selector("body[data-live=connected]")
        ticket = uuid.uuid4()

        first = message(ticket)
        assert wait_got(page, 1) == [["rm:message.created", first, str(ticket)]]

        # The web restarts; meanwhile an event is published: the page gets it once it is back.
        server.stop()
        page.wait_for_selector("body[data-live=offline]")
        missed = message(ticket)
        server = start_panel_server(panel_discord.api_base, port=port)
        page.wait_for_selector("body[data-live=connected]", timeout=30_000)
        assert wait_got(page, 2) == [
            ["rm:message.created", first, str(ticket)],
            ["rm:message.created", missed, str(ticket)],
        ]

        # Away while the stream was trimmed past it: the page is told to reload what it shows.
        server.stop()
        page.wait_for_selector("body[data-live=offline]")
        message(ticket)
        last = message(ticket)
        trim(older_than=timedelta(0))  # only the newest is kept
        server = start_panel_server(panel_discord.api_base, port=port)
        assert wait_got(page, 3, timeout=30_000)[2][0] == "rm:resync"
        assert page.evaluate("window.RustmailLive.resume()") == last
        following = message(ticket)
        assert wait_got(page, 4)[3] == ["rm:message.created", following, str(ticket)]
    finally:
        server.stop()
