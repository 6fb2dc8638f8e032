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


# A reply or a note, sent in the sender's Discord name: refused (400, the page again) to a
# password-only superuser.
REPLY = statuses(302, 403, 403, 403, 302, 400)


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
    # Tickets: the list, a conversation and its fragments (ViewPanel); actions need ManageTickets.
    Row("tickets", VIEW),
    Row("ticket", VIEW, kwargs=lambda guild: {"ticket_id": str(a_ticket().pk)}),
    Row("ticket_messages", VIEW, kwargs=lambda guild: {"ticket_id": str(a_ticket().pk)}),
    Row("ticket_message", VIEW, kwargs=lambda guild: a_message()),
    Row("ticket_side", VIEW, kwargs=lambda guild: {"ticket_id": str(a_ticket().pk)}),
    Row(
        "ticket_reply",
        REPLY,
        method="post",
        kwargs=lambda guild: a_customer_ticket(guild),
        data={"content": "Hi"},
    ),
    Row(
        "ticket_note",
        REPLY,
        method="post",
        kwargs=lambda guild: a_customer_ticket(guild),
        data={"content": "A note"},
    ),
    *(
        Row(
            f"ticket_{action}",
            needs("ManageTickets"),
            method="post",
            kwargs=lambda guild: {"ticket_id": str(a_ticket().pk)},
            data=data,
        )
        for action, data in (
            ("close", {"delay": "2h"}),
            ("close_cancel", {}),
            ("take", {}),
            ("release", {}),
            ("move", {"category": "Inbox"}),
        )
    ),
    # Configuration: ViewPanel reads it, ManageConfig saves (an empty form is refused: 400, nothing saved).
    Row("configuration", VIEW),
    Row("configuration_history", VIEW),
    # Statistics and their CSV downloads (ViewPanel).
    Row("statistics", VIEW),
    Row("statistics_csv", VIEW, kwargs={"table": "staff"}),
    Row("configuration", needs("ManageConfig", ok=400), method="post"),
    # API keys: ManageApiKeys only (an empty creation form is refused: 400, nothing created).
    Row("apikeys", needs("ManageApiKeys", ok=200)),
    Row("apikeys", needs("ManageApiKeys", ok=400), method="post"),
    Row("apikey_revoke", needs("ManageApiKeys"), method="post", kwargs=lambda guild: an_api_key()),
    Row("apikey_delete", needs("ManageApiKeys", ok=200), kwargs=lambda guild: an_api_key()),
    Row("apikey_delete", needs("ManageApiKeys"), method="post", kwargs=lambda guild: an_api_key()),
    # Categories: ManageCategories only (empty forms are refused: 400, nothing written).
    Row("categories", needs("ManageCategories", ok=200)),
    Row("categories_list", needs("ManageCategories", ok=200)),
    Row("category_create", needs("ManageCategories", ok=400), method="post"),
    Row(
        "category_settings",
        needs("ManageCategories"),
        method="post",
        data={"prompt_enabled": "on", "selection_timeout": "60"},
    ),
    Row("category_edit", needs("ManageCategories", ok=200), kwargs=lambda guild: a_category()),
    Row("category_edit", needs("ManageCategories", ok=400), method="post", kwargs=lambda guild: a_category()),
    Row("category_toggle", needs("ManageCategories"), method="post", kwargs=lambda guild: a_category()),
    Row(
        "category_move",
        needs("ManageCategories"),
        method="post",
        kwargs=lambda guild: a_category(),
        data={"direction": "up"},
    ),
    Row("category_delete", needs("ManageCategories", ok=200), kwargs=lambda guild: a_category()),
    Row("category_delete", needs("ManageCategories"), method="post", kwargs=lambda guild: a_category()),
    # The bot's profile: ManageBot (an empty form changes nothing: 400).
    Row("profile", needs("ManageBot", ok=200)),
    Row("profile", needs("ManageBot", ok=400), method="post"),
    # Blocked users and bans: ViewBans sees; blocking also needs ManageTickets and a Discord account
    # (a block records who made it: a password-only superuser is refused, 400).
    Row("bans", needs("ViewBans", ok=200)),
    Row("block", needs("ViewBans", ok=400), method="post", data={"user_id": "123456789012345678"}),
    Row("unblock", needs("ViewBans"), method="post", kwargs={"user_id": 123456789012345678}),
    # Snippets: ViewPanel reads (and previews); ManageTickets creates (an empty form: 400), edits, deletes.
    Row("snippets", VIEW),
    Row("snippets", needs("ManageTickets", ok=400), method="post"),
    Row("snippet_preview", needs("ViewPanel", ok=200), method="post", data={"content": "Hi"}),
    Row("snippet_edit", needs("ManageTickets", ok=200), kwargs=lambda guild: a_snippet()),
    Row(
        "snippet_edit",
        needs("ManageTickets"),
        method="post",
        kwargs=lambda guild: a_snippet(),
        data={"content": "New"},
    ),
    Row("snippet_delete", needs("ManageTickets", ok=200), kwargs=lambda guild: a_snippet()),
    # (the manager deletes it first: the superuser then finds nothing to delete)
    Row(
        "snippet_delete",
        statuses(302, 403, 403, 403, 302, 404),
        method="post",
        kwargs=lambda guild: a_snippet(),
    ),
    # Administration: ManagePermissions only (an empty grant form is refused: 400, nothing granted).
    Row("administration", needs("ManagePermissions", ok=200)),
    Row("administration", needs("ManagePermissions", ok=400), method="post"),
    Row("grant_revoke", needs("ManagePermissions"), method="post", kwargs={"grant_id": 999_999}),
    # The setup wizard: its one-time link (none here: the bot is configured) or a Django superuser.
    Row("setup", statuses(403, 403, 403, 403, 403, 200)),
    Row("setup_slash", statuses(403, 403, 403, 403, 403, 200)),
]


def a_category() -> dict[str, Any]:
    """A new ticket category, as the URL of its pages names it."""
    from tests.api.conftest import INBOX, next_id
    from tickets.services.category_admin import category_add

    return {"category_id": category_add(name=f"Billing {next_id()}", discord_category_id=INBOX).pk}


def a_snippet() -> dict[str, Any]:
    """A new snippet, as the URL of its pages names it."""
    from tests.api.conftest import next_id
    from tickets.services import snippet_create

    return {
        "key": snippet_create(key=f"refund{next_id()}", content="Your refund is on its way.", staff_id=1).key
    }


def an_api_key() -> dict[str, Any]:
    """A new API key, as the URL of its actions names it."""
    from apikeys.services import apikey_create

    return {"key_id": apikey_create(name="CI", permissions=["CreateTicket"]).api_key.pk}


def a_customer_ticket(guild: Any) -> dict[str, Any]:
    """An open ticket with the in-memory Discord's member, with a channel: a reply can reach them."""
    from tests.api.conftest import CUSTOMER, GUILD
    from tickets.models import Ticket

    channel = guild.discord.add_text_channel(GUILD, "ticket")
    ticket = Ticket.objects.create(user_id=CUSTOMER, user_name="customer", channel_id=channel)
    return {"ticket_id": str(ticket.pk)}


def a_ticket() -> Any:
    """An open ticket outside any category (every panel user may see it)."""
    from tickets.models import Ticket

    return Ticket.objects.create(
        user_id=960_000_000_000_000_001 + Ticket.objects.count(), user_name="someone"
    )


def a_message() -> dict[str, Any]:
    from django.utils import timezone

    from tickets.models import TicketMessage

    ticket = a_ticket()
    message = TicketMessage.objects.create(
        ticket=ticket,
        kind="user",
        author_id=ticket.user_id,
        author_name="someone",
        content="Hi",
        created_at=timezone.now(),
    )
    return {"ticket_id": str(ticket.pk), "message_id": message.pk}


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


def test_the_403_page_offers_a_way_out_that_is_not_another_403(client_for) -> None:
    member_page = client_for("member").get("/panel/tickets").content.decode()
    assert "Back to the dashboard" not in member_page  # the dashboard would refuse them too
    assert 'action="/logout"' in member_page or "Log out</button>" in member_page

    viewer_page = client_for("viewer").post("/panel/bot/restart").content.decode()  # needs ManageBot
    assert "Access denied" in viewer_page and "Back to the dashboard" in viewer_page
