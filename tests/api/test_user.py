"""``/api/user/avatar``, ``/api/user/permissions`` and ``/api/panel/check``."""

from __future__ import annotations

from .conftest import Permission, make_user, next_id, session_client


def test_avatar_url_from_the_discord_profile(login) -> None:
    discord_id = next_id()
    body = login(discord_id, avatar="a1b2c3").get("/api/user/avatar").json()
    assert body == {"avatar_url": f"https://cdn.discordapp.com/avatars/{discord_id}/a1b2c3.png"}


def test_default_avatar_without_one(login) -> None:
    discord_id = next_id()
    body = login(discord_id, avatar=None).get("/api/user/avatar").json()
    assert body == {"avatar_url": f"https://cdn.discordapp.com/embed/avatars/{(discord_id >> 22) % 6}.png"}


def test_no_avatar_for_an_account_without_discord(guild) -> None:
    client = session_client(make_user(None, superuser=True))
    assert client.get("/api/user/avatar").json() == {"avatar_url": None}


def test_permissions_are_an_array_of_names(login) -> None:
    client = login(grants=(Permission.MANAGE_TICKETS, Permission.VIEW_PANEL))
    assert client.get("/api/user/permissions").json() == ["ViewPanel", "ManageTickets"]


def test_panel_check(login) -> None:
    assert login().get("/api/panel/check").json() == {"authorized": True}
