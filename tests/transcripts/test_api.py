"""``GET /api/bot/tickets/{id}/transcript``: who may read it, its answers, and a streamed body."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import AsyncClient

from tests.api.conftest import ALL, SECRET_CATEGORY, STAFF_ROLE, Permission
from tickets.models import Ticket


def url(ticket: Ticket | str, fmt: str | None = None) -> str:
    ticket_id = ticket.pk if isinstance(ticket, Ticket) else ticket
    return f"/api/bot/tickets/{ticket_id}/transcript" + (f"?format={fmt}" if fmt else "")


@pytest.fixture
def viewer(login):
    """A member of the staff role holding ViewPanel (no admin: the category rule applies)."""
    return login(roles=(STAFF_ROLE,), grants=(Permission.VIEW_PANEL,))


def _body(response) -> bytes:
    assert response.streaming, "a transcript is streamed, never built whole"
    return b"".join(response.streaming_content)


@pytest.mark.parametrize(
    ("fmt", "content_type", "start"),
    [
        ("json", "application/json", b'{"ticket": '),
        ("html", "text/html; charset=utf-8", b"\n<!DOCTYPE html>"),
        ("txt", "text/plain; charset=utf-8", b"Ticket "),
    ],
)
def test_a_viewer_downloads_each_format(guild, viewer, rich_ticket, fmt, content_type, start) -> None:
    response = viewer.get(url(rich_ticket, fmt))

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="transcript-{rich_ticket.pk}.{fmt}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "script-src" not in response["Content-Security-Policy"]  # default-src 'none': no script
    assert _body(response).lstrip().startswith(start.lstrip())


def test_html_is_the_default_format(guild, viewer, rich_ticket) -> None:
    response = viewer.get(url(rich_ticket))
    assert response["Content-Type"].startswith("text/html")


def test_an_api_key_holding_read_tickets_reads_any_ticket(guild, key_client, rich_ticket) -> None:
    Ticket.objects.filter(pk=rich_ticket.pk).update(category_id=SECRET_CATEGORY)

    response = key_client(permissions=("ReadTickets",)).get(url(rich_ticket, "json"))

    assert response.status_code == 200
    assert json.loads(_body(response))["ticket"]["id"] == str(rich_ticket.pk)


@pytest.mark.parametrize(
    ("caller", "status"),
    [("anonymous", 401), ("create_key", 403), ("no_view_panel", 403), ("hidden_category", 403)],
)
def test_who_may_not_read_it(guild, login, key_client, client, rich_ticket, caller, status) -> None:
    if caller == "create_key":
        client = key_client(permissions=("CreateTicket",))
    elif caller == "no_view_panel":
        client = login(roles=(STAFF_ROLE,), grants=tuple(p for p in ALL if p != Permission.VIEW_PANEL))
    elif caller == "hidden_category":
        Ticket.objects.filter(pk=rich_ticket.pk).update(category_id=SECRET_CATEGORY)
        client = login(roles=(STAFF_ROLE,), grants=(Permission.VIEW_PANEL,))

    response = client.get(url(rich_ticket, "json"))

    assert response.status_code == status
    assert set(response.json()) == {"error"}


@pytest.mark.parametrize("ticket_id", ["not-a-uuid", "4d7a1c5e-0000-4000-8000-000000000000"])
def test_an_unknown_ticket_is_404(guild, viewer, ticket_id) -> None:
    response = viewer.get(url(ticket_id, "json"))
    assert response.status_code == 404
    assert set(response.json()) == {"error"}


@pytest.mark.parametrize("fmt", ["pdf", "", "JSON", "api"])
def test_an_unknown_format_is_400_in_json(guild, viewer, rich_ticket, fmt) -> None:
    response = viewer.get(url(rich_ticket) + f"?format={fmt}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "format" in response.json()["error"]


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_under_asgi_the_body_is_an_async_stream(guild, rich_ticket, settings) -> None:
    from asgiref.sync import sync_to_async

    from apikeys.services import apikey_create

    key = await sync_to_async(apikey_create)(name="asgi", permissions=["ReadTickets"])
    response = await AsyncClient().get(url(rich_ticket, "txt"), headers={"X-API-Key": key.secret})

    assert response.status_code == 200, response.content
    assert response.is_async  # read piece by piece in the request's thread, not into a list first
    body = b"".join([piece async for piece in response])
    assert body.startswith(f"Ticket {rich_ticket.pk} with Alice".encode())
    await sync_to_async(lambda: connection.close())()  # the request thread's, as request_finished would
