"""The tickets list's search box in a real browser: typing searches (htmx, no reload) and shows the
matching tickets with their snippets highlighted, best first; the address keeps the search; it
works on a phone and in the dark theme, in French, and axe finds nothing serious."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from tests.api.conftest import next_id
from tickets.models import Ticket, TicketMessage

from .conftest import PHONE, screenshot
from .test_accessibility import axe_violations, describe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def conversations() -> dict[str, Ticket]:
    """Three closed tickets and an open one, with messages that a search tells apart."""
    now = timezone.now()
    made = {}
    for key, name, status, lines in (
        ("refund", "Alice Martin", Ticket.Status.CLOSED, ["I paid twice, I want a refund", "refund please"]),
        ("paypal", "Bob Stone", Ticket.Status.CLOSED, ["refund through PayPal, as usual"]),
        ("other", "Carol Diaz", Ticket.Status.OPEN, ["My parcel never arrived"]),
    ):
        ticket = Ticket.objects.create(
            user_id=next_id(),
            user_name=name,
            status=status,
            channel_id=next_id(),
            closed_at=now if status == Ticket.Status.CLOSED else None,
        )
        for line in lines:
            TicketMessage.objects.create(
                ticket=ticket,
                kind="user",
                author_id=ticket.user_id,
                author_name=name,
                content=line,
                created_at=now,
            )
        made[key] = ticket
    return made


def rows(page: Any) -> list[str]:
    return page.eval_on_selector_all("#tickets-list tbody tr", "rows => rows.map(r => r.id.slice(7))")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_typing_in_the_search_box_lists_the_matching_tickets_highlighted(browser_page, signed_in, theme):
    page = browser_page
    tickets = conversations()
    page.emulate_media(color_scheme=theme)
    signed_in(page, "viewer")
    page.goto("/panel/tickets?status=all")
    assert len(rows(page)) == 3

    page.get_by_label("Search messages").fill("refund -paypal")
    page.wait_for_function("document.querySelectorAll('#tickets-list tbody tr').length === 1")
    assert rows(page) == [str(tickets["refund"].pk)]
    assert page.locator("#tickets-list mark").first.inner_text().lower() == "refund"
    assert "q=refund" in page.url
    screenshot(page, f"search-desktop-{theme}")
    violations = axe_violations(page)
    assert not violations, describe(violations)

    page.get_by_label("Search messages").fill("alice")
    page.wait_for_function("document.querySelector('#tickets-list mark')?.textContent === 'Alice'")
    assert rows(page) == [str(tickets["refund"].pk)]

    page.get_by_label("Search messages").fill("zebra")
    page.get_by_text("No ticket matches this search.").wait_for()

    page.set_viewport_size(PHONE)
    page.goto("/panel/tickets?q=refund&status=all")
    assert set(rows(page)) == {str(tickets["refund"].pk), str(tickets["paypal"].pk)}
    screenshot(page, f"search-phone-{theme}")
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_the_search_box_in_french_on_a_phone(guild, browser, panel_server, signed_in):
    context = browser.new_context(
        base_url=panel_server.url,
        viewport=PHONE,
        locale="fr-FR",
        extra_http_headers={"Accept-Language": "fr"},
    )
    page = context.new_page()
    try:
        conversations()
        signed_in(page, "viewer")
        page.goto("/panel/tickets?status=all")
        page.get_by_label("Chercher dans les messages").fill("zebre")
        page.get_by_text("Aucun ticket ne correspond à cette recherche.").wait_for()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width}px wide on a phone"
        screenshot(page, "search-phone-fr")
        assert not axe_violations(page), describe(axe_violations(page))
    finally:
        context.close()
