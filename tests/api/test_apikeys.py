"""``/api/apikeys``, key authentication on ``/api/externals/*`` and ``manage.py createapikey``."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from apikeys.models import ApiKey
from apikeys.services import apikey_create, hash_key

from .conftest import CUSTOMER, Permission

URL = "/api/apikeys"
CREATE = "/api/externals/tickets/create"
KEY_FORMAT = re.compile(r"^rustmail_[0-9a-f]{64}$")


@pytest.fixture
def keymaster(login):
    return login(grants=(Permission.MANAGE_API_KEYS,))


def test_create_returns_the_key_once_and_stores_only_its_hash(keymaster) -> None:
    expires = int(time.time()) + 3600
    response = keymaster.post(
        URL, {"name": "My Integration", "permissions": ["CreateTicket"], "expires_at": expires}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"api_key", "id", "name", "permissions", "created_at", "expires_at"}
    assert KEY_FORMAT.match(body["api_key"])
    assert (body["name"], body["permissions"], body["expires_at"]) == (
        "My Integration",
        ["CreateTicket"],
        expires,
    )
    assert isinstance(body["created_at"], int)
    stored = ApiKey.objects.get(pk=body["id"])
    assert stored.key_hash == hash_key(body["api_key"])
    assert body["api_key"] not in str(ApiKey.objects.values_list())


def test_list_shows_a_preview_never_the_key(keymaster) -> None:
    created = apikey_create(name="Integration Key", permissions=["CreateTicket"])

    listed = keymaster.get(URL).json()

    assert listed == [
        {
            "id": created.api_key.pk,
            "name": "Integration Key",
            "permissions": ["CreateTicket"],
            "created_at": int(created.api_key.created_at.timestamp()),
            "expires_at": None,
            "last_used_at": None,
            "is_active": True,
            "key_preview": created.secret.removeprefix("rustmail_")[:12] + "...",
        }
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"name": "", "permissions": ["CreateTicket"]},
        {"name": "   ", "permissions": ["CreateTicket"]},
        {"name": "x", "permissions": []},
        {"name": "x", "permissions": ["DeleteEverything"]},
        {"name": "x", "permissions": ["CreateTicket"], "expires_at": 1},
        {"name": "x", "permissions": ["CreateTicket"], "expires_at": "tomorrow"},
        {"name": "x", "permissions": ["CreateTicket"], "expires_at": 10**30},
        {"name": "x\x00y", "permissions": ["CreateTicket"]},
        {"name": "x" * 101, "permissions": ["CreateTicket"]},
        {"permissions": ["CreateTicket"]},
    ],
)
def test_invalid_creations_are_a_400(keymaster, body) -> None:
    response = keymaster.post(URL, body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"error"}
    assert not ApiKey.objects.exists()


def test_revoke_deactivates_and_delete_removes(keymaster) -> None:
    key = apikey_create(name="k", permissions=["CreateTicket"]).api_key

    assert keymaster.post(f"{URL}/{key.pk}/revoke").status_code == 204
    assert keymaster.get(URL).json()[0]["is_active"] is False
    assert keymaster.delete(f"{URL}/{key.pk}").status_code == 204
    assert keymaster.get(URL).json() == []
    assert keymaster.delete(f"{URL}/{key.pk}").status_code == 404
    assert keymaster.post(f"{URL}/{key.pk}/revoke").status_code == 404


@pytest.mark.parametrize("header", ["X-API-Key", "Authorization"])
def test_a_key_works_in_either_header_and_is_marked_used(guild, key_client, header: str) -> None:
    client = key_client(header=header)
    response = client.post(CREATE, {"discord_id": str(CUSTOMER)}, format="json")
    assert response.status_code == 200
    assert ApiKey.objects.get().last_used_at is not None


def test_unknown_revoked_and_expired_keys_get_401(guild, key_client) -> None:
    unknown = key_client()
    unknown.credentials(HTTP_X_API_KEY="rustmail_" + "0" * 64)
    assert unknown.post(CREATE, {"discord_id": str(CUSTOMER)}, format="json").status_code == 401

    not_a_key = key_client()
    not_a_key.credentials(HTTP_AUTHORIZATION="Bearer nonsense")
    assert not_a_key.post(CREATE, {"discord_id": str(CUSTOMER)}, format="json").status_code == 401

    revoked = key_client()
    ApiKey.objects.filter(key_hash=hash_key(revoked.secret)).update(is_active=False)
    response = revoked.post(CREATE, {"discord_id": str(CUSTOMER)}, format="json")
    assert (response.status_code, response.json()) == (401, {"error": "API key has been revoked"})

    expired = key_client(expires_at=timezone.now() + timedelta(seconds=1))
    ApiKey.objects.filter(key_hash=hash_key(expired.secret)).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = expired.post(CREATE, {"discord_id": str(CUSTOMER)}, format="json")
    assert (response.status_code, response.json()) == (401, {"error": "API key has expired"})


def test_a_key_without_the_permission_gets_403(guild, key_client) -> None:
    key = apikey_create(name="k", permissions=["CreateTicket"])
    ApiKey.objects.filter(pk=key.api_key.pk).update(permissions=[])
    client = key_client()
    client.credentials(HTTP_X_API_KEY=key.secret)
    response = client.post(CREATE, {"discord_id": str(CUSTOMER)}, format="json")
    assert (response.status_code, response.json()) == (
        403,
        {"error": "Missing required permission: CreateTicket"},
    )


def test_a_key_is_refused_by_panel_endpoints(guild, key_client) -> None:
    client = key_client()
    for path in ("/api/bot/status", "/api/admin/members", URL, "/api/panel/check"):
        assert client.get(path).status_code == 401


def test_createapikey_prints_the_key_on_the_last_line(db) -> None:
    out = StringIO()
    call_command(
        "createapikey",
        "Website form",
        "--permission",
        "CreateTicket",
        "--expires-at",
        "2999-01-01",
        stdout=out,
    )
    key = out.getvalue().strip().splitlines()[-1]
    assert KEY_FORMAT.match(key)
    stored = ApiKey.objects.get(key_hash=hash_key(key))
    assert stored.name == "Website form"
    assert stored.permissions == ["CreateTicket"]
    assert stored.expires_at.year == 2999


def test_createapikey_refuses_bad_input(db) -> None:
    with pytest.raises(CommandError):
        call_command("createapikey", "x", "--expires-at", "soon", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("createapikey", "x", "--expires-at", "2001-01-01T00:00:00", stdout=StringIO())
    with pytest.raises(CommandError, match="control characters"):
        call_command("createapikey", "tab\there", "--permission", "CreateTicket", stdout=StringIO())
    assert not ApiKey.objects.exists()
