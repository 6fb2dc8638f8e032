"""``/api/admin/members|roles|permissions`` and how grants, roles and admins give panel permissions."""

from __future__ import annotations

import pytest

from panel.models import PanelPermission
from tickets.models import BotConfig, GuildMember

from .conftest import ADMIN_ROLE, ALL, GUILD, OWNER, STAFF_ROLE, SUPER_ROLE, Permission, make_user, next_id

GRANT = {"subject_type": "User", "subject_id": "123456789012345678", "permission": "ViewPanel"}


@pytest.fixture
def admin(login):
    """A holder of ManagePermissions only."""
    return login(grants=(Permission.MANAGE_PERMISSIONS,))


def test_members_from_the_guild_cache(admin) -> None:
    member_id = next_id()
    GuildMember.objects.create(
        guild_id=GUILD, user_id=member_id, username="aaa-staff", role_ids=[str(STAFF_ROLE)], avatar=""
    )
    GuildMember.objects.create(guild_id=next_id(), user_id=next_id(), username="elsewhere")

    members = admin.get("/api/admin/members").json()

    assert members[0] == {
        "user_id": str(member_id),
        "username": "aaa-staff",
        "discriminator": "0",
        "avatar": None,
        "roles": [str(STAFF_ROLE)],
    }
    assert "elsewhere" not in {m["username"] for m in members}


def test_roles_highest_first(admin) -> None:
    roles = admin.get("/api/admin/roles").json()
    assert [r["name"] for r in roles] == ["Admin", "Super", "Staff", "@everyone"]
    assert roles[0] == {"role_id": str(ADMIN_ROLE), "name": "Admin", "color": 15158332, "position": 5}


def test_members_and_roles_need_a_configured_guild(super_admin) -> None:
    BotConfig.objects.update(mode_guild_id=None)
    response = super_admin.get("/api/admin/roles")
    assert response.status_code == 503
    assert set(response.json()) == {"error"}


def test_grant_is_idempotent_and_listed(admin) -> None:
    assert admin.post("/api/admin/permissions", GRANT, format="json").json() == {"success": True}
    assert admin.post("/api/admin/permissions", GRANT, format="json").json() == {"success": True}

    listed = admin.get("/api/admin/permissions").json()
    entry = next(e for e in listed if e["subject_id"] == GRANT["subject_id"])
    assert set(entry) == {"id", "subject_type", "subject_id", "permission", "granted_by", "granted_at"}
    assert (entry["subject_type"], entry["permission"]) == ("User", "ViewPanel")
    assert isinstance(entry["granted_at"], int)
    assert entry["granted_by"].isdigit()
    assert PanelPermission.objects.filter(subject_id=int(GRANT["subject_id"])).count() == 1


def test_revoke_by_id_or_by_subject_and_unknown_is_404(admin) -> None:
    admin.post("/api/admin/permissions", GRANT, format="json")
    grant = PanelPermission.objects.get(subject_id=int(GRANT["subject_id"]))

    assert admin.delete(f"/api/admin/permissions/{grant.pk}").json() == {"success": True}
    assert admin.delete(f"/api/admin/permissions/{grant.pk}").status_code == 404
    admin.post("/api/admin/permissions", GRANT, format="json")
    assert admin.delete("/api/admin/permissions", GRANT, format="json").json() == {"success": True}
    assert admin.delete("/api/admin/permissions", GRANT, format="json").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {**GRANT, "subject_type": "Group"},
        {**GRANT, "permission": "Everything"},
        {**GRANT, "subject_id": "abc"},
        {**GRANT, "subject_id": "12"},
        {"subject_type": "User"},
    ],
)
def test_a_malformed_grant_is_a_400(admin, body) -> None:
    response = admin.post("/api/admin/permissions", body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"error"}


def permissions_of(client) -> list[str]:
    return client.get("/api/user/permissions").json()


def test_a_role_grant_reaches_its_members(login) -> None:
    PanelPermission.objects.create(
        subject_type="Role", subject_id=STAFF_ROLE, permission="ManageTickets", granted_by=1
    )
    PanelPermission.objects.create(
        subject_type="Role", subject_id=GUILD, permission="ViewPanel", granted_by=1
    )

    assert permissions_of(login(roles=(STAFF_ROLE,))) == ["ViewPanel", "ManageTickets"]
    assert permissions_of(login()) == ["ViewPanel"]  # @everyone


@pytest.mark.parametrize(
    "who",
    ["owner", "administrator", "super_admin_role", "superuser"],
)
def test_admins_hold_every_permission(guild, login, who: str) -> None:
    from .conftest import session_client

    clients = {
        "owner": lambda: login(OWNER),
        "administrator": lambda: login(roles=(ADMIN_ROLE,)),
        "super_admin_role": lambda: login(roles=(SUPER_ROLE,)),
        "superuser": lambda: session_client(make_user(None, superuser=True)),
    }
    assert permissions_of(clients[who]()) == list(ALL)


def test_a_non_member_session_is_refused(guild) -> None:
    from .conftest import session_client

    client = session_client(make_user(next_id(), member=False, grants=(Permission.VIEW_PANEL,)))
    response = client.get("/api/panel/check")
    assert response.status_code == 401
    assert set(response.json()) == {"error"}


def test_cached_permissions_follow_a_grant_at_once(login) -> None:
    discord_id = next_id()
    client = login(discord_id)
    assert permissions_of(client) == []
    PanelPermission.objects.create(
        subject_type="User", subject_id=discord_id, permission="ViewPanel", granted_by=1
    )
    assert permissions_of(client) == ["ViewPanel"]
    GuildMember.objects.filter(user_id=discord_id).update(role_ids=[str(ADMIN_ROLE)])  # no signal: cached
    assert permissions_of(client) == ["ViewPanel"]
    BotConfig.load().save()
    assert permissions_of(client) == list(ALL)
