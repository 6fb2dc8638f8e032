"""Accessibility: axe-core (the npm package, pinned in the Makefile; tests only) on every page, in
the light and the dark theme. A serious or critical violation fails the test.

Page owners: add your pages to ``PAGES`` as ``Page(id, url, standing, prepare)``: ``url`` may be a
callable ``(guild) -> str`` building what the page shows (a ticket, say); ``prepare`` runs first
(data to show); ``then`` runs on the loaded page (open a menu, say) before axe looks at it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from tickets.models import Ticket, TicketMessage
from tickets.services.botcontrol import bot_heartbeat

from .conftest import ROOT, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = ROOT / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
THEMES = ("light", "dark")


def some_activity(guild: Any) -> None:
    """A running bot, an open ticket with a user message and a staff reply, a closed ticket."""
    bot_heartbeat(connected=True, latency_ms=38)
    now = timezone.now()
    for n, status in enumerate((Ticket.Status.OPEN, Ticket.Status.CLOSED)):
        ticket = Ticket.objects.create(
            user_id=970_000_000_000_000_001 + n,
            user_name=f"customer{n}",
            status=status,
            closed_at=now if status == Ticket.Status.CLOSED else None,
        )
        TicketMessage.objects.create(
            ticket=ticket,
            kind="user",
            author_id=ticket.user_id,
            author_name=ticket.user_name,
            content="Hello, I need help with my order.",
            created_at=now,
        )
        TicketMessage.objects.create(
            ticket=ticket,
            kind="staff",
            author_id=1,
            author_name="Staffer",
            content="On it!",
            created_at=now,
            message_number=1,
        )


def open_user_menu(page: Any) -> None:
    page.locator("details.user-menu > summary").click()


@dataclass(frozen=True)
class Page:
    id: str
    url: str | Callable[[Any], str]
    standing: str
    prepare: Callable[[Any], None] | None = None
    then: Callable[[Any], None] | None = None
    # Runs on the loaded page with the emulator the server talks to (a wizard to walk, say).
    with_discord: Callable[[Any, Any], None] | None = None


PAGES: list[Page] = [
    Page("signin", "/", "anonymous"),
    Page("signin-password-error", "/", "anonymous", then=lambda page: _failed_password(page)),
    Page("dashboard-viewer", "/panel", "viewer", some_activity),
    Page("dashboard-superuser", "/panel", "superuser", some_activity, open_user_menu),
    Page("dashboard-empty", "/panel", "manager"),
    Page("forbidden", "/panel", "member"),
    Page("not-member", "/panel", "non_member"),
    Page("not-found", "/no/such/page", "anonymous"),
    Page("logout", "/logout", "viewer"),
    Page("tickets", "/panel/tickets", "viewer", lambda guild: _conversation()),
    Page("ticket-viewer", lambda guild: f"/panel/tickets/{_conversation().pk}", "viewer"),
    Page(
        "ticket-manager",
        lambda guild: f"/panel/tickets/{_conversation().pk}",
        "manager",
        then=lambda page: _open_note(page),
    ),
    Page("configuration-viewer", "/panel/configuration", "viewer", lambda guild: _config_changes()),
    Page("configuration-errors", "/panel/configuration", "superuser", then=lambda page: _config_error(page)),
    Page("configuration-history", "/panel/configuration/history", "viewer", lambda guild: _config_changes()),
    Page(
        "statistics",
        "/panel/statistics?days=7",
        "viewer",
        lambda guild: _statistics(),
        lambda page: _open_tables(page),
    ),
    Page("statistics-empty", "/panel/statistics?days=90", "viewer"),
    Page("categories", "/panel/categories", "superuser", lambda guild: _categories()),
    Page("category-edit", lambda guild: f"/panel/categories/{_categories().pk}", "superuser"),
    Page("profile-discord-unreachable", "/panel/profile", "superuser"),
    Page("setup-invalid", "/setup/?token=expired", "anonymous"),
    Page("setup-token-error", "/setup/", "superuser", then=lambda page: _setup_empty_token(page)),
    *(
        Page(
            f"setup-{step}",
            "/setup/",
            "superuser",
            with_discord=lambda page, emu, step=step: _setup_at(page, step, emu),
        )
        for step in ("server", "channels", "login", "language", "review")
    ),
]


def _setup_empty_token(page: Any) -> None:
    page.get_by_role("button", name="Continue").click()
    page.locator("#field-token .errorlist").wait_for()


def _setup_at(page: Any, step: str, emu: Any) -> None:
    """The setup wizard walked to ``step`` (tests/panel/test_browser_setup.py)."""
    from .test_browser_setup import walk_setup

    walk_setup(page, step, emu)


def _categories() -> Any:
    """Two categories on the prompt, the first pinging the staff role; returns the first."""
    from tests.api.conftest import INBOX, STAFF_ROLE
    from tickets.services.category_admin import category_add, category_role_link

    first = category_add(
        name="Billing", description="Payments and refunds", emoji="💳", discord_category_id=INBOX
    )
    category_role_link(category_id=first.pk, role_id=STAFF_ROLE)
    category_add(name="Sales", discord_category_id=INBOX)
    return first


def _conversation() -> Ticket:
    """A ticket with every kind of message, outside any category (tests/panel/test_browser_tickets.py)."""
    from .test_browser_tickets import seed_conversation

    return seed_conversation(14, category_id=None)


def _statistics() -> None:
    """Four tickets of the last days (tests/statistics/seed.py)."""
    from tests.statistics.seed import seed_recent

    seed_recent()


def _open_tables(page: Any) -> None:
    """Every chart's table shown."""
    for summary in page.locator("details.chart-table > summary").all():
        summary.click()


def _config_changes() -> None:
    """Two saves in the configuration's history: colours and a secret."""
    from tickets.services.config import config_update

    config_update(data={"thread": {"user_message_color": "123abc"}}, saved_by="920000000000000001")
    config_update(data={"bot": {"token": "another.token-value.0000"}}, saved_by="admin")


def _config_error(page: Any) -> None:
    """The configuration sent back with an invalid field (the error beside it)."""
    page.get_by_label("Error message lifetime").fill("0")
    page.get_by_role("button", name="Save the configuration").click()
    page.locator(".has-error .errorlist").wait_for()


def _open_note(page: Any) -> None:
    page.get_by_text("Add an internal note").click()


def _failed_password(page: Any) -> None:
    page.get_by_text("Administrator sign-in with a password").click()
    page.get_by_label("Username").fill("nobody")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("alert").wait_for()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed at {AXE}: run `make test-deps`", pytrace=False)
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in results["violations"] if v.get("impact") in BLOCKING]


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {json.dumps(node['target'])} {node.get('failureSummary', '')[:300]}")
    return "\n".join(lines)


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("case", PAGES, ids=lambda case: case.id)
def test_no_serious_violation(case: Page, theme: str, browser_page, signed_in, guild, panel_discord) -> None:
    page = browser_page
    if case.prepare:
        case.prepare(guild)
    page.emulate_media(color_scheme=theme)
    signed_in(page, case.standing)
    url = case.url(guild) if callable(case.url) else case.url
    page.goto(url)
    page.wait_for_load_state("networkidle")
    if case.then:
        case.then(page)
    if case.with_discord:
        case.with_discord(page, panel_discord)
    assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (theme == "dark")
    screenshot(page, f"a11y-{case.id}-{theme}")
    violations = axe_violations(page)
    assert not violations, f"{case.id} ({theme}):\n{describe(violations)}"
