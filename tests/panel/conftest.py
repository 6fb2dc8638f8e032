"""Panel tests: users of every standing, a Django client for each, and the browser harness.

Standings (``STANDINGS``): ``anonymous``, ``non_member`` (Discord login, not in the staff guild),
``member`` (in the staff guild, no grant), ``viewer`` (ViewPanel), ``manager`` (ViewPanel +
ManageTickets), ``superuser`` (a Django superuser, no Discord account). The staff guild is the API
tests' ``guild`` fixture (tests/api/conftest.py): same IDs, same guild cache rows.

Browser harness (tests marked ``browser`` and ``django_db(transaction=True)``):

- ``panel_server``: a real daphne serving ``rustmail.asgi:application`` on a free 127.0.0.1 port,
  against the test database (its ``DATABASE_URL`` is passed down), with ``panel_discord`` (the
  emulator, demo guild seeded) as Discord through ``DISCORD_API_BASE``. One per test session.
- ``browser_page``: a Playwright page of Debian's Chromium on ``panel_server`` (1280x800, English).
- ``signed_in(page, standing_or_user)``: puts that user's session cookie in the page (no UI).
- ``screenshot(page, name)``: a PNG under ``data/screenshots/tests/`` to look at.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.test import Client

from tests.api.conftest import (  # noqa: F401 (guild is a fixture used through its name)
    GUILD,
    Guild,
    guild,
    make_user,
    next_id,
)
from tests.fakediscord.fixtures import assert_no_gaps, make_emulator
from tests.fakediscord.thread import FakeDiscordThread

STANDINGS = ("anonymous", "non_member", "member", "viewer", "manager", "superuser")
GRANTS: dict[str, tuple[str, ...]] = {
    "member": (),
    "viewer": ("ViewPanel",),
    "manager": ("ViewPanel", "ManageTickets"),
}
SUPERUSER_PASSWORD = "a-long-password-for-the-panel-tests"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(django_settings.DATA_DIR) / "screenshots" / "tests"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _panel_environment() -> Iterator[None]:
    """Fresh cache (rate limits, cached panel access) around every panel test."""
    cache.clear()
    yield
    cache.clear()


# --- Users of every standing ---------------------------------------------------------------------


def make_standing(standing: str) -> Any:
    """A new user of ``standing`` (None for ``anonymous``); needs the ``guild`` fixture's rows."""
    if standing == "anonymous":
        return None
    if standing == "non_member":
        return make_user(next_id(), member=False)
    if standing == "superuser":
        user = make_user(None, superuser=True)
        user.set_password(SUPERUSER_PASSWORD)
        user.save(update_fields=["password"])
        return user
    return make_user(next_id(), grants=GRANTS[standing])


@pytest.fixture
def user_for(guild: Guild) -> Callable[[str], Any]:  # noqa: F811
    """``user_for("viewer")`` → that standing's user (one per standing and test, made on first use)."""
    made: dict[str, Any] = {}

    def get(standing: str) -> Any:
        if standing not in STANDINGS:
            raise ValueError(f"unknown standing {standing!r}; one of {STANDINGS}")
        if standing not in made:
            made[standing] = make_standing(standing)
        return made[standing]

    return get


@pytest.fixture
def client_for(user_for: Callable[[str], Any]) -> Callable[[str], Client]:
    """``client_for("manager")`` → a Django test client signed in as that standing's user."""

    def make(standing: str) -> Client:
        client = Client()
        user = user_for(standing)
        if user is not None:
            client.force_login(user)
        return client

    return make


# --- The live server ------------------------------------------------------------------------------


def live_database_url() -> str:
    """``DATABASE_URL`` of the test database this process uses (SQLite file or PostgreSQL)."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}@{host}{port}/{db['NAME']}"


@dataclass
class PanelServer:
    """A daphne process serving the product; ``url`` is ``http://127.0.0.1:PORT``."""

    process: subprocess.Popen
    url: str
    output: list[str] = field(default_factory=list)

    def log(self) -> str:
        """What the server printed so far (for failure messages)."""
        return "".join(self.output)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def start_panel_server(
    discord_api_base: str, extra_env: dict[str, str] | None = None, *, port: int = 0
) -> PanelServer:
    """Start daphne on ``port`` (default: a free one, read from its log) against the test
    database, with ``discord_api_base`` as Discord. Returns once it answers."""
    env = {
        **os.environ,
        "DATABASE_URL": live_database_url(),
        "DISCORD_API_BASE": discord_api_base,
        "SECRET_KEY": django_settings.SECRET_KEY,  # sessions made here are valid there
        "DATA_DIR": str(django_settings.DATA_DIR),
        "DEBUG": "false",
        "SECURE_COOKIES": "false",  # plain HTTP on 127.0.0.1
        "PANEL_ACCESS_CACHE_SECONDS": "0",  # grants changed by a test count at once
        "DISCORD_REST_RATE": "1000",
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }
    env["DJANGO_SETTINGS_MODULE"] = "rustmail.settings"
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # the server keeps Django's guard
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "rustmail.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    server = PanelServer(process=process, url="")
    found = threading.Event()

    def follow() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            server.output.append(line)
            match = re.search(r"Listening on TCP address 127\.0\.0\.1:(\d+)", line)
            if match and not found.is_set():
                server.url = f"http://127.0.0.1:{match.group(1)}"
                found.set()

    threading.Thread(target=follow, name="panel-server-log", daemon=True).start()
    if not found.wait(60):
        server.stop()
        raise RuntimeError(f"daphne did not start:\n{server.log()}")
    return server


@pytest.fixture(scope="session")
def panel_discord() -> Iterator[FakeDiscordThread]:
    """The emulator the live server talks to (demo guild: ``panel_discord.demo``), for the session."""
    emu = FakeDiscordThread(make_emulator()).start()
    try:
        yield emu
    finally:
        emu.stop()
    assert_no_gaps(emu.emu)


@pytest.fixture(scope="session")
def panel_server(django_db_setup, panel_discord: FakeDiscordThread) -> Iterator[PanelServer]:
    """daphne serving the product against the test database, for the session."""
    server = start_panel_server(panel_discord.api_base)
    try:
        yield server
    finally:
        server.stop()


# --- The browser ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's launch options: Debian's Chromium (Playwright cannot download its own)."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any], panel_server: PanelServer) -> dict[str, Any]:
    """Every page opens on the live server, as a desktop browser asking for English."""
    return {
        **browser_context_args,
        "base_url": panel_server.url,
        "viewport": DESKTOP,
        "locale": "en-US",
        "extra_http_headers": {"Accept-Language": "en-US,en;q=0.9"},
    }


@pytest.fixture(scope="session")
def playwright(django_db_setup) -> Iterator[Any]:
    """pytest-playwright's ``playwright``, started after the test database exists.

    Playwright's sync API keeps an event loop running in the test thread from now on, which Django's
    guard takes for an async context: the ORM is allowed again in this (synchronous) thread while
    Playwright runs. The live server keeps the guard.
    """
    from playwright.sync_api import sync_playwright

    old = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as driver:
            yield driver
    finally:
        if old is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = old


@pytest.fixture
def browser_page(page: Any, panel_server: PanelServer) -> Any:
    """A Playwright page on the live server (relative URLs work: ``browser_page.goto("/panel")``)."""
    page.set_default_timeout(10_000)
    return page


def session_cookie_for(user: Any) -> str:
    """A new session of ``user`` in the database (what a login makes); returns its key."""
    client = Client()
    client.force_login(user)
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def signed_in(user_for: Callable[[str], Any], panel_server: PanelServer) -> Callable[..., Any]:
    """``signed_in(page, "manager")`` (or a user object) → the page's browser holds that user's
    session; returns the user."""

    def sign_in(page: Any, who: str | Any) -> Any:
        user = user_for(who) if isinstance(who, str) else who
        if user is None:
            page.context.clear_cookies()
            return None
        page.context.add_cookies(
            [
                {
                    "name": django_settings.SESSION_COOKIE_NAME,
                    "value": session_cookie_for(user),
                    "url": panel_server.url,
                    "httpOnly": True,
                    "sameSite": "Lax",
                }
            ]
        )
        return user

    return sign_in


def screenshot(page: Any, name: str, *, full_page: bool = True) -> Path:
    """Save a PNG of ``page`` as ``data/screenshots/tests/<name>.png`` and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def wait_until(condition: Callable[[], Any], timeout: float = 10.0, interval: float = 0.05) -> Any:
    """Poll ``condition`` until it returns something truthy (returned) or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)
