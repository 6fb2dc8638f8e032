"""``POST /api/externals/tickets/create``: the reference's answers, rate limits and concurrency."""

from __future__ import annotations

import threading

import pytest
import requests
from django.db import connection
from rest_framework.test import APIClient

from apikeys.services import apikey_create
from tickets.discord import set_port
from tickets.models import BlockedUser, BotConfig, Ticket

from .conftest import CUSTOMER, GUILD, next_id

URL = "/api/externals/tickets/create"


def test_a_ticket_is_created_with_its_channel(guild, key_client) -> None:
    response = key_client().post(URL, {"discord_id": str(CUSTOMER)}, format="json")

    assert response.status_code == 200
    ticket = Ticket.objects.get(user_id=CUSTOMER)
    assert response.json() == {
        "success": True,
        "channel_id": str(ticket.channel_id),
        "user_id": str(CUSTOMER),
        "username": ticket.user_name,
        "message": "Ticket created successfully",
    }
    assert ticket.channel_id in guild.discord.channels
    assert ticket.origin == Ticket.Origin.API


def test_the_staff_member_is_pinged_in_the_channel(guild, key_client) -> None:
    staff = next_id()
    guild.discord.add_member(GUILD, staff, "helper")

    response = key_client().post(
        URL, {"discord_id": str(CUSTOMER), "staff_discord_id": str(staff)}, format="json"
    )

    channel = int(response.json()["channel_id"])
    assert any(f"<@{staff}>" in m.content for m in guild.discord.channel_messages(channel))


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"discord_id": "not-an-id"}, 400, "Invalid Discord ID format"),
        ({"discord_id": "12"}, 400, "Invalid Discord ID format"),
        ({"discord_id": str(CUSTOMER), "staff_discord_id": "x"}, 400, "Invalid Discord ID format"),
        ({"discord_id": "123456789012345678"}, 404, "Discord user not found"),
    ],
)
def test_refusals(guild, key_client, body, status, error) -> None:
    response = key_client().post(URL, body, format="json")
    assert (response.status_code, response.json()) == (status, {"error": error})


@pytest.mark.parametrize("body", [{}, {"discord_id": None}, {"discord_id": True}, [], "text"])
def test_a_malformed_body_is_a_400(guild, key_client, body) -> None:
    response = key_client().post(URL, body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"error"}


def test_a_user_outside_the_community_guild_is_a_403(guild, key_client) -> None:
    stranger = next_id()
    guild.discord.add_user(stranger, "stranger")
    response = key_client().post(URL, {"discord_id": str(stranger)}, format="json")
    assert (response.status_code, response.json()) == (
        403,
        {"error": "User is not a member of the community guild"},
    )


def test_a_blocked_user_is_a_403(guild, key_client) -> None:
    BlockedUser.objects.create(user_id=CUSTOMER, blocked_by=GUILD)
    assert key_client().post(URL, {"discord_id": str(CUSTOMER)}, format="json").status_code == 403


def test_an_open_ticket_is_a_409(guild, key_client, settings) -> None:
    settings.EXTERNAL_API_USER_COOLDOWN = 0
    client = key_client()
    assert client.post(URL, {"discord_id": str(CUSTOMER)}, format="json").status_code == 200
    response = client.post(URL, {"discord_id": str(CUSTOMER)}, format="json")
    assert (response.status_code, response.json()) == (409, {"error": "User already has an active ticket"})


def test_the_key_rate_limit_answers_429_with_retry_after(guild, key_client, settings) -> None:
    settings.EXTERNAL_API_RATE_PER_MINUTE = 3
    client, other = key_client(), key_client()
    for _ in range(3):
        assert client.post(URL, {"discord_id": "123456789012345678"}, format="json").status_code == 404

    response = client.post(URL, {"discord_id": str(CUSTOMER)}, format="json")

    assert response.status_code == 429
    assert set(response.json()) == {"error"}
    assert 1 <= int(response["Retry-After"]) <= 60
    assert other.post(URL, {"discord_id": str(CUSTOMER)}, format="json").status_code == 200  # per key


def test_the_user_cooldown_answers_429(guild, key_client, settings) -> None:
    settings.EXTERNAL_API_USER_COOLDOWN = 20
    client = key_client()
    assert client.post(URL, {"discord_id": str(CUSTOMER)}, format="json").status_code == 200
    Ticket.objects.update(status=Ticket.Status.CLOSED)

    response = client.post(URL, {"discord_id": str(CUSTOMER)}, format="json")

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 20


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_requests_open_exactly_one_ticket(guild, settings) -> None:
    settings.EXTERNAL_API_USER_COOLDOWN = 0
    secret = apikey_create(name="burst", permissions=["CreateTicket"]).secret
    barrier = threading.Barrier(20)
    statuses: list[int] = []

    def call() -> None:
        client = APIClient()
        client.credentials(HTTP_X_API_KEY=secret)
        try:
            barrier.wait()
            statuses.append(client.post(URL, {"discord_id": str(CUSTOMER)}, format="json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=call) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200] + [409] * 19
    assert Ticket.objects.filter(user_id=CUSTOMER).count() == 1
    assert len(guild.discord.text_channels()) == 1


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_external_creation_against_the_emulator(fake_discord_thread, live_server, settings) -> None:
    """Through the real HTTP stack, with the REST adapter talking to the Discord emulator."""
    emu = fake_discord_thread
    demo = emu.demo
    settings.DISCORD_API_BASE = emu.api_base
    config = BotConfig.load()
    config.mode_guild_id = demo.guild_id
    config.thread_inbox_category_id = demo.inbox_category_id
    config.bot_token = emu.bot_token
    config.save()
    set_port(None)  # the process's default adapter: REST, at DISCORD_API_BASE
    secret = apikey_create(name="website", permissions=["CreateTicket"]).secret
    alice = demo.user_ids[0]
    try:
        response = requests.post(
            f"{live_server.url}{URL}",
            json={"discord_id": str(alice), "staff_discord_id": str(demo.staff_id)},
            headers={"Authorization": f"Bearer {secret}"},
            timeout=30,
        )
        again = requests.post(
            f"{live_server.url}{URL}",
            json={"discord_id": str(alice)},
            headers={"X-API-Key": secret},
            timeout=30,
        )
    finally:
        set_port(None)

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["success"], body["user_id"], body["message"]) == (
        True,
        str(alice),
        "Ticket created successfully",
    )
    channel = emu.channel(body["channel_id"])
    assert channel["parent_id"] == str(demo.inbox_category_id)
    assert any(f"<@{demo.staff_id}>" in m["content"] for m in emu.messages(body["channel_id"]))
    assert again.status_code in (409, 429)
    assert Ticket.objects.get(user_id=alice).channel_id == int(body["channel_id"])


SPELLINGS_OF_CUSTOMER = [
    "0" + str(CUSTOMER),
    "".join(chr(ord("０") + int(d)) for d in str(CUSTOMER)),  # full-width digits
    f" {CUSTOMER}",
    f"{CUSTOMER}\n",
    f"<@{CUSTOMER}>",
    "+" + str(CUSTOMER),
]


@pytest.mark.parametrize("field", ["discord_id", "staff_discord_id"])
@pytest.mark.parametrize("value", ["²" * 18, str(2**64), "0" * 18, *SPELLINGS_OF_CUSTOMER])
def test_any_other_spelling_of_an_id_is_a_400(guild, key_client, field, value) -> None:
    body = {"discord_id": str(CUSTOMER), field: value}
    response = key_client().post(URL, body, format="json")
    assert (response.status_code, response.json()) == (400, {"error": "Invalid Discord ID format"})
    assert not Ticket.objects.exists()


def test_the_conflict_is_answered_before_the_user_cooldown(guild, key_client, settings) -> None:
    settings.EXTERNAL_API_USER_COOLDOWN = 20
    client = key_client()
    assert client.post(URL, {"discord_id": str(CUSTOMER)}, format="json").status_code == 200

    response = client.post(URL, {"discord_id": str(CUSTOMER)}, format="json")

    assert (response.status_code, response.json()) == (409, {"error": "User already has an active ticket"})


def test_the_conflict_is_answered_before_the_key_rate(guild, key_client, settings) -> None:
    settings.EXTERNAL_API_RATE_PER_MINUTE = 1
    client = key_client()
    assert client.post(URL, {"discord_id": str(CUSTOMER)}, format="json").status_code == 200

    for _ in range(3):
        response = client.post(URL, {"discord_id": str(CUSTOMER)}, format="json")
        assert response.status_code == 409
    assert client.post(URL, {"discord_id": "123456789012345678"}, format="json").status_code == 429


def test_no_spelling_of_an_id_dodges_the_user_cooldown(guild, key_client, settings) -> None:
    settings.EXTERNAL_API_USER_COOLDOWN = 20
    client = key_client()
    assert client.post(URL, {"discord_id": str(CUSTOMER)}, format="json").status_code == 200
    Ticket.objects.update(status=Ticket.Status.CLOSED)

    for spelling in SPELLINGS_OF_CUSTOMER:
        response = client.post(URL, {"discord_id": spelling}, format="json")
        assert response.status_code == 400, spelling
    response = client.post(URL, {"discord_id": CUSTOMER}, format="json")  # a JSON number: the same ID
    assert response.status_code == 429
    assert Ticket.objects.count() == 1
