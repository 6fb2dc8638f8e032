"""The live-events script is on the pages of those who may receive events (ViewPanel) only: the
socket refuses everybody else, so a page of theirs would only retry in vain."""

from __future__ import annotations

import re

import pytest

from tickets.events import EventType, latest_id, publish

pytestmark = pytest.mark.django_db

SCRIPT = re.compile(r'<script src="[^"]*panel/live(\.[0-9a-f]+)?\.js" data-after="(\d+)" defer></script>')


@pytest.mark.parametrize(
    ("standing", "path", "status"),
    [
        ("anonymous", "/", 200),
        ("non_member", "/panel", 403),  # the "not a member" page
        ("member", "/panel", 403),  # the 403 page of a member without ViewPanel
        ("member", "/panel/no-such-page", 404),
    ],
)
def test_no_live_script_without_view_panel(client_for, standing: str, path: str, status: int) -> None:
    response = client_for(standing).get(path)

    assert response.status_code == status
    assert not re.search(r"panel/live(\.[0-9a-f]+)?\.js", response.content.decode())


@pytest.mark.parametrize("standing", ["viewer", "manager", "superuser"])
def test_view_panel_holders_get_the_script_from_the_render_point(client_for, standing: str) -> None:
    publish(EventType.BOT_STATUS, data={"status": "stopped"})

    html = client_for(standing).get("/panel").content.decode()

    match = SCRIPT.search(html)
    assert match, "live.js is loaded"
    assert int(match.group(2)) == latest_id() > 0, "it resumes from the newest event at render time"
