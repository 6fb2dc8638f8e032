"""The tickets pages in a real browser (Debian's Chromium), against daphne, the real bot
(``manage.py runbot``) and the Discord emulator: a DM shows up in the list and in the open
conversation without a reload, a reply typed in the panel reaches the user's DMs, a viewer sees
no action, and the pages speak French. Screenshots of both pages (desktop and phone, light and
dark) land in data/screenshots/tests/."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from panel.models import PanelPermission
from tests.api.conftest import INBOX, STAFF_ROLE, make_user, next_id
from tickets.models import Attachment, BotConfig, GuildMember, MessageEdit, SystemState, Ticket, TicketMessage

from .conftest import DESKTOP, PHONE, ROOT, live_database_url, screenshot, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# --- the real bot, as a process of its own ----------------------------------------------------------
def configure_for_demo(emu: Any) -> BotConfig:
    """The product configured for the emulator's demo guild (single mode), as the wizard leaves it."""
    demo = emu.demo
    cfg = BotConfig.load()
    cfg.bot_token = emu.bot_token
    cfg.mode_type = "single"
    cfg.mode_guild_id = demo.guild_id
    cfg.thread_inbox_category_id = demo.inbox_category_id
    cfg.bot_logs_channel_id = demo.logs_channel_id
    cfg.save()
    return cfg


def start_bot(emu: Any, log: Path) -> subprocess.Popen:
    """``manage.py runbot`` on the test database against the emulator; returns once it is connected
    and has cached the demo guild (the panel's access rules read that cache)."""
    env = {
        **os.environ,
        "DATABASE_URL": live_database_url(),
        "DISCORD_API_BASE": emu.api_base,
        "SECRET_KEY": settings.SECRET_KEY,
        "DATA_DIR": str(settings.DATA_DIR),
        "DEBUG": "false",
        "DISCORD_REST_RATE": "1000",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.pop("DISCORD_TOKEN", None)
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runbot"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    demo = emu.demo
    try:
        wait_until(lambda: SystemState.load().bot_connected, timeout=60, interval=0.2)
        wait_until(
            lambda: GuildMember.objects.filter(guild_id=demo.guild_id, user_id=demo.staff_id).exists(),
            timeout=30,
            interval=0.2,
        )
    except AssertionError:
        stop(process)
        raise AssertionError(f"the bot did not start:\n{log.read_text()}") from None
    return process


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


@pytest.fixture
def bot(guild, panel_discord: Any, tmp_path: Path) -> Iterator[Any]:
    """The real bot connected to the panel's emulator; yields the emulator (its demo guild ready).
    After ``guild`` (which the sign-in fixtures use): the configuration here is the demo's."""
    configure_for_demo(panel_discord)
    # Discord's own heartbeat interval: a bot in another process is not starved of acks by the tests.
    panel_discord.call(setattr, panel_discord.emu.gateway, "heartbeat_interval_ms", 41250)
    log = tmp_path / "bot.log"
    process = start_bot(panel_discord, log)
    try:
        yield panel_discord
    finally:
        stop(process)
        print(log.read_text()[-4000:])  # shown by pytest when the test failed


def demo_staff(emu: Any, *grants: str) -> Any:
    """A panel user who is the demo guild's staff member (Staff role), holding ``grants``."""
    staff_id = emu.demo.staff_id
    user = get_user_model().objects.create(username=f"staff{staff_id}")
    SocialAccount.objects.create(
        user=user,
        provider="discord",
        uid=str(staff_id),
        extra_data={"id": str(staff_id), "username": "staff"},
    )
    for permission in grants:
        PanelPermission.objects.create(
            subject_type=PanelPermission.SubjectType.USER,
            subject_id=staff_id,
            permission=permission,
            granted_by=emu.demo.owner_id,
        )
    return user


def dm(emu: Any, user_id: int, content: str) -> dict[str, Any]:
    """A user DMs the bot through the emulator (as Discord would deliver it)."""
    return emu.call(lambda: emu.emu.user_dm(user_id, content))


def texts_received(emu: Any, user_id: int) -> list[str]:
    """What the bot sent the user in DMs: contents and embed descriptions."""
    bot_id = str(emu.bot_id)
    out = []
    for message in emu.dm_messages(user_id):
        if message["author"]["id"] == bot_id:
            out.append(message.get("content") or "")
            out += [e.get("description") or "" for e in message.get("embeds") or []]
    return out


# --- live: a DM in the list and in the conversation, a reply to the user ------------------------------
def test_a_dm_shows_up_live_and_a_reply_from_the_panel_reaches_the_user(bot, browser_page, signed_in) -> None:
    emu, page = bot, browser_page
    user_id = emu.demo.user_ids[0]
    signed_in(page, demo_staff(emu, "ViewPanel", "ManageTickets"))
    page.goto("/panel/tickets")
    page.locator("body[data-live=connected]").wait_for()

    dm(emu, user_id, "Hello from the user")
    opened = Ticket.objects.filter(user_id=user_id, status=Ticket.Status.OPEN, channel_id__isnull=False)
    wait_until(opened.exists, timeout=30)  # with its channel: the reply's copy is looked for there
    ticket = opened.get()
    page.locator(f"#ticket-{ticket.pk}").wait_for(timeout=20000)  # the row came without a reload
    assert page.locator(f"#ticket-{ticket.pk} td.num").inner_text() == "1"

    page.locator(f"#ticket-{ticket.pk} a").first.click()
    page.wait_for_url(f"**/panel/tickets/{ticket.pk}")
    page.get_by_text("Hello from the user").wait_for()
    page.locator("body[data-live=connected]").wait_for()
    dm(emu, user_id, "A second message, live")
    page.locator(".msg-user", has_text="A second message, live").wait_for(timeout=20000)

    page.get_by_label("Reply").fill("Thanks, we are looking into it")
    page.get_by_role("button", name="Send reply").click()
    # The composer says how it went (a refusal would be shown there), then the reply joins the page.
    outcome = page.locator("#ticket-composer .alert").first
    outcome.wait_for(timeout=60000)
    assert "alert-success" in (outcome.get_attribute("class") or ""), outcome.inner_text()
    page.locator(".msg-staff", has_text="Thanks, we are looking into it").wait_for(timeout=30000)
    wait_until(
        lambda: any("Thanks, we are looking into it" in t for t in texts_received(emu, user_id)), timeout=20
    )
    channel = [
        m for m in emu.messages(ticket.channel_id) if "Thanks, we are looking into it" in json.dumps(m)
    ]
    assert channel, "the reply's copy is in the ticket channel"
    page.locator(".alert-success", has_text="Reply #1 sent.").wait_for()
    page.locator("#ticket-facts dd", has_text="3").first.wait_for()  # the message count followed, live
    screenshot(page, "ticket-live-desktop")


# --- no bot: seeded tickets -----------------------------------------------------------------------------
def seed_conversation(count: int = 14, category_id: int | None = INBOX) -> Ticket:
    """A ticket (in the Inbox by default) with every kind of message, and a dozen others."""
    now = timezone.now()
    ticket = Ticket.objects.create(
        user_id=next_id(),
        user_name="Camille Martin",
        channel_id=next_id(),
        category_id=category_id,
        category_name="Inbox",
    )
    Ticket.objects.filter(pk=ticket.pk).update(created_at=now - timedelta(hours=3))
    lines = [
        ("user", "Hi! I was charged twice for my subscription this month."),
        ("staff", "Sorry about that. Could you send the receipt?"),
        ("user", "Sure, here it is."),
        ("internal", "Billing confirms a duplicate charge: refund approved."),
        ("staff", "Thanks. We refunded the second charge; you will see it in 3 to 5 days."),
        ("user", "Great, thank you!"),
    ]
    number = 0
    for n in range(count):
        kind, text = lines[n % len(lines)]
        staff = kind != "user"
        if kind == "staff":
            number += 1
        message = TicketMessage.objects.create(
            ticket=ticket,
            kind=kind,
            author_id=42 if staff else ticket.user_id,
            author_name="Alex (Support)" if staff else ticket.user_name,
            author_role="Moderator" if kind == "staff" else "",
            message_number=number if kind == "staff" else None,
            is_internal=kind == "internal",
            is_anonymous=kind == "staff" and n % 4 == 0,
            content=text,
            created_at=now - timedelta(hours=3) + timedelta(minutes=7 * n),
            edited_at=now if n == 2 else None,
            deleted_at=now if n == 5 else None,
        )
        if n == 2:
            MessageEdit.objects.create(message=message, before="Sure.", after=text, edited_by=ticket.user_id)
            Attachment.objects.create(
                message=message,
                filename="receipt.pdf",
                size=48213,
                content_type="application/pdf",
                url="https://cdn.example/receipt.pdf",
            )
    Ticket.objects.filter(pk=ticket.pk).update(last_message_at=now - timedelta(minutes=2))
    for n in range(12):
        other = Ticket.objects.create(
            user_id=next_id(),
            user_name=f"user{n:02d}",
            channel_id=next_id(),
            category_id=category_id,
            category_name="Inbox",
            status=Ticket.Status.OPEN if n % 3 else Ticket.Status.CLOSED,
            closed_at=now - timedelta(hours=n) if n % 3 == 0 else None,
            label="billing" if n == 4 else "",
        )
        Ticket.objects.filter(pk=other.pk).update(created_at=now - timedelta(days=n, hours=5))
    return ticket


def staff_user(*grants: str) -> Any:
    return make_user(next_id(), roles=(STAFF_ROLE,), grants=grants)


def test_a_viewer_sees_no_action_and_is_refused_on_action_urls(guild, browser_page, signed_in) -> None:
    page = browser_page
    ticket = seed_conversation(6)
    signed_in(page, staff_user("ViewPanel"))

    page.goto(f"/panel/tickets/{ticket.pk}")
    page.get_by_text("Hi! I was charged twice").first.wait_for()
    assert page.get_by_role("button", name="Send reply").count() == 0
    assert page.get_by_role("button", name="Take").count() == 0
    assert page.get_by_role("button", name="Close").count() == 0

    token = json.loads(page.locator("body").get_attribute("hx-headers"))["X-CSRFToken"]
    for action in ("reply", "note", "close", "close/cancel", "take", "release", "move"):
        response = page.request.post(
            f"/panel/tickets/{ticket.pk}/{action}",
            form={"content": "x"},
            headers={"X-CSRFToken": token, "Referer": page.url},
        )
        assert response.status == 403, action
        assert "CSRF verification failed" not in response.text()
    assert Ticket.objects.get(pk=ticket.pk).taken_by is None
    assert not TicketMessage.objects.filter(ticket=ticket, content="x").exists()


def test_the_pages_speak_french(guild, browser, panel_server, signed_in) -> None:
    ticket = seed_conversation(6)
    context = browser.new_context(
        base_url=panel_server.url, locale="fr-FR", extra_http_headers={"Accept-Language": "fr-FR,fr;q=0.9"}
    )
    page = context.new_page()
    try:
        signed_in(page, staff_user("ViewPanel", "ManageTickets"))
        page.goto("/panel/tickets")
        assert page.get_by_role("columnheader", name="Dernière activité").is_visible()
        assert page.get_by_label("Statut").is_visible()
        page.goto(f"/panel/tickets/{ticket.pk}")
        assert page.get_by_role("button", name="Envoyer la réponse").is_visible()
        assert page.get_by_text("Note interne").first.is_visible()
        screenshot(page, "ticket-fr")
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_of_the_tickets_pages(guild, browser, panel_server, signed_in, scheme: str) -> None:
    ticket = seed_conversation(14)
    user = staff_user("ViewPanel", "ManageTickets")
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(
            base_url=panel_server.url,
            viewport=viewport,
            color_scheme=scheme,
            locale="en-US",
            extra_http_headers={"Accept-Language": "en-US"},
        )
        page = context.new_page()
        try:
            signed_in(page, user)
            page.goto("/panel/tickets")
            page.locator("#tickets-list tbody tr").first.wait_for()
            screenshot(page, f"tickets-{name}-{scheme}")
            page.goto(f"/panel/tickets/{ticket.pk}")
            page.get_by_text("Hi! I was charged twice").first.wait_for()
            screenshot(page, f"ticket-{name}-{scheme}", full_page=name == "phone")
        finally:
            context.close()
