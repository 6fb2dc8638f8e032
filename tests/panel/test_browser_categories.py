"""The categories page in a real browser (Debian's Chromium) against daphne: a category created in
the panel is offered by the real bot's prompt to a user in the emulator, and choosing it opens the
ticket there with its roles pinged; the page edits, orders, disables and deletes (after a
confirmation), follows changes made elsewhere without a reload, refuses bad input with the reason,
speaks French, and has no serious axe violation in light and dark, on a desktop and a phone."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from panel.models import PanelPermission
from tests.api.conftest import INBOX, STAFF_ROLE, make_user, next_id
from tickets.models import CategoryRole, CategorySettings, Ticket, TicketCategory
from tickets.services.category_admin import category_add

from .conftest import DESKTOP, PHONE, screenshot, wait_until
from .test_accessibility import axe_violations, describe
from .test_browser_tickets import bot, demo_staff, dm  # noqa: F401 (bot is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Permission = PanelPermission.Permission


def category_manager() -> Any:
    return make_user(
        next_id(), roles=(STAFF_ROLE,), grants=(Permission.VIEW_PANEL, Permission.MANAGE_CATEGORIES)
    )


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for row in message.get("components") or [] for b in row.get("components", [])]


def test_a_category_created_in_the_panel_is_offered_by_the_bots_prompt(bot, browser_page, signed_in) -> None:  # noqa: F811
    emu = bot
    demo = emu.demo
    page = browser_page
    signed_in(page, demo_staff(emu, Permission.VIEW_PANEL, Permission.MANAGE_CATEGORIES))
    page.goto("/panel/categories")

    page.get_by_label("Ask users to choose a category").check()
    page.get_by_label("Timeout (seconds)").fill("600")
    page.get_by_role("button", name="Save the prompt settings").click()
    expect(page.get_by_role("status")).to_contain_text("Prompt settings saved.")

    form = page.locator("#new-category")
    form.get_by_label("Name").fill("Billing")
    form.get_by_label("Description").fill("Payments and refunds")
    form.get_by_label("Emoji").fill("💳")
    form.get_by_label("Discord category").select_option(str(demo.inbox_category_id))
    form.get_by_label("Staff").check()
    form.get_by_role("button", name="Create the category").click()
    expect(page.get_by_role("status")).to_contain_text("Category Billing created.")
    expect(page.locator("#categories-list")).to_contain_text("Billing")
    expect(page.locator("#categories-list")).to_contain_text("@Staff")
    screenshot(page, "categories-created")

    billing = TicketCategory.objects.get(name="Billing")
    assert billing.discord_category_id == demo.inbox_category_id
    assert list(CategoryRole.objects.values_list("role_id", flat=True)) == [demo.staff_role_id]
    settings = CategorySettings.load()
    assert (settings.prompt_enabled, settings.selection_timeout) == (True, 600)

    user = demo.user_ids[0]
    dm(emu, user, "I was charged twice")

    def prompt() -> dict[str, Any] | None:
        return next((m for m in emu.dm_messages(user) if buttons(m)), None)

    message = wait_until(prompt, timeout=30, interval=0.2)
    labels = [b["label"] for b in buttons(message)]
    assert labels == ["Billing", "Other"]
    assert buttons(message)[0]["emoji"]["name"] == "💳"
    assert not Ticket.objects.exists()  # the DM waits for the choice

    emu.call(lambda: emu.emu.click_button(message["id"], buttons(message)[0]["custom_id"], user))
    ticket = wait_until(
        lambda: Ticket.objects.filter(user_id=user, channel_id__isnull=False).first(), timeout=30
    )
    assert ticket.ticket_category_id == billing.pk
    assert int(emu.channel(ticket.channel_id)["parent_id"]) == demo.inbox_category_id
    wait_until(
        lambda: any(
            f"<@&{demo.staff_role_id}>" in (m.get("content") or "") for m in emu.messages(ticket.channel_id)
        ),
        timeout=30,
    )


def test_the_page_edits_orders_disables_and_deletes_after_a_confirmation(
    guild, browser_page, signed_in
) -> None:
    page = browser_page
    signed_in(page, category_manager())
    category_add(name="Billing", discord_category_id=INBOX)
    category_add(name="Sales", discord_category_id=INBOX)
    page.goto("/panel/categories")
    rows = page.locator("#categories-list tbody tr")
    expect(rows).to_have_count(2)

    # Order: Sales up, first on the prompt.
    page.get_by_role("button", name="Move Sales up").click()
    expect(page.get_by_role("status")).to_contain_text("Category Sales moved.")
    expect(rows.first).to_contain_text("Sales")
    assert list(TicketCategory.objects.values_list("name", flat=True)) == ["Sales", "Billing"]

    # Disable, then enable again.
    page.get_by_role("button", name="Disable Billing").click()
    expect(page.get_by_role("status")).to_contain_text("Category Billing disabled.")
    assert not TicketCategory.objects.get(name="Billing").enabled
    page.get_by_role("button", name="Enable Billing").click()
    expect(page.get_by_role("status")).to_contain_text("Category Billing enabled.")

    # Edit: a name taken is refused with the reason, the form keeps what was typed.
    page.get_by_role("link", name="Billing", exact=True).click()
    page.get_by_label("Name").fill("sales")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("A category named sales already exists.")
    expect(page.get_by_label("Name")).to_have_value("sales")
    page.get_by_label("Name").fill("Payments")
    page.get_by_label("Description").fill("Refunds too")
    page.get_by_label("Staff").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Category Payments saved.")
    payments = TicketCategory.objects.get(name="Payments")
    assert payments.description == "Refunds too"
    assert list(payments.roles.values_list("role_id", flat=True)) == [STAFF_ROLE]

    # Delete: a confirmation page first; Cancel keeps it.
    page.get_by_role("link", name="Delete Payments").click()
    expect(page.get_by_role("heading", name="Delete the category Payments?")).to_be_visible()
    page.get_by_role("link", name="Cancel").click()
    assert TicketCategory.objects.filter(name="Payments").exists()
    page.get_by_role("link", name="Delete Payments").click()
    page.get_by_role("button", name="Yes, delete it").click()
    expect(page.get_by_role("status")).to_contain_text("Category Payments deleted.")
    expect(rows).to_have_count(1)
    assert not TicketCategory.objects.filter(name="Payments").exists()


def test_the_list_follows_changes_made_elsewhere_without_a_reload(guild, browser_page, signed_in) -> None:
    page = browser_page
    signed_in(page, category_manager())
    page.goto("/panel/categories")
    expect(page.locator("#categories-list")).to_contain_text("No category yet")
    page.wait_for_function("document.body.dataset.live === 'connected'")
    category_add(name="Shipping", discord_category_id=INBOX)  # as the bot's command or the API would
    expect(page.locator("#categories-list tbody tr")).to_have_count(1, timeout=15_000)
    expect(page.locator("#categories-list")).to_contain_text("Shipping")


def test_bad_input_is_refused_with_the_reason_and_nothing_is_written(guild, browser_page, signed_in) -> None:
    page = browser_page
    signed_in(page, category_manager())
    page.goto("/panel/categories")
    form = page.locator("#new-category")
    form.get_by_label("Name").fill("Billing")
    form.get_by_label("Emoji").fill("abc")
    form.get_by_label("Discord category").select_option(str(INBOX))
    form.get_by_role("button", name="Create the category").click()
    expect(page.get_by_role("alert")).to_contain_text("The emoji must be a Unicode emoji")
    expect(form.get_by_label("Name")).to_have_value("Billing")
    assert not TicketCategory.objects.exists()

    page.get_by_label("Timeout (seconds)").fill("5")
    page.get_by_role("button", name="Save the prompt settings").click()
    expect(page.locator(".alert-error")).to_contain_text("Nothing was saved")
    assert CategorySettings.load().selection_timeout == 300


def test_french_phone_dark_and_accessible(guild, browser, panel_server, signed_in) -> None:
    user = category_manager()
    category_add(name="Billing", description="Payments and refunds", emoji="💳", discord_category_id=INBOX)
    category_add(name="Sales", discord_category_id=INBOX)
    for name, viewport, scheme, language in (
        ("desktop", DESKTOP, "light", "en-US"),
        ("desktop", DESKTOP, "dark", "en-US"),
        ("phone", PHONE, "dark", "fr-FR"),
        ("phone", PHONE, "light", "en-US"),
    ):
        context = browser.new_context(
            base_url=panel_server.url,
            viewport=viewport,
            color_scheme=scheme,
            locale=language,
            extra_http_headers={"Accept-Language": language},
        )
        page = context.new_page()
        try:
            signed_in(page, user)
            page.goto("/panel/categories")
            page.locator("#categories-list tbody tr").first.wait_for()
            if language.startswith("fr"):
                expect(page.get_by_role("heading", name="Catégories", exact=True)).to_be_visible()
                expect(page.get_by_role("button", name="Créer la catégorie")).to_be_visible()
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], f"{name}: the page is {width}px wide"
            screenshot(page, f"categories-{name}-{scheme}-{language[:2]}")
            violations = axe_violations(page)
            assert not violations, describe(violations)
            category = TicketCategory.objects.get(name="Billing")
            page.goto(f"/panel/categories/{category.pk}")
            assert re.search(r"Billing", page.content())
            violations = axe_violations(page)
            assert not violations, describe(violations)
            page.goto(f"/panel/categories/{category.pk}/delete")
            violations = axe_violations(page)
            assert not violations, describe(violations)
        finally:
            context.close()
