"""The API keys page in a real browser (Debian's Chromium) against daphne and the Discord emulator:
a key created in the panel is shown once, opens a ticket on ``/api/externals/tickets/create``, shows
its usage, then is revoked (refused) and deleted after a confirmation."""

from __future__ import annotations

from typing import Any

import pytest

from apikeys.models import ApiKey, ApiKeyUsage
from tickets.models import Ticket

from .conftest import PHONE, screenshot
from .test_accessibility import axe_violations, describe
from .test_browser_tickets import configure_for_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CREATE = "/api/externals/tickets/create"


def create_ticket(page: Any, secret: str, user_id: int) -> Any:
    """``POST /api/externals/tickets/create`` with ``secret`` as the key, from the browser's context."""
    return page.request.post(CREATE, headers={"X-API-Key": secret}, data={"discord_id": str(user_id)})


def test_a_key_is_shown_once_opens_a_ticket_then_is_revoked_and_deleted(
    guild, browser_page, signed_in, panel_discord
) -> None:
    page = browser_page
    configure_for_demo(panel_discord)
    signed_in(page, "superuser")
    page.goto("/panel/apikeys")
    page.get_by_label("Name").fill("Support form")
    page.get_by_label("Create tickets").check()
    page.get_by_role("button", name="Create the key").click()
    page.wait_for_url("**/panel/apikeys")

    page.get_by_text("Save this key now! You won't be able to see it again.").wait_for()
    secret = page.get_by_label("The new API key").input_value()
    assert secret.startswith("rustmail_") and len(secret) == len("rustmail_") + 64
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy").click()
    page.get_by_role("button", name="Copied").wait_for()
    key = ApiKey.objects.get(name="Support form")
    row = page.locator(f"#apikey-{key.pk}")
    assert secret not in row.inner_text() and key.key_preview in row.inner_text()
    assert "CreateTicket" in row.inner_text() and "Active" in row.inner_text()
    screenshot(page, "apikeys-created")
    assert not axe_violations(page), describe(axe_violations(page))

    page.reload()
    assert page.get_by_label("The new API key").count() == 0, "the key is shown once"
    assert secret not in page.content()

    user_id = panel_discord.demo.user_ids[0]
    answer = create_ticket(page, secret, user_id)
    assert answer.status == 200, answer.text()
    assert answer.json()["user_id"] == str(user_id)
    assert Ticket.objects.filter(user_id=user_id, status=Ticket.Status.OPEN).exists()
    usage = ApiKeyUsage.objects.get(key=key)
    assert (usage.requests, usage.tickets_created) == (1, 1)

    page.reload()
    cells = row.locator("td.num").all_inner_texts()
    assert cells == ["1", "1"], cells  # requests, tickets over 30 days
    assert "Never" not in row.locator("td").nth(5).inner_text()  # last used

    page.on("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Revoke").click()
    page.get_by_text("API key revoked.").wait_for()
    assert "Revoked" in row.inner_text()
    refused = create_ticket(page, secret, panel_discord.demo.user_ids[1])
    assert refused.status == 401 and "error" in refused.json()

    row.get_by_role("link", name="Delete").click()
    page.get_by_role("heading", name="Delete the API key “Support form”?").wait_for()
    page.get_by_role("button", name="Yes, delete").click()
    page.get_by_text("API key “Support form” deleted.").wait_for()
    assert not ApiKey.objects.filter(pk=key.pk).exists()
    assert page.locator(f"#apikey-{key.pk}").count() == 0


def test_a_refused_creation_says_why_and_creates_nothing(guild, browser_page, signed_in) -> None:
    page = browser_page
    signed_in(page, "superuser")
    page.goto("/panel/apikeys")
    page.get_by_label("Name").fill("No permission")
    page.get_by_label("Create tickets").uncheck()
    page.get_by_role("button", name="Create the key").click()
    page.locator(".has-error").first.wait_for()
    assert not ApiKey.objects.exists()
    assert page.get_by_label("Name").input_value() == "No permission"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_page_on_a_phone_in_french(guild, browser, panel_server, signed_in, scheme: str) -> None:
    context = browser.new_context(
        base_url=panel_server.url,
        viewport=PHONE,
        locale="fr-FR",
        extra_http_headers={"Accept-Language": "fr"},
        color_scheme=scheme,
    )
    page = context.new_page()
    try:
        signed_in(page, "superuser")
        ApiKey.objects.create(name="CRM", key_hash="1" * 64, key_preview="0123456789ab...")
        page.goto("/panel/apikeys")
        page.get_by_role("heading", name="Clés d'API").wait_for()
        page.get_by_role("button", name="Créer la clé").wait_for()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width}px wide on a phone"
        screenshot(page, f"apikeys-phone-fr-{scheme}")
        assert not axe_violations(page), describe(axe_violations(page))
    finally:
        context.close()
