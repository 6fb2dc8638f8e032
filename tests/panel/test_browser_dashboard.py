"""The dashboard in a real browser (Debian's Chromium), against daphne, the real bot (``manage.py
runbot``, a process of its own) and the Discord emulator: the bot's status and latency, a DM that
opens a ticket changing the figures and the activity without a reload, presence, stop, start and
restart from the page with the status following live, and no control for a viewer."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tickets.models import SystemState, Ticket

from .conftest import screenshot, wait_until
from .test_browser_tickets import bot, demo_staff, dm, staff_user  # noqa: F401 (bot is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every bot.status event the page receives, in order: [status, presence, desired_state].
LISTEN = """() => {
  window.__unreloaded = true;
  window.__status = [];
  document.body.addEventListener("rm:bot.status", (e) =>
    window.__status.push([e.detail.data.status, e.detail.data.presence, e.detail.data.desired_state]));
}"""
LATENCY = re.compile(r"^\d+ ms$")


def bot_state(page: Any) -> str:
    return page.locator("#bot-state").get_attribute("data-state")


def statuses(page: Any) -> list[list[str]]:
    return page.evaluate("window.__status")


def wait_for_status_event(page: Any, status: str, after: int) -> None:
    """The page received a ``bot.status`` event saying ``status`` (beyond the first ``after``)."""
    page.wait_for_function(
        "([status, after]) => window.__status.slice(after).some((s) => s[0] === status)",
        arg=[status, after],
        timeout=30_000,
    )


def test_the_dashboard_follows_the_bot_and_the_tickets_live(bot, browser_page, signed_in) -> None:  # noqa: F811
    emu, page = bot, browser_page
    signed_in(page, demo_staff(emu, "ViewPanel", "ManageBot"))
    page.goto("/panel")
    page.locator("body[data-live=connected]").wait_for()
    page.evaluate(LISTEN)

    # Running, with the gateway latency the bot measured (its first heartbeat ack may come later).
    assert bot_state(page) == "running"
    page.wait_for_function(
        "() => /^\\d+ ms$/.test(document.querySelector('#bot-latency').textContent.trim())", timeout=20_000
    )
    assert LATENCY.match(page.locator("#bot-latency").inner_text().strip())
    assert page.locator("#bot-uptime").inner_text().strip() != "—"

    # A DM opens a ticket: the figures and the activity follow without a reload.
    open_before = int(page.locator("#stat-open").inner_text())
    user_id = emu.demo.user_ids[1]
    dm(emu, user_id, "My order never arrived")
    ticket = wait_until(lambda: Ticket.objects.filter(user_id=user_id).first(), timeout=30)
    page.locator("#stat-open", has_text=str(open_before + 1)).wait_for(timeout=20_000)
    assert page.locator("#stat-opened").inner_text() == str(open_before + 1)
    page.locator(f'#activity a[href="/panel/tickets/{ticket.pk}"]').first.wait_for(timeout=20_000)
    assert page.locator("#activity li", has_text="opened a ticket").count() >= 1
    page.locator("#activity li", has_text="My order never arrived").wait_for(timeout=20_000)

    # Presence: the page says it at once, and the bot shows it on Discord.
    page.get_by_label("Presence", exact=True).select_option("idle")
    page.get_by_role("button", name="Set presence").click()
    page.locator("#bot-presence", has_text="Idle").wait_for()
    page.locator(".alert-success", has_text="Presence set to Idle").wait_for()
    wait_until(lambda: emu.presences and emu.presences[-1]["status"] == "idle", timeout=20)

    # Stop asks first: declined, nothing happens.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Stop", exact=True).click()
    page.wait_for_timeout(1000)  # a request the dialog failed to hold back would be sent by now
    assert SystemState.load().desired_state == "running"

    # Accepted: the bot process closes its session and the page hears it from that process.
    seen = len(statuses(page))
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Stop", exact=True).click()
    page.locator(".alert-success", has_text="Bot stopped").wait_for()
    wait_for_status_event(page, "stopped", seen)
    page.locator("#bot-state[data-state=stopped]").wait_for(timeout=20_000)
    assert page.locator("#bot-latency").inner_text().strip() == "—"
    screenshot(page, "dashboard-bot-stopped")

    seen = len(statuses(page))
    page.get_by_role("button", name="Start", exact=True).click()
    page.locator(".alert-success", has_text="Bot is starting").wait_for()
    wait_for_status_event(page, "running", seen)
    page.locator("#bot-state[data-state=running]").wait_for(timeout=20_000)
    # The new session shows the presence asked for before the stop.
    wait_until(lambda: emu.presences[-1]["status"] == "idle" and len(emu.presences) >= 2, timeout=20)

    # Restart: the session is replaced, and the page sees it go and come back.
    started_at = SystemState.load().bot_started_at
    seen = len(statuses(page))
    page.get_by_role("button", name="Restart", exact=True).click()
    page.locator(".alert-success", has_text="Bot is restarting").wait_for()
    wait_for_status_event(page, "stopped", seen)
    wait_for_status_event(page, "running", seen)
    page.locator("#bot-state[data-state=running]").wait_for(timeout=20_000)
    wait_until(lambda: SystemState.load().bot_started_at != started_at, timeout=20)

    assert page.evaluate("window.__unreloaded === true"), "the page was never reloaded"
    screenshot(page, "dashboard-live")


def test_a_viewer_without_managebot_sees_no_control_and_is_refused(guild, browser_page, signed_in) -> None:
    page = browser_page
    signed_in(page, staff_user("ViewPanel"))
    page.goto("/panel")
    page.locator("#bot-status").wait_for()

    for name in ("Start", "Stop", "Restart", "Set presence"):
        assert page.get_by_role("button", name=name, exact=True).count() == 0, name
    assert page.locator("select[name=presence]").count() == 0

    token = page.locator("body").get_attribute("hx-headers").split('"')[3]
    for path, form in (
        ("/panel/bot/start", {}),
        ("/panel/bot/stop", {}),
        ("/panel/bot/restart", {}),
        ("/panel/bot/presence", {"presence": "dnd"}),
    ):
        response = page.request.post(path, form=form, headers={"X-CSRFToken": token, "Referer": page.url})
        assert response.status == 403, path
        assert "CSRF verification failed" not in response.text()
    state = SystemState.load()
    assert (state.desired_state, state.presence) == ("running", "online")
