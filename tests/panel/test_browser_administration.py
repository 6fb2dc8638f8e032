"""The administration page in a real browser (Debian's Chromium) against daphne: ViewPanel granted to
a role lets a member of it into the panel, several permissions granted to a member at once show in
their navigation, a revoked grant takes them away; who holds what, and why, is listed."""

from __future__ import annotations

from typing import Any

import pytest

from panel.models import PanelPermission
from tests.api.conftest import ADMIN_ROLE, OWNER, STAFF_ROLE, SUPER_ADMIN, make_user, next_id
from tickets.models import GuildMember

from .conftest import PHONE, screenshot
from .test_accessibility import axe_violations, describe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def grant(page: Any, search: str, subject: str, *permissions: str) -> None:
    """Search the picker, choose ``subject`` (its radio's value), tick ``permissions``, grant.
    The choice is made in the search's results (the list before them may already show it)."""
    with page.expect_response(lambda response: "q=" in response.url, timeout=30_000):
        page.get_by_label("Search members and roles").fill(search)
    page.wait_for_function("!document.querySelector('form[role=search].htmx-request')")
    choice = page.locator(f"#picker-results input[value='{subject}']")
    choice.wait_for(timeout=30_000)
    choice.check()
    for permission in permissions:
        page.locator("fieldset", has_text="Permissions").get_by_label(permission).check()
    page.get_by_role("button", name="Grant", exact=True).click()
    page.locator(".alert-success", has_text="Granted ").wait_for(timeout=30_000)


def test_a_role_granted_viewpanel_lets_its_members_in(
    guild, browser, browser_page, signed_in, panel_server
) -> None:
    page = browser_page
    member = make_user(next_id(), roles=(STAFF_ROLE,))
    other = browser.new_context(base_url=panel_server.url, locale="en-US")
    member_page = other.new_page()
    try:
        signed_in(member_page, member)
        assert member_page.goto("/panel").status == 403

        signed_in(page, "superuser")
        page.goto("/panel/administration")
        grant(page, "staf", f"Role:{STAFF_ROLE}", "View the panel")
        row = page.locator(f"#holder-role-{STAFF_ROLE}")
        assert "ViewPanel" in row.inner_text() and "Granted in the panel" in row.inner_text()
        assert "1 member" in row.inner_text()
        assert PanelPermission.objects.filter(
            subject_type="Role", subject_id=STAFF_ROLE, permission="ViewPanel"
        ).exists()

        assert member_page.goto("/panel").status == 200
        assert member_page.get_by_role("link", name="API keys").count() == 0

        member_id = int(member.socialaccount_set.get().uid)
        grant(page, str(member_id), f"User:{member_id}", "Manage API keys", "View blocked users")
        held = set(
            PanelPermission.objects.filter(subject_type="User", subject_id=member_id).values_list(
                "permission", flat=True
            )
        )
        assert held == {"ManageApiKeys", "ViewBans"}
        member_page.goto("/panel")
        member_page.locator(".nav-menu summary").click()
        member_page.get_by_role("link", name="API keys").wait_for()
        member_page.get_by_role("link", name="Bans").wait_for()
        screenshot(page, "administration-granted")

        page.on("dialog", lambda dialog: dialog.accept())
        page.locator(f"#holder-role-{STAFF_ROLE}").get_by_role(
            "button", name="Revoke ViewPanel from Staff"
        ).click()
        page.get_by_text("Permission revoked.").wait_for()
        assert member_page.goto("/panel").status == 403
    finally:
        other.close()


def test_who_holds_what_and_why(guild, browser_page, signed_in) -> None:
    page = browser_page
    GuildMember.objects.create(guild_id=guild.config.mode_guild_id, user_id=OWNER, username="owner")
    make_user(next_id(), roles=(ADMIN_ROLE,))
    signed_in(page, "superuser")
    page.goto("/panel/administration")
    reasons = {
        f"#holder-user-{OWNER}": "Owner of the server",
        f"#holder-user-{SUPER_ADMIN}": "Super admin (configuration)",
        f"#holder-role-{ADMIN_ROLE}": "Discord's Administrator permission",
    }
    for row, reason in reasons.items():
        text = page.locator(row).inner_text()
        assert reason in text and "Every permission" in text, (row, text)
    assert "owner" in page.locator(f"#holder-user-{OWNER}").inner_text()
    assert "1 member" in page.locator(f"#holder-role-{ADMIN_ROLE}").inner_text()


def test_a_grant_without_a_choice_is_refused(guild, browser_page, signed_in) -> None:
    page = browser_page
    signed_in(page, "superuser")
    page.goto("/panel/administration")
    page.get_by_role("button", name="Grant", exact=True).click()
    page.get_by_text("This field is required.").first.wait_for()
    assert not PanelPermission.objects.exists()
    assert page.goto("/panel/administration").status == 200
    manager = make_user(next_id(), grants=("ViewPanel", "ManageTickets"))
    signed_in(page, manager)
    assert page.goto("/panel/administration").status == 403


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_page_on_a_phone_in_french(guild, browser, panel_server, signed_in, scheme: str) -> None:
    PanelPermission.objects.create(
        subject_type="Role", subject_id=STAFF_ROLE, permission="ViewPanel", granted_by=OWNER
    )
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
        page.goto("/panel/administration")
        page.get_by_role("heading", name="Qui détient quoi, et pourquoi").wait_for()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width}px wide on a phone"
        screenshot(page, f"administration-phone-fr-{scheme}")
        assert not axe_violations(page), describe(axe_violations(page))
    finally:
        context.close()
