"""The Discord login: ``/api/auth/login``, ``/api/auth/callback`` and ``/api/auth/logout``.

The round trip runs end to end through the real HTTP stack (the live server) against the Discord
emulator, whose OAuth2 endpoints the login reaches through ``DISCORD_API_BASE``.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.contrib.sessions.models import Session
from django.utils import timezone
from rest_framework.test import APIClient

from tickets.models import BotConfig, GuildMember

from .conftest import CLIENT_ID


def test_login_redirects_to_discord_with_a_state(guild, settings) -> None:
    settings.DISCORD_API_BASE = "http://discord.test/api/v10"

    response = APIClient().get("/api/auth/login")

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert (
        f"{location.scheme}://{location.netloc}{location.path}"
        == "http://discord.test/api/v10/oauth2/authorize"
    )
    query = parse_qs(location.query)
    assert query["client_id"] == [str(CLIENT_ID)]
    assert query["redirect_uri"] == ["http://testserver/api/auth/callback"]
    assert query["response_type"] == ["code"]
    assert "identify" in query["scope"][0].split()
    assert len(query["state"][0]) >= 12


def test_the_configured_redirect_url_wins(guild) -> None:
    BotConfig.objects.update(bot_redirect_url="https://panel.example.com/api/auth/callback")
    location = APIClient().get("/api/auth/login")["Location"]
    assert parse_qs(urlsplit(location).query)["redirect_uri"] == [
        "https://panel.example.com/api/auth/callback"
    ]


def test_login_without_a_discord_application_is_a_503(db) -> None:
    response = APIClient().get("/api/auth/login")
    assert response.status_code == 503
    assert set(response.json()) == {"error"}


@pytest.mark.parametrize("query", ["", "?code=abc", "?code=abc&state=forged", "?error=access_denied&state=x"])
def test_a_callback_without_a_valid_state_is_refused(guild, query: str) -> None:
    client = APIClient()
    client.get("/api/auth/login")  # a real state exists in the session, but is not the one sent
    response = client.get(f"/api/auth/callback{query}")
    assert response.status_code == 400
    assert set(response.json()) == {"error"}


def test_logout_ends_the_session(login) -> None:
    client = login()
    assert client.get("/api/panel/check").status_code == 200
    response = client.get("/api/auth/logout")
    assert (response.status_code, response["Location"]) == (302, "/")
    assert client.get("/api/panel/check").status_code == 401


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_REFERER": "https://evil.example/page.html"},
    ],
)
def test_a_cross_site_logout_keeps_the_session(login, method: str, headers: dict[str, str]) -> None:
    client = login()
    response = getattr(client, method)("/api/auth/logout", **headers)
    assert response.status_code == 403 and set(response.json()) == {"error"}
    assert client.get("/api/panel/check").status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "same-origin"},
        {"HTTP_SEC_FETCH_SITE": "none"},  # typed in the address bar
        {"HTTP_ORIGIN": "http://testserver"},
        {"HTTP_REFERER": "http://testserver/panel/tickets"},
    ],
)
def test_a_logout_from_the_panel_itself_ends_the_session(login, headers: dict[str, str]) -> None:
    client = login()
    assert client.post("/api/auth/logout", **headers).status_code == 302
    assert client.get("/api/panel/check").status_code == 401


def test_an_anonymous_login_start_keeps_no_long_session(guild) -> None:
    for _ in range(3):
        assert APIClient().get("/api/auth/login").status_code == 302
    soon = timezone.now() + timedelta(minutes=15)
    assert Session.objects.count() == 3
    assert all(session.expire_date <= soon for session in Session.objects.all())


@pytest.fixture
def oauth_emulator(fake_discord_thread, live_server, settings):
    """The login configured against the Discord emulator's OAuth2 endpoints, as its staff member."""
    emu = fake_discord_thread
    demo = emu.demo
    settings.DISCORD_API_BASE = emu.api_base
    settings.SESSION_COOKIE_SECURE = False  # the live server speaks plain HTTP
    config = BotConfig.load()
    config.mode_guild_id = demo.guild_id
    config.bot_client_id = emu.application_id
    config.bot_client_secret = emu.client_secret
    config.bot_redirect_url = f"{live_server.url}/api/auth/callback"
    config.save()
    GuildMember.objects.create(
        guild_id=demo.guild_id,
        user_id=demo.staff_id,
        username="staffmember",
        role_ids=[str(demo.staff_role_id)],
    )
    emu.oauth_login_as(demo.staff_id)
    return emu


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("status", [500, 401])
def test_a_callback_whose_profile_request_fails_is_a_502(oauth_emulator, live_server, status: int) -> None:
    oauth_emulator.faults.fail_next("GET", r"^/users/@me$", status=status)
    browser = requests.Session()
    to_discord = browser.get(f"{live_server.url}/api/auth/login", allow_redirects=False)
    callback = browser.get(to_discord.headers["Location"], allow_redirects=False).headers["Location"]

    landed = browser.get(callback, allow_redirects=False)

    assert landed.status_code == 502
    assert set(landed.json()) == {"error"}
    assert not SocialAccount.objects.exists()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_login_round_trip_against_the_emulator(oauth_emulator, live_server, settings) -> None:
    emu = oauth_emulator
    demo = emu.demo
    browser = requests.Session()

    to_discord = browser.get(f"{live_server.url}/api/auth/login?next=/panel/tickets", allow_redirects=False)
    assert to_discord.status_code == 302
    assert to_discord.headers["Location"].startswith(f"{emu.api_base}/oauth2/authorize?")
    back = browser.get(to_discord.headers["Location"], allow_redirects=False)
    callback = back.headers["Location"]
    assert callback.startswith(f"{live_server.url}/api/auth/callback?code=")
    landed = browser.get(callback, allow_redirects=False)

    assert (landed.status_code, landed.headers["Location"]) == (302, "/panel/tickets")
    cookie = next(c for c in browser.cookies if c.name == settings.SESSION_COOKIE_NAME)
    assert cookie.has_nonstandard_attr("HttpOnly")
    # Signed in: the session has its normal lifetime again (the login state's was short).
    expiry = Session.objects.get(session_key=cookie.value).expire_date
    assert expiry > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 3600)
    assert browser.get(f"{live_server.url}/api/panel/check").json() == {"authorized": True}
    account = SocialAccount.objects.get(provider="discord")
    assert account.uid == str(demo.staff_id)
    assert browser.get(f"{live_server.url}/api/user/permissions").json() == []

    replayed = browser.get(callback, allow_redirects=False)
    assert replayed.status_code == 400
    assert set(replayed.json()) == {"error"}

    assert browser.get(f"{live_server.url}/api/auth/logout", allow_redirects=False).status_code == 302
    assert browser.get(f"{live_server.url}/api/panel/check").status_code == 401
