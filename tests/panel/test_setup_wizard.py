"""``/setup``: the one-time link, each step's checks, and the save (the in-memory Discord as Discord)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client

from panel.models import SetupToken
from panel.services import setup_token_issue
from tickets.crypto import decrypt
from tickets.discord import set_port
from tickets.discord.fake import FakeDiscord
from tickets.models import BotConfig, ConfigRevision, SystemState
from tickets.services.setup import bot_permission_bits, setup_needed

pytestmark = pytest.mark.django_db
HOST = "panel.example.org:8443"


@pytest.fixture
def discord(settings) -> Iterator[FakeDiscord]:
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "panel.example.org"]
    settings.DISCORD_TOKEN = ""
    fake = FakeDiscord()
    set_port(fake)
    yield fake
    set_port(None)


@pytest.fixture
def wizard(discord) -> Client:
    """A browser that opened the printed link."""
    client = Client(HTTP_HOST=HOST)
    token = setup_token_issue()
    response = client.get(f"/setup/?token={token}")
    assert response.status_code == 302 and response["Location"] == "/setup/?step=token"
    return client


def step(client: Client, name: str, data: dict | None = None):
    url = f"/setup/?step={name}"
    return client.post(url, data) if data is not None else client.get(url)


def test_without_the_link_the_wizard_is_refused(discord):
    for url in ("/setup", "/setup/", "/setup/?step=review", "/setup/?token=wrong"):
        response = Client().get(url)
        assert response.status_code == 403
        assert "invalid or expired" in response.content.decode()


def test_the_link_opens_the_wizard_at_both_addresses(wizard):
    assert wizard.get("/setup").status_code == 200
    page = wizard.get("/setup/").content.decode()
    assert "Bot token" in page and 'name="token"' in page


def test_a_token_discord_refuses_stays_on_the_step_with_the_error_beside_it(wizard, discord):
    response = step(wizard, "token", {"token": "not-the-token"})
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(r'id="field-token">.*Discord refused this token', html, re.S)
    assert step(wizard, "server").status_code == 302, "no moving on without a valid token"


def test_the_steps_cannot_be_skipped(wizard):
    response = step(wizard, "review")
    assert response["Location"] == "/setup/?step=token"


def test_a_bot_in_no_server_gets_an_invite_link_with_its_permissions(wizard, discord):
    assert step(wizard, "token", {"token": discord.TOKEN})["Location"] == "/setup/?step=server"
    html = step(wizard, "server").content.decode()
    assert "The bot is in no server yet" in html
    assert f"client_id={discord.APPLICATION_ID}" in html
    assert f"permissions={bot_permission_bits()}" in html


def test_the_whole_wizard_saves_the_configuration_and_starts_the_bot(wizard, discord):
    SystemState.objects.update_or_create(pk=1, defaults={"desired_state": SystemState.Desired.STOPPED})
    guild = discord.add_guild("Support server")
    discord.add_text_channel(guild, "general")
    staff = discord.add_role(guild, "Staff")

    response = step(wizard, "token", {"token": discord.TOKEN})
    assert response["Location"] == "/setup/?step=server"
    assert "Modmail" in step(wizard, "server").content.decode()
    assert step(wizard, "server", {"mode": "single", "guild_id": str(guild)})["Location"].endswith("channels")
    response = step(
        wizard, "channels", {"inbox": "new", "inbox_name": "Tickets", "logs": "new", "logs_name": ""}
    )
    assert response.status_code == 400 and "Name the channel to create" in response.content.decode()
    response = step(
        wizard, "channels", {"inbox": "new", "inbox_name": "Tickets", "logs": "new", "logs_name": "logs"}
    )
    assert response["Location"].endswith("login")

    html = step(wizard, "login").content.decode()
    assert f"https://{HOST}/api/auth/callback" not in html  # plain HTTP here
    assert f"http://{HOST}/api/auth/callback" in html, "derived from the address in use"
    assert "localhost:3002" not in html
    assert f'value="{discord.APPLICATION_ID}"' in html, "the client ID is the application's"
    login = {
        "client_id": "not-an-id",
        "client_secret": "oauth-secret-123",
        "redirect_url": f"http://{HOST}/api/auth/callback",
        "super_admin_users": "700000000000000001",
        "super_admin_roles": [str(staff)],
    }
    response = step(wizard, "login", login)
    assert response.status_code == 400
    assert re.search(r'id="field-client_id">.*must be a Discord ID', response.content.decode(), re.S)
    login["client_id"] = str(discord.APPLICATION_ID)
    assert step(wizard, "login", login)["Location"].endswith("language")
    language = {
        "default_language": "fr",
        "status": "Écrivez-moi",
        "welcome_message": "Bonjour",
        "close_message": "Au revoir",
    }
    assert step(wizard, "language", language)["Location"].endswith("review")

    review = step(wizard, "review").content.decode()
    assert "Support server" in review and "Tickets" in review and "oaut...-123" in review
    assert "oauth-secret-123" not in review
    assert BotConfig.load().bot_token == "", "nothing is saved before the review's Save"

    response = step(wizard, "review", {})
    assert response["Location"] == "/setup/?step=done"
    cfg = BotConfig.load()
    assert cfg.bot_token == discord.TOKEN and cfg.mode_guild_id == guild
    assert discord.channels[cfg.thread_inbox_category_id].name == "Tickets"
    assert discord.channels[cfg.bot_logs_channel_id].name == "logs"
    assert cfg.bot_client_id == discord.APPLICATION_ID and cfg.bot_client_secret == "oauth-secret-123"
    assert cfg.bot_redirect_url == f"http://{HOST}/api/auth/callback"
    assert cfg.bot_panel_super_admin_users == [700000000000000001]
    assert cfg.bot_panel_super_admin_roles == [staff]
    assert cfg.language_default_language == "fr" and cfg.bot_welcome_message == "Bonjour"
    assert SystemState.load().desired_state == SystemState.Desired.RUNNING
    assert ConfigRevision.objects.count() == 1 and not setup_needed()
    assert SetupToken.objects.count() == 0

    done = wizard.get("/setup/?step=done").content.decode()
    assert "Rustmail is set up" in done and "Waiting for the bot" in done
    assert wizard.get("/setup/?step=token").status_code == 403, "the link is spent"


def test_a_superuser_may_run_the_wizard_without_the_link(discord):
    user = get_user_model().objects.create(username="root", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(user)
    assert client.get("/setup").status_code == 200
    other = get_user_model().objects.create(username="someone")
    client.force_login(other)
    assert client.get("/setup").status_code == 403


def test_the_bot_token_and_client_secret_wait_in_the_session_encrypted(wizard, discord):
    guild = discord.add_guild("Support server")
    step(wizard, "token", {"token": discord.TOKEN})
    step(wizard, "server", {"mode": "single", "guild_id": str(guild)})
    step(wizard, "channels", {"inbox": "new", "inbox_name": "Tickets", "logs": ""})
    login = {
        "client_id": str(discord.APPLICATION_ID),
        "client_secret": "oauth-secret-123",
        "redirect_url": "http://panel.example.org/api/auth/callback",
    }
    assert step(wizard, "login", login)["Location"].endswith("language")

    row = Session.objects.get(session_key=wizard.session.session_key)
    assert discord.TOKEN not in row.session_data and "oauth-secret-123" not in row.session_data
    state = row.get_decoded()["setup_wizard"]
    assert discord.TOKEN not in str(state) and "oauth-secret-123" not in str(state)
    assert decrypt(state["token"]) == discord.TOKEN
    assert decrypt(state["client_secret"]) == "oauth-secret-123"
    # The wizard itself still reads them: the review masks the secret, the save stores both.
    step(wizard, "language", {"default_language": "en"})
    assert "oaut...-123" in step(wizard, "review").content.decode()
    assert step(wizard, "review", {})["Location"] == "/setup/?step=done"
    cfg = BotConfig.load()
    assert cfg.bot_token == discord.TOKEN and cfg.bot_client_secret == "oauth-secret-123"


def test_back_on_the_token_step_an_empty_field_keeps_the_checked_bot(wizard, discord):
    step(wizard, "token", {"token": discord.TOKEN})
    html = step(wizard, "token").content.decode()
    assert "Leave the field empty to keep this bot" in html and discord.TOKEN not in html
    assert step(wizard, "token", {"token": ""})["Location"] == "/setup/?step=server"
    response = step(wizard, "token", {"token": "MTIz.another.token"})
    assert response.status_code == 400, "a new token is checked again"
    assert step(wizard, "server").status_code == 200, "the checked one is still there"
