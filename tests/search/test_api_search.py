"""``GET /api/bot/tickets?q=``: the page's shape plus highlights, the filters, hidden categories,
deleted messages for admins only, and bad input (400, never 500)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from tests.api.conftest import INBOX, SECRET_CATEGORY, STAFF_ROLE, Permission, next_id
from tickets.models import Ticket, TicketMessage

URL = "/api/bot/tickets"
T0 = datetime(2024, 5, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def viewer(login):
    return login(roles=(STAFF_ROLE,), grants=(Permission.VIEW_PANEL,))


def ticket(content: str, *, name: str = "Someone", **fields) -> Ticket:
    defaults = {"user_id": next_id(), "user_name": name, "channel_id": next_id(), "category_id": INBOX}
    t = Ticket.objects.create(**{**defaults, **fields})
    TicketMessage.objects.create(
        ticket=t, kind="user", author_id=t.user_id, author_name=name, content=content, created_at=T0
    )
    return t


def test_a_search_answers_a_page_of_the_usual_shape_with_highlights(viewer):
    best = ticket("refund refund, I want my refund", name="Ann")
    other = ticket("could I get a refund?", name="Bob", status=Ticket.Status.CLOSED)
    ticket("just saying hi")

    body = viewer.get(URL, {"q": "refund"}).json()

    assert set(body) == {"threads", "total", "page", "page_size", "total_pages"}
    assert (body["total"], body["page"], body["total_pages"]) == (2, 1, 1)
    assert [t["id"] for t in body["threads"]] == [str(best.pk), str(other.pk)]
    first = body["threads"][0]
    assert first["user_name"] == "Ann" and first["messages"][0]["content"].startswith("refund")
    [highlight] = first["highlights"]
    assert highlight["source"] == "message" and highlight["message_id"] == first["messages"][0]["id"]
    assert "<mark>refund</mark>" in highlight["snippet"]


def test_status_and_category_filter_only_when_given(viewer):
    open_one = ticket("invoice missing")
    closed = ticket("invoice again", status=Ticket.Status.CLOSED)
    elsewhere = ticket("invoice elsewhere", category_id=None)

    def found(**params) -> set[str]:
        return {t["id"] for t in viewer.get(URL, {"q": "invoice", **params}).json()["threads"]}

    assert found() == {str(open_one.pk), str(closed.pk), str(elsewhere.pk)}
    assert found(status=0) == {str(closed.pk)}
    assert found(category_id=str(INBOX), status=1) == {str(open_one.pk)}


def test_tickets_in_hidden_categories_are_left_out_for_non_admins(viewer, super_admin):
    secret = ticket("classified words", category_id=SECRET_CATEGORY)
    assert viewer.get(URL, {"q": "classified"}).json()["threads"] == []
    assert [t["id"] for t in super_admin.get(URL, {"q": "classified"}).json()["threads"]] == [str(secret.pk)]


def test_a_deleted_message_is_found_by_admins_only(viewer, super_admin):
    t = ticket("my secret token xyzzy")
    TicketMessage.objects.filter(ticket=t).update(deleted_at=timezone.now())
    assert viewer.get(URL, {"q": "xyzzy"}).json()["total"] == 0
    assert super_admin.get(URL, {"q": "xyzzy"}).json()["total"] == 1


def test_a_users_name_and_id_find_their_tickets_with_the_field_highlighted(viewer):
    t = ticket("hello", name="Marguerite Duras")
    body = viewer.get(URL, {"q": "marguerite"}).json()
    assert [x["id"] for x in body["threads"]] == [str(t.pk)]
    assert body["threads"][0]["highlights"] == [
        {"source": "user_name", "message_id": None, "snippet": "<mark>Marguerite</mark> Duras"}
    ]
    by_id = viewer.get(URL, {"q": str(t.user_id)}).json()
    assert [x["id"] for x in by_id["threads"]] == [str(t.pk)]


@pytest.mark.parametrize("q", ['"', "-", "-word", "a OR", '"unclosed', "x:y", "NEAR(", "*", "🙂"])
def test_odd_queries_answer_200(viewer, q):
    ticket("word a x y")
    response = viewer.get(URL, {"q": q})
    assert response.status_code == 200
    assert response.json()["total"] in (0, 1)


@pytest.mark.parametrize("q", ["", "   ", "a" * 201, "nul\x00byte"])
def test_blank_too_long_or_nul_queries_are_a_400(viewer, q):
    response = viewer.get(URL, {"q": q})
    assert response.status_code == 400
    assert "error" in response.json()


def test_a_search_is_refused_without_view_panel(login):
    assert login(roles=(STAFF_ROLE,)).get(URL, {"q": "x"}).status_code == 403


def test_the_openapi_document_describes_q_and_highlights(viewer):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    parameters = {p["name"] for p in schema["paths"]["/api/bot/tickets"]["get"]["parameters"]}
    assert "q" in parameters
    assert "highlights" in schema["components"]["schemas"]["Ticket"]["properties"]
