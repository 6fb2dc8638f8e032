"""The blocked users and bans page in a real browser (Debian's Chromium) against daphne: a user
blocked from the panel has their next DM refused by the real bot (``manage.py runbot`` on the
Discord emulator), and their DM after the unblock opens a ticket; the bans the bot recorded are
listed; a ViewBans holder without ManageTickets only reads."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.api.conftest import GUILD, INBOX, OWNER, STAFF_ROLE, make_user, next_id
from tickets.models import BlockedUser, GuildMember, MemberBan, RefusedMessage, Ticket

from .conftest import PHONE, screenshot, wait_until
from .test_accessibility import axe_violations, describe
from .test_browser_tickets import bot, demo_staff, dm, texts_received  # noqa: F401 (bot is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_user_blocked_from_the_panel_has_their_next_dm_refused(bot, browser_page, signed_in) -> None:  # noqa: F811
    emu, page = bot, browser_page
    user_id = emu.demo.user_ids[0]
    signed_in(page, demo_staff(emu, "ViewPanel", "ViewBans", "ManageTickets"))
    page.goto(f"/panel/bans?user={user_id}")
    assert page.get_by_label("User ID").input_value() == str(user_id)  # as the ticket page's link fills it
    page.get_by_label("Reason").fill("Insults in DMs")
    page.get_by_label("Duration").fill("2d")
    page.get_by_role("button", name="Block", exact=True).click()
    page.get_by_text(f"User {user_id} blocked: their DMs open no ticket.").wait_for()
    row = page.locator(f"#block-{user_id}")
    assert "Insults in DMs" in row.inner_text()
    block = BlockedUser.objects.get(user_id=user_id)
    assert block.blocked_by == emu.demo.staff_id and block.expires_at is not None

    dm(emu, user_id, "Let me in")
    wait_until(lambda: RefusedMessage.objects.filter(user_id=user_id, reason="blocked").exists(), timeout=30)
    assert not Ticket.objects.filter(user_id=user_id).exists()
    wait_until(lambda: texts_received(emu, user_id), timeout=20)  # they were told

    page.on("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Unblock").click()
    page.get_by_text(f"User {user_id} unblocked.").wait_for()
    assert not BlockedUser.objects.filter(user_id=user_id).exists()
    dm(emu, user_id, "Hello again")
    wait_until(lambda: Ticket.objects.filter(user_id=user_id).exists(), timeout=30)


def seed_bans() -> int:
    GuildMember.objects.create(guild_id=GUILD, user_id=OWNER, username="owner", global_name="The Owner")
    banned = next_id()
    MemberBan.objects.create(
        guild_id=GUILD,
        user_id=banned,
        username="spammer",
        global_name="Spam King",
        nickname="spam",
        role_ids=[STAFF_ROLE],
        joined_at=datetime(2025, 3, 1, tzinfo=UTC),
        banned_at=datetime(2026, 11, 30, 12, 0, tzinfo=UTC),
        banned_by=OWNER,
        reason="Raid",
    )
    MemberBan.objects.create(
        guild_id=GUILD,
        user_id=next_id(),
        username="forgiven",
        unbanned_at=datetime(2026, 12, 1, tzinfo=UTC),
        roles_unknown=True,
    )
    BlockedUser.objects.create(user_id=next_id(), user_name="noisy", reason="Spam", blocked_by=OWNER)
    return banned


def test_bans_are_listed_and_a_reader_cannot_block(guild, browser_page, signed_in) -> None:
    page = browser_page
    banned = seed_bans()
    signed_in(page, make_user(next_id(), grants=("ViewPanel", "ViewBans")))
    page.goto("/panel/bans")
    row = page.locator("#bans-list tbody tr")
    assert row.count() == 1, "only the bans that hold, by default"
    text = row.inner_text()
    for shown in ("Spam King", "(spam)", str(banned), "The Owner", "Raid", "Staff", "30 Nov 2026"):
        assert shown in text, shown
    assert page.get_by_role("button", name="Block", exact=True).count() == 0
    assert page.get_by_role("button", name="Unblock").count() == 0
    assert "noisy" in page.locator("#blocks-list").inner_text()

    page.locator("#id_status").select_option("all")
    page.get_by_role("button", name="Filter").click()
    page.locator("#bans-list tbody tr", has_text="forgiven").wait_for()
    assert "Lifted" in page.locator("#bans-list tbody tr", has_text="forgiven").inner_text()
    page.get_by_label("Search a ban").fill("forg")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**q=forg**")
    assert page.locator("#bans-list tbody tr").count() == 1
    response = page.request.post("/panel/bans/block", form={"user_id": str(next_id())})
    assert response.status == 403  # no ManageTickets (the CSRF check comes later: 403 either way)
    assert BlockedUser.objects.count() == 1


def test_a_bad_block_is_refused_with_its_reason(guild, browser_page, signed_in) -> None:
    page = browser_page
    signed_in(page, make_user(next_id(), grants=("ViewPanel", "ViewBans", "ManageTickets")))
    page.goto("/panel/bans")
    page.get_by_label("User ID").fill("12")
    page.get_by_label("Duration").fill("soon")
    page.get_by_role("button", name="Block", exact=True).click()
    page.get_by_text("Not a Discord ID (17 to 20 digits).").wait_for()
    page.get_by_text("soon is not a duration").wait_for()
    assert not BlockedUser.objects.exists()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_page_on_a_phone_in_french(guild, browser, panel_server, signed_in, scheme: str) -> None:
    seed_bans()
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
        page.goto("/panel/bans")
        page.get_by_role("heading", name="Utilisateurs bloqués et bannissements").wait_for()
        page.get_by_role("button", name="Bloquer", exact=True).wait_for()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width}px wide on a phone"
        screenshot(page, f"bans-phone-fr-{scheme}")
        assert not axe_violations(page), describe(axe_violations(page))
    finally:
        context.close()


def test_the_page_passes_axe_on_a_desktop(guild, browser_page, signed_in) -> None:
    page = browser_page
    seed_bans()
    signed_in(page, "superuser")
    page.goto("/panel/bans")
    screenshot(page, "bans-desktop")
    assert not axe_violations(page), describe(axe_violations(page))


def test_a_ticket_page_links_to_blocking_its_user(guild, browser_page, signed_in) -> None:
    page = browser_page
    ticket = Ticket.objects.create(
        user_id=next_id(), user_name="Camille", channel_id=next_id(), category_id=INBOX
    )
    signed_in(
        page, make_user(next_id(), roles=(STAFF_ROLE,), grants=("ViewPanel", "ManageTickets", "ViewBans"))
    )
    page.goto(f"/panel/tickets/{ticket.pk}")
    page.get_by_role("link", name="Block the user…").click()
    page.wait_for_url(f"**/panel/bans?user={ticket.user_id}#block")
    assert page.get_by_label("User ID").input_value() == str(ticket.user_id)
