"""The snippets page in a real browser (Debian's Chromium) against daphne: a snippet created in the
panel, with the preview of the reply the user gets, is sent by ``!snippet use`` in a ticket channel
of the Discord emulator to the real bot (``manage.py runbot``); search, edit and delete after a
confirmation; a ViewPanel holder only reads."""

from __future__ import annotations

import re

import pytest

from tests.api.conftest import make_user, next_id
from tickets.models import Snippet, Ticket

from .conftest import PHONE, screenshot, wait_until
from .test_accessibility import axe_violations, describe
from .test_browser_tickets import bot, demo_staff, dm, texts_received  # noqa: F401 (bot is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFUND = "Your refund is on its way: allow **5 days**."


def test_a_snippet_created_in_the_panel_is_sent_by_snippet_use(bot, browser_page, signed_in) -> None:  # noqa: F811
    emu, page = bot, browser_page
    signed_in(page, demo_staff(emu, "ViewPanel", "ManageTickets"))
    page.goto("/panel/snippets")
    page.get_by_label("Key").fill("refund")
    page.get_by_label("Text").fill(REFUND)
    preview = page.locator("#snippet-preview")
    preview.get_by_text(REFUND).wait_for()  # rendered as the bot renders a reply, while typing
    assert "Sam Staff" in preview.inner_text()  # the sender's name, as the user sees it
    screenshot(page, "snippets-preview")
    page.get_by_role("button", name="Create the snippet").click()
    page.get_by_text("Snippet “refund” created.").wait_for()
    assert page.locator("#snippet-refund").inner_text().startswith("refund")
    assert Snippet.objects.get(key="refund").created_by == emu.demo.staff_id

    user_id = emu.demo.user_ids[1]
    dm(emu, user_id, "Where is my money?")
    opened = Ticket.objects.filter(user_id=user_id, status=Ticket.Status.OPEN, channel_id__isnull=False)
    wait_until(opened.exists, timeout=30)
    channel_id = opened.get().channel_id
    staff_id, emulator = emu.demo.staff_id, emu.emu
    emu.call(lambda: emulator.post_in_channel(channel_id, staff_id, "!snippet use refund"))
    wait_until(lambda: any(REFUND in text for text in texts_received(emu, user_id)), timeout=30)


def test_search_edit_and_delete(guild, browser_page, signed_in) -> None:
    page = browser_page
    Snippet.objects.create(key="refund", content="Refunds take 5 days.", created_by=1)
    Snippet.objects.create(key="hello", content="Hello! How can we help?", created_by=1)
    signed_in(page, "manager")
    page.goto("/panel/snippets")
    page.get_by_label("Search").fill("5 days")
    page.wait_for_url(re.compile(r"q=5(\+|%20)days"))
    page.locator("#snippet-hello").wait_for(state="detached")
    assert page.locator("#snippets-list tbody tr").count() == 1

    page.goto("/panel/snippets")
    page.locator("#snippet-refund").get_by_role("link", name="Edit").click()
    page.get_by_role("heading", name="Snippet refund").wait_for()
    assert page.get_by_label("Text").input_value() == "Refunds take 5 days."
    page.locator("#snippet-preview").get_by_text("Refunds take 5 days.").wait_for()
    page.get_by_label("Text").fill("Refunds take 3 days.")
    page.get_by_role("button", name="Save the snippet").click()
    page.get_by_text("Snippet “refund” saved.").wait_for()
    assert Snippet.objects.get(key="refund").content == "Refunds take 3 days."

    page.locator("#snippet-hello").get_by_role("link", name="Delete").click()
    page.get_by_role("heading", name="Delete the snippet “hello”?").wait_for()
    page.get_by_role("button", name="Yes, delete").click()
    page.get_by_text("Snippet “hello” deleted.").wait_for()
    assert not Snippet.objects.filter(key="hello").exists()


def test_a_bad_snippet_is_refused_and_a_reader_cannot_change(guild, browser_page, signed_in) -> None:
    page = browser_page
    signed_in(page, "manager")
    page.goto("/panel/snippets")
    page.get_by_label("Key").fill("two words")
    page.get_by_label("Text").fill("Some text")
    page.get_by_role("button", name="Create the snippet").click()
    page.get_by_text("A snippet name uses letters, digits, _ and - only.").wait_for()
    assert page.get_by_label("Text").input_value() == "Some text"
    assert not Snippet.objects.exists()

    Snippet.objects.create(key="refund", content="Refunds take 5 days.", created_by=1)
    signed_in(page, make_user(next_id(), grants=("ViewPanel",)))
    page.goto("/panel/snippets")
    page.locator("#snippet-refund").wait_for()
    assert page.get_by_role("button", name="Create the snippet").count() == 0
    assert page.get_by_role("link", name="Edit").count() == 0


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_page_on_a_phone_in_french(guild, browser, panel_server, signed_in, scheme: str) -> None:
    Snippet.objects.create(key="refund", content="Refunds take 5 days. " * 20, created_by=1)
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
        page.goto("/panel/snippets")
        page.get_by_role("heading", name="Snippets enregistrés", exact=True).wait_for()
        page.get_by_label("Texte").fill("Bonjour !")
        page.locator("#snippet-preview").get_by_text("Bonjour !").wait_for()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width}px wide on a phone"
        screenshot(page, f"snippets-phone-fr-{scheme}")
        assert not axe_violations(page), describe(axe_violations(page))
    finally:
        context.close()
