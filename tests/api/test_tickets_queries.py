"""``GET /api/bot/tickets`` costs the same queries whatever the page: its size, its depth (a deep
page is read from the nearer end), the sort, the number of messages, hidden categories or not; and
pages read from either end line up exactly, with the same rows the plain order gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tickets.models import Ticket

from .conftest import INBOX, SECRET_CATEGORY, STAFF_ROLE, Permission, next_id
from .test_tickets import make_ticket

URL = "/api/bot/tickets"
T0 = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
# The session, the user, the panel access (cached), then the count, the page, the messages and
# their attachments: whatever a page holds, never more.
MOST_QUERIES = 10


@pytest.fixture
def staff(login, settings):
    """A staff member who may view the Inbox but not the secret category (a non-admin: the
    visibility rule applies); panel access is cached, as after a session's first request."""
    return login(roles=(STAFF_ROLE,), grants=(Permission.VIEW_PANEL,))


@pytest.fixture
def tickets(db) -> list[Ticket]:
    """Twelve closed tickets (some hidden, some with more messages, equal names), three open."""
    made = []
    for n in range(15):
        made.append(
            make_ticket(
                messages=n % 4,
                at=T0 + timedelta(hours=n),
                user_name=f"user{n % 3}",  # ties on the name: the ID decides
                category_id=SECRET_CATEGORY if n % 5 == 2 else INBOX,
                status=Ticket.Status.OPEN if n >= 12 else Ticket.Status.CLOSED,
                closed_at=None if n >= 12 else T0 + timedelta(days=1, hours=-n),
            )
        )
    return made


def queries(client, **query) -> int:
    client.get(URL, query)  # the session's first request fills the panel access cache
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, query)
    assert response.status_code == 200, response.content
    return len(captured)


def test_a_page_costs_the_same_queries_whatever_it_holds(staff, tickets) -> None:
    first = queries(staff, status=0, page_size=1)
    assert first <= MOST_QUERIES
    assert queries(staff, status=0, page_size=200) == first
    assert queries(staff, status=0, page_size=2, page=4) == first  # the second half: read backwards
    assert queries(staff, status=0, page_size=2, page=1) == first
    assert queries(staff, status=0, sort_by="user_name", sort_order="asc", page=2, page_size=3) == first
    assert queries(staff, status=0, sort_by="closed_at", page_size=5, page=2) == first
    assert queries(staff, status=1, category_id=str(INBOX)) == first


def test_more_tickets_and_messages_cost_no_more_queries(staff, tickets) -> None:
    before = queries(staff, status=0, page_size=200)
    for n in range(10):
        make_ticket(messages=5, at=T0 - timedelta(days=n + 1), status=Ticket.Status.CLOSED, closed_at=T0)
    assert queries(staff, status=0, page_size=200) == before


def test_one_ticket_costs_the_same_queries_whatever_its_messages(staff, tickets) -> None:
    small = make_ticket(messages=1, at=T0 - timedelta(days=30))
    large = make_ticket(messages=20, at=T0 - timedelta(days=31), status=Ticket.Status.CLOSED)
    assert queries(staff, id=str(small.id)) == queries(staff, id=str(large.id))


@pytest.mark.parametrize(
    "sort",
    [
        {"sort_by": "created_at", "sort_order": "desc"},
        {"sort_by": "created_at", "sort_order": "asc"},
        {"sort_by": "closed_at", "sort_order": "desc"},
        {"sort_by": "closed_at", "sort_order": "asc"},
        {"sort_by": "user_name", "sort_order": "asc"},
        {"sort_by": "user_name", "sort_order": "desc"},
    ],
)
@pytest.mark.parametrize("page_size", [1, 2, 3, 4, 5])
def test_pages_from_either_end_line_up(staff, tickets, sort: dict, page_size: int) -> None:
    whole = staff.get(URL, {"status": 0, "page_size": 200, **sort}).json()
    expected = [t["id"] for t in whole["threads"]]
    assert whole["total"] == len(expected) == 10  # the hidden ones are left out
    pages = []
    for page in range(1, whole["total"] // page_size + 2):
        body = staff.get(URL, {"status": 0, "page_size": page_size, "page": page, **sort}).json()
        assert body["total"] == whole["total"]
        pages.extend(t["id"] for t in body["threads"])
    assert pages == expected


def test_pages_keep_their_shape_and_messages(staff, tickets) -> None:
    whole = staff.get(URL, {"status": 0, "page_size": 200, "sort_order": "asc"}).json()["threads"]
    last = staff.get(URL, {"status": 0, "page_size": 3, "page": 4, "sort_order": "asc"}).json()["threads"]
    assert last == whole[9:]  # read backwards, shown forwards, the same objects
    for thread in whole:
        assert isinstance(thread["id"], str) and isinstance(thread["created_at"], int)
        assert [m["thread_id"] for m in thread["messages"]] == [thread["id"]] * len(thread["messages"])
        times = [m["created_at"] for m in thread["messages"]]
        assert times == sorted(times)
        for message in thread["messages"]:
            assert len(message["created_at"]) == 19 and message["dm_message_id"].isdigit()


def test_a_page_past_the_end_is_empty(staff, tickets) -> None:
    body = staff.get(URL, {"status": 0, "page": 50}).json()
    assert body["threads"] == [] and body["total"] == 10 and body["page"] == 50


def test_unix_seconds_and_utc_text_come_from_the_database(staff, db) -> None:
    at = datetime(2024, 2, 29, 23, 59, 59, 999_999, tzinfo=UTC)
    ticket = make_ticket(messages=1, at=at, status=Ticket.Status.CLOSED, closed_at=at + timedelta(seconds=1))
    body = staff.get(URL, {"id": str(ticket.id)}).json()
    assert body["created_at"] == int(at.timestamp()) == 1709251199
    assert body["closed_at"] == 1709251200
    assert body["messages"][0]["created_at"] == "2024-02-29 23:59:59"
    assert body["channel_id"] == str(ticket.channel_id)
    assert body["id"] == str(ticket.id)


def test_unknown_category_and_none_are_visible(staff, db) -> None:
    loose = make_ticket(category_id=None)
    gone = make_ticket(category_id=next_id())
    ids = {t["id"] for t in staff.get(URL, {"page_size": 200}).json()["threads"]}
    assert {str(loose.id), str(gone.id)} <= ids
