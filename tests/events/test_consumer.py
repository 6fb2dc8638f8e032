"""``/ws/events``: who may open it, what each user receives, catch-up after a reconnection."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.events.conftest import (
    INBOX,
    SECRET_CATEGORY,
    STAFF_ROLE,
    db,
    make_user,
    next_frame,
    next_id,
    no_frame,
    open_socket,
    session_key,
)
from tickets.events import EventType, latest_id, publish

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def _viewer(*, roles: tuple[int, ...] = (STAFF_ROLE,), grants: tuple[str, ...] = ("ViewPanel",)) -> str:
    return session_key(make_user(next_id(), roles=roles, grants=grants))


async def session_of(**options: Any) -> str:
    return await db(lambda: _viewer(**options))


async def publish_now(event_type: str, **kwargs: Any) -> int:
    await db(lambda: publish(event_type, **kwargs))
    return await db(latest_id)


async def test_a_staff_member_receives_an_event_published_after_connecting(guild) -> None:
    session = await session_of()
    async with open_socket(session) as socket:
        hello = await next_frame(socket, control=True)
        assert hello["type"] == "hello"
        ticket = str(uuid.uuid4())
        event_id = await publish_now(
            EventType.MESSAGE_CREATED, ticket_id=ticket, category_id=INBOX, data={"kind": "user"}
        )
        frame = await next_frame(socket)
    assert frame["id"] == event_id
    assert frame["type"] == "message.created"
    assert frame["ticket_id"] == ticket
    assert frame["category_id"] == str(INBOX)
    assert frame["data"] == {"kind": "user"}
    assert frame["resume"] == event_id


async def test_an_anonymous_socket_is_refused(guild) -> None:
    async with open_socket(None) as socket:
        assert socket.refused_with is not None


async def test_a_socket_with_an_unknown_session_is_refused(guild) -> None:
    async with open_socket("no-such-session-key") as socket:
        assert socket.refused_with is not None


async def test_a_discord_user_outside_the_staff_server_is_refused(guild) -> None:
    session = await db(lambda: session_key(make_user(next_id(), member=False, grants=("ViewPanel",))))
    async with open_socket(session) as socket:
        assert socket.refused_with is not None


async def test_a_member_without_view_panel_is_refused(guild) -> None:
    session = await session_of(grants=())
    async with open_socket(session) as socket:
        assert socket.refused_with is not None


async def test_a_page_of_another_site_cannot_open_the_socket(guild) -> None:
    session = await session_of()
    async with open_socket(session, origin="https://evil.example") as socket:
        assert socket.refused_with is not None


async def test_a_member_receives_nothing_of_a_category_they_may_not_view(guild) -> None:
    staff = await session_of()  # Staff role: sees the Inbox, not the Secret category
    outsider = await session_of(roles=())  # ViewPanel, but no role that sees either category
    admin = await db(lambda: session_key(make_user(None, superuser=True)))
    async with open_socket(staff) as s_staff, open_socket(outsider) as s_out, open_socket(admin) as s_admin:
        for socket in (s_staff, s_out, s_admin):
            assert socket.refused_with is None
        secret = await publish_now(
            EventType.TICKET_OPENED, ticket_id=uuid.uuid4(), category_id=SECRET_CATEGORY
        )
        inbox = await publish_now(EventType.TICKET_OPENED, ticket_id=uuid.uuid4(), category_id=INBOX)
        status = await publish_now(EventType.BOT_STATUS, data={"status": "running"})
        assert [(await next_frame(s_staff))["id"] for _ in range(2)] == [inbox, status]
        assert [(await next_frame(s_admin))["id"] for _ in range(3)] == [secret, inbox, status]
        assert (await next_frame(s_out))["id"] == status
        await no_frame(s_staff)
        await no_frame(s_out)


async def test_a_ticket_moved_out_of_sight_is_announced_to_those_who_saw_it(guild) -> None:
    staff = await session_of()
    async with open_socket(staff) as socket:
        moved = await publish_now(
            EventType.TICKET_UPDATED,
            ticket_id=uuid.uuid4(),
            category_id=SECRET_CATEGORY,
            data={"change": "moved", "from_category_id": str(INBOX)},
        )
        assert (await next_frame(socket))["id"] == moved


async def test_events_arrive_in_the_order_they_were_published(guild) -> None:
    session = await session_of()
    async with open_socket(session) as socket:
        ticket = uuid.uuid4()

        def burst() -> None:
            for n in range(30):
                publish(EventType.MESSAGE_CREATED, ticket_id=ticket, category_id=INBOX, data={"n": n})

        await db(burst)
        frames = [await next_frame(socket) for _ in range(30)]
    assert [frame["data"]["n"] for frame in frames] == list(range(30))
    assert [frame["id"] for frame in frames] == sorted(frame["id"] for frame in frames)


async def test_a_reconnecting_page_catches_up_with_what_it_missed(guild) -> None:
    session = await session_of()
    ticket = uuid.uuid4()
    async with open_socket(session) as socket:
        first = await publish_now(EventType.MESSAGE_CREATED, ticket_id=ticket, category_id=INBOX)
        resume = (await next_frame(socket))["resume"]
    assert resume == first
    # While the page is away (web restart, network): two events, one of them hidden from this user.
    missed = await publish_now(EventType.MESSAGE_CREATED, ticket_id=ticket, category_id=INBOX, data={"n": 1})
    await publish_now(EventType.MESSAGE_CREATED, ticket_id=uuid.uuid4(), category_id=SECRET_CATEGORY)
    async with open_socket(session, after=resume) as socket:
        assert (await next_frame(socket, control=True))["type"] == "hello"
        caught = await next_frame(socket)
        assert caught["id"] == missed
        live_one = await publish_now(EventType.TICKET_CLOSED, ticket_id=ticket, category_id=INBOX)
        assert (await next_frame(socket))["id"] == live_one  # then live again, nothing twice
        await no_frame(socket)


async def test_a_page_back_after_the_events_were_trimmed_is_told_to_resync(guild) -> None:
    from datetime import timedelta

    from tickets.events import trim

    session = await session_of()
    gone = [await publish_now(EventType.BOT_STATUS, data={"n": n}) for n in range(3)]
    await db(lambda: trim(older_than=timedelta(0)))  # keeps only the newest
    async with open_socket(session, after=gone[0]) as socket:
        assert (await next_frame(socket, control=True))["type"] == "hello"
        resync = await next_frame(socket, control=True)
    assert resync == {"type": "resync", "resume": gone[-1]}


@pytest.mark.parametrize("after", ["²", "１２", "-1", "9" * 40, "1e3", ""])
async def test_a_resume_point_that_is_no_number_is_ignored(guild, after: str) -> None:
    session = await session_of()
    async with open_socket(session, after=after) as socket:
        assert socket.refused_with is None
        assert (await next_frame(socket, control=True))["type"] == "hello"
        event_id = await publish_now(EventType.BOT_STATUS, data={"n": 1})
        assert (await next_frame(socket))["id"] == event_id


async def test_a_socket_is_closed_when_its_session_ends(guild, settings) -> None:
    from django.contrib.sessions.models import Session

    settings.LIVE_EVENTS_ACCESS_RECHECK = 0.2
    session = await session_of()
    async with open_socket(session) as socket:
        await next_frame(socket, control=True)
        await db(lambda: Session.objects.filter(session_key=session).delete())
        output = await socket.receive_output(timeout=3)
    assert output == {"type": "websocket.close", "code": 4403}
