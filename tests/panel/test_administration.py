"""The administration page's reads and writes without a browser: grants of several permissions at
once (all or none), the picker over the guild cache, and who holds what and why."""

from __future__ import annotations

import pytest

from panel.models import PanelPermission
from panel.selectors.holders import permission_holders, picker_search
from panel.services import permissions_grant
from tests.api.conftest import (
    ADMIN_ROLE,
    GUILD,
    OWNER,
    STAFF_ROLE,
    SUPER_ADMIN,
    SUPER_ROLE,
    make_user,
    next_id,
)
from tickets.errors import InvalidInput

pytestmark = pytest.mark.django_db


def test_several_permissions_are_granted_at_once_or_none(guild) -> None:
    permissions_grant(
        subject_type="Role", subject_id=STAFF_ROLE, permissions=["ViewPanel", "ViewBans"], granted_by=1
    )
    assert set(PanelPermission.objects.values_list("permission", flat=True)) == {"ViewPanel", "ViewBans"}
    with pytest.raises(InvalidInput):
        permissions_grant(subject_type="User", subject_id=5, permissions=["ViewPanel", "Nope"], granted_by=1)
    with pytest.raises(InvalidInput):
        permissions_grant(subject_type="User", subject_id=5, permissions=[], granted_by=1)
    assert not PanelPermission.objects.filter(subject_id=5).exists()


def test_the_picker_finds_roles_and_members_by_name_or_id(guild) -> None:
    member_id = next_id()
    make_user(member_id, roles=(STAFF_ROLE,))
    assert [p.value for p in picker_search("staf")] == [f"Role:{STAFF_ROLE}"]
    assert [p.value for p in picker_search(str(member_id))] == [f"User:{member_id}"]
    assert [p.value for p in picker_search(f"user{member_id}")] == [f"User:{member_id}"]
    everyone = {p.value for p in picker_search("")}
    assert {f"Role:{STAFF_ROLE}", f"Role:{ADMIN_ROLE}", f"User:{member_id}"} <= everyone
    assert picker_search("nobody-like-this") == []


def test_a_search_keeps_the_member_or_role_already_chosen(guild, client_for) -> None:
    """The picker's list refreshes as one types: a choice made meanwhile is sent along and stays
    chosen, listed first when the new search no longer matches it."""
    client = client_for("superuser")
    chosen = f"Role:{STAFF_ROLE}"
    page = client.get("/panel/administration", {"q": "staf", "subject": chosen}).content.decode()
    assert f'value="{chosen}" checked' in page
    page = client.get("/panel/administration", {"q": "nobody-like-this", "subject": chosen}).content.decode()
    assert f'value="{chosen}" checked' in page
    assert "Nobody in the server" not in page
    page = client.get("/panel/administration", {"q": "staf", "subject": "Role:not-an-id"}).content.decode()
    assert "checked" not in page.split('id="picker-results"')[1].split("</fieldset>")[0]


def test_holders_say_why(guild) -> None:
    admin_id = next_id()
    make_user(admin_id, roles=(ADMIN_ROLE,))
    PanelPermission.objects.create(
        subject_type="Role", subject_id=STAFF_ROLE, permission="ViewPanel", granted_by=OWNER
    )
    holders = {(h.subject_type, h.subject_id): h for h in permission_holders()}
    assert holders[("User", OWNER)].everything and holders[("User", SUPER_ADMIN)].everything
    assert holders[("Role", SUPER_ROLE)].everything
    admin_role = holders[("Role", ADMIN_ROLE)]
    assert admin_role.everything and admin_role.members == 1 and admin_role.name == "Admin"
    staff = holders[("Role", STAFF_ROLE)]
    assert not staff.everything and staff.permissions == ["ViewPanel"] and staff.members == 0
    assert ("User", admin_id) not in holders  # through their role only
    assert GUILD not in {h.subject_id for h in holders.values()}
