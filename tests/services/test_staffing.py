"""Take, release, label, channel names within Discord's rename limit, staff access, moving."""

from __future__ import annotations

import pytest

from tickets import services
from tickets.errors import Conflict, InvalidInput, NotFound, UserBlocked
from tickets.models import GuildChannel, GuildMember, Ticket

from .conftest import GUILD, USER


@pytest.fixture
def ticket(scene):
    scene.dm(USER, "help")
    return Ticket.objects.get(user_id=USER)


def test_take_and_release_show_in_the_channel_name(scene, ticket):
    GuildMember.objects.create(guild_id=GUILD, user_id=scene.staff, username="staffer", global_name="Sam")
    services.ticket_take(ticket=ticket, staff_id=scene.staff, port=scene.discord)
    assert "sam" in scene.discord.channels[ticket.channel_id].name
    with pytest.raises(Conflict):
        services.ticket_take(ticket=ticket, staff_id=scene.staff, port=scene.discord)
    services.ticket_release(ticket=ticket, port=scene.discord)
    with pytest.raises(Conflict):
        services.ticket_release(ticket=ticket, port=scene.discord)


def test_channel_name_carries_status_label_and_age(scene, ticket):
    name = services.opening.channel_name(ticket)
    assert name.startswith("🔴・alice・")
    ticket.label = "Billing"
    ticket.last_message_by = "staff"
    assert services.opening.channel_name(ticket, "sam").startswith("🔵・billing・alice・sam・")


def test_renames_stay_within_two_per_ten_minutes(scene, ticket):
    assert services.ticket_label(ticket=ticket, label="one", port=scene.discord).label == "one"
    services.ticket_label(ticket=ticket, label="two", port=scene.discord)
    services.ticket_label(ticket=ticket, label="three", port=scene.discord)
    renames = [c for c in scene.discord.calls if c[0] == "edit_channel"]
    assert len(renames) == 2
    ticket.refresh_from_db()
    assert ticket.label == "three"  # stored; the name catches up on a later refresh
    with pytest.raises(InvalidInput):
        services.ticket_label(ticket=ticket, label="x" * 41, port=scene.discord)


def test_add_staff_expands_a_role_and_refuses_everyone(scene, ticket):
    role = 870_000_000_000_000_001
    for i in range(3):
        GuildMember.objects.create(
            guild_id=GUILD, user_id=880_000_000_000_000_000 + i, username=f"m{i}", role_ids=[role]
        )
    added = services.staff_add(ticket=ticket, target_id=role, is_role=True, port=scene.discord)
    assert len(added) == 3
    assert set(scene.discord.channels[ticket.channel_id].overwrites) >= set(added)
    services.staff_remove(ticket=ticket, target_id=added[0], port=scene.discord)
    assert added[0] not in scene.discord.channels[ticket.channel_id].overwrites
    with pytest.raises(InvalidInput):
        services.staff_add(ticket=ticket, target_id=GUILD, is_role=True, port=scene.discord)


def test_move_finds_the_nearest_category_and_reports_a_full_one(scene, ticket):
    escalated = scene.discord.add_category(GUILD, "Escalated")
    GuildChannel.objects.create(guild_id=GUILD, channel_id=escalated, name="Escalated", type=4)
    target = services.ticket_move(ticket=ticket, category="escalatd", port=scene.discord)
    assert target.channel_id == escalated
    assert scene.discord.channels[ticket.channel_id].parent_id == escalated
    with pytest.raises(NotFound):
        services.ticket_move(ticket=ticket, category="zzzzzz", port=scene.discord)
    billing = scene.discord.add_category(GUILD, "Billing")
    GuildChannel.objects.create(guild_id=GUILD, channel_id=billing, name="Billing", type=4)
    scene.discord.full_categories.add(billing)
    with pytest.raises(Conflict):
        services.ticket_move(ticket=ticket, category="Billing", port=scene.discord)
    ticket.refresh_from_db()
    assert ticket.category_id == escalated


def test_move_syncs_the_channel_with_the_categorys_permissions(scene, ticket):
    private = scene.discord.add_category(GUILD, "Private")
    only_admins = {"id": str(GUILD), "type": 0, "allow": "0", "deny": "1024"}
    scene.discord.channels[private].overwrites = {GUILD: only_admins}
    GuildChannel.objects.create(guild_id=GUILD, channel_id=private, name="Private", type=4)  # stale: none
    services.staff_add(ticket=ticket, target_id=scene.other, port=scene.discord)
    services.ticket_move(ticket=ticket, category="private", port=scene.discord)
    assert scene.discord.channels[ticket.channel_id].overwrites == {GUILD: only_admins}


def test_the_channel_name_is_behind_while_its_rename_waits(scene, ticket):
    assert not services.channel_name_behind(ticket=ticket)
    for label in ("one", "two", "three"):
        ticket = services.ticket_label(ticket=ticket, label=label, port=scene.discord)
    assert services.channel_name_behind(ticket=ticket)


def test_staff_cannot_open_a_ticket_with_a_blocked_user(scene):
    services.user_block(user_id=USER, staff_id=scene.staff)
    with pytest.raises(UserBlocked):
        services.ticket_open_by_staff(user_id=USER, staff_id=scene.staff, port=scene.discord)
    assert not Ticket.objects.exists()
