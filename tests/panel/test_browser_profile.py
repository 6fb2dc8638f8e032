"""The bot profile page in a real browser (Debian's Chromium) against daphne and the Discord
emulator: the name and an avatar (chosen) and a banner (dropped on the page) change on Discord in one
request; a third name change within the hour is refused with Discord's rule and changes nothing,
not even the image sent with it; bad images never reach Discord; French, phone, dark, axe-clean."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from playwright.sync_api import expect

from panel.models import PanelPermission
from tests.api.conftest import STAFF_ROLE, make_user, next_id
from tickets.models import BotConfig

from .conftest import DESKTOP, PHONE, screenshot
from .test_accessibility import axe_violations, describe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Permission = PanelPermission.Permission
# The smallest valid PNG (1×1) and GIF: Discord checks what an image is, and so do we.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@pytest.fixture
def discord(guild, panel_discord) -> Any:
    """The emulator as the bot's Discord, its username history cleared, the bot named "Modmail"."""
    cfg = BotConfig.load()  # the test guild stays the staff server; only the token is the emulator's
    cfg.bot_token = panel_discord.bot_token
    cfg.save()

    def reset() -> None:
        state = panel_discord.emu.state
        state.username_changes = []
        user = state.users[state.bot_id]
        user.username, user.avatar, user.banner = "Modmail", None, None

    panel_discord.call(reset)
    return panel_discord


def bot_user(emu: Any) -> Any:
    return emu.call(lambda: emu.emu.state.users[emu.emu.state.bot_id])


def profile_manager() -> Any:
    return make_user(next_id(), roles=(STAFF_ROLE,), grants=(Permission.VIEW_PANEL, Permission.MANAGE_BOT))


def drop_file(page: Any, selector: str, name: str, content: bytes, mime: str) -> None:
    """Drop a file on ``selector`` as a person dragging it from their desktop would."""
    data = page.evaluate_handle(
        """([name, bytes, mime]) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([new Uint8Array(bytes)], name, {type: mime}));
            return transfer;
        }""",
        [name, list(content), mime],
    )
    page.dispatch_event(selector, "dragenter", {"dataTransfer": data})
    page.dispatch_event(selector, "drop", {"dataTransfer": data})


def test_name_avatar_and_dropped_banner_change_on_discord(discord, browser_page, signed_in) -> None:
    page = browser_page
    signed_in(page, profile_manager())
    page.goto("/panel/profile")
    expect(page.locator("#profile-name")).to_have_text("Modmail")

    page.get_by_label("Username").fill("Helpdesk")
    page.get_by_label("Avatar").set_input_files(
        files=[{"name": "a.png", "mimeType": "image/png", "buffer": PNG}]
    )
    drop_file(page, "#id_banner >> xpath=..", "banner.gif", GIF, "image/gif")
    assert page.evaluate("document.getElementById('id_banner').files[0].name") == "banner.gif"
    expect(page.locator("#id_banner ~ .dropzone-preview")).to_be_visible()
    screenshot(page, "profile-before-save")
    page.get_by_role("button", name="Save on Discord").click()

    expect(page.get_by_role("status")).to_contain_text("Profile saved: the bot is now Helpdesk.")
    expect(page.locator("#profile-name")).to_have_text("Helpdesk")
    user = bot_user(discord)
    assert user.username == "Helpdesk"
    assert user.avatar and not user.avatar.startswith("a_")
    assert user.banner and user.banner.startswith("a_")  # a GIF: an animated banner


def test_a_third_name_change_within_the_hour_is_refused_and_nothing_changes(
    discord, browser_page, signed_in
) -> None:
    page = browser_page
    signed_in(page, profile_manager())
    for name in ("First", "Second"):
        page.goto("/panel/profile")
        page.get_by_label("Username").fill(name)
        page.get_by_role("button", name="Save on Discord").click()
        expect(page.get_by_role("status")).to_contain_text(f"the bot is now {name}")

    page.get_by_label("Username").fill("Third")
    page.get_by_label("Avatar").set_input_files(
        files=[{"name": "a.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.get_by_role("button", name="Save on Discord").click()
    expect(page.get_by_role("alert")).to_contain_text("Discord allows 2 username changes per hour")
    expect(page.get_by_label("Username")).to_have_value("Third")
    expect(page.locator("#profile-name")).to_have_text("Second")
    user = bot_user(discord)
    assert (user.username, user.avatar) == ("Second", None)  # the avatar sent with it did not apply
    screenshot(page, "profile-rate-limited")


def test_a_file_that_is_no_image_never_reaches_discord(discord, browser_page, signed_in) -> None:
    page = browser_page
    signed_in(page, profile_manager())
    page.goto("/panel/profile")
    page.get_by_label("Username").fill("Helpdesk")
    page.get_by_label("Avatar").set_input_files(
        files=[{"name": "notes.png", "mimeType": "image/png", "buffer": b"just some text"}]
    )
    page.get_by_role("button", name="Save on Discord").click()
    expect(page.get_by_role("alert")).to_contain_text("is not a PNG, JPEG, GIF or WebP image")
    assert bot_user(discord).username == "Modmail"
    assert discord.call(lambda: list(discord.emu.state.username_changes)) == []


def test_french_phone_dark_and_accessible(discord, browser, panel_server, signed_in) -> None:
    user = profile_manager()
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
            page.goto("/panel/profile")
            expect(page.locator("#profile-name")).to_have_text("Modmail")
            if language.startswith("fr"):
                expect(page.get_by_role("heading", name="Profil du bot")).to_be_visible()
                expect(page.get_by_role("button", name="Enregistrer sur Discord")).to_be_visible()
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], f"{name}: the page is {width}px wide"
            screenshot(page, f"profile-{name}-{scheme}-{language[:2]}")
            violations = axe_violations(page)
            assert not violations, describe(violations)
        finally:
            context.close()
