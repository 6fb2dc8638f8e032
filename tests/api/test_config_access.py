"""Who may use the panel is not ManageConfig's to decide: ``PUT /api/bot/config`` and
``config_update(may_change_access=...)``."""

from __future__ import annotations

import pytest

from panel.selectors import panel_access
from tickets.errors import PermissionDenied
from tickets.models import BotConfig, ConfigRevision
from tickets.services.config import AccessFieldsRefused, config_update

from .conftest import GUILD, SUPER_ADMIN, Permission, make_user, next_id, session_client

URL = "/api/bot/config"


@pytest.fixture
def editor_id(guild) -> int:
    return next_id()


@pytest.fixture
def editor_user(editor_id):
    """A member holding ManageConfig (and ViewPanel), not ManagePermissions."""
    return make_user(editor_id, grants=(Permission.VIEW_PANEL, Permission.MANAGE_CONFIG))


@pytest.fixture
def editor(editor_user):
    return session_client(editor_user)


def test_a_manageconfig_holder_cannot_make_themselves_super_admin(editor, editor_id, editor_user) -> None:
    data = editor.get(URL).json()
    data["bot"]["panel_super_admin_users"].append(str(editor_id))
    data["bot"]["status"] = "changed too"

    response = editor.put(URL, data, format="json")

    assert response.status_code == 403
    assert response.json() == {
        "error": "Only holders of ManagePermissions may change bot.panel_super_admin_users: "
        "nothing was saved."
    }
    config = BotConfig.load()
    assert config.bot_panel_super_admin_users == [SUPER_ADMIN]
    assert config.bot_status == "DM for support"  # nothing at all was saved
    assert not ConfigRevision.objects.exists()
    assert not panel_access(user=editor_user).is_admin


def test_every_refused_key_is_named(editor) -> None:
    data = editor.get(URL).json()
    data["bot"]["panel_super_admin_roles"] = ["900000000000000555"]
    data["bot"]["mode"]["guild_id"] = "900000000000000556"
    data["bot"]["redirect_url"] = "https://evil.example/api/auth/callback"
    data["bot"]["client_secret"] = "attacker-secret"

    response = editor.put(URL, data, format="json")

    assert response.status_code == 403
    error = response.json()["error"]
    for key in (
        "bot.panel_super_admin_roles",
        "bot.mode.guild_id",
        "bot.redirect_url",
        "bot.client_secret",
    ):
        assert key in error
    assert BotConfig.load().mode_guild_id == GUILD


def test_sending_the_access_keys_unchanged_is_fine(editor) -> None:
    data = editor.get(URL).json()
    admins = data["bot"]["panel_super_admin_users"]
    data["bot"]["panel_super_admin_users"] = [str(i) for i in reversed(admins)]
    data["bot"]["status"] = "Write to us"

    assert editor.put(URL, data, format="json").status_code == 200
    assert BotConfig.load().bot_status == "Write to us"


def test_a_managepermissions_holder_may_change_super_admins(guild) -> None:
    member = next_id()
    grants = (Permission.VIEW_PANEL, Permission.MANAGE_CONFIG, Permission.MANAGE_PERMISSIONS)
    client = session_client(make_user(member, grants=grants))
    data = client.get(URL).json()
    data["bot"]["panel_super_admin_users"].append(str(member))

    assert client.put(URL, data, format="json").status_code == 200
    assert BotConfig.load().bot_panel_super_admin_users == [SUPER_ADMIN, member]


def test_a_super_admin_may_change_super_admins(super_admin) -> None:
    data = super_admin.get(URL).json()
    data["bot"]["panel_super_admin_roles"] = []

    assert super_admin.put(URL, data, format="json").status_code == 200
    assert BotConfig.load().bot_panel_super_admin_roles == []


def test_the_service_refuses_by_default(guild) -> None:
    """The panel's configuration page and any other caller inherit the rule from the service."""
    with pytest.raises(AccessFieldsRefused) as refused:
        config_update(data={"bot": {"panel_super_admin_users": [next_id()]}}, saved_by="tests")
    assert isinstance(refused.value, PermissionDenied)
    assert refused.value.status == 403
    assert refused.value.fields == ["bot.panel_super_admin_users"]

    config_update(data={"bot": {"panel_super_admin_users": []}}, saved_by="tests", may_change_access=True)
    assert BotConfig.load().bot_panel_super_admin_users == []
