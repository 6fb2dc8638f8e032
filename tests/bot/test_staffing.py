"""take, release, rename, add_staff, remove_staff, move_thread and new_thread, typed and slashed,
end to end; and the channel name kept within Discord's two renames per ten minutes."""

from __future__ import annotations

from typing import Any

import pytest
import pytest_asyncio
from django.db import IntegrityError

from tests.fakediscord.models import Overwrite
from tests.fakediscord.permissions import VIEW_CHANNEL
from tickets import services
from tickets.models import GuildChannel, GuildMember, Ticket

from .conftest import Modmail, eventually, text_of

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

FORMS = ["text", "slash"]


async def run(
    modmail: Modmail, form: str, channel_id: int, text: str, name: str, options: dict | None = None
) -> dict[str, Any] | None:
    """Staff run a command in its text form (``text``) or as ``/name options``; returns the slash
    command's interaction payload."""
    if form == "text":
        await modmail.staff_says(channel_id, text)
        return None
    payload = await modmail.emu.invoke_command(
        name, modmail.demo.staff_id, channel_id, options, guild_id=modmail.demo.guild_id
    )
    await modmail.emu.wait_for_interaction_response(payload["id"], timeout=8.0)
    return payload


async def expect_answer(modmail: Modmail, form: str, payload, channel_id: int, words: str) -> dict:
    """The answer containing ``words``: in the channel for a text command, to the slash command
    otherwise (the response's data)."""
    if form == "text":
        return await modmail.emu.wait_for_message(channel_id, lambda m: words.lower() in text_of(m).lower())

    def find() -> dict[str, Any] | None:
        for response in modmail.emu.interaction_responses(payload["id"]):
            if words.lower() in text_of(response.get("data") or {}).lower():
                return response["data"]
        return None

    return await modmail.emu.wait_for(find, timeout=8.0)


async def mirror_guild(modmail: Modmail) -> None:
    """Bring the guild cache (members with their roles, channels with their overwrites) up to the
    emulator's state now, as the bot keeps it from the gateway; services read names, roles and
    categories there. Written here so that a test does not race the bot's own cache writer."""
    guild = modmail.demo.guild_id
    members = modmail.emu.members(guild)
    channels = modmail.emu.channels(guild)

    def upsert(model, defaults: dict[str, Any], **key: Any) -> None:
        try:
            model.objects.update_or_create(defaults=defaults, **key)
        except IntegrityError:  # the bot's own cache writer inserted it meanwhile
            model.objects.update_or_create(defaults=defaults, **key)

    def write() -> None:
        for member in members:
            user = member["user"]
            upsert(
                GuildMember,
                {
                    "username": user["username"],
                    "global_name": user.get("global_name") or "",
                    "role_ids": [int(r) for r in member.get("roles", [])],
                    "is_bot": bool(user.get("bot")),
                },
                guild_id=guild,
                user_id=int(user["id"]),
            )
        for channel in channels:
            upsert(
                GuildChannel,
                {
                    "guild_id": guild,
                    "name": channel["name"],
                    "type": channel["type"],
                    "parent_id": int(channel["parent_id"]) if channel.get("parent_id") else None,
                    "overwrites": channel.get("permission_overwrites") or [],
                },
                channel_id=int(channel["id"]),
            )

    await modmail.db(write)


@pytest_asyncio.fixture
async def ticket(modmail) -> Ticket:
    """Alice's open ticket, with the guild cache filled."""
    opened = await modmail.open_ticket(modmail.demo.user_ids[0])
    await mirror_guild(modmail)
    return opened


async def row(modmail: Modmail, ticket: Ticket) -> Ticket:
    return await modmail.db(lambda: Ticket.objects.get(pk=ticket.pk))


def channel_name(modmail: Modmail, ticket: Ticket) -> str:
    return modmail.emu.channel(ticket.channel_id)["name"]


def member_overwrites(modmail: Modmail, channel_id: int) -> dict[int, int]:
    """Member ID → allowed bits, for the channel's member overwrites."""
    channel = modmail.emu.channel(channel_id)
    return {int(o["id"]): int(o["allow"]) for o in channel["permission_overwrites"] if int(o["type"]) == 1}


def rate_limited_renames(modmail: Modmail) -> list:
    return [c for c in modmail.emu.calls_to("PATCH", r"^/channels/\d+$") if c.status == 429]


# --- take / release / rename ---------------------------------------------------------------
@pytest.mark.parametrize("form", FORMS)
async def test_take_marks_the_staff_member_in_the_ticket_and_its_channel_name(modmail, ticket, form):
    payload = await run(modmail, form, ticket.channel_id, "!take", "take")
    await expect_answer(modmail, form, payload, ticket.channel_id, "now handles this ticket")
    assert (await row(modmail, ticket)).taken_by == modmail.demo.staff_id
    await modmail.emu.wait_for(lambda: "sam-staff" in channel_name(modmail, ticket) or None)
    assert channel_name(modmail, ticket).startswith("🔴・alice・sam-staff・")


@pytest.mark.parametrize("form", FORMS)
async def test_taking_a_ticket_twice_is_refused(modmail, ticket, form):
    await modmail.staff_says(ticket.channel_id, "!take")
    await modmail.emu.wait_for_message(ticket.channel_id, lambda m: "now handles" in text_of(m))
    payload = await run(modmail, form, ticket.channel_id, "!take", "take")
    answer = await expect_answer(modmail, form, payload, ticket.channel_id, "already handle")
    if form == "slash":
        assert answer["flags"] & 64


@pytest.mark.parametrize("form", FORMS)
async def test_release_frees_the_ticket(modmail, ticket, form):
    await modmail.staff_says(ticket.channel_id, "!take")
    await modmail.emu.wait_for(lambda: "sam-staff" in channel_name(modmail, ticket) or None)
    payload = await run(modmail, form, ticket.channel_id, "!release", "release")
    await expect_answer(modmail, form, payload, ticket.channel_id, "nobody handles this ticket any more")
    assert (await row(modmail, ticket)).taken_by is None
    await modmail.emu.wait_for(lambda: "sam-staff" not in channel_name(modmail, ticket) or None)


@pytest.mark.parametrize("form", FORMS)
async def test_releasing_a_ticket_nobody_handles_is_refused(modmail, ticket, form):
    payload = await run(modmail, form, ticket.channel_id, "!release", "release")
    await expect_answer(modmail, form, payload, ticket.channel_id, "nobody handles this ticket.")


@pytest.mark.parametrize(
    ("form", "text", "options"), [("text", "!rn Billing", None), ("slash", "", {"label": "Billing"})]
)
async def test_rename_puts_a_label_in_the_channel_name(modmail, ticket, form, text, options):
    payload = await run(modmail, form, ticket.channel_id, text, "rename", options)
    await expect_answer(modmail, form, payload, ticket.channel_id, "label set to **billing**")
    assert (await row(modmail, ticket)).label == "Billing"
    await modmail.emu.wait_for(
        lambda: channel_name(modmail, ticket).startswith("🔴・billing・alice・") or None
    )


@pytest.mark.parametrize(("form", "text"), [("text", "!rename"), ("slash", "")])
async def test_rename_without_a_label_clears_it(modmail, ticket, form, text):
    await modmail.staff_says(ticket.channel_id, "!rename Billing")
    await modmail.emu.wait_for(lambda: "billing" in channel_name(modmail, ticket) or None)
    payload = await run(modmail, form, ticket.channel_id, text, "rename")
    await expect_answer(modmail, form, payload, ticket.channel_id, "label cleared")
    assert (await row(modmail, ticket)).label == ""
    await modmail.emu.wait_for(lambda: channel_name(modmail, ticket).startswith("🔴・alice・") or None)


async def test_a_label_over_40_characters_is_refused(modmail, ticket):
    await modmail.staff_says(ticket.channel_id, "!rename " + "x" * 41)
    await modmail.emu.wait_for_message(ticket.channel_id, lambda m: "limited to 40" in text_of(m))
    assert (await row(modmail, ticket)).label == ""


async def test_a_third_rename_within_ten_minutes_waits_instead_of_hitting_discords_limit(modmail, ticket):
    channel = ticket.channel_id
    await modmail.staff_says(channel, "!take")
    await modmail.emu.wait_for_message(channel, lambda m: "now handles" in text_of(m))
    await modmail.staff_says(channel, "!rename Billing")
    await modmail.emu.wait_for_message(channel, lambda m: "label set" in text_of(m).lower())
    await modmail.staff_says(channel, "!release")
    answer = await modmail.emu.wait_for_message(channel, lambda m: "any more" in text_of(m))
    assert "within 10 minutes" in text_of(answer)
    assert channel_name(modmail, ticket).startswith("🔴・billing・alice・sam-staff・")
    assert (await row(modmail, ticket)).taken_by is None  # stored; the name catches up later
    assert rate_limited_renames(modmail) == []
    await modmail.staff_says(channel, "!take")  # the bot still answers at once
    await modmail.emu.wait_for(
        lambda: len([m for m in modmail.emu.messages(channel) if "now handles" in text_of(m)]) == 2 or None
    )


# --- add_staff / remove_staff ----------------------------------------------------------------
@pytest.mark.parametrize("form", FORMS)
async def test_add_staff_lets_a_member_see_the_ticket(modmail, ticket, form):
    bob = modmail.demo.user_ids[1]
    payload = await run(modmail, form, ticket.channel_id, f"!addmod <@{bob}>", "add_staff", {"user": bob})
    await expect_answer(modmail, form, payload, ticket.channel_id, "can now see this ticket")
    assert member_overwrites(modmail, ticket.channel_id)[bob] & VIEW_CHANNEL


@pytest.mark.parametrize("form", FORMS)
async def test_add_staff_with_a_role_adds_each_of_its_members(modmail, ticket, form):
    demo = modmail.demo
    helpers = modmail.emu.create_role(demo.guild_id, "Helpers")
    carol, dave = demo.user_ids[2], demo.user_ids[3]
    for user in (carol, dave):
        modmail.emu.update_member(demo.guild_id, user, roles=[helpers])
    await mirror_guild(modmail)
    payload = await run(
        modmail, form, ticket.channel_id, f"!add_staff <@&{helpers}>", "add_staff", {"user": helpers}
    )
    await expect_answer(modmail, form, payload, ticket.channel_id, "2 member(s)")
    overwrites = member_overwrites(modmail, ticket.channel_id)
    assert {carol, dave} <= set(overwrites)
    assert helpers not in {
        int(o["id"]) for o in modmail.emu.channel(ticket.channel_id)["permission_overwrites"]
    }


@pytest.mark.parametrize("form", FORMS)
async def test_add_staff_refuses_everyone(modmail, ticket, form):
    guild = modmail.demo.guild_id
    before = modmail.emu.channel(ticket.channel_id)["permission_overwrites"]
    payload = await run(
        modmail, form, ticket.channel_id, "!add_staff @everyone", "add_staff", {"user": guild}
    )
    answer = await expect_answer(modmail, form, payload, ticket.channel_id, "@everyone cannot be added")
    if form == "slash":
        assert answer["flags"] & 64
    assert modmail.emu.channel(ticket.channel_id)["permission_overwrites"] == before


async def test_add_staff_refuses_a_role_of_more_than_50_members(modmail, ticket):
    guild = modmail.demo.guild_id
    crowd = modmail.emu.create_role(guild, "Crowd")
    for i in range(51):
        modmail.emu.add_member(guild, modmail.emu.create_user(f"fan{i}"), roles=[crowd])
    await mirror_guild(modmail)
    before = modmail.emu.channel(ticket.channel_id)["permission_overwrites"]
    await modmail.staff_says(ticket.channel_id, f"!add_staff <@&{crowd}>")
    await modmail.emu.wait_for_message(ticket.channel_id, lambda m: "more than 50 members" in text_of(m))
    assert modmail.emu.channel(ticket.channel_id)["permission_overwrites"] == before


async def test_add_staff_with_someone_unknown_gives_the_usage(modmail, ticket):
    await modmail.staff_says(ticket.channel_id, "!add_staff nobody-by-that-name")
    await modmail.emu.wait_for_message(ticket.channel_id, lambda m: "Usage" in text_of(m))


@pytest.mark.parametrize("form", FORMS)
async def test_remove_staff_takes_the_access_back(modmail, ticket, form):
    bob = modmail.demo.user_ids[1]
    await modmail.staff_says(ticket.channel_id, f"!add_staff {bob}")
    await modmail.emu.wait_for(lambda: bob in member_overwrites(modmail, ticket.channel_id) or None)
    payload = await run(modmail, form, ticket.channel_id, f"!delmod <@{bob}>", "remove_staff", {"user": bob})
    await expect_answer(modmail, form, payload, ticket.channel_id, "was taken back")
    assert bob not in member_overwrites(modmail, ticket.channel_id)


# --- move_thread ---------------------------------------------------------------------------
async def escalations_category(modmail: Modmail) -> int:
    """An "Escalated" category only admins see, and a decoy with a longer name."""
    demo = modmail.demo
    admins_only = [
        Overwrite(demo.guild_id, 0, deny=VIEW_CHANNEL),
        Overwrite(demo.admin_role_id, 0, allow=VIEW_CHANNEL),
    ]
    escalated = modmail.emu.create_category(demo.guild_id, "Escalated", overwrites=admins_only)
    modmail.emu.create_category(demo.guild_id, "Escalated billing")
    await mirror_guild(modmail)
    return escalated


@pytest.mark.parametrize(
    ("form", "text", "options"), [("text", "!mv escalated", None), ("slash", "", {"category": "Escalated"})]
)
async def test_move_thread_moves_the_channel_and_syncs_its_permissions(modmail, ticket, form, text, options):
    escalated = await escalations_category(modmail)
    payload = await run(modmail, form, ticket.channel_id, text, "move_thread", options)
    await expect_answer(modmail, form, payload, ticket.channel_id, "moved to **escalated**")
    channel = modmail.emu.channel(ticket.channel_id)
    assert int(channel["parent_id"]) == escalated
    category = modmail.emu.channel(escalated)
    assert channel["permission_overwrites"] == category["permission_overwrites"]
    moved = await row(modmail, ticket)
    assert moved.category_id == escalated and moved.category_name == "Escalated"


async def test_move_thread_finds_the_nearest_name(modmail, ticket):
    escalated = await escalations_category(modmail)
    await modmail.staff_says(ticket.channel_id, "!move_thread escalatd")
    await modmail.emu.wait_for_message(ticket.channel_id, lambda m: "Moved to" in text_of(m))
    assert int(modmail.emu.channel(ticket.channel_id)["parent_id"]) == escalated


async def test_move_thread_with_no_matching_category_is_refused(modmail, ticket):
    await modmail.staff_says(ticket.channel_id, "!mv zzzzzzzz")
    await modmail.emu.wait_for_message(ticket.channel_id, lambda m: "No category matches" in text_of(m))
    assert int(modmail.emu.channel(ticket.channel_id)["parent_id"]) == modmail.demo.inbox_category_id


@pytest.mark.parametrize(
    ("form", "text", "options"), [("text", "!mv Full", None), ("slash", "", {"category": "Full"})]
)
async def test_move_thread_to_a_full_category_is_reported_and_nothing_moves(
    modmail, ticket, form, text, options
):
    guild = modmail.demo.guild_id
    full = modmail.emu.create_category(guild, "Full")
    for i in range(50):
        modmail.emu.create_channel(guild, f"busy-{i}", parent_id=full)
    await mirror_guild(modmail)
    payload = await run(modmail, form, ticket.channel_id, text, "move_thread", options)
    answer = await expect_answer(modmail, form, payload, ticket.channel_id, "is full")
    if form == "slash":
        assert answer["flags"] & 64
    assert int(modmail.emu.channel(ticket.channel_id)["parent_id"]) == modmail.demo.inbox_category_id
    assert (await row(modmail, ticket)).category_id == modmail.demo.inbox_category_id


# --- new_thread ----------------------------------------------------------------------------
async def open_ticket_of(modmail: Modmail, user_id: int) -> Ticket | None:
    return await modmail.db(lambda: Ticket.objects.filter(user_id=user_id, status=Ticket.Status.OPEN).first())


@pytest.mark.parametrize("form", FORMS)
async def test_new_thread_opens_a_silent_ticket_with_a_recap(modmail, form):
    demo = modmail.demo
    carol = demo.user_ids[2]
    general = demo.general_channel_id
    payload = await run(modmail, form, general, f"!nt {carol}", "new_thread", {"user": carol})
    answer = await expect_answer(modmail, form, payload, general, "ticket opened with")
    ticket = await eventually(lambda: open_ticket_of(modmail, carol))
    assert f"<#{ticket.channel_id}>" in text_of(answer)
    assert ticket.silent and ticket.origin == Ticket.Origin.STAFF
    assert int(modmail.emu.channel(ticket.channel_id)["parent_id"]) == demo.inbox_category_id
    recap = await modmail.emu.wait_for_message(ticket.channel_id, lambda m: "Past tickets" in text_of(m))
    assert str(carol) in text_of(recap)
    assert modmail.emu.dm_messages(carol) == []  # silent until the first staff reply
    await modmail.staff_says(ticket.channel_id, "!reply Hello Carol, a question about your order")
    await modmail.emu.wait_for_dm(carol, lambda m: "Hello Carol" in text_of(m))


async def test_new_thread_accepts_a_mention(modmail):
    dave = modmail.demo.user_ids[3]
    await modmail.staff_says(modmail.demo.general_channel_id, f"!new_thread <@{dave}>")
    assert await eventually(lambda: open_ticket_of(modmail, dave))


@pytest.mark.parametrize("form", FORMS)
async def test_new_thread_links_the_ticket_the_user_already_has(modmail, form):
    alice = modmail.demo.user_ids[0]
    existing = await modmail.open_ticket(alice)
    general = modmail.demo.general_channel_id
    payload = await run(modmail, form, general, f"!nt {alice}", "new_thread", {"user": alice})
    answer = await expect_answer(modmail, form, payload, general, "already has an open ticket")
    assert f"<#{existing.channel_id}>" in text_of(answer)
    assert await modmail.db(lambda: Ticket.objects.filter(user_id=alice).count()) == 1


async def refused_new_thread(modmail: Modmail, user_id: int, words: str) -> None:
    general = modmail.demo.general_channel_id
    await modmail.staff_says(general, f"!nt {user_id}")
    await modmail.emu.wait_for_message(general, lambda m: words.lower() in text_of(m).lower())
    assert await open_ticket_of(modmail, user_id) is None


async def test_new_thread_refuses_bots(modmail):
    robot = modmail.emu.create_user("robot", bot=True)
    modmail.emu.add_member(modmail.demo.guild_id, robot)
    await refused_new_thread(modmail, robot, "cannot be opened for bots")


async def test_new_thread_refuses_users_outside_the_community_guild(modmail):
    stranger = modmail.emu.create_user("stranger")
    await refused_new_thread(modmail, stranger, "not a member of the community guild")


async def test_new_thread_refuses_blocked_users(modmail):
    bob = modmail.demo.user_ids[1]
    await modmail.db(lambda: services.user_block(user_id=bob, staff_id=modmail.demo.staff_id))
    await refused_new_thread(modmail, bob, "blocked")


async def test_new_thread_refuses_what_is_not_a_user(modmail):
    general = modmail.demo.general_channel_id
    await modmail.staff_says(general, "!nt someone")
    await modmail.emu.wait_for_message(general, lambda m: "not a user ID or mention" in text_of(m))


async def test_new_thread_by_slash_refuses_bots_ephemerally(modmail):
    robot = modmail.emu.create_user("robot", bot=True)
    modmail.emu.add_member(modmail.demo.guild_id, robot)
    general = modmail.demo.general_channel_id
    payload = await run(modmail, "slash", general, "", "new_thread", {"user": robot})
    answer = await expect_answer(modmail, "slash", payload, general, "cannot be opened for bots")
    assert answer["flags"] & 64
    assert await open_ticket_of(modmail, robot) is None
