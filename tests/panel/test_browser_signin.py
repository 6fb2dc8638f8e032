"""The sign-in page in a real browser: the page itself, the password sign-in, the logout."""

from __future__ import annotations

import pytest

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
