"""A DM the bot refused stays refused: recovery, a replay or a later unblock never relays it.

The refusal is recorded (with why) when the user is told, and everything that could see the DM
again reads the record: startup recovery after a real restart of ``manage.py runbot``, the
``recover`` command in both forms, a replayed gateway event. A category prompt sent before a block
opens nothing when its user clicks it (or when its timeout comes) while blocked.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tickets import services
from tickets.models import (
    CategorySettings,
    GuildMember,
    PendingCategorySelection,
    RefusedMessage,
    SystemState,
    Ticket,
    TicketCategory,
    TicketMessage,
)
from tickets.services import Relay

from .conftest import Modmail, configure_for, eventually, text_of
from .conftest import slash_said as slash
from .runbot import BotProcess, dm_copies, wait_until

EPHEMERAL = 64
# A runbot child imports Django and connects before it takes anything: slow on a loaded machine.
START = 60.0
BLOCKED = "You are blocked from contacting the staff"
MAINTENANCE = "under maintenance"
PROMPT = "Please choose what your request is about"


def buttons(message: dict) -> list[dict]:
    return [c for row in message.get("components") or [] for c in row["components"]]


def refusals(user_id: int) -> list[tuple[str, str]]:
    return list(RefusedMessage.objects.filter(user_id=user_id).values_list("dm_message_id", "reason"))


def user_dms_stored(user_id: int) -> list[str]:
    return list(
        TicketMessage.objects.filter(author_id=user_id, kind="user")
        .order_by("pk")
        .values_list("content", flat=True)
    )


def open_ticket(user_id: int) -> Ticket | None:
    return Ticket.objects.filter(user_id=user_id, status=Ticket.Status.OPEN).first()


async def bot_said(modmail: Modmail, channel_id: int, words: str) -> dict:
    """The bot's first message in the channel containing ``words``."""
    bot = str(modmail.emu.bot_id)
    return await modmail.emu.wait_for_message(
        channel_id, lambda m: m["author"]["id"] == bot and words in text_of(m), timeout=20
    )


async def refused_dm(modmail: Modmail, user: int, content: str, notice: str) -> dict:
    """The user DMs the bot and reads the refusal; returns their DM once the refusal is recorded."""
    sent = await modmail.emu.user_dm(user, content)
    await modmail.emu.wait_for_dm(user, lambda m: notice in text_of(m), timeout=20)
    await eventually(
        lambda: modmail.db(lambda: RefusedMessage.objects.filter(dm_message_id=sent["id"]).exists()), 20
    )
    return sent


# --- with the bot in the test's event loop ----------------------------------------------------
@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_dm_refused_for_a_block_is_not_recovered_by_either_form_of_recover_once_unblocked(modmail):
    user = modmail.demo.user_ids[0]
    ticket = await modmail.open_ticket(user, "first question")
    await modmail.staff_says(ticket.channel_id, f"!block <@{user}>")
    await bot_said(modmail, ticket.channel_id, "is blocked")
    sent = await refused_dm(modmail, user, "sent while blocked", BLOCKED)
    assert await modmail.db(lambda: refusals(user)) == [(int(sent["id"]), "blocked")]
    unblocked = await slash(modmail, "unblock", ticket.channel_id, {"user": user})
    assert "no longer blocked" in text_of(unblocked)

    await modmail.staff_says(ticket.channel_id, "!recover")
    await bot_said(modmail, ticket.channel_id, "0 messages recovered")
    answer = await slash(modmail, "recover", ticket.channel_id)
    assert answer["flags"] & EPHEMERAL and "0 messages recovered" in text_of(answer)

    assert await modmail.db(lambda: user_dms_stored(user)) == ["first question"]
    assert not [m for m in modmail.emu.messages(ticket.channel_id) if "sent while blocked" in text_of(m)]
    # The user was told once, when they wrote; recovering does not tell them again.
    assert len([m for m in modmail.emu.dm_messages(user) if BLOCKED in text_of(m)]) == 1


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_replayed_refused_dm_is_not_relayed_and_the_users_next_dm_is(modmail):
    user = modmail.demo.user_ids[0]
    admin = modmail.demo.admin_id
    channel = modmail.demo.general_channel_id
    await modmail.staff_says(channel, "!status maintenance", user_id=admin)
    await bot_said(modmail, channel, "Status set to maintenance")
    sent = await refused_dm(modmail, user, "during maintenance", MAINTENANCE)
    answer = await slash(modmail, "status", channel, {"mode": "online"}, user_id=admin)
    assert "Status set to online" in text_of(answer)

    # The same DM delivered again (a replayed gateway event), maintenance over: nothing happens.
    replay = await modmail.bot.runner.call(
        services.user_message_relay,
        user_id=user,
        user_name="alice",
        dm_message_id=int(sent["id"]),
        dm_channel_id=int(sent["channel_id"]),
        content=sent["content"],
    )
    assert replay.outcome == Relay.DUPLICATE
    assert await modmail.db(lambda: open_ticket(user)) is None
    assert await modmail.db(lambda: refusals(user)) == [(int(sent["id"]), "maintenance")]

    ticket = await modmail.open_ticket(user, "maintenance is over")
    assert await modmail.db(lambda: user_dms_stored(user)) == ["maintenance is over"]
    assert not [m for m in modmail.emu.messages(ticket.channel_id) if "during maintenance" in text_of(m)]


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_dm_from_someone_outside_the_server_stays_refused_after_they_join(modmail):
    user = modmail.demo.user_ids[1]
    ticket = await modmail.open_ticket(user, "first question")
    await modmail.staff_says(ticket.channel_id, "!close")
    await eventually(lambda: modmail.db(lambda: open_ticket(user) is None), 20)
    await modmail.emu.member_leave(modmail.demo.guild_id, user)
    # The bot has taken the departure in (its member cache no longer lists them) before they write.
    await eventually(lambda: modmail.db(lambda: not GuildMember.objects.filter(user_id=user).exists()), 20)
    sent = await modmail.emu.user_dm(user, "written from outside")
    await eventually(lambda: modmail.db(lambda: refusals(user)), 20)
    assert await modmail.db(lambda: refusals(user)) == [(int(sent["id"]), "not_member")]
    await modmail.emu.member_join(modmail.demo.guild_id, user)

    answer = await slash(modmail, "recover", modmail.demo.general_channel_id)
    assert "0 messages recovered" in text_of(answer)
    assert await modmail.db(lambda: open_ticket(user)) is None


@pytest.fixture
def prompt_on(modmail):
    """Billing on the category prompt, which is on."""

    async def setup() -> TicketCategory:
        discord_id = modmail.emu.create_category(modmail.demo.guild_id, "Billing")
        billing = await modmail.db(
            lambda: services.category_create(discord_category_id=discord_id, name="Billing")
        )
        await modmail.db(lambda: services.prompt_set_enabled(enabled=True))
        return billing

    return setup


async def prompted(modmail: Modmail, user: int, content: str) -> tuple[dict, dict]:
    """The user DMs the bot and gets the prompt; returns their DM and the prompt."""
    sent = await modmail.emu.user_dm(user, content)
    prompt = await modmail.emu.wait_for_dm(user, lambda m: buttons(m), timeout=20)
    await eventually(
        lambda: modmail.db(
            lambda: PendingCategorySelection.objects.filter(messages__dm_message_id=sent["id"]).exists()
        ),
        20,
    )
    return sent, prompt


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_blocked_users_click_on_a_prompt_sent_before_the_block_is_refused_and_opens_nothing(
    modmail, prompt_on
):
    await prompt_on()
    user = modmail.demo.user_ids[0]
    sent, prompt = await prompted(modmail, user, "my card was charged twice")
    await modmail.staff_says(modmail.demo.general_channel_id, f"!block <@{user}>")
    await bot_said(modmail, modmail.demo.general_channel_id, "is blocked")

    choice = next(b for b in buttons(prompt) if b["label"] == "Billing")
    click = await modmail.emu.click_button(prompt["id"], choice["custom_id"], user)
    refusal = await modmail.emu.wait_for(
        lambda: next(
            (r for r in modmail.emu.interaction_responses(click["id"]) if r["kind"] == "followup"), None
        ),
        timeout=20,
    )
    assert refusal["data"]["flags"] & EPHEMERAL and BLOCKED in text_of(refusal["data"])
    await modmail.emu.wait_for(lambda: not buttons(modmail.emu.message(prompt["id"])), timeout=20)
    assert await modmail.db(lambda: Ticket.objects.filter(user_id=user).count()) == 0
    assert await modmail.db(
        lambda: list(PendingCategorySelection.objects.values_list("state", flat=True))
    ) == ["cancelled"]
    assert await modmail.db(lambda: refusals(user)) == [(int(sent["id"]), "blocked")]

    # Unblocked, the user starts over: a new prompt, and the ticket holds only what came after.
    await modmail.staff_says(modmail.demo.general_channel_id, f"!unblock <@{user}>")
    await bot_said(modmail, modmail.demo.general_channel_id, "no longer blocked")
    answer = await slash(modmail, "recover", modmail.demo.general_channel_id)
    assert "0 messages recovered" in text_of(answer)
    _again, second = await prompted(modmail, user, "starting over")
    assert second["id"] != prompt["id"]
    await modmail.emu.click_button(second["id"], buttons(second)[0]["custom_id"], user)
    ticket = await modmail.ticket_of(user, timeout=20)
    await modmail.emu.wait_for_message(ticket.channel_id, lambda m: "starting over" in text_of(m))
    assert await modmail.db(lambda: user_dms_stored(user)) == ["starting over"]


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_prompt_timing_out_while_its_user_is_blocked_opens_nothing_and_says_so(modmail, prompt_on):
    await prompt_on()
    user = modmail.demo.user_ids[0]
    sent, prompt = await prompted(modmail, user, "hello")
    answer = await slash(modmail, "block", modmail.demo.general_channel_id, {"user": user})
    assert "is blocked" in text_of(answer)

    later = timezone.now() + timedelta(seconds=301)
    assert await modmail.db(lambda: services.selections_expire(at=later)) == 0
    retired = await modmail.emu.wait_for(
        lambda: (m := modmail.emu.message(prompt["id"])) and not buttons(m) and m, timeout=20
    )
    assert BLOCKED in text_of(retired)
    assert await modmail.db(lambda: Ticket.objects.filter(user_id=user).count()) == 0
    assert await modmail.db(lambda: refusals(user)) == [(int(sent["id"]), "blocked")]


# --- with a real ``manage.py runbot`` process -----------------------------------------------------
@pytest.fixture
def children(transactional_db):
    """The ``runbot`` children of a test, stopped at teardown (before the database is flushed)."""
    started: list[BotProcess] = []
    yield started
    for child in started:
        child.stop()


def staff_command(emu, channel_id: int, command: str, answer: str, *, user_id: int | None = None) -> None:
    """Staff type a text command in a channel and wait for the bot's answer containing ``answer``."""
    sent = emu.post_in_channel(channel_id, user_id or emu.demo.staff_id, command)
    bot = str(emu.bot_id)
    wait_until(
        lambda: any(
            int(m["id"]) > int(sent["id"]) and m["author"]["id"] == bot and answer in text_of(m)
            for m in emu.messages(channel_id)
        ),
        20,
    )


def bot_dms(emu, user_id: int) -> list[dict]:
    """What the bot sent the user, oldest first."""
    return [m for m in emu.dm_messages(user_id) if m["author"]["id"] == str(emu.bot_id)]


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("prompt", [False, True], ids=["inbox", "category prompt"])
def test_dms_refused_for_a_block_or_maintenance_are_not_relayed_after_a_real_restart(
    children, fake_discord_thread, tmp_path, prompt
):
    emu = fake_discord_thread
    demo = emu.demo
    blocked, away, writer = demo.user_ids[0], demo.user_ids[1], demo.user_ids[2]
    general = demo.general_channel_id
    configure_for(emu)
    children.append(BotProcess(emu, tmp_path / "first.log").start())
    children[0].wait_connected(timeout=START)
    wait_until(lambda: "Recovery at startup" in children[0].output, START)

    # Each user had a ticket, closed since: recovery reads their DM channels at the next start.
    for user in (blocked, away, writer):
        emu.user_dm(user, f"{user} first")
        ticket = wait_until(
            lambda u=user: Ticket.objects.filter(user_id=u, channel_id__isnull=False).first(), 20
        )
        emu.post_in_channel(ticket.channel_id, demo.staff_id, "!close")
        wait_until(lambda u=user: open_ticket(u) is None, 20)
    if prompt:
        category = emu.create_category(demo.guild_id, "Billing")
        services.category_create(discord_category_id=category, name="Billing")
        services.prompt_set_enabled(enabled=True)

    staff_command(emu, general, f"!block <@{blocked}>", "is blocked")
    refused_block = emu.user_dm(blocked, "sent while blocked")
    wait_until(lambda: [m for m in bot_dms(emu, blocked) if BLOCKED in text_of(m)], 20)
    staff_command(emu, general, "!status maintenance", "Status set to maintenance", user_id=demo.admin_id)
    refused_maintenance = emu.user_dm(away, "sent during maintenance")
    wait_until(lambda: [m for m in bot_dms(emu, away) if MAINTENANCE in text_of(m)], 20)
    staff_command(emu, general, "!status online", "Status set to online", user_id=demo.admin_id)
    staff_command(emu, general, f"!unblock <@{blocked}>", "no longer blocked")
    assert refusals(blocked) == [(int(refused_block["id"]), "blocked")]
    assert refusals(away) == [(int(refused_maintenance["id"]), "maintenance")]
    assert SystemState.load().presence == SystemState.Presence.ONLINE

    assert children[0].terminate() == 0
    told = {user: len(bot_dms(emu, user)) for user in (blocked, away)}
    emu.user_dm(writer, "sent while the bot was away")  # never answered: recovery relays it
    children.append(BotProcess(emu, tmp_path / "second.log").start())
    children[1].wait_connected(identifies=2, timeout=START)
    wait_until(lambda: "Recovery at startup" in children[1].output, START)

    if prompt:
        assert [text_of(m) for m in bot_dms(emu, writer) if buttons(m)]
        assert PendingCategorySelection.objects.filter(user_id=writer, state="pending").exists()
    else:
        ticket = wait_until(lambda: open_ticket(writer), 20)
        wait_until(lambda: dm_copies(emu, ticket.channel_id) == ["sent while the bot was away"], 20)
    for user in (blocked, away):
        assert open_ticket(user) is None
        assert not PendingCategorySelection.objects.filter(user_id=user).exists()
        assert len(bot_dms(emu, user)) == told[user], "no prompt, and no second refusal"
    assert CategorySettings.load().prompt_enabled is prompt

    # Unblocked and out of maintenance, their new DMs go through, without the refused ones.
    for user in (blocked, away):
        emu.user_dm(user, f"{user} after the restart")
    if prompt:
        for user in (blocked, away):
            wait_until(lambda u=user: [m for m in bot_dms(emu, u) if buttons(m)], 20)
    else:
        for user in (blocked, away):
            ticket = wait_until(
                lambda u=user: Ticket.objects.filter(user_id=u, status=1, channel_id__isnull=False).first(),
                20,
            )
            wait_until(
                lambda t=ticket, u=user: dm_copies(emu, t.channel_id) == [f"{u} after the restart"], 20
            )
            assert user_dms_stored(user) == [f"{user} first", f"{user} after the restart"]
