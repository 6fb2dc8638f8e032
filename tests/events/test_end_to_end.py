"""End to end: a user DMs the real bot (nextcord against the Discord emulator), the bot relays it,
and a panel WebSocket of the staff receives the ticket and the message."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model

from panel.models import PanelPermission
from tests.bot.conftest import Modmail, eventually
from tests.events.conftest import db, next_frame, open_socket, session_key
from tickets.models import GuildMember, TicketMessage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def _staff_session(bot: Modmail) -> str:
    """The demo guild's staff member (their Staff role sees the inbox), signed in, with ViewPanel."""
    staff = bot.demo.staff_id
    user = get_user_model().objects.create(username="staffer")
    SocialAccount.objects.create(user=user, provider="discord", uid=str(staff), extra_data={})
    PanelPermission.objects.create(
        subject_type=PanelPermission.SubjectType.USER, subject_id=staff, permission="ViewPanel", granted_by=1
    )
    return session_key(user)


async def _frames_until(socket: Any, event_type: str) -> list[dict]:
    frames = []
    while not frames or frames[-1]["type"] != event_type:
        frames.append(await next_frame(socket, timeout=5))
    return frames


async def test_a_dm_relayed_by_the_bot_reaches_the_staff_socket(modmail: Modmail) -> None:
    # The bot filled the guild cache (members, roles, the inbox's overwrites) when it connected.
    staff = modmail.demo.staff_id
    await eventually(lambda: db(lambda: GuildMember.objects.filter(user_id=staff).exists()))
    session = await db(lambda: _staff_session(modmail))
    async with open_socket(session) as socket:
        assert socket.refused_with is None
        await next_frame(socket, control=True)  # hello
        customer = modmail.demo.user_ids[0]
        sent = await modmail.emu.user_dm(customer, "Hello, I need help")
        frames = await _frames_until(socket, "message.created")
        message = await db(
            lambda: TicketMessage.objects.select_related("ticket").get(dm_message_id=int(sent["id"]))
        )
        assert [f["type"] for f in frames] == ["ticket.opened", "message.created"]
        created = frames[-1]
        assert created["ticket_id"] == str(message.ticket_id)
        assert created["category_id"] == str(modmail.demo.inbox_category_id)
        assert created["data"] == {"message_id": message.pk, "kind": "user"}
        # Its channel is made next: the ticket row changes.
        channel = await next_frame(socket, timeout=5)
        assert (channel["type"], channel["data"]) == ("ticket.updated", {"change": "channel"})
        # A second DM of the same user: just the message.
        second = await modmail.emu.user_dm(customer, "Are you there?")
        frame = await next_frame(socket, timeout=5)
        stored = await db(lambda: TicketMessage.objects.get(dm_message_id=int(second["id"])))
        assert (frame["type"], frame["data"]["message_id"]) == ("message.created", stored.pk)
