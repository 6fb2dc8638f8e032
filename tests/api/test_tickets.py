"""``GET /api/bot/tickets``: shapes from the reference, parameters, visibility, and a constant query count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tickets.models import Attachment, Ticket, TicketMessage

from .conftest import INBOX, SECRET_CATEGORY, STAFF_ROLE, Permission, next_id

URL = "/api/bot/tickets"
T0 = datetime(2024, 1, 15, 10, 30, tzinfo=UTC)


def make_ticket(*, messages: int = 0, at: datetime = T0, **fields) -> Ticket:
    defaults = {"user_id": next_id(), "user_name": "Username", "channel_id": next_id(), "category_id": INBOX}
    ticket = Ticket.objects.create(**{**defaults, **fields})
    Ticket.objects.filter(pk=ticket.pk).update(created_at=at)
    ticket.refresh_from_db()
    for number in range(messages):
        TicketMessage.objects.create(
            ticket=ticket,
            kind=TicketMessage.Kind.USER,
            author_id=ticket.user_id,
            author_name=ticket.user_name,
            content=f"message {number}",
            created_at=at + timedelta(minutes=number),
            dm_message_id=next_id(),
            inbox_message_id=next_id(),
        )
    return ticket


@pytest.fixture
def viewer(login):
    """A member of the staff role holding ViewPanel."""
    return login(roles=(STAFF_ROLE,), grants=(Permission.VIEW_PANEL,))


def test_a_page_has_the_reference_shape(viewer) -> None:
    ticket = make_ticket(messages=1, category_name="Support")
    TicketMessage.objects.filter(ticket=ticket).update(message_number=1)

    body = viewer.get(URL).json()

    assert set(body) == {"threads", "total", "page", "page_size", "total_pages"}
    assert (body["total"], body["page"], body["page_size"], body["total_pages"]) == (1, 1, 50, 1)
    thread = body["threads"][0]
    assert thread == {
        "id": str(ticket.id),
        "user_id": ticket.user_id,
        "user_name": "Username",
        "channel_id": str(ticket.channel_id),
        "created_at": int(T0.timestamp()),
        "new_message_number": 1,
        "status": 1,
        "user_left": False,
        "closed_at": None,
        "closed_by": None,
        "category_id": str(INBOX),
        "category_name": "Support",
        "required_permissions": None,
        "messages": [
            {
                "id": ticket.messages.get().id,
                "thread_id": str(ticket.id),
                "user_id": ticket.user_id,
                "user_name": "Username",
                "is_anonymous": False,
                "dm_message_id": str(ticket.messages.get().dm_message_id),
                "inbox_message_id": str(ticket.messages.get().inbox_message_id),
                "message_number": 1,
                "created_at": "2024-01-15 10:30:00",
                "content": "message 0",
                "is_internal": False,
                "attachments": [],
            }
        ],
    }


def test_a_message_lists_its_attachments_with_links_to_the_stored_copies(viewer) -> None:
    from tests.attachments.helpers import png, stored_attachment

    ticket = make_ticket(messages=0)
    image = stored_attachment(data=png(40, 30), filename="shot.png", ticket=ticket)
    lost = stored_attachment(data=b"log", filename="crash.log", content_type="text/plain", ticket=ticket)
    Attachment.objects.filter(pk=lost.pk).update(state=Attachment.State.FAILED)

    messages = viewer.get(URL).json()["threads"][0]["messages"]

    assert [m["attachments"] for m in messages] == [
        [
            {
                "id": image.pk,
                "filename": "shot.png",
                "size": image.size,
                "content_type": "image/png",
                "stored": True,
                "url": f"/api/attachments/{image.pk}",
                "thumbnail_url": f"/api/attachments/{image.pk}/thumbnail",
            }
        ],
        [
            {
                "id": lost.pk,
                "filename": "crash.log",
                "size": 3,
                "content_type": "text/plain",
                "stored": False,
                "url": None,
                "thumbnail_url": None,
            }
        ],
    ]
    assert viewer.get(messages[0]["attachments"][0]["url"]).status_code == 200


def test_one_ticket_by_id_comes_with_its_messages(viewer) -> None:
    ticket = make_ticket(messages=3, status=0, closed_by="123", closed_at=T0 + timedelta(hours=1))

    body = viewer.get(URL, {"id": str(ticket.id)}).json()

    assert body["id"] == str(ticket.id)
    assert body["closed_at"] == int(T0.timestamp()) + 3600
    assert body["closed_by"] == "123"
    assert [m["content"] for m in body["messages"]] == ["message 0", "message 1", "message 2"]


# A fixed unknown UUID: parameters must be the same in every pytest-xdist worker.
@pytest.mark.parametrize("ticket_id", ["6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b", "abc123", "1"])
def test_an_unknown_id_is_a_404(viewer, ticket_id: str) -> None:
    response = viewer.get(URL, {"id": ticket_id})
    assert response.status_code == 404
    assert set(response.json()) == {"error"}


def test_defaults_are_open_tickets_newest_first(viewer) -> None:
    old = make_ticket(at=T0)
    new = make_ticket(at=T0 + timedelta(days=1))
    make_ticket(status=0, closed_at=T0)

    body = viewer.get(URL).json()

    assert [t["id"] for t in body["threads"]] == [str(new.id), str(old.id)]
    assert body["page_size"] == 50


def test_closed_tickets_sorted_by_closing(viewer) -> None:
    first = make_ticket(status=0, closed_at=T0)
    second = make_ticket(status=0, closed_at=T0 + timedelta(hours=2))
    make_ticket()

    body = viewer.get(URL, {"status": 0, "sort_by": "closed_at", "sort_order": "ASC"}).json()

    assert [t["id"] for t in body["threads"]] == [str(first.id), str(second.id)]


@pytest.mark.parametrize("order", ["asc", "ASC", "Asc", "desc", "DESC"])
def test_sort_order_is_read_in_any_case(viewer, order: str) -> None:
    bob, alice = make_ticket(user_name="bob"), make_ticket(user_name="alice")

    body = viewer.get(URL, {"sort_by": "user_name", "sort_order": order}).json()

    names = [t["user_name"] for t in body["threads"]]
    assert names == (["alice", "bob"] if order.lower() == "asc" else ["bob", "alice"])
    assert {bob.user_name, alice.user_name} == set(names)


def test_pages_and_totals(viewer) -> None:
    for day in range(7):
        make_ticket(at=T0 + timedelta(days=day))

    body = viewer.get(URL, {"page": 3, "page_size": 3}).json()

    assert (body["total"], body["page"], body["page_size"], body["total_pages"]) == (7, 3, 3, 3)
    assert len(body["threads"]) == 1
    assert body["threads"][0]["created_at"] == int(T0.timestamp())


def test_page_size_is_capped_at_200(viewer) -> None:
    assert viewer.get(URL, {"page_size": 5000}).json()["page_size"] == 200


def test_category_filter(viewer) -> None:
    other = next_id()
    make_ticket(category_id=other)
    make_ticket()

    body = viewer.get(URL, {"category_id": str(INBOX)}).json()

    assert body["total"] == 1
    assert body["threads"][0]["category_id"] == str(INBOX)


@pytest.mark.parametrize(
    "query",
    [
        {"page": 0},
        {"page": -1},
        {"page": "abc"},
        {"page": ""},
        {"page": "1.5"},
        {"page_size": 0},
        {"page_size": "ten"},
        {"status": 5},
        {"status": "open"},
        {"sort_by": "content"},
        {"sort_order": "up"},
        {"category_id": "general"},
        {"id": ""},
    ],
)
def test_a_malformed_parameter_is_a_400(viewer, query: dict) -> None:
    response = viewer.get(URL, query)
    assert response.status_code == 400
    assert set(response.json()) == {"error"}


def test_non_admins_only_see_categories_they_can_view(guild, login) -> None:
    inbox = make_ticket(category_id=INBOX)
    secret = make_ticket(category_id=SECRET_CATEGORY)
    loose = make_ticket(category_id=None)
    deleted = make_ticket(category_id=next_id())  # a category the guild cache no longer knows
    outsider = login(grants=(Permission.VIEW_PANEL,))
    staff = login(roles=(STAFF_ROLE,), grants=(Permission.VIEW_PANEL,))

    def visible(client) -> set[str]:
        return {t["id"] for t in client.get(URL).json()["threads"]}

    assert visible(outsider) == {str(loose.id), str(deleted.id)}
    assert visible(staff) == {str(loose.id), str(deleted.id), str(inbox.id)}
    assert staff.get(URL).json()["total"] == 3
    assert staff.get(URL, {"id": str(secret.id)}).status_code == 403
    assert staff.get(URL, {"id": str(inbox.id)}).status_code == 200


def test_admins_see_every_ticket(super_admin) -> None:
    make_ticket(category_id=INBOX)
    make_ticket(category_id=SECRET_CATEGORY)
    assert super_admin.get(URL).json()["total"] == 2


def _queries(client, **query) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL, query).status_code == 200
    return len(captured)


def test_a_page_costs_the_same_queries_whatever_its_size(viewer, settings) -> None:
    settings.PANEL_ACCESS_CACHE_SECONDS = 0  # count the permission queries too
    for day in range(30):
        make_ticket(messages=3, at=T0 + timedelta(hours=day))

    small = _queries(viewer, page_size=2)
    large = _queries(viewer, page_size=30)
    one = _queries(viewer, id=str(Ticket.objects.first().id))

    assert small == large
    assert one <= large


def test_messages_keep_their_text_order_and_key_order_whatever_writes_them(viewer) -> None:
    """On PostgreSQL the database writes the messages' JSON: the same keys in the same order as the
    reference, text with quotes, backslashes, control characters, emoji and RTL intact, each
    ticket's messages oldest first even at the same second, and indented JSON alike."""
    older = make_ticket(messages=0, at=T0 - timedelta(days=1))
    ticket = make_ticket(messages=0)
    hostile = 'a "quote" \\ back\nline\ttab \x01 🎉 مرحبا </script>'
    for at, content in [(T0, "second"), (T0 - timedelta(microseconds=1), "first"), (T0, hostile)]:
        TicketMessage.objects.create(
            ticket=ticket, kind="user", author_id=7, author_name='N"ame', content=content, created_at=at
        )
    TicketMessage.objects.create(
        ticket=older,
        kind="staff",
        author_id=8,
        author_name="Staff",
        content="old",
        created_at=T0,
        is_anonymous=True,
    )

    compact = viewer.get(URL)
    indented = viewer.get(URL, HTTP_ACCEPT="application/json; indent=4")

    threads = compact.json()["threads"]
    assert [t["id"] for t in threads] == [str(ticket.id), str(older.id)]
    messages = threads[0]["messages"]
    assert [m["content"] for m in messages] == ["first", "second", hostile]
    assert list(messages[0]) == [
        "id",
        "thread_id",
        "user_id",
        "user_name",
        "is_anonymous",
        "dm_message_id",
        "inbox_message_id",
        "message_number",
        "created_at",
        "content",
        "is_internal",
        "attachments",
    ]
    assert messages[1] | {"id": 0} == {
        "id": 0,
        "thread_id": str(ticket.id),
        "user_id": 7,
        "user_name": 'N"ame',
        "is_anonymous": False,
        "dm_message_id": None,
        "inbox_message_id": None,
        "message_number": None,
        "created_at": "2024-01-15 10:30:00",
        "content": "second",
        "is_internal": False,
        "attachments": [],
    }
    assert threads[1]["messages"][0]["is_anonymous"] is True
    assert messages[0]["created_at"] == "2024-01-15 10:29:59"  # cut to the second, never rounded
    assert b"\n    " in indented.content
    assert indented.json() == compact.json()
