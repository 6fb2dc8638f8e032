"""Every error is ``{"error": "..."}``: unknown routes, wrong methods, bad bodies, CSRF, sessions."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from .conftest import Permission, make_user


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
@pytest.mark.parametrize(
    "path", ["/api/nothing", "/api/bot/status/", "/api/bot", "/api/apikeys/abc", "/api/"]
)
def test_unknown_routes_are_a_json_404(db, method: str, path: str) -> None:
    response = getattr(APIClient(), method)(path)
    assert response.status_code == 404
    assert response.json() == {"error": "Not found"}


def test_a_wrong_method_is_a_405(super_admin) -> None:
    response = super_admin.patch("/api/bot/status", {}, format="json")
    assert response.status_code == 405
    assert set(response.json()) == {"error"}
    assert super_admin.post("/api/docs").status_code == 405
    assert super_admin.delete("/api/docs").json()["error"]


def test_malformed_json_is_a_400(super_admin) -> None:
    response = super_admin.generic("POST", "/api/bot/presence", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"].startswith("JSON parse error")


def test_an_unsupported_media_type_is_a_415(super_admin) -> None:
    response = super_admin.generic("POST", "/api/bot/presence", "status=idle", content_type="text/plain")
    assert response.status_code == 415
    assert set(response.json()) == {"error"}


def test_unsafe_methods_need_the_csrf_token_with_a_session(guild) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(make_user(None, superuser=True))

    refused = client.post("/api/bot/presence", {"status": "idle"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["error"].startswith("CSRF Failed")

    token = client.get("/api/panel/check").cookies["csrftoken"].value  # the panel's way to get one
    accepted = client.post("/api/bot/presence", {"status": "idle"}, format="json", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 200


def test_no_session_is_a_401(db) -> None:
    response = APIClient().get("/api/bot/status")
    assert response.status_code == 401
    assert set(response.json()) == {"error"}


def test_a_missing_permission_is_a_403(login) -> None:
    response = login(grants=(Permission.VIEW_PANEL,)).post("/api/bot/start")
    assert response.status_code == 403
    assert response.json() == {"error": "Insufficient permissions: ManageBot needed"}


def test_the_session_cookie_is_httponly_and_lax(settings) -> None:
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.SESSION_COOKIE_SECURE is (not settings.DEBUG)


def test_errors_outside_the_views_are_json_too(db) -> None:
    response = APIClient().get("/api/health", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response.json() == {"error": "Bad request"}


def test_an_unexpected_failure_is_a_json_500(super_admin, monkeypatch) -> None:
    from panel.views import bot

    def broken() -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(bot.botcontrol, "bot_status", broken)
    response = super_admin.get("/api/bot/status")
    assert response.status_code == 500
    assert response.json() == {"error": "Internal server error"}
