"""The tickets page's search box: results best first with highlighted (escaped) snippets, the
list's filters, hidden categories, deleted messages for admins only, paging, and odd input."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.test import Client
from django.utils import timezone

from tests.api.conftest import INBOX, SECRET_CATEGORY, STAFF_ROLE, SUPER_ADMIN, make_user, next_id
from tickets.models import Ticket, TicketMessage

pytestmark = pytest.mark.django_db
URL = "/panel/tickets"
T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def client_of(discord_id: int | None = None, **options) -> Client:
    client = Client()
    client.force_login(make_user(discord_id or next_id(), **options))
    return client


@pytest.fixture
def staff(guild) -> Client:
    return client_of(roles=(STAFF_ROLE,), grants=("ViewPanel",))


def ticket(content: str, *, name: str = "Someone", **fields) -> Ticket:
    defaults = {"user_id": next_id(), "user_name": name, "channel_id": next_id(), "category_id": INBOX}
    t = Ticket.objects.create(**{**defaults, **fields})
    TicketMessage.objects.create(
        ticket=t, kind="user", author_id=t.user_id, author_name=name, content=content, created_at=T0
    )
    return t


def shown(html: str) -> list[str]:
    return re.findall(r'<tr id="ticket-([0-9a-f-]+)"', html)


def test_the_page_has_a_search_box_and_a_search_lists_matches_best_first(staff):
    page = staff.get(URL).content.decode()
    assert 'name="q"' in page and 'type="search"' in page
    best = ticket("refund refund <script>alert(1)</script> refund", name="Ann")
    weaker = ticket("a refund please, and a long message around it to rank it lower", name="Bob")
    closed = ticket("refund of a closed ticket", status=Ticket.Status.CLOSED)
    ticket("nothing here")

    html = staff.get(URL, {"q": "refund"}).content.decode()

    assert shown(html)[0] == str(best.pk)
    assert set(shown(html)) == {str(best.pk), str(weaker.pk), str(closed.pk)}
    assert "<mark>refund</mark>" in html
    assert "<script>alert(1)</script>" not in html
    assert shown(staff.get(URL, {"q": "refund", "status": "closed"}).content.decode()) == [str(closed.pk)]


def test_the_list_fragment_keeps_the_search(staff):
    t = ticket("parcel lost")
    ticket("other thing")
    fragment = staff.get(URL, {"q": "parcel", "status": "all", "fragment": "list"}).content.decode()
    assert shown(fragment) == [str(t.pk)]
    assert "q=parcel" in fragment  # the live refresh asks for the same search


def test_no_match_says_so(staff):
    ticket("hello")
    html = staff.get(URL, {"q": "zebra"}).content.decode()
    assert shown(html) == [] and "No ticket matches this search." in html


def test_hidden_categories_and_deleted_messages_follow_the_callers_standing(staff):
    secret = ticket("classified", category_id=SECRET_CATEGORY)
    deleted = ticket("swordfish")
    TicketMessage.objects.filter(ticket=deleted).update(deleted_at=timezone.now())
    admin = client_of(SUPER_ADMIN)
    assert shown(staff.get(URL, {"q": "classified OR swordfish"}).content.decode()) == []
    assert set(shown(admin.get(URL, {"q": "classified OR swordfish"}).content.decode())) == {
        str(secret.pk),
        str(deleted.pk),
    }


def test_results_are_paged(staff):
    tickets = [ticket("invoice " * (n + 1)) for n in range(5)]
    first = staff.get(URL, {"q": "invoice", "size": 2}).content.decode()
    assert shown(first) == [str(t.pk) for t in tickets[::-1][:2]]
    after = re.search(r'href="\?([^"]*after=[^"]*)" rel="next"', first).group(1).replace("&amp;", "&")
    second = staff.get(f"{URL}?{after}").content.decode()
    assert shown(second) == [str(t.pk) for t in tickets[::-1][2:4]]


@pytest.mark.parametrize("q", ['"', "-x", "OR", "a" * 500, "NEAR(", "after=9", "🙂"])
def test_odd_searches_answer_the_page(staff, q):
    ticket("x")
    assert staff.get(URL, {"q": q, "after": "99999999999999999999"}).status_code == 200
