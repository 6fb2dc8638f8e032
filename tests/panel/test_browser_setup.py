"""The first-run setup wizard in a real browser (Debian's Chromium).

From an empty configuration to a running bot: ``manage.py runall`` (web, worker and bot launcher, as
``make run`` starts them) against the test database and an emulator where the bot is in no server
yet; the one-time link it prints opens the wizard, every step is gone through (with wrong values
first), and the save starts the bot, which then relays a DM into the category the wizard created.
Also: a superuser's wizard without a link, the French wizard, and screenshots of every step (light
and dark, desktop and phone) in data/screenshots/tests/.
"""

from __future__ import annotations

import os
import re
import signal
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session

from panel.models import SetupToken
from tests.fakediscord.fixtures import assert_no_gaps, make_emulator
from tests.fakediscord.thread import FakeDiscordThread
from tests.tasks.test_run_starts_every_process import free_port
from tickets.crypto import decrypt
from tickets.models import BotConfig, ConfigRevision, GuildMember, SystemState, Ticket
from tickets.services.setup import bot_permission_bits, setup_needed

from .conftest import DESKTOP, PHONE, ROOT, live_database_url, screenshot, wait_until
from .test_accessibility import axe_violations, describe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BOT_AVATAR = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
STEPS = ("token", "server", "channels", "login", "language", "review")


def png(width: int = 8, height: int = 8, rgb: tuple[int, int, int] = (88, 101, 242)) -> bytes:
    """A plain PNG (what Discord's CDN would answer for the bot's avatar; no network here)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def serve_avatars(page: Any) -> None:
    """Answer the Discord CDN's avatar requests with a PNG, as Discord would."""
    image = png()
    page.route(
        "https://cdn.discordapp.com/**",
        lambda route: route.fulfill(status=200, content_type="image/png", body=image),
    )


# --- the product as ``make run`` starts it ------------------------------------------------------------
class Product:
    """``manage.py runall`` on the test database; ``log()`` is everything it printed."""

    def __init__(self, process: subprocess.Popen, log_path: Path, url: str) -> None:
        self.process, self.log_path, self.url = process, log_path, url

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for(self, pattern: str, timeout: float = 90) -> re.Match:
        deadline = time.monotonic() + timeout
        while True:
            found = re.search(pattern, self.log())
            if found:
                return found
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{pattern!r} never printed:\n{self.log()[-6000:]}")
            time.sleep(0.2)

    def stop(self) -> int | None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        return self.process.returncode


@pytest.fixture
def lonely_discord() -> Iterator[FakeDiscordThread]:
    """An emulator where the bot (with an avatar) is in no server yet."""
    emu = FakeDiscordThread(make_emulator(demo=False)).start()
    # Discord's own heartbeat interval: a bot in another process is not starved of acks by the test.
    emu.call(setattr, emu.emu.gateway, "heartbeat_interval_ms", 41250)
    emu.call(setattr, emu.emu.state.users[emu.bot_id], "avatar", BOT_AVATAR)
    try:
        yield emu
    finally:
        emu.stop()
    assert_no_gaps(emu.emu)


@pytest.fixture
def product(lonely_discord: FakeDiscordThread, tmp_path: Path) -> Iterator[Product]:
    """``manage.py runall`` started without any bot configuration row, against ``lonely_discord``."""
    BotConfig.objects.all().delete()
    SetupToken.objects.all().delete()
    assert not BotConfig.objects.exists()
    env = {k: v for k, v in os.environ.items() if k not in {"DISCORD_TOKEN", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        DATABASE_URL=live_database_url(),
        DISCORD_API_BASE=lonely_discord.api_base,
        SECRET_KEY=settings.SECRET_KEY,  # the test reads the sessions and secrets it writes
        DATA_DIR=str(tmp_path),  # the worker's queue and beat schedule of its own
        DEBUG="false",
        SECURE_COOKIES="false",
        DISCORD_CLIENT_ID="",
        DISCORD_CLIENT_SECRET="",
        DISCORD_REST_RATE="1000",
        PANEL_ACCESS_CACHE_SECONDS="0",
        PYTHONUNBUFFERED="1",
        DJANGO_SETTINGS_MODULE="rustmail.settings",
    )
    port = free_port()
    log_path = tmp_path / "runall.log"
    with log_path.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runall", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    running = Product(process, log_path, f"http://127.0.0.1:{port}")
    try:
        running.wait_for("Listening on TCP address")
        yield running
    finally:
        running.stop()
        print(running.log()[-6000:])  # shown by pytest when the test failed


def field_error(page: Any, name: str) -> str:
    """The error shown beside the field ``name`` (its ``.errorlist``)."""
    return page.locator(f"#field-{name} .errorlist").inner_text()


def on_step(page: Any, step: str) -> None:
    page.wait_for_url(f"**/setup/?step={step}")


def session_state(page: Any) -> tuple[str, dict[str, Any]]:
    """The browser's session row: its stored text and the wizard's state in it."""
    key = next(c["value"] for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    row = Session.objects.get(session_key=key)
    return row.session_data, row.get_decoded().get("setup_wizard", {})


# --- from nothing to a running bot -------------------------------------------------------------------
def test_from_an_empty_configuration_to_a_running_bot(product: Product, lonely_discord, page) -> None:
    emu = lonely_discord
    page.set_default_timeout(20_000)
    serve_avatars(page)
    link = product.wait_for(r"open (http://127\.0\.0\.1:\d+/setup/\?token=\S+) \(one-time setup link\)")[1]
    assert setup_needed() and BotConfig.load().bot_token == ""
    assert SetupToken.objects.count() == 1

    # The link opens the wizard and leaves the address bar.
    page.goto(link)
    on_step(page, "token")
    assert "token=" not in page.url
    assert page.get_by_role("heading", name="Set up Rustmail").is_visible()
    assert page.locator(".setup-steps [aria-current=step]").inner_text() == "Bot token"

    # 1. A token Discord refuses: the error beside the field, nothing saved, no moving on.
    page.get_by_role("textbox", name="Bot token").fill("MTIz.not-the.bot-token")
    page.get_by_role("button", name="Continue").click()
    assert "Discord refused this token" in field_error(page, "token")
    assert page.get_by_role("textbox", name="Bot token").get_attribute("aria-invalid") == "true"
    assert BotConfig.load().bot_token == "" and not ConfigRevision.objects.exists()
    page.goto(f"{product.url}/setup/?step=server")
    on_step(page, "token")

    # 2. The bot's own token: its name and avatar; it is in no server yet, so an invite link.
    page.get_by_role("textbox", name="Bot token").fill(emu.bot_token)
    page.get_by_role("button", name="Continue").click()
    on_step(page, "server")
    bot_name = emu.bot_user["username"]
    assert bot_name in page.locator(".setup-bot").inner_text()
    avatar = page.locator(".setup-bot img.avatar")
    assert f"/avatars/{emu.bot_id}/{BOT_AVATAR}.png" in avatar.get_attribute("src")
    assert page.evaluate("img => img.complete && img.naturalWidth > 0", avatar.element_handle())
    assert page.get_by_role("status").filter(has_text="The bot is in no server yet").is_visible()
    invite = page.get_by_role("link", name="Invite the bot").get_attribute("href")
    assert invite.startswith(emu.base_url + "/oauth2/authorize?")
    assert f"client_id={emu.application_id}" in invite
    assert f"permissions={bot_permission_bits()}" in invite and "scope=bot+applications.commands" in invite
    screenshot(page, "setup-flow-invite")
    page.locator(".setup-steps").get_by_role("link", name="Bot token").click()
    on_step(page, "token")
    assert page.locator(".setup-found .setup-bot-name").inner_text() == bot_name
    assert page.locator(".setup-found img.avatar").evaluate("img => img.naturalWidth > 0")
    screenshot(page, "setup-flow-token-known")
    page.get_by_role("button", name="Continue").click()  # an empty field keeps the checked token
    on_step(page, "server")
    assert not axe_violations(page), describe(axe_violations(page))

    # Invited: the bot joins the demo server (another server it is not in is not offered).
    emu.create_guild("Somebody else's server", bot_permissions=None)
    demo = emu.seed_demo()
    page.get_by_role("link", name="Check again").click()
    on_step(page, "server")
    offered = page.get_by_role("combobox", name="Server", exact=True).locator("option").all_inner_texts()
    assert offered == ["Rustmail Demo"]
    community = page.get_by_label("Community server")
    assert not community.is_visible(), "asked in two-server mode only"
    page.get_by_label("Two servers: community and staff").check()
    assert community.is_visible()
    page.get_by_label("One server").check()
    page.get_by_role("combobox", name="Server", exact=True).select_option(label="Rustmail Demo")
    page.get_by_role("button", name="Continue").click()

    # 3. Channels: the server's own are offered; a new category without a name is refused.
    on_step(page, "channels")
    logs_options = page.get_by_label("Logs channel").locator("option").all_inner_texts()
    assert "#modmail-logs" in logs_options and "#general" in logs_options
    assert page.get_by_label("Inbox category").input_value() == str(demo.inbox_category_id), "the usual name"
    new_name = page.get_by_label("Name of the new category")
    assert not new_name.is_visible(), "asked only for a category to create"
    page.get_by_label("Inbox category").select_option(label="Create a new category")
    new_name.fill("")
    page.get_by_role("button", name="Continue").click()
    assert field_error(page, "inbox_name") == "Name the category to create."
    assert "Support Inbox" not in [c["name"] for c in emu.channels(demo.guild_id)]
    page.get_by_label("Inbox category").select_option(label="Create a new category")
    new_name.fill("Support Inbox")
    page.get_by_label("Logs channel").select_option(label="#modmail-logs")
    page.get_by_role("button", name="Continue").click()

    # 4. Panel login: the redirect URL is the address the panel is used at.
    on_step(page, "login")
    callback = f"{product.url}/api/auth/callback"
    assert page.locator("#redirect-url").inner_text() == callback
    assert page.get_by_label("Redirect URL").input_value() == callback
    assert "localhost:3002" not in page.content()
    assert page.get_by_label("Client ID").input_value() == str(emu.application_id)
    page.get_by_label("Client secret").fill(emu.client_secret)
    page.get_by_label("Redirect URL").fill("ftp://example.org")
    page.get_by_label("Super admin users").fill(str(demo.admin_id))
    page.get_by_label("Staff").check()
    page.get_by_role("button", name="Continue").click()
    assert "http://" in field_error(page, "redirect_url")
    assert page.get_by_label("Super admin users").input_value() == str(demo.admin_id), "the form is kept"
    page.get_by_label("Redirect URL").fill(callback)
    page.get_by_role("button", name="Continue").click()
    on_step(page, "language")

    # The bot token and the OAuth secret wait in the session, encrypted.
    stored, state = session_state(page)
    for secret in (emu.bot_token, emu.client_secret):
        assert secret not in stored and secret not in str(state)
    assert decrypt(state["token"]) == emu.bot_token
    assert decrypt(state["client_secret"]) == emu.client_secret

    # 5. Language and messages.
    page.get_by_label("Language of the bot").select_option("fr")
    page.get_by_label("Status").fill("Écrivez-moi")
    page.get_by_role("button", name="Continue").click()

    # 6. Review: everything told, the secret masked; nothing saved yet.
    on_step(page, "review")
    review = page.locator(".setup-review").inner_text()
    for text in (bot_name, "Rustmail Demo", "“Support Inbox”, created when you save", "#modmail-logs"):
        assert text in review
    assert callback in review and "@Staff" in review and "Français" in review
    assert emu.client_secret not in page.content()
    assert BotConfig.load().bot_token == "" and not ConfigRevision.objects.exists()
    screenshot(page, "setup-flow-review")
    page.get_by_role("button", name="Save and start the bot").click()

    # Saved: the configuration row holds what the wizard was told.
    page.wait_for_url("**/setup/?step=done")
    assert page.get_by_role("heading", name="Rustmail is set up").is_visible()
    cfg = BotConfig.load()
    created = [c for c in emu.channels(demo.guild_id) if c["name"] == "Support Inbox"]
    assert len(created) == 1 and created[0]["type"] == 4, "the category exists on Discord"
    assert cfg.thread_inbox_category_id == int(created[0]["id"])
    assert cfg.bot_token == emu.bot_token
    assert (cfg.mode_type, cfg.mode_guild_id) == ("single", demo.guild_id)
    assert cfg.bot_logs_channel_id == demo.logs_channel_id and cfg.bot_enable_rustmail_logs
    assert (cfg.bot_client_id, cfg.bot_client_secret) == (emu.application_id, emu.client_secret)
    assert cfg.bot_redirect_url == callback
    assert cfg.bot_panel_super_admin_users == [demo.admin_id]
    assert cfg.bot_panel_super_admin_roles == [demo.staff_role_id]
    assert (cfg.language_default_language, cfg.bot_status) == ("fr", "Écrivez-moi")
    assert ConfigRevision.objects.count() == 1 and not SetupToken.objects.exists()

    # Saving starts the bot: runall launches it, it connects to the emulator's gateway, and the page
    # says so by itself.
    product.wait_for(r"bot \| a bot token is configured: starting the bot", timeout=30)
    page.locator('[data-status="running"]').wait_for(timeout=90_000)
    assert page.get_by_role("status").inner_text().strip() == "The bot is running."
    assert emu.gateway.identifies >= 1 and SystemState.load().bot_connected
    screenshot(page, "setup-flow-done")
    assert not axe_violations(page), describe(axe_violations(page))

    # ...with the saved configuration: a DM opens a ticket channel in the new category.
    # (Once the bot has cached the server, as a user could not DM it sooner than that anyway.)
    wait_until(lambda: GuildMember.objects.filter(guild_id=demo.guild_id).exists(), timeout=60, interval=0.2)
    emu.user_dm(demo.user_ids[0], "Hello, is anyone there?")
    ticket = wait_until(
        lambda: Ticket.objects.filter(user_id=demo.user_ids[0], channel_id__isnull=False).first(), timeout=60
    )
    channel = wait_until(
        lambda: next((c for c in emu.channels(demo.guild_id) if c["id"] == str(ticket.channel_id)), None),
        timeout=30,
    )
    assert channel["parent_id"] == created[0]["id"]

    # The link is spent.
    page.goto(link)
    assert page.get_by_role("heading", name="This setup link is invalid or expired").is_visible()
    assert product.stop() == 0


# --- who may open it -----------------------------------------------------------------------------------
def test_only_the_link_or_a_superuser_opens_the_wizard(browser_page, guild, signed_in, user_for) -> None:
    page = browser_page
    for url in ("/setup/", "/setup/?token=not-a-token", "/setup/?step=review"):
        response = page.goto(url)
        assert response.status == 403, url
        assert page.get_by_role("heading", name="This setup link is invalid or expired").is_visible()
    signed_in(page, "manager")
    assert page.goto("/setup/").status == 403
    signed_in(page, "superuser")
    assert page.goto("/setup").status == 200
    assert page.get_by_role("heading", name="Bot token").is_visible()
    assert page.get_by_role("textbox", name="Bot token").is_visible()


# --- in French -------------------------------------------------------------------------------------------
def test_the_wizard_speaks_french(browser, panel_server, panel_discord, guild, signed_in) -> None:
    context = browser.new_context(
        base_url=panel_server.url, locale="fr-FR", extra_http_headers={"Accept-Language": "fr-FR,fr;q=0.9"}
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        signed_in(page, "superuser")
        page.goto("/setup/")
        assert page.get_by_role("heading", name="Configurer Rustmail").is_visible()
        assert page.get_by_text("Étape 1 sur 6").is_visible()
        page.get_by_role("textbox", name="Jeton du bot").fill("MTIz.pas-le.bon-jeton")
        page.get_by_role("button", name="Continuer").click()
        assert "Discord a refusé ce jeton" in field_error(page, "token")
        page.get_by_role("textbox", name="Jeton du bot").fill(panel_discord.bot_token)
        page.get_by_role("button", name="Continuer").click()
        on_step(page, "server")
        assert page.get_by_text("Étape 2 sur 6").is_visible()
        assert page.locator(".setup-steps [aria-current=step]").inner_text() == "Serveur"
        assert page.get_by_text("Les serveurs où se trouve le bot").is_visible()
        screenshot(page, "setup-server-fr")
    finally:
        context.close()


# --- how every step looks --------------------------------------------------------------------------------
def fill_step(page: Any, step: str, emu: Any) -> None:
    """Valid values for ``step`` with the demo guild's existing channels (the emulator stays as it was)."""
    demo = emu.demo
    if step == "token":
        page.get_by_role("textbox", name="Bot token").fill(emu.bot_token)
    elif step == "server":
        page.get_by_role("combobox", name="Server", exact=True).select_option(str(demo.guild_id))
    elif step == "channels":
        page.get_by_label("Inbox category").select_option(str(demo.inbox_category_id))
        page.get_by_label("Logs channel").select_option(str(demo.logs_channel_id))
    elif step == "login":
        page.get_by_label("Client secret").fill(emu.client_secret)


def walk_setup(page: Any, upto: str, emu: Any) -> None:
    """Go through the wizard (open, on its first step) to the step ``upto``."""
    if "?step=" not in page.url:
        page.goto("/setup/?step=token")
    for step in STEPS[: STEPS.index(upto)]:
        on_step(page, step)
        fill_step(page, step, emu)
        page.get_by_role("button", name="Continue").click()
    on_step(page, upto)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_of_every_step(browser, panel_server, panel_discord, guild, signed_in, scheme) -> None:
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(
            base_url=panel_server.url,
            viewport=viewport,
            color_scheme=scheme,
            locale="en-US",
            extra_http_headers={"Accept-Language": "en-US"},
        )
        page = context.new_page()
        page.set_default_timeout(20_000)
        serve_avatars(page)
        try:
            page.goto("/setup/?token=expired")
            screenshot(page, f"setup-invalid-{name}-{scheme}")
            signed_in(page, "superuser")
            page.goto("/setup/")
            screenshot(page, f"setup-token-{name}-{scheme}")
            page.get_by_role("button", name="Continue").click()
            page.locator("#field-token .errorlist").wait_for()
            screenshot(page, f"setup-token-error-{name}-{scheme}")
            for step in STEPS:
                on_step(page, step)
                if step != "token":
                    screenshot(page, f"setup-{step}-{name}-{scheme}")
                if step != "review":
                    fill_step(page, step, panel_discord)
                    page.get_by_role("button", name="Continue").click()
            # A superuser's save (existing channels: the emulator's demo server stays as it was).
            page.get_by_role("button", name="Save and start the bot").click()
            page.wait_for_url("**/setup/?step=done")
            page.locator(".setup-status").wait_for()
            screenshot(page, f"setup-done-{name}-{scheme}")
        finally:
            context.close()
