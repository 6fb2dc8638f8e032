"""A configured staff guild (as the bot's cache shows it), panel users of every standing, API keys,
and the in-memory Discord, for the REST API tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.core.cache import cache
from rest_framework.test import APIClient

from apikeys.services import apikey_create
from panel.models import PanelPermission
from tickets.discord import set_port
from tickets.discord.fake import FakeDiscord
from tickets.discord.port import ADMINISTRATOR, VIEW_CHANNEL
from tickets.models import BotConfig, GuildChannel, GuildMember, GuildRole, GuildSnapshot

GUILD = 900_000_000_000_000_001
OWNER = 900_000_000_000_000_010
STAFF_ROLE = 900_000_000_000_000_100
ADMIN_ROLE = 900_000_000_000_000_101
SUPER_ROLE = 900_000_000_000_000_102
INBOX = 900_000_000_000_001_000
SECRET_CATEGORY = 900_000_000_000_001_001
SUPER_ADMIN = 900_000_000_000_000_020
CUSTOMER = 910_000_000_000_000_001
CLIENT_ID = 900_000_000_000_009_999

Permission = PanelPermission.Permission
ALL = tuple(Permission.values)
_ids = iter(range(920_000_000_000_000_001, 930_000_000_000_000_000))


def next_id() -> int:
    return next(_ids)


def staff_only(guild: int = GUILD) -> list[dict[str, Any]]:
    """Overwrites of a category only the staff role may view."""
    return [
        {"id": str(guild), "type": 0, "allow": "0", "deny": str(VIEW_CHANNEL)},
        {"id": str(STAFF_ROLE), "type": 0, "allow": str(VIEW_CHANNEL), "deny": "0"},
    ]


@dataclass
class Guild:
    """The staff guild of the tests, and the in-memory Discord behind it."""

    discord: FakeDiscord
    config: BotConfig


@pytest.fixture(autouse=True)
def _api_environment(settings, db) -> Iterator[None]:
    """Fast password hashing, fresh rate-limit counters (the cache may be a database table)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def guild(db) -> Iterator[Guild]:
    """Single mode on GUILD, owned by OWNER; roles Staff, Admin (Administrator) and Super (a super
    admin role); an Inbox category for staff only and a Secret category nobody but admins sees."""
    config = BotConfig.load()
    config.mode_type = "single"
    config.mode_guild_id = GUILD
    config.thread_inbox_category_id = INBOX
    config.bot_panel_super_admin_users = [SUPER_ADMIN]
    config.bot_panel_super_admin_roles = [SUPER_ROLE]
    config.bot_client_id = CLIENT_ID
    config.bot_client_secret = "client-secret-of-the-tests"
    config.bot_token = "MTIzNDU2Nzg5.bot-token.of-the-tests-xyz9"
    config.bot_redirect_url = ""
    config.save()
    GuildSnapshot.objects.create(guild_id=GUILD, name="Test guild", owner_id=OWNER)
    GuildRole.objects.create(
        guild_id=GUILD, role_id=GUILD, name="@everyone", position=0, permissions=VIEW_CHANNEL
    )
    GuildRole.objects.create(guild_id=GUILD, role_id=STAFF_ROLE, name="Staff", position=2, color=3447003)
    GuildRole.objects.create(
        guild_id=GUILD,
        role_id=ADMIN_ROLE,
        name="Admin",
        position=5,
        color=15158332,
        permissions=ADMINISTRATOR,
    )
    GuildRole.objects.create(guild_id=GUILD, role_id=SUPER_ROLE, name="Super", position=3)
    GuildChannel.objects.create(
        guild_id=GUILD, channel_id=INBOX, name="Inbox", type=4, overwrites=staff_only()
    )
    GuildChannel.objects.create(
        guild_id=GUILD,
        channel_id=SECRET_CATEGORY,
        name="Secret",
        type=4,
        overwrites=[{"id": str(GUILD), "type": 0, "allow": "0", "deny": str(VIEW_CHANNEL)}],
    )
    discord = FakeDiscord()
    discord.add_member(GUILD, CUSTOMER, "customer")
    set_port(discord)
    yield Guild(discord=discord, config=config)
    set_port(None)


def make_user(
    discord_id: int | None,
    *,
    roles: tuple[int, ...] = (),
    member: bool = True,
    superuser: bool = False,
    avatar: str | None = "abc123",
    grants: tuple[str, ...] = (),
) -> Any:
    """A panel user: a Django user with a Discord ``SocialAccount``, a member of GUILD with ``roles``,
    holding ``grants`` (given to their user ID)."""
    name = f"user{discord_id or next_id()}"
    user = get_user_model().objects.create(username=name, is_superuser=superuser, is_staff=superuser)
    if discord_id is not None:
        SocialAccount.objects.create(
            user=user,
            provider="discord",
            uid=str(discord_id),
            extra_data={"id": str(discord_id), "username": name, "avatar": avatar},
        )
        if member:
            GuildMember.objects.create(
                guild_id=GUILD,
                user_id=discord_id,
                username=name,
                role_ids=[str(r) for r in roles],
                avatar=avatar or "",
            )
    for permission in grants:
        PanelPermission.objects.create(
            subject_type=PanelPermission.SubjectType.USER,
            subject_id=discord_id,
            permission=permission,
            granted_by=OWNER,
        )
    return user


def session_client(user: Any, **kwargs: Any) -> APIClient:
    client = APIClient(**kwargs)
    client.force_login(user)
    return client


@pytest.fixture
def login(guild: Guild) -> Callable[..., APIClient]:
    """``login(discord_id=None, **make_user options)`` → an API client with that user's session."""

    def make(discord_id: int | None = None, **options: Any) -> APIClient:
        return session_client(make_user(discord_id or next_id(), **options))

    return make


@pytest.fixture
def super_admin(login: Callable[..., APIClient]) -> APIClient:
    """A super admin from the configuration (holds every permission)."""
    return login(SUPER_ADMIN)


@pytest.fixture
def key_client(db) -> Callable[..., APIClient]:
    """``key_client(permissions=["CreateTicket"], header="X-API-Key")`` → a client sending a new key."""

    def make(permissions: tuple[str, ...] = ("CreateTicket",), header: str = "X-API-Key", **options: Any):
        secret = apikey_create(name="tests", permissions=list(permissions), **options).secret
        client = APIClient()
        if header == "X-API-Key":
            client.credentials(HTTP_X_API_KEY=secret)
        else:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        client.secret = secret
        return client

    return make
