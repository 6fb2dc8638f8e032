"""The category command, both forms, and the prompt users answer before their ticket opens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tickets import services
from tickets.models import (
    CategoryRole,
    CategorySettings,
    PendingCategorySelection,
    Ticket,
    TicketCategory,
    TicketMessage,
)

from .conftest import eventually, text_of

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

EPHEMERAL = 64


# --- helpers ---------------------------------------------------------------------------------
async def says(modmail, content: str, user_id: int | None = None) -> dict:
    """Staff type a text command in #general; returns the bot's answer there."""
    channel = modmail.demo.general_channel_id
    sent = await modmail.staff_says(channel, content, user_id=user_id)
    return await modmail.emu.wait_for_message(
        channel, lambda m: int(m["id"]) > int(sent["id"]) and m["author"]["id"] == str(modmail.emu.bot_id)
    )


async def slash(modmail, options: dict, user_id: int | None = None) -> dict:
    """Staff run /category with ``options`` (the subcommand as a dict) in #general; returns the answer."""
    answer = await modmail.slash("category", modmail.demo.general_channel_id, options, user_id=user_id)
    assert answer["data"]["flags"] & EPHEMERAL, answer
    return answer["data"]


def is_error(message: dict) -> bool:
    return any(e.get("color") == 0xED4245 for e in message.get("embeds") or [])


async def categories(modmail) -> list[tuple[str, bool]]:
    return await modmail.db(lambda: list(TicketCategory.objects.values_list("name", "enabled")))


async def make_category(modmail, name: str, **fields) -> TicketCategory:
    """A Discord category and the ticket category opening there (set up through the service)."""
    discord_id = modmail.emu.create_category(modmail.demo.guild_id, name)
    return await modmail.db(
        lambda: services.category_create(discord_category_id=discord_id, name=name, **fields)
    )


def buttons(message: dict) -> list[dict]:
    return [c for row in message.get("components") or [] for c in row["components"]]


async def prompt_of(modmail, user_id: int) -> dict:
    """The prompt with buttons the bot sent the user."""
    return await modmail.emu.wait_for_dm(user_id, lambda m: buttons(m))


# --- create ----------------------------------------------------------------------------------
async def test_staff_create_a_category_with_the_text_command(modmail):
    billing = modmail.emu.create_category(modmail.demo.guild_id, "Billing")
    answer = await says(modmail, f"!category create {billing} Billing | Payments and refunds | 💳")
    assert "Billing" in text_of(answer) and not is_error(answer)
    stored = await modmail.db(lambda: TicketCategory.objects.get())
    assert (stored.name, stored.description, stored.emoji, stored.discord_category_id) == (
        "Billing",
        "Payments and refunds",
        "💳",
        billing,
    )


async def test_staff_create_a_category_with_the_slash_command(modmail):
    billing = modmail.emu.create_category(modmail.demo.guild_id, "Billing")
    answer = await slash(
        modmail,
        {"create": {"discord_category": billing, "name": "Billing", "description": "Money", "emoji": "💳"}},
    )
    assert "Billing" in text_of(answer)
    assert await categories(modmail) == [("Billing", True)]


async def test_a_channel_that_is_not_a_category_is_refused_in_both_forms(modmail):
    general = modmail.demo.general_channel_id
    answer = await says(modmail, f"!category create {general} Billing")
    assert is_error(answer) and "not a category" in text_of(answer)
    answer = await slash(modmail, {"create": {"discord_category": general, "name": "Billing"}})
    assert "not a category" in text_of(answer)
    assert await categories(modmail) == []


async def test_a_duplicate_name_and_a_bad_emoji_are_refused(modmail):
    await make_category(modmail, "Billing")
    other = modmail.emu.create_category(modmail.demo.guild_id, "Other billing")
    answer = await says(modmail, f"!category create {other} billing")
    assert is_error(answer) and "already exists" in text_of(answer)
    answer = await slash(modmail, {"create": {"discord_category": other, "name": "Sales", "emoji": "money"}})
    assert "emoji" in text_of(answer)
    assert await categories(modmail) == [("Billing", True)]


async def test_create_without_arguments_shows_its_usage(modmail):
    answer = await says(modmail, "!category create")
    assert is_error(answer)
    assert "!category create <discord_category_id> <name> | <description> | <emoji>" in text_of(answer)


async def test_at_most_24_categories_are_enabled(modmail):
    def fill() -> None:
        for i in range(24):
            services.category_create(discord_category_id=1000 + i, name=f"Team {i}")
        services.category_set_enabled(name="Team 0", enabled=False)
        services.category_create(discord_category_id=2000, name="Team 24")

    await modmail.db(fill)
    spare = modmail.emu.create_category(modmail.demo.guild_id, "Spare")
    answer = await says(modmail, f"!category create {spare} One too many")
    assert is_error(answer) and "24" in text_of(answer)
    answer = await slash(modmail, {"enable": {"name": "Team 0"}})
    assert "24" in text_of(answer)
    assert await modmail.db(lambda: TicketCategory.objects.filter(enabled=True).count()) == 24


# --- list, rename, move, delete, enable, disable ------------------------------------------------
async def test_list_shows_the_prompt_state_the_categories_and_their_roles(modmail):
    billing = await make_category(modmail, "Billing", description="Payments and refunds", emoji="💳")
    await make_category(modmail, "Abuse")
    await modmail.db(lambda: services.category_set_enabled(name="Abuse", enabled=False))
    await modmail.db(lambda: services.category_role_add(name="Billing", role_id=modmail.demo.staff_role_id))
    text = text_of(await says(modmail, "!category list"))
    assert "off" in text and "300" in text and "1 of 24" in text
    assert "1. 💳 **Billing**" in text and f"<#{billing.discord_category_id}>" in text
    assert "Payments and refunds" in text and f"<@&{modmail.demo.staff_role_id}>" in text
    assert "2. **Abuse**" in text and "disabled" in text
    text = text_of(await slash(modmail, {"list": {}}))
    assert "Billing" in text and "Abuse" in text


async def test_list_with_no_category_says_how_to_create_one(modmail):
    text = text_of(await says(modmail, "!category list"))
    assert "No category yet" in text and "!category create" in text


async def test_rename_in_both_forms(modmail):
    await make_category(modmail, "Billing")
    answer = await says(modmail, "!category rename Billing | Payments and refunds")
    assert "Payments and refunds" in text_of(answer)
    await slash(modmail, {"rename": {"name": "payments", "new_name": "Money"}})
    assert await categories(modmail) == [("Money", True)]


async def test_renaming_an_unknown_category_is_refused(modmail):
    answer = await says(modmail, "!category rename Nothing | Something")
    assert is_error(answer) and "no category named Nothing" in text_of(answer)
    answer = await says(modmail, "!category rename Nothing")
    assert is_error(answer) and "Usage" in text_of(answer)


async def test_move_in_both_forms(modmail):
    for name in ("Billing", "Sales", "Abuse"):
        await make_category(modmail, name)
    answer = await says(modmail, "!category move Abuse 1")
    assert "position 1" in text_of(answer)
    assert [n for n, _e in await categories(modmail)] == ["Abuse", "Billing", "Sales"]
    await slash(modmail, {"move": {"name": "Billing", "position": 3}})
    assert [n for n, _e in await categories(modmail)] == ["Abuse", "Sales", "Billing"]
    answer = await says(modmail, "!category move Abuse 9")
    assert is_error(answer) and "between 1 and 3" in text_of(answer)


async def test_delete_in_both_forms(modmail):
    await make_category(modmail, "Billing")
    await make_category(modmail, "Sales")
    answer = await says(modmail, "!category delete Billing")
    assert "deleted" in text_of(answer)
    await slash(modmail, {"delete": {"name": "Sales"}})
    assert await categories(modmail) == []
    answer = await slash(modmail, {"delete": {"name": "Sales"}})
    assert "no category named Sales" in text_of(answer)


async def test_disable_and_enable_in_both_forms(modmail):
    await make_category(modmail, "Billing")
    await says(modmail, "!category disable Billing")
    assert await categories(modmail) == [("Billing", False)]
    await slash(modmail, {"enable": {"name": "Billing"}})
    assert await categories(modmail) == [("Billing", True)]
    await slash(modmail, {"disable": {"name": "Billing"}})
    await says(modmail, "!category enable billing")
    assert await categories(modmail) == [("Billing", True)]


# --- the prompt's settings ---------------------------------------------------------------------
async def prompt_settings(modmail) -> tuple[bool, int]:
    settings = await modmail.db(CategorySettings.load)
    return settings.prompt_enabled, settings.selection_timeout


async def test_on_and_off_in_both_forms(modmail):
    answer = await says(modmail, "!category on")
    assert "no category is enabled" in text_of(answer)
    assert await prompt_settings(modmail) == (True, 300)
    await slash(modmail, {"off": {}})
    assert await prompt_settings(modmail) == (False, 300)
    await make_category(modmail, "Billing")
    answer = await slash(modmail, {"on": {}})
    assert "users choose a category" in text_of(answer)
    await says(modmail, "!category off")
    assert await prompt_settings(modmail) == (False, 300)


async def test_timeout_in_both_forms_and_under_30_seconds_is_refused(modmail):
    answer = await says(modmail, "!category timeout 60")
    assert "60 seconds" in text_of(answer)
    await slash(modmail, {"timeout": {"seconds": 120}})
    assert await prompt_settings(modmail) == (False, 120)
    answer = await says(modmail, "!category timeout 29")
    assert is_error(answer) and "30" in text_of(answer)
    answer = await says(modmail, "!category timeout soon")
    assert is_error(answer) and "Usage" in text_of(answer)
    assert await prompt_settings(modmail) == (False, 120)


# --- roles -------------------------------------------------------------------------------------
async def pinged(modmail) -> list[int]:
    return await modmail.db(lambda: list(CategoryRole.objects.values_list("role_id", flat=True)))


async def test_roles_add_list_and_remove_in_both_forms(modmail):
    demo = modmail.demo
    await make_category(modmail, "Billing")
    answer = await says(modmail, f"!category roles add Billing <@&{demo.staff_role_id}>")
    assert f"<@&{demo.staff_role_id}>" in text_of(answer) and not is_error(answer)
    await slash(modmail, {"roles": {"add": {"name": "Billing", "role": demo.admin_role_id}}})
    assert sorted(await pinged(modmail)) == sorted([demo.staff_role_id, demo.admin_role_id])
    text = text_of(await says(modmail, "!category roles list Billing"))
    assert f"<@&{demo.staff_role_id}>" in text and f"<@&{demo.admin_role_id}>" in text
    text = text_of(await slash(modmail, {"roles": {"list": {"name": "Billing"}}}))
    assert f"<@&{demo.admin_role_id}>" in text
    await says(modmail, "!category roles remove Billing Staff")
    await slash(modmail, {"roles": {"remove": {"name": "Billing", "role": demo.admin_role_id}}})
    assert await pinged(modmail) == []
    text = text_of(await says(modmail, "!category roles list Billing"))
    assert "No role" in text


async def test_roles_refusals(modmail):
    demo = modmail.demo
    await make_category(modmail, "Billing")
    answer = await says(modmail, "!category roles add Billing @everyone")
    assert is_error(answer) and "@everyone" in text_of(answer)
    answer = await says(modmail, "!category roles add Billing NoSuchRole")
    assert is_error(answer) and "not a role" in text_of(answer)
    answer = await slash(modmail, {"roles": {"remove": {"name": "Billing", "role": demo.staff_role_id}}})
    assert "not pinged" in text_of(answer)
    await says(modmail, f"!category roles add Billing {demo.staff_role_id}")
    answer = await says(modmail, f"!category roles add Billing {demo.staff_role_id}")
    assert is_error(answer) and "already" in text_of(answer)
    assert await pinged(modmail) == [demo.staff_role_id]


async def test_an_unknown_subcommand_shows_the_usage(modmail):
    answer = await says(modmail, "!category frobnicate")
    assert is_error(answer) and "frobnicate" in text_of(answer) and "!category roles add" in text_of(answer)
    answer = await says(modmail, "!category")
    assert not is_error(answer) and "!category timeout <seconds>" in text_of(answer)


async def test_members_who_are_not_staff_cannot_manage_categories(modmail):
    outsider = modmail.demo.user_ids[1]
    answer = await slash(modmail, {"on": {}}, user_id=outsider)
    assert "staff" in text_of(answer).lower()
    answer = await says(modmail, "!category on", user_id=outsider)
    assert "staff" in text_of(answer).lower()
    assert await prompt_settings(modmail) == (False, 300)


# --- the prompt --------------------------------------------------------------------------------
@pytest.fixture
def prompt_on(modmail):
    """Billing (pinging the staff role) and Sales on the prompt, which is on."""

    async def setup() -> TicketCategory:
        billing = await make_category(modmail, "Billing", description="Payments and refunds", emoji="💳")
        await make_category(modmail, "Sales")
        await modmail.db(
            lambda: services.category_role_add(name="Billing", role_id=modmail.demo.staff_role_id)
        )
        await modmail.db(lambda: services.prompt_set_enabled(enabled=True))
        return billing

    return setup


async def dm_and_wait(modmail, user: int, content: str) -> dict:
    """The user DMs the bot; returns once the bot took the DM (prompted or queued)."""
    sent = await modmail.emu.user_dm(user, content)
    await eventually(
        lambda: modmail.db(
            lambda: PendingCategorySelection.objects.filter(messages__dm_message_id=sent["id"]).exists()
        )
    )
    return sent


async def test_a_first_dm_gets_buttons_and_further_dms_wait(modmail, prompt_on):
    await prompt_on()
    user = modmail.demo.user_ids[0]
    await dm_and_wait(modmail, user, "My card was charged twice")
    await dm_and_wait(modmail, user, "Order 1234")
    prompt = await prompt_of(modmail, user)
    assert [b["label"] for b in buttons(prompt)] == ["Billing", "Sales", "Other"]
    assert "Payments and refunds" in text_of(prompt)
    assert len([m for m in modmail.emu.dm_messages(user) if buttons(m)]) == 1
    assert not await modmail.db(lambda: Ticket.objects.exists())


async def test_choosing_opens_the_ticket_in_the_category_pings_its_roles_and_forwards_in_order(
    modmail, prompt_on
):
    billing = await prompt_on()
    user = modmail.demo.user_ids[0]
    for text in ("first", "second", "third"):
        await dm_and_wait(modmail, user, text)
    prompt = await prompt_of(modmail, user)
    choice = next(b for b in buttons(prompt) if b["label"] == "Billing")
    click = await modmail.emu.click_button(prompt["id"], choice["custom_id"], user)
    ticket = await modmail.ticket_of(user)
    assert int(modmail.emu.channel(ticket.channel_id)["parent_id"]) == billing.discord_category_id
    ping = await modmail.emu.wait_for_message(
        ticket.channel_id, lambda m: f"<@&{modmail.demo.staff_role_id}>" in m["content"]
    )
    assert "Billing" in text_of(ping)
    await modmail.emu.wait_for_message(ticket.channel_id, lambda m: "third" in text_of(m))
    copies = [text_of(m) for m in modmail.emu.messages(ticket.channel_id)]
    order = [next(i for i, t in enumerate(copies) if word in t) for word in ("first", "second", "third")]
    assert order == sorted(order)
    stored = await modmail.db(
        lambda: list(TicketMessage.objects.filter(ticket=ticket).values_list("content", flat=True))
    )
    assert stored == ["first", "second", "third"]
    assert (await modmail.db(lambda: Ticket.objects.get(pk=ticket.pk).ticket_category_id)) == billing.pk
    # The prompt now shows the choice, without its buttons.
    updated = await modmail.emu.wait_for(
        lambda: (m := modmail.emu.message(prompt["id"])) and not buttons(m) and m
    )
    assert "Billing" in text_of(updated) and "You chose" in text_of(updated)
    assert modmail.emu.interaction_responses(click["id"])[0]["type"] == 6


async def test_the_default_button_opens_in_the_inbox_and_plain_text_mode_shows_the_choice(modmail, prompt_on):
    await prompt_on()
    await modmail.reload_config(thread_embedded_message=False)
    user = modmail.demo.user_ids[0]
    await dm_and_wait(modmail, user, "Something else")
    prompt = await prompt_of(modmail, user)
    assert "Please choose" in prompt["content"] and not prompt["embeds"]
    other = buttons(prompt)[-1]
    await modmail.emu.click_button(prompt["id"], other["custom_id"], user)
    ticket = await modmail.ticket_of(user)
    assert ticket.category_id == modmail.demo.inbox_category_id and ticket.ticket_category_id is None
    await modmail.emu.wait_for_message(ticket.channel_id, lambda m: "Something else" in text_of(m))
    updated = await modmail.emu.wait_for(
        lambda: (m := modmail.emu.message(prompt["id"])) and not buttons(m) and m
    )
    assert "You chose: **Other**" in updated["content"] and not updated["embeds"]


async def test_a_dm_after_choosing_joins_the_ticket(modmail, prompt_on):
    await prompt_on()
    user = modmail.demo.user_ids[0]
    await dm_and_wait(modmail, user, "first")
    prompt = await prompt_of(modmail, user)
    await modmail.emu.click_button(prompt["id"], buttons(prompt)[1]["custom_id"], user)
    await modmail.emu.user_dm(user, "after the choice")
    ticket = await modmail.ticket_of(user)
    await modmail.emu.wait_for_message(ticket.channel_id, lambda m: "after the choice" in text_of(m))
    await modmail.emu.wait_for(lambda: not buttons(modmail.emu.message(prompt["id"])))
    assert await modmail.db(lambda: Ticket.objects.filter(user_id=user).count()) == 1


async def test_a_prompt_sent_before_a_restart_still_works(modmail, prompt_on):
    billing = await prompt_on()
    user = modmail.demo.user_ids[0]
    await dm_and_wait(modmail, user, "before the restart")
    prompt = await prompt_of(modmail, user)
    choice = next(b for b in buttons(prompt) if b["label"] == "Billing")
    async with modmail.restarted():
        await modmail.emu.click_button(prompt["id"], choice["custom_id"], user)
        ticket = await modmail.ticket_of(user)
        await modmail.emu.wait_for_message(ticket.channel_id, lambda m: "before the restart" in text_of(m))
    assert ticket.ticket_category_id == billing.pk


async def test_a_click_that_comes_after_the_timeout_ran_is_refused_privately(modmail, prompt_on):
    await prompt_on()
    user = modmail.demo.user_ids[0]
    await dm_and_wait(modmail, user, "first")
    prompt = await prompt_of(modmail, user)
    # The worker already took the timed-out prompt; the user's click races it.
    await modmail.db(lambda: PendingCategorySelection.objects.update(state="running"))
    click = await modmail.emu.click_button(prompt["id"], buttons(prompt)[0]["custom_id"], user)
    refusal = await modmail.emu.wait_for(
        lambda: next(
            (r for r in modmail.emu.interaction_responses(click["id"]) if r["kind"] == "followup"), None
        )
    )
    assert refusal["data"]["flags"] & EPHEMERAL and "already" in text_of(refusal["data"])
    assert await modmail.db(lambda: Ticket.objects.filter(user_id=user).count()) == 0


async def test_the_timeout_opens_the_ticket_in_the_inbox_with_the_queue_and_retires_the_prompt(
    modmail, prompt_on
):
    await prompt_on()
    user = modmail.demo.user_ids[0]
    await dm_and_wait(modmail, user, "first")
    await dm_and_wait(modmail, user, "second")
    prompt = await prompt_of(modmail, user)
    later = timezone.now() + timedelta(seconds=301)
    assert await modmail.db(lambda: services.selections_expire(at=later)) == 1
    ticket = await modmail.ticket_of(user)
    assert ticket.category_id == modmail.demo.inbox_category_id
    await modmail.emu.wait_for_message(ticket.channel_id, lambda m: "second" in text_of(m))
    texts = [text_of(m) for m in modmail.emu.messages(ticket.channel_id)]
    assert next(i for i, t in enumerate(texts) if "first" in t) < next(
        i for i, t in enumerate(texts) if "second" in t
    )
    retired = modmail.emu.message(prompt["id"])
    assert not buttons(retired) and "passed on to the staff" in text_of(retired)
    assert await modmail.db(lambda: Ticket.objects.filter(user_id=user).count()) == 1
