"""Every endpoint × {anonymous, API key, user without the permission, user with it, super admin}.

One table lists every route and method of the API with what it needs; the expected status of each
caller follows from that alone. ``test_the_table_covers_every_route`` fails when a route or a
method is added without a row, so no endpoint can be forgotten.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, get_resolver
from rest_framework.test import APIClient

from apikeys.services import apikey_create
from panel.models import PanelPermission
from tickets.models import Ticket
from tickets.services.category_admin import category_add, category_role_link
from tickets.services.config import config_as_dict

from .conftest import (
    ALL,
    CUSTOMER,
    OWNER,
    STAFF_ROLE,
    SUPER_ADMIN,
    Permission,
    make_user,
    next_id,
    session_client,
)

PUBLIC = "public"  # no authentication at all
SESSION = "session"  # any valid panel session
KEY = "key:CreateTicket"  # an API key holding CreateTicket
# Readers: a panel session holding ViewPanel, or an API key holding ReadTickets (a CreateTicket key: 403).
READ = "read"


def _new_key(_: Any) -> dict[str, Any]:
    return {"key": apikey_create(name="target", permissions=["CreateTicket"]).api_key.pk}


def _new_grant(_: Any) -> dict[str, Any]:
    grant = PanelPermission.objects.create(
        subject_type="Role", subject_id=STAFF_ROLE, permission=Permission.VIEW_BANS, granted_by=OWNER
    )
    return {"grant": grant.pk}


def _new_category(_: Any) -> dict[str, Any]:
    category = category_add(name=f"Billing {next_id()}", discord_category_id=next_id())
    category_role_link(category_id=category.pk, role_id=STAFF_ROLE)
    return {"category": category.pk, "role": STAFF_ROLE}


def _new_ticket(_: Any) -> dict[str, Any]:
    return {"ticket": Ticket.objects.create(user_id=next_id(), user_name="customer").pk}


def _new_attachment(_: Any) -> dict[str, Any]:
    from tests.attachments.helpers import png, stored_attachment

    return {"attachment": stored_attachment(data=png(64, 48)).pk}


def _grant_body(_: Any) -> dict[str, Any]:
    _new_grant(None)
    return {"subject_type": "Role", "subject_id": str(STAFF_ROLE), "permission": "ViewBans"}


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # may hold {key} or {grant}, filled by ``setup``
    needs: str  # PUBLIC, SESSION, KEY or a panel permission
    ok: int  # the status of a caller who may
    body: Callable[[Any], Any] | None = None
    setup: Callable[[Any], dict[str, Any]] | None = None


ENDPOINTS = [
    Endpoint("GET", "/api/health", PUBLIC, 200),
    Endpoint("GET", "/api/openapi.yaml", PUBLIC, 200),
    Endpoint("GET", "/api/docs", PUBLIC, 200),
    Endpoint("GET", "/api/docs/", PUBLIC, 200),
    Endpoint("GET", "/api/auth/login", PUBLIC, 302),
    Endpoint("GET", "/api/auth/callback", PUBLIC, 400),  # no state: refused whoever calls
    Endpoint("GET", "/api/auth/logout", PUBLIC, 302),
    Endpoint("POST", "/api/auth/logout", PUBLIC, 302),
    Endpoint("GET", "/api/bot/status", Permission.VIEW_PANEL, 200),
    Endpoint("POST", "/api/bot/start", Permission.MANAGE_BOT, 200),
    Endpoint("POST", "/api/bot/stop", Permission.MANAGE_BOT, 200),
    Endpoint("POST", "/api/bot/restart", Permission.MANAGE_BOT, 200),
    Endpoint("POST", "/api/bot/presence", Permission.MANAGE_BOT, 200, body=lambda _: {"status": "idle"}),
    Endpoint("GET", "/api/bot/config", Permission.VIEW_PANEL, 200),
    Endpoint(
        "PUT", "/api/bot/config", Permission.MANAGE_CONFIG, 200, body=lambda _: config_as_dict(masked=True)
    ),
    Endpoint("GET", "/api/bot/tickets", Permission.VIEW_PANEL, 200),
    Endpoint("GET", "/api/bot/statistics", Permission.VIEW_PANEL, 200),
    Endpoint("GET", "/api/apikeys", Permission.MANAGE_API_KEYS, 200),
    Endpoint(
        "POST",
        "/api/apikeys",
        Permission.MANAGE_API_KEYS,
        200,
        body=lambda _: {"name": "Website", "permissions": ["CreateTicket"], "expires_at": None},
    ),
    Endpoint("POST", "/api/apikeys/{key}/revoke", Permission.MANAGE_API_KEYS, 204, setup=_new_key),
    Endpoint("DELETE", "/api/apikeys/{key}", Permission.MANAGE_API_KEYS, 204, setup=_new_key),
    Endpoint("GET", "/api/attachments/{attachment}", READ, 200, setup=_new_attachment),
    Endpoint("GET", "/api/attachments/{attachment}/thumbnail", READ, 200, setup=_new_attachment),
    Endpoint("GET", "/api/bot/tickets/{ticket}/transcript", READ, 200, setup=_new_ticket),
    Endpoint("GET", "/api/admin/members", Permission.MANAGE_PERMISSIONS, 200),
    Endpoint("GET", "/api/admin/roles", Permission.MANAGE_PERMISSIONS, 200),
    Endpoint("GET", "/api/admin/permissions", Permission.MANAGE_PERMISSIONS, 200),
    Endpoint("GET", "/api/admin/bans", Permission.VIEW_BANS, 200),
    Endpoint(
        "POST",
        "/api/admin/permissions",
        Permission.MANAGE_PERMISSIONS,
        200,
        body=lambda _: {
            "subject_type": "User",
            "subject_id": "123456789012345678",
            "permission": "ViewPanel",
        },
    ),
    Endpoint("DELETE", "/api/admin/permissions", Permission.MANAGE_PERMISSIONS, 200, body=_grant_body),
    Endpoint(
        "DELETE", "/api/admin/permissions/{grant}", Permission.MANAGE_PERMISSIONS, 200, setup=_new_grant
    ),
    Endpoint("GET", "/api/user/avatar", SESSION, 200),
    Endpoint("GET", "/api/user/permissions", SESSION, 200),
    Endpoint("GET", "/api/panel/check", SESSION, 200),
    Endpoint("POST", "/api/externals/tickets/create", KEY, 200, body=lambda _: {"discord_id": str(CUSTOMER)}),
    Endpoint("GET", "/api/bot/profile", Permission.VIEW_PANEL, 200),
    Endpoint("PUT", "/api/bot/profile", Permission.MANAGE_BOT, 200, body=lambda _: {"username": "Helpdesk"}),
    Endpoint("GET", "/api/categories", Permission.MANAGE_CATEGORIES, 200),
    Endpoint(
        "POST",
        "/api/categories",
        Permission.MANAGE_CATEGORIES,
        200,
        body=lambda _: {"name": f"Sales {next_id()}", "discord_category_id": str(next_id())},
    ),
    Endpoint(
        "PATCH",
        "/api/categories/{category}",
        Permission.MANAGE_CATEGORIES,
        200,
        body=lambda _: {"enabled": False},
        setup=_new_category,
    ),
    Endpoint("DELETE", "/api/categories/{category}", Permission.MANAGE_CATEGORIES, 204, setup=_new_category),
    Endpoint("GET", "/api/categories/settings", Permission.MANAGE_CATEGORIES, 200),
    Endpoint(
        "PUT",
        "/api/categories/settings",
        Permission.MANAGE_CATEGORIES,
        200,
        body=lambda _: {"enabled": True, "selection_timeout_s": 120},
    ),
    Endpoint(
        "GET", "/api/categories/{category}/roles", Permission.MANAGE_CATEGORIES, 200, setup=_new_category
    ),
    Endpoint(
        "POST",
        "/api/categories/{category}/roles",
        Permission.MANAGE_CATEGORIES,
        200,
        body=lambda _: {"role_id": str(next_id())},
        setup=_new_category,
    ),
    Endpoint(
        "PUT",
        "/api/categories/{category}/roles",
        Permission.MANAGE_CATEGORIES,
        200,
        body=lambda _: {"role_ids": [str(next_id())]},
        setup=_new_category,
    ),
    Endpoint(
        "DELETE", "/api/categories/{category}/roles", Permission.MANAGE_CATEGORIES, 204, setup=_new_category
    ),
    Endpoint(
        "DELETE",
        "/api/categories/{category}/roles/{role}",
        Permission.MANAGE_CATEGORIES,
        200,
        setup=_new_category,
    ),
]

CALLERS = ("anonymous", "api_key", "without_permission", "with_permission", "super_admin")


def expected(endpoint: Endpoint, caller: str) -> int:
    """The status ``caller`` gets from ``endpoint``, from the table alone."""
    if endpoint.needs == PUBLIC:
        return endpoint.ok
    if endpoint.needs == KEY:
        return endpoint.ok if caller == "api_key" else 401
    if endpoint.needs == READ and caller == "api_key":
        return 403  # a key that does not hold ReadTickets
    if caller in ("anonymous", "api_key"):
        return 401  # an API key is no panel session
    if caller == "without_permission" and endpoint.needs != SESSION:
        return 403
    return endpoint.ok


def client_for(caller: str, endpoint: Endpoint) -> APIClient:
    if caller == "anonymous":
        return APIClient()
    if caller == "api_key":
        client = APIClient()
        client.credentials(HTTP_X_API_KEY=apikey_create(name="caller", permissions=["CreateTicket"]).secret)
        return client
    if caller == "super_admin":
        return session_client(make_user(SUPER_ADMIN))
    needs = Permission.VIEW_PANEL if endpoint.needs == READ else endpoint.needs
    needed = () if needs in (PUBLIC, SESSION, KEY) else (needs,)
    if caller == "with_permission":
        return session_client(make_user(next_id(), roles=(STAFF_ROLE,), grants=needed))
    # Every permission but the one needed: only that one can be missing.
    others = tuple(p for p in ALL if p not in needed)
    return session_client(make_user(next_id(), roles=(STAFF_ROLE,), grants=others))


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: f"{e.method} {e.path}")
def test_permission_matrix(guild, endpoint: Endpoint, caller: str) -> None:
    client = client_for(caller, endpoint)
    path = endpoint.path.format(**(endpoint.setup(guild) if endpoint.setup else {}))
    body = endpoint.body(guild) if endpoint.body else None
    response = client.generic(
        endpoint.method,
        path,
        data="" if body is None else json.dumps(body),
        content_type="application/json",
    )
    assert response.status_code == expected(endpoint, caller), response.content[:300]
    if response.status_code >= 400:
        assert set(response.json()) == {"error"}


def _routes() -> set[tuple[str, str]]:
    """(method, route) of every API view, read from the URL configuration."""
    found = set()
    for pattern in get_resolver("panel.urls").url_patterns:
        assert isinstance(pattern, URLPattern)
        view = getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None)
        if pattern.name in ("api-not-found",):
            continue
        route = "/api/" + str(pattern.pattern).replace("<int:key_id>", "{key}").replace(
            "<int:grant_id>", "{grant}"
        )
        route = route.replace("<int:category_id>", "{category}").replace("<str:role_id>", "{role}")
        route = route.replace("<int:attachment_id>", "{attachment}")
        route = route.replace("<str:ticket_id>", "{ticket}")
        actions = getattr(pattern.callback, "actions", None)  # a ViewSet's methods on this route
        methods = [
            m
            for m in ("get", "post", "put", "patch", "delete")
            if (m in actions if actions is not None else view is None or hasattr(view, m))
        ]
        found |= {(m.upper(), route) for m in methods}
    return found


def test_the_table_covers_every_route() -> None:
    assert _routes() == {(e.method, e.path) for e in ENDPOINTS}
