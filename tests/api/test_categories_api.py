"""``/api/categories``: shapes as Rustmail's ``CategoryDto``, ``CategorySettingsDto`` and
``CategoryRolesDto``, the rules of its handlers (name required and unique, 24 enabled at most,
timeout 30 or more, role IDs checked), bad input 400 with nothing written, unknown IDs 404."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from tickets.models import CategoryRole, CategorySettings, TicketCategory
from tickets.services.category_admin import category_add, category_role_link

from .conftest import INBOX, Permission, make_user, next_id, session_client

ROLE_A = "930000000000000001"
ROLE_B = "930000000000000002"


@pytest.fixture
def api(guild) -> APIClient:
    return session_client(make_user(next_id(), grants=(Permission.VIEW_PANEL, Permission.MANAGE_CATEGORIES)))


def call(api: APIClient, method: str, path: str, body: Any = None):
    return api.generic(
        method, path, data="" if body is None else json.dumps(body), content_type="application/json"
    )


def snapshot() -> list[tuple]:
    """Everything the categories API can write."""
    settings = CategorySettings.load()
    return [
        *TicketCategory.objects.values_list(
            "pk", "name", "description", "emoji", "discord_category_id", "position", "enabled"
        ),
        *CategoryRole.objects.values_list("category_id", "role_id"),
        (settings.prompt_enabled, settings.selection_timeout),
    ]


def test_create_answers_a_category_dto(api) -> None:
    response = call(
        api,
        "POST",
        "/api/categories",
        {"name": " Billing ", "description": "Payments", "emoji": "💳", "discord_category_id": str(INBOX)},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {
        "id",
        "name",
        "description",
        "emoji",
        "discord_category_id",
        "position",
        "enabled",
        "created_at",
        "updated_at",
    }
    assert body["id"] == str(TicketCategory.objects.get().pk)
    assert (body["name"], body["description"], body["emoji"]) == ("Billing", "Payments", "💳")
    assert body["discord_category_id"] == str(INBOX)
    assert (body["position"], body["enabled"]) == (0, True)
    assert isinstance(body["created_at"], int) and isinstance(body["updated_at"], int)


def test_list_is_in_prompt_order_with_nulls_for_missing_text(api) -> None:
    category_add(name="B", discord_category_id=INBOX)
    first = category_add(name="A", discord_category_id=INBOX)
    call(api, "PATCH", f"/api/categories/{first.pk}", {"position": 0})
    body = call(api, "GET", "/api/categories").json()
    assert [(c["name"], c["position"]) for c in body] == [("A", 0), ("B", 1)]
    assert body[0]["description"] is None and body[0]["emoji"] is None


def test_patch_changes_only_what_is_sent(api) -> None:
    category = category_add(name="Billing", description="Payments", emoji="💳", discord_category_id=INBOX)
    response = call(api, "PATCH", f"/api/categories/{category.pk}", {"enabled": False, "description": None})
    assert response.status_code == 200
    body = response.json()
    assert (body["enabled"], body["description"], body["emoji"], body["name"]) == (
        False,
        None,
        "💳",
        "Billing",
    )


def test_a_name_taken_in_any_case_is_a_conflict(api) -> None:
    category_add(name="Billing", discord_category_id=INBOX)
    other = category_add(name="Sales", discord_category_id=INBOX)
    before = snapshot()
    created = call(api, "POST", "/api/categories", {"name": "BILLING", "discord_category_id": str(INBOX)})
    renamed = call(api, "PATCH", f"/api/categories/{other.pk}", {"name": "billing"})
    assert (created.status_code, renamed.status_code) == (409, 409)
    assert set(created.json()) == {"error"}
    assert snapshot() == before


def test_a_25th_enabled_category_is_refused(api) -> None:
    for n in range(24):
        category_add(name=f"C{n}", discord_category_id=INBOX)
    disabled = TicketCategory.objects.first()
    call(api, "PATCH", f"/api/categories/{disabled.pk}", {"enabled": False})
    category_add(name="Spare", discord_category_id=INBOX)
    before = snapshot()
    created = call(api, "POST", "/api/categories", {"name": "One more", "discord_category_id": str(INBOX)})
    enabled = call(api, "PATCH", f"/api/categories/{disabled.pk}", {"enabled": True})
    assert (created.status_code, enabled.status_code) == (400, 400)
    assert "24" in created.json()["error"]
    assert snapshot() == before


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": "", "discord_category_id": str(INBOX)},
        {"name": "   ", "discord_category_id": str(INBOX)},
        {"name": "x" * 81, "discord_category_id": str(INBOX)},
        {"name": "Billing"},
        {"name": "Billing", "discord_category_id": "not-a-number"},
        {"name": "Billing", "discord_category_id": "١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧"},
        {"name": "Billing", "discord_category_id": str(INBOX), "emoji": "abc"},
        {"name": "Billing", "discord_category_id": str(INBOX), "description": "d" * 201},
        {"name": 5, "discord_category_id": True},
        [],
    ],
)
def test_bad_creations_are_400_and_write_nothing(api, body) -> None:
    before = snapshot()
    response = call(api, "POST", "/api/categories", body)
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"error"}
    assert snapshot() == before


@pytest.mark.parametrize(
    "body",
    [
        {"name": ""},
        {"position": -1},
        {"position": "first"},
        {"enabled": "maybe"},
        {"discord_category_id": "12"},
        {"name": "New name", "emoji": "no"},
    ],
)
def test_bad_patches_are_400_and_write_nothing(api, body) -> None:
    category = category_add(name="Billing", discord_category_id=INBOX)
    before = snapshot()
    response = call(api, "PATCH", f"/api/categories/{category.pk}", body)
    assert response.status_code == 400, response.content
    assert snapshot() == before


def test_delete_answers_204_then_404(api) -> None:
    category = category_add(name="Billing", discord_category_id=INBOX)
    category_role_link(category_id=category.pk, role_id=int(ROLE_A))
    assert call(api, "DELETE", f"/api/categories/{category.pk}").status_code == 204
    assert not TicketCategory.objects.exists() and not CategoryRole.objects.exists()
    again = call(api, "DELETE", f"/api/categories/{category.pk}")
    assert again.status_code == 404 and set(again.json()) == {"error"}


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("PATCH", "", {"enabled": False}),
        ("DELETE", "", None),
        ("GET", "/roles", None),
        ("POST", "/roles", {"role_id": ROLE_A}),
        ("PUT", "/roles", {"role_ids": [ROLE_A]}),
        ("DELETE", "/roles", None),
        ("DELETE", f"/roles/{ROLE_A}", None),
        ("POST", "/roles", {"role_id": "bad"}),  # the category is looked up first, as Rustmail
    ],
)
def test_unknown_categories_are_404(api, method, suffix, body) -> None:
    response = call(api, method, f"/api/categories/999999{suffix}", body)
    assert response.status_code == 404
    assert set(response.json()) == {"error"}


def test_a_non_numeric_id_is_404(api) -> None:
    assert call(api, "PATCH", "/api/categories/abc", {"enabled": True}).status_code == 404


def test_settings_get_and_put(api) -> None:
    assert call(api, "GET", "/api/categories/settings").json() == {
        "enabled": False,
        "selection_timeout_s": 300,
    }
    response = call(api, "PUT", "/api/categories/settings", {"enabled": True, "selection_timeout_s": 45})
    assert response.status_code == 200
    assert response.json() == {"enabled": True, "selection_timeout_s": 45}
    settings = CategorySettings.load()
    assert (settings.prompt_enabled, settings.selection_timeout) == (True, 45)


@pytest.mark.parametrize(
    "body",
    [
        {"enabled": True, "selection_timeout_s": 29},
        {"enabled": True, "selection_timeout_s": 86401},
        {"enabled": True},
        {"selection_timeout_s": 60},
        {"enabled": "yes please", "selection_timeout_s": 60},
        {"enabled": True, "selection_timeout_s": "60s"},
    ],
)
def test_bad_settings_are_400_and_write_nothing(api, body) -> None:
    before = snapshot()
    response = call(api, "PUT", "/api/categories/settings", body)
    assert response.status_code == 400
    assert snapshot() == before


def test_roles_add_set_remove_clear(api) -> None:
    category = category_add(name="Billing", discord_category_id=INBOX)
    base = f"/api/categories/{category.pk}/roles"
    assert call(api, "GET", base).json() == {"role_ids": []}
    assert call(api, "POST", base, {"role_id": ROLE_A}).json() == {"role_ids": [ROLE_A]}
    assert call(api, "POST", base, {"role_id": ROLE_A}).json() == {"role_ids": [ROLE_A]}
    assert call(api, "PUT", base, {"role_ids": [ROLE_B, ROLE_A, ROLE_B]}).json() == {
        "role_ids": [ROLE_A, ROLE_B]
    }
    assert call(api, "DELETE", f"{base}/{ROLE_A}").json() == {"role_ids": [ROLE_B]}
    assert call(api, "DELETE", f"{base}/{ROLE_A}").json() == {"role_ids": [ROLE_B]}
    assert call(api, "DELETE", base).status_code == 204
    assert call(api, "GET", base).json() == {"role_ids": []}


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("POST", "", {"role_id": "role"}),
        ("POST", "", {}),
        ("PUT", "", {"role_ids": [ROLE_B, "oops"]}),
        ("PUT", "", {"role_ids": ROLE_B}),
        ("DELETE", "/12x", None),
    ],
)
def test_bad_role_ids_are_400_and_write_nothing(api, method, suffix, body) -> None:
    category = category_add(name="Billing", discord_category_id=INBOX)
    category_role_link(category_id=category.pk, role_id=int(ROLE_A))
    before = snapshot()
    response = call(api, method, f"/api/categories/{category.pk}/roles{suffix}", body)
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"error"}
    assert snapshot() == before


def test_every_route_is_in_the_openapi_document(api) -> None:
    paths = api.get("/api/openapi.yaml", HTTP_ACCEPT="application/json").json()["paths"]
    assert set(paths["/api/categories"]) >= {"get", "post"}
    assert set(paths["/api/categories/{category_id}"]) >= {"patch", "delete"}
    assert set(paths["/api/categories/settings"]) >= {"get", "put"}
    assert set(paths["/api/categories/{category_id}/roles"]) >= {"get", "post", "put", "delete"}
    assert set(paths["/api/categories/{category_id}/roles/{role_id}"]) >= {"delete"}
    assert set(paths["/api/bot/profile"]) >= {"get", "put"}
