"""The page permission matrix: every route of ``panel.pages.urls`` × every standing.

``MATRIX`` holds one ``Row`` per route (and method): the status each standing gets. A route without
a row, or a row for a route that no longer exists, fails ``test_every_route_has_a_row``; a route
outside ``PUBLIC_ROUTES`` that is not guarded by ``@panel_page`` fails ``test_pages_are_guarded``.

Add rows for a new route with the presets (``VIEW`` for a ViewPanel page, ``needs(...)`` for an
action) or a dict of your own. ``kwargs`` may be a callable ``(guild) -> dict`` building what the
URL points at (a ticket, say); ``data`` is the POST body.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import URLPattern, reverse

from panel.pages import urls as page_urls

from .conftest import STANDINGS

pytestmark = pytest.mark.django_db

# Routes anyone may open (sign-in, logout, language) or guarded otherwise (the wizard's token).
PUBLIC_ROUTES = {"signin", "password_login", "logout", "language", "setup", "setup_slash"}


def statuses(
    anonymous: int, non_member: int, member: int, viewer: int, manager: int, superuser: int
) -> dict[str, int]:
    """The expected status per standing, in ``STANDINGS`` order."""
    return dict(zip(STANDINGS, (anonymous, non_member, member, viewer, manager, superuser), strict=True))


# A ViewPanel page (or fragment): visitors to the sign-in page, outsiders and members without
# ViewPanel a 403 page.
VIEW = statuses(302, 403, 403, 200, 200, 200)


def needs(permission: str, ok: int = 302) -> dict[str, int]:
    """An action needing ``permission`` beyond ViewPanel; ``ok`` is the status of those holding it
    (302: a plain form goes back to its page). ``manager`` holds ViewPanel and ManageTickets."""
    manager = ok if permission in ("ViewPanel", "ManageTickets") else 403
    viewer = ok if permission == "ViewPanel" else 403
    return statuses(302, 403, 403, viewer, manager, ok)


@dataclass(frozen=True)
class Row:
    """One route (by URL name) with one method, and what each standing gets."""

    name: str
    expected: dict[str, int]
    method: str = "get"
    kwargs: dict[str, Any] | Callable[[Any], dict[str, Any]] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.method.upper()} {self.name}"


MATRIX: list[Row] = [
    # Sign-in, logout, language: open to anyone. Signed-in panel users are sent on from "/";
    # a Discord user outside the staff server gets the page saying so.
    Row("signin", statuses(200, 403, 302, 302, 302, 302)),
    Row("password_login", statuses(302, 302, 302, 302, 302, 302)),
    Row("password_login", statuses(400, 400, 400, 400, 400, 400), method="post"),
    Row("logout", statuses(405, 405, 405, 405, 405, 405)),
    Row("logout", statuses(302, 302, 302, 302, 302, 302), method="post"),
    Row("language", statuses(302, 302, 302, 302, 302, 302), method="post", data={"language": "en"}),
    # Dashboard and its fragments; the bot controls need ManageBot.
    Row("dashboard", VIEW),
    Row("bot_panel", VIEW),
    Row("overview", VIEW),
    Row("bot_action", needs("ManageBot"), method="post", kwargs={"action": "restart"}),
    Row("bot_presence", needs("ManageBot"), method="post", data={"presence": "idle"}),
]


def route_names() -> set[str]:
    return {p.name for p in page_urls.urlpatterns if isinstance(p, URLPattern) and p.name}


def test_every_route_has_a_row() -> None:
    names = route_names()
    covered = {row.name for row in MATRIX}
    assert not names - covered, f"routes without a row in MATRIX: {sorted(names - covered)}"
    assert not covered - names, f"rows for routes that do not exist: {sorted(covered - names)}"


def test_pages_are_guarded() -> None:
    unguarded = [
        p.name
        for p in page_urls.urlpatterns
        if p.name not in PUBLIC_ROUTES and not hasattr(p.callback, "panel_permission")
    ]
    assert not unguarded, f"routes without @panel_page: {unguarded}"


@pytest.mark.parametrize("row", MATRIX, ids=lambda row: row.id)
def test_matrix(row: Row, guild, client_for) -> None:
    kwargs = row.kwargs(guild) if callable(row.kwargs) else row.kwargs
    url = reverse(f"panel:{row.name}", kwargs=kwargs)
    got = {}
    for standing in STANDINGS:
        client = client_for(standing)
        response = getattr(client, row.method)(url, row.data) if row.method == "post" else client.get(url)
        got[standing] = response.status_code
    assert got == row.expected, url
