"""``GET /api/admin/bans`` (ViewBans): the community guild's bans in the shape of Rustmail's panel."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tickets.models import GuildMember, MemberBan

from .conftest import GUILD, OWNER, STAFF_ROLE, next_id

URL = "/api/admin/bans"
BANNED_AT = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
JOINED_AT = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def ban(user_id: int, username: str, **fields) -> MemberBan:
    return MemberBan.objects.create(guild_id=GUILD, user_id=user_id, username=username, **fields)


def test_a_ban_has_rustmails_fields(guild, login) -> None:
    GuildMember.objects.create(guild_id=GUILD, user_id=OWNER, username="owner", global_name="The Owner")
    user = next_id()
    ban(
        user,
        "spammer",
        global_name="Spam King",
        role_ids=[STAFF_ROLE, 42],
        joined_at=JOINED_AT,
        banned_at=BANNED_AT,
        banned_by=OWNER,
        reason="spam",
    )
    response = login(grants=["ViewBans"]).get(URL)
    assert response.status_code == 200
    assert response.json() == [
        {
            "user_id": str(user),
            "username": "spammer",
            "global_name": "Spam King",
            "nickname": None,
            "avatar_url": f"https://cdn.discordapp.com/embed/avatars/{(user >> 22) % 6}.png",
            "roles": ["Staff", "42"],
            "joined_at": int(JOINED_AT.timestamp()),
            "banned_at": int(BANNED_AT.timestamp()),
            "banned_by_id": str(OWNER),
            "banned_by_name": "The Owner",
            "ban_reason": "spam",
            "roles_unknown": False,
            "unbanned_at": None,
        }
    ]


def test_active_bans_by_default_latest_first_and_filters(guild, login) -> None:
    lifted = ban(next_id(), "forgiven", unbanned_at=BANNED_AT)
    first = ban(next_id(), "alice")
    second = ban(next_id(), "bob")
    client = login(grants=["ViewBans"])

    def names(**query) -> list[str]:
        response = client.get(URL, query)
        assert response.status_code == 200, response.json()
        return [b["username"] for b in response.json()]

    assert names() == ["bob", "alice"]
    assert names(status="lifted") == ["forgiven"]
    assert names(status="all") == ["bob", "alice", "forgiven"]
    assert names(search="ALI") == ["alice"]
    assert names(search=str(second.user_id)) == ["bob"]
    assert names(page_size=1, page=2) == ["alice"]
    assert names(page_size=1, page=3) == []
    assert first.pk and lifted.pk


def test_other_guilds_bans_are_not_listed(guild, login) -> None:
    MemberBan.objects.create(guild_id=next_id(), user_id=next_id(), username="elsewhere")
    assert login(grants=["ViewBans"]).get(URL).json() == []


@pytest.mark.parametrize(
    "query",
    [
        {"status": "banned"},
        {"status": ""},
        {"page": "0"},
        {"page": "x"},
        {"page_size": "501"},
        {"page_size": "0"},
        {"search": "x" * 101},
    ],
)
def test_bad_parameters_are_a_400_with_an_error(guild, login, query) -> None:
    count = MemberBan.objects.count()
    response = login(grants=["ViewBans"]).get(URL, query)
    assert response.status_code == 400
    assert set(response.json()) == {"error"}
    assert MemberBan.objects.count() == count


def test_viewbans_is_needed(guild, login) -> None:
    assert login(grants=["ViewPanel", "ManageTickets"]).get(URL).status_code == 403


def test_an_unconfigured_guild_is_a_503(guild, super_admin) -> None:
    guild.config.mode_guild_id = None
    guild.config.save()
    response = super_admin.get(URL)
    assert response.status_code == 503
    assert set(response.json()) == {"error"}


def test_the_endpoint_is_in_the_openapi_document(client) -> None:
    document = client.get("/api/openapi.yaml", HTTP_ACCEPT="application/json")
    assert document.status_code == 200
    assert b"/api/admin/bans" in document.content
