"""Stored attachments on the ticket page, in a real browser: an image shows as its thumbnail and
opens the stored copy, a document links its stored copy, a file that could not be kept says so;
nothing points at Discord's expiring URLs. Desktop and phone, light and dark, axe-clean."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import STAFF_ROLE, make_user, next_id
from tests.attachments.helpers import png, stored_attachment
from tickets.models import Attachment, Ticket

from .conftest import DESKTOP, PHONE, screenshot
from .test_accessibility import axe_violations, describe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _ticket_with_files() -> tuple[Ticket, Attachment, Attachment, Attachment]:
    ticket = Ticket.objects.create(
        user_id=next_id(), user_name="alice", channel_id=next_id(), category_id=None
    )
    image = stored_attachment(data=png(1200, 800, (200, 90, 40)), filename="screenshot.png", ticket=ticket)
    document = stored_attachment(
        data=b"%PDF-1.4 " + b"d" * 40_000,
        filename="invoice.pdf",
        content_type="application/pdf",
        ticket=ticket,
    )
    lost = stored_attachment(data=b"v" * 1000, filename="video.mp4", content_type="video/mp4", ticket=ticket)
    Attachment.objects.filter(pk=lost.pk).update(state=Attachment.State.TOO_LARGE, size=30 * 1024 * 1024)
    return ticket, image, document, lost


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_ticket_page_shows_stored_files(guild, browser, panel_server, signed_in, scheme: str) -> None:
    ticket, image, document, _lost = _ticket_with_files()
    user = make_user(next_id(), roles=(STAFF_ROLE,), grants=("ViewPanel",))
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(base_url=panel_server.url, viewport=viewport, color_scheme=scheme)
        page = context.new_page()
        try:
            signed_in(page, user)
            page.goto(f"/panel/tickets/{ticket.pk}")
            thumb = page.locator(f'img[src="/api/attachments/{image.pk}/thumbnail"]')
            thumb.wait_for()
            page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle())
            assert page.evaluate("img => img.naturalWidth", thumb.element_handle()) == 320
            assert thumb.locator("xpath=..").get_attribute("href") == f"/api/attachments/{image.pk}"
            link = page.get_by_role("link", name="invoice.pdf")
            assert link.get_attribute("href") == f"/api/attachments/{document.pk}"
            assert page.get_by_text("Too large to store").is_visible()
            assert "cdn.discordapp.com/attachments" not in page.content()
            screenshot(page, f"attachments-{name}-{scheme}", full_page=name == "phone")
            violations: list[dict[str, Any]] = axe_violations(page)
            assert not violations, describe(violations)
        finally:
            context.close()


def test_a_stored_image_opens_in_the_browser(guild, browser_page, signed_in) -> None:
    _ticket, image, _document, _lost = _ticket_with_files()
    page = browser_page
    signed_in(page, make_user(next_id(), roles=(STAFF_ROLE,), grants=("ViewPanel",)))
    response = page.goto(f"/api/attachments/{image.pk}")
    assert response.status == 200 and response.headers["content-type"] == "image/png"
    assert len(response.body()) == image.size
