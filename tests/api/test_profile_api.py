"""``/api/bot/profile``: shapes as Rustmail's handlers (``GET`` ViewPanel, ``PUT`` ManageBot), Discord's
rules checked before Discord is called (nothing half-done), and its 2 username changes per hour."""

from __future__ import annotations

import base64
import json

import pytest
from rest_framework.test import APIClient

from tickets.discord import DiscordError

from .conftest import Permission, make_user, next_id, session_client

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
GIF = b"GIF89a" + b"\x00" * 32


def uri(raw: bytes, kind: str = "png") -> str:
    return f"data:image/{kind};base64,{base64.b64encode(raw).decode()}"


@pytest.fixture
def api(guild) -> APIClient:
    return session_client(make_user(next_id(), grants=(Permission.VIEW_PANEL, Permission.MANAGE_BOT)))


def put(api: APIClient, body) -> object:
    return api.put("/api/bot/profile", data=json.dumps(body), content_type="application/json")


def edits(guild) -> list:
    return [c for c in guild.discord.calls if c[0] == "edit_current_user"]


def test_get_answers_rustmails_shape(api, guild) -> None:
    body = api.get("/api/bot/profile").json()
    assert body == {
        "username": "modmail",
        "avatar_url": None,
        "banner_url": None,
        "discriminator": "",
        "id": str(guild.discord.BOT_ID),
    }


def test_put_changes_everything_in_one_call(api, guild) -> None:
    response = put(api, {"username": "Helpdesk", "avatar": uri(PNG), "banner": uri(GIF, "gif")})
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"success", "username", "avatar_url", "banner_url"}
    assert body["success"] is True and body["username"] == "Helpdesk"
    bot = guild.discord.BOT_ID
    assert body["avatar_url"].startswith(f"https://cdn.discordapp.com/avatars/{bot}/")
    assert body["banner_url"].startswith(f"https://cdn.discordapp.com/banners/{bot}/")
    assert edits(guild) == [("edit_current_user", ("Helpdesk", True, True))]
    assert api.get("/api/bot/profile").json()["username"] == "Helpdesk"


def test_bare_base64_is_taken_as_png_like_rustmail(api, guild) -> None:
    assert put(api, {"avatar": base64.b64encode(PNG).decode()}).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"username": "x"},
        {"username": "x" * 33},
        {"username": "my discord bot"},
        {"username": "everyone"},
        {"username": "Helpdesk", "avatar": "data:image/bmp;base64,Qk0="},
        {"username": "Helpdesk", "avatar": "data:image/png;base64,@@@not base64"},
        {"username": "Helpdesk", "avatar": uri(b"plain text, not an image")},
        {"username": "Helpdesk", "banner": uri(PNG, "gif")},
        {"username": 42},
        {"avatar": None},
    ],
)
def test_bad_input_is_400_and_discord_is_not_called(api, guild, body) -> None:
    response = put(api, body)
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"error"}
    assert edits(guild) == []
    assert guild.discord.current_user().username == "modmail"


def test_a_third_username_change_within_the_hour_is_429_and_changes_nothing(api, guild) -> None:
    assert put(api, {"username": "First"}).status_code == 200
    assert put(api, {"username": "Second"}).status_code == 200
    response = put(api, {"username": "Third", "avatar": uri(PNG)})
    assert response.status_code == 429
    assert "2 username changes per hour" in response.json()["error"]
    user = guild.discord.current_user()
    assert (user.username, user.avatar) == ("Second", None)
    # Images alone are not limited that way.
    assert put(api, {"avatar": uri(PNG)}).status_code == 200


def test_discord_down_is_503_and_a_refusal_502(api, guild, monkeypatch) -> None:
    def unreachable(**kwargs):
        raise DiscordError(0, 0, "Discord unreachable")

    monkeypatch.setattr(guild.discord, "edit_current_user", unreachable)
    assert put(api, {"username": "Helpdesk"}).status_code == 503

    def refused(**kwargs):
        raise DiscordError(403, 50013, "Missing Permissions")

    monkeypatch.setattr(guild.discord, "edit_current_user", refused)
    response = put(api, {"username": "Helpdesk"})
    assert response.status_code == 502 and set(response.json()) == {"error"}


def test_discords_own_field_errors_are_400(api, guild, monkeypatch) -> None:
    def refused(**kwargs):
        errors = {
            "username": {"_errors": [{"code": "USERNAME_TOO_MANY_USERS", "message": "Too many users."}]}
        }
        raise DiscordError(400, 50035, "Invalid Form Body", errors)

    monkeypatch.setattr(guild.discord, "edit_current_user", refused)
    response = put(api, {"username": "Helpdesk"})
    assert response.status_code == 400
    assert "Too many users" in response.json()["error"]


def test_viewers_read_but_only_managebot_writes(guild) -> None:
    viewer = session_client(make_user(next_id(), grants=(Permission.VIEW_PANEL,)))
    assert viewer.get("/api/bot/profile").status_code == 200
    assert put(viewer, {"username": "Helpdesk"}).status_code == 403
    assert edits(guild) == []
