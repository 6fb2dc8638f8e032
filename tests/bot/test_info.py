"""id, logs (with buttons that survive a restart), recover, status (maintenance), help and ping,
typed and slashed, end to end."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from botrunner.bot import ModmailBot
from tests.fakediscord.fixtures import nextcord_client
from tickets.models import SystemState, Ticket, TicketMessage

from .conftest import Modmail, bot_says, text_of
from .conftest import slash_said as slash

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def past_tickets(modmail: Modmail, user_id: int, count: int) -> None:
    """``count`` closed tickets of the user, the newest closed an hour ago, the oldest by leaving."""

    def create() -> None:
        at = timezone.now()
        for n in range(count):
            Ticket.objects.create(
                user_id=user_id,
                user_name="Alice",
                status=Ticket.Status.CLOSED,
                closed_at=at - timedelta(hours=n + 1),
                closed_by="user_left_server" if n == count - 1 else str(modmail.demo.staff_id),
            )

    await modmail.db(create)


def buttons(message: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A message's buttons by label."""
    return {b["label"]: b for row in message.get("components") or [] for b in row.get("components") or []}


# --- id ------------------------------------------------------------------------------------
async def test_id_shows_the_ticket_users_discord_id_in_both_forms(modmail):
    user = modmail.demo.user_ids[0]
    ticket = await modmail.open_ticket(user)
    await modmail.staff_says(ticket.channel_id, "!id")
    await bot_says(modmail, ticket.channel_id, f"`{user}`")
    answer = await slash(modmail, "id", ticket.channel_id)
    assert answer["flags"] & 64 and str(user) in text_of(answer)
    outside = await slash(modmail, "id", modmail.demo.general_channel_id)
    assert "not an open ticket" in text_of(outside)


# --- logs ----------------------------------------------------------------------------------
async def test_logs_pages_the_ticket_users_closed_tickets_with_buttons_that_survive_a_restart(modmail):
    user = modmail.demo.user_ids[0]
    staff = modmail.demo.staff_id
    ticket = await modmail.open_ticket(user)
    await past_tickets(modmail, user, 12)
    await modmail.staff_says(ticket.channel_id, "!logs")
    page = await bot_says(modmail, ticket.channel_id, "Closed tickets of")
    assert "Page 1/2" in text_of(page) and "12 tickets" in text_of(page)
    assert text_of(page).count("0 messages") == 10
    assert buttons(page)["Previous"].get("disabled") and not buttons(page)["Next"].get("disabled")

    await modmail.emu.click_button(page["id"], buttons(page)["Next"]["custom_id"], staff)
    turned = await modmail.emu.wait_for(
        lambda: (m := modmail.emu.message(page["id"])) and "Page 2/2" in text_of(m) and m
    )
    assert text_of(turned).count("0 messages") == 2 and "the user leaving" in text_of(turned)
    assert buttons(turned)["Next"].get("disabled")

    await modmail.bot.close()  # a new process: nothing of the first session's memory is left
    restarted = ModmailBot(cfg=modmail.bot.cfg, runner=modmail.bot.runner)
    async with nextcord_client(modmail.emu, restarted, ready_timeout=15.0):
        await modmail.emu.click_button(page["id"], buttons(turned)["Previous"]["custom_id"], staff)
        await modmail.emu.wait_for(
            lambda: "Page 1/2" in text_of(modmail.emu.message(page["id"])) or None, timeout=8.0
        )
        await modmail.bot.runner.drain(5)


async def test_logs_of_a_named_user_in_both_forms_and_the_refusals(modmail):
    user, other = modmail.demo.user_ids[0], modmail.demo.user_ids[1]
    channel = modmail.demo.general_channel_id
    await past_tickets(modmail, user, 3)
    await modmail.staff_says(channel, f"!logs <@{user}>")
    typed = await bot_says(modmail, channel, "Closed tickets of")
    assert "Page 1/1" in text_of(typed) and "3 tickets" in text_of(typed)
    assert not typed.get("components")
    answer = await slash(modmail, "logs", channel, {"user": other})
    assert answer["flags"] & 64 and "has no closed tickets" in text_of(answer)
    await modmail.staff_says(channel, "!logs")
    await bot_says(modmail, channel, "Name a user")


async def test_logs_links_each_closed_ticket_to_its_panel_page_at_the_public_url(modmail):
    user = modmail.demo.user_ids[0]
    channel = modmail.demo.general_channel_id
    await past_tickets(modmail, user, 2)
    ids = await modmail.db(lambda: [str(t.pk) for t in Ticket.objects.filter(user_id=user)])

    await modmail.staff_says(channel, f"!logs {user}")
    bare = text_of(await bot_says(modmail, channel, "Closed tickets of"))
    assert all(f"`{i}`" in bare for i in ids) and "](" not in bare  # no public URL: IDs only

    async def slashed(options: dict) -> str:
        payload = await modmail.emu.invoke_command(
            "logs", modmail.demo.staff_id, channel, options, guild_id=modmail.demo.guild_id
        )

        def said() -> str | None:  # the answer, after a deferral when the database was slow
            texts = [text_of(r.get("data") or {}) for r in modmail.emu.interaction_responses(payload["id"])]
            return next((t for t in texts if t), None)

        return await modmail.emu.wait_for(said, timeout=20.0)

    await modmail.reload_config(bot_ip="https://panel.example.com/")
    answer = await slashed({"id": user})  # Rustmail's option name
    for ticket_id in ids:
        assert f"[`{ticket_id}`](https://panel.example.com/panel/tickets/{ticket_id})" in answer

    # Without bot.ip, the address the OAuth2 redirect URL names, as Rustmail's close log uses it.
    await modmail.reload_config(bot_ip="", bot_redirect_url="https://mail.example.org/api/auth/callback")
    answer = await slashed({"user": user})
    assert f"(https://mail.example.org/panel/tickets/{ids[0]})" in answer


async def test_logs_buttons_are_refused_to_members_who_are_not_staff(modmail):
    user = modmail.demo.user_ids[0]
    await past_tickets(modmail, user, 11)
    channel = modmail.demo.general_channel_id
    await modmail.staff_says(channel, f"!logs {user}")
    page = await bot_says(modmail, channel, "Closed tickets of")
    click = await modmail.emu.click_button(
        page["id"], buttons(page)["Next"]["custom_id"], modmail.demo.user_ids[2]
    )
    refusal = await modmail.emu.wait_for_interaction_response(click["id"])
    assert refusal["data"]["flags"] & 64 and "staff" in text_of(refusal["data"]).lower()
    assert "Page 1/2" in text_of(modmail.emu.message(page["id"]))


# --- recover -------------------------------------------------------------------------------
async def test_recover_relays_the_dms_sent_while_the_bot_was_away(modmail):
    user = modmail.demo.user_ids[0]
    ticket = await modmail.open_ticket(user)
    await modmail.bot.close()
    await modmail.emu.user_dm(user, "Did you forget me?")
    restarted = ModmailBot(cfg=modmail.bot.cfg, runner=modmail.bot.runner)
    async with nextcord_client(modmail.emu, restarted, ready_timeout=15.0):
        restarted.dms_open.set()  # no startup recovery here: the command does it
        assert not [m for m in modmail.emu.messages(ticket.channel_id) if "forget me" in text_of(m)]
        await modmail.staff_says(ticket.channel_id, "!recover")
        await bot_says(modmail, ticket.channel_id, "1 message recovered.")
        await bot_says(modmail, ticket.channel_id, "Did you forget me?")
        stored = await modmail.db(lambda: TicketMessage.objects.get(content="Did you forget me?"))
        assert stored.recovered
        answer = await slash(modmail, "recover", ticket.channel_id)
        assert answer["flags"] & 64 and "0 messages recovered." in text_of(answer)
        await restarted.runner.drain(5)


# --- status --------------------------------------------------------------------------------
async def test_maintenance_turns_users_away_and_leaves_commands_to_admins_until_it_ends(modmail):
    user, other = modmail.demo.user_ids[0], modmail.demo.user_ids[1]
    admin = modmail.demo.admin_id
    ticket = await modmail.open_ticket(user)
    await modmail.staff_says(ticket.channel_id, "!status maintenance", user_id=admin)
    await bot_says(modmail, ticket.channel_id, "Status set to maintenance")
    state = await modmail.db(SystemState.load)
    assert state.presence == SystemState.Presence.MAINTENANCE and modmail.bot.maintenance

    await modmail.emu.user_dm(other, "Is anyone there?")
    await modmail.emu.wait_for_dm(other, lambda m: "maintenance" in text_of(m))
    assert await modmail.db(lambda: Ticket.objects.filter(user_id=other).count()) == 0
    await modmail.staff_says(ticket.channel_id, "!id")
    await bot_says(modmail, ticket.channel_id, "only administrators can use commands")
    refused = await slash(modmail, "ping", ticket.channel_id)
    assert "only administrators" in text_of(refused)
    await modmail.staff_says(ticket.channel_id, "!id", user_id=admin)
    await bot_says(modmail, ticket.channel_id, f"`{user}`")

    answer = await slash(modmail, "status", ticket.channel_id, {"mode": "online"}, user_id=admin)
    assert answer["flags"] & 64 and "Status set to online" in text_of(answer)
    assert not modmail.bot.maintenance
    assert (await modmail.db(SystemState.load)).presence == SystemState.Presence.ONLINE
    await modmail.staff_says(ticket.channel_id, "!ping")
    await bot_says(modmail, ticket.channel_id, "Pong")


async def test_any_staff_member_sets_the_status_but_only_admins_enable_maintenance(modmail):
    channel = modmail.demo.general_channel_id
    state = SystemState.Presence
    await modmail.staff_says(channel, "!status idle")
    await bot_says(modmail, channel, "Status set to idle")
    assert (await modmail.db(SystemState.load)).presence == state.IDLE
    answer = await slash(modmail, "status", channel, {"mode": "dnd"})
    assert answer["flags"] & 64 and "Status set to dnd" in text_of(answer)
    assert (await modmail.db(SystemState.load)).presence == state.DND

    await modmail.staff_says(channel, "!status maintenance")
    await bot_says(modmail, channel, "Only administrators can enable maintenance mode")
    refused = await slash(modmail, "status", channel, {"mode": "maintenance"})
    assert refused["flags"] & 64 and "Only administrators can enable maintenance mode" in text_of(refused)
    assert (await modmail.db(SystemState.load)).presence == state.DND and not modmail.bot.maintenance

    await modmail.staff_says(channel, "!status sleepy")
    await bot_says(modmail, channel, "Unknown status sleepy")
    answer = await slash(modmail, "status", channel, {"mode": "maintenance"}, user_id=modmail.demo.admin_id)
    assert "Status set to maintenance" in text_of(answer) and modmail.bot.maintenance
    assert (await modmail.db(SystemState.load)).presence == state.MAINTENANCE


# --- help and ping -------------------------------------------------------------------------
async def test_help_lists_every_command_with_its_aliases_and_explains_one(modmail):
    channel = modmail.demo.general_channel_id
    await modmail.staff_says(channel, "!help")
    listing = text_of(await bot_says(modmail, channel, "Commands"))
    for expected in ("`!snippet`", "(!s)", "`!add_reminder`", "(!remind, !rem)", "(!r)", "`!ping`"):
        assert expected in listing
    assert "Show the gateway latency" in listing

    answer = await slash(modmail, "help", channel, {"command": "s"})
    assert answer["flags"] & 64
    assert "!snippet" in text_of(answer) and "!snippet create <key> <content>" in text_of(answer)
    await modmail.staff_says(channel, "!help remind")
    explained = await bot_says(modmail, channel, "Usage")
    assert "!add_reminder" in text_of(explained) and "!remind" in text_of(explained)
    await modmail.staff_says(channel, "!help frobnicate")
    await bot_says(modmail, channel, "no command named frobnicate")


async def test_ping_answers_with_the_gateway_latency_in_both_forms(modmail):
    channel = modmail.demo.general_channel_id
    await modmail.staff_says(channel, "!ping")
    typed = text_of(await bot_says(modmail, channel, "Pong"))
    assert "latency" in typed
    answer = await slash(modmail, "ping", channel)
    assert answer["flags"] & 64 and "Pong" in text_of(answer)
