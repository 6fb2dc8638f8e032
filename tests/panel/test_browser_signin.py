"""The sign-in page in a real browser: the page itself, the password sign-in, the logout, and the
Discord login round trip through the emulator's OAuth2 (``next=`` local paths only, the "not a
member" page, logout as a POST)."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib.sessions.models import Session

from panel.models import PanelPermission
from tickets.models import BotConfig, GuildMember

from .conftest import SUPERUSER_PASSWORD, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_sign_in_page_offers_discord_and_the_password_form(browser_page, guild) -> None:
    page = browser_page
    response = page.goto("/?next=/panel/tickets")

    assert response.status == 200
    assert page.title() == "Sign in · Rustmail"
    discord = page.get_by_role("link", name="Login with Discord")
    assert discord.get_attribute("href") == "/api/auth/login?next=%2Fpanel%2Ftickets"
    # The stylesheet and htmx are served by the product itself.
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgba(0, 0, 0, 0)"
    assert page.evaluate("typeof window.htmx") == "object"
    screenshot(page, "signin")


def test_a_superuser_signs_in_with_a_password_and_logs_out(browser_page, user_for) -> None:
    page = browser_page
    admin = user_for("superuser")
    page.goto("/?next=/panel")
    page.get_by_text("Administrator sign-in with a password").click()
    page.get_by_label("Username").fill(admin.username)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text().startswith("Wrong username or password")

    page.get_by_label("Password").fill(SUPERUSER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/panel")
    assert page.get_by_role("heading", level=1).inner_text() == "Dashboard"

    page.locator("details.user-menu > summary").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(lambda url: url.endswith("/"))
    assert page.get_by_role("link", name="Login with Discord").is_visible()
    assert page.goto("/panel").url.endswith("/?next=%2Fpanel")


# --- The Discord login, round trip through the emulator's OAuth2 ----------------------------------


@pytest.fixture
def discord_login(panel_discord, panel_server):
    """The product's Discord login configured for the live server and the emulator's application
    (client ID, secret, and the redirect URL this server answers at), staff server = the demo guild
    whose staff member holds ViewPanel. ``discord_login(user_id)`` picks who the emulator's OAuth2
    authorize step approves as; returns the demo guild."""
    demo = panel_discord.demo
    cfg = BotConfig.load()
    cfg.mode_type = "single"
    cfg.mode_guild_id = demo.guild_id
    cfg.bot_client_id = panel_discord.application_id
    cfg.bot_client_secret = panel_discord.client_secret
    cfg.bot_redirect_url = f"{panel_server.url}/api/auth/callback"
    cfg.save()
    # The guild cache the bot would hold: the staff member is in the server, the user ``alice`` not.
    GuildMember.objects.create(
        guild_id=demo.guild_id,
        user_id=demo.staff_id,
        username="staffmember",
        global_name="Sam Staff",
        role_ids=[str(demo.staff_role_id)],
    )
    PanelPermission.objects.create(
        subject_type=PanelPermission.SubjectType.USER,
        subject_id=demo.staff_id,
        permission="ViewPanel",
        granted_by=demo.owner_id,
    )

    def login_as(user_id: int):
        panel_discord.oauth_login_as(user_id)
        return demo

    yield login_as
    panel_discord.oauth_login_as(None)


def sign_in_with_discord(page, start: str) -> None:
    """From the sign-in page at ``start``: "Login with Discord", through the emulator's authorize step
    and the product's callback, to wherever the product sends the browser."""
    page.goto(start)
    with page.expect_navigation(url=lambda url: "/api/auth/callback" not in url and "oauth2" not in url):
        page.get_by_role("link", name="Login with Discord").click()
    page.wait_for_load_state()


def test_discord_login_round_trip_lands_on_the_dashboard_signed_in(
    browser_page, discord_login, panel_discord, panel_server
) -> None:
    page = browser_page
    demo = discord_login(panel_discord.demo.staff_id)
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url) if request.is_navigation_request() else None)

    sign_in_with_discord(page, "/")

    assert page.url == f"{panel_server.url}/panel"
    assert page.get_by_role("heading", level=1).inner_text() == "Dashboard"
    # The browser went through the emulator's authorize step and the product's callback.
    assert any(url.startswith(f"{panel_discord.api_base}/oauth2/authorize?") for url in seen), seen
    assert any(url.startswith(f"{panel_server.url}/api/auth/callback?code=") for url in seen), seen
    account = SocialAccount.objects.get(provider="discord")
    assert account.uid == str(demo.staff_id)
    assert page.locator("details.user-menu .user-name").inner_text() == "Sam Staff"
    page.locator("details.user-menu > summary").click()
    assert str(demo.staff_id) in page.locator("details.user-menu .menu").inner_text()
    screenshot(page, "signin-discord-dashboard")


def test_discord_login_honours_a_local_next(browser_page, discord_login, panel_discord, panel_server) -> None:
    page = browser_page
    discord_login(panel_discord.demo.staff_id)

    sign_in_with_discord(page, "/?next=/panel/tickets")

    assert page.url == f"{panel_server.url}/panel/tickets"
    assert page.get_by_role("heading", level=1).inner_text() == "Tickets"


@pytest.mark.parametrize(
    "start",
    [
        "/?next=https://evil.example/",
        "/?next=//evil.example/",
        "/?next=/%5Cevil.example/",
        "/api/auth/login?next=https://evil.example/",
    ],
)
def test_discord_login_refuses_an_external_next(
    browser_page, discord_login, panel_discord, panel_server, start: str
) -> None:
    page = browser_page
    discord_login(panel_discord.demo.staff_id)

    if start.startswith("/api/"):
        page.goto(start)
        page.wait_for_url(f"{panel_server.url}/panel")
    else:
        sign_in_with_discord(page, start)

    assert page.url == f"{panel_server.url}/panel"
    assert page.get_by_role("heading", level=1).inner_text() == "Dashboard"


def test_a_discord_user_outside_the_staff_server_gets_the_not_a_member_page(
    browser_page, discord_login, panel_discord
) -> None:
    page = browser_page
    outsider = panel_discord.demo.user_ids[0]  # alice: in the community, not in the guild cache
    discord_login(outsider)
    responses = []
    page.on("response", lambda response: responses.append(response))

    sign_in_with_discord(page, "/")

    last = [r for r in responses if r.request.is_navigation_request()][-1]
    assert last.status == 403
    assert last.headers["content-type"].startswith("text/html")
    assert page.get_by_role("heading", level=1).inner_text() == "You are not in the staff server"
    assert "Alice" in page.locator("main").inner_text()
    assert SocialAccount.objects.get(provider="discord").uid == str(outsider)
    screenshot(page, "signin-discord-not-member")

    # Its "Log out" ends the session: the sign-in page again.
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(lambda url: url.endswith("/"))
    assert page.get_by_role("link", name="Login with Discord").is_visible()


def test_logout_is_a_post_that_ends_the_discord_session(
    browser_page, discord_login, panel_discord, panel_server
) -> None:
    page = browser_page
    discord_login(panel_discord.demo.staff_id)
    sign_in_with_discord(page, "/")
    assert page.url.endswith("/panel")
    key = next(c["value"] for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    assert Session.objects.filter(session_key=key).exists()

    # A GET of the logout URL (a link, an image) does not end the session.
    assert page.request.get("/logout", max_redirects=0).status == 405
    assert page.goto("/panel").url.endswith("/panel")

    page.locator("details.user-menu > summary").click()
    with page.expect_request(lambda request: request.url.endswith("/logout")) as sent:
        page.get_by_role("button", name="Log out").click()
    assert sent.value.method == "POST"
    page.wait_for_url(f"{panel_server.url}/")
    assert not Session.objects.filter(session_key=key).exists()
    assert page.goto("/panel").url == f"{panel_server.url}/?next=%2Fpanel"
