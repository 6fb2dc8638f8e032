"""Sign-in, ``next=``, the "not in the staff server" page, password sign-in, logout, error pages,
and the interface language."""

from __future__ import annotations

import pytest
from django.test import Client

from panel.models import PanelPreference

from .conftest import SUPERUSER_PASSWORD

pytestmark = pytest.mark.django_db


def test_visitors_get_the_sign_in_page_with_a_discord_link_carrying_next(client_for) -> None:
    response = client_for("anonymous").get("/?next=/panel/tickets?status=open")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/api/auth/login?next=%2Fpanel%2Ftickets%3Fstatus%3Dopen"' in html
    assert 'action="/login"' in html


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "http:/panel",
        "javascript:alert(1)",
        "panel",
    ],
)
def test_next_is_honoured_for_local_paths_only(client_for, target: str) -> None:
    html = client_for("anonymous").get("/", {"next": target}).content.decode()
    assert 'href="/api/auth/login"' in html
    assert '<input type="hidden" name="next" value="">' in html  # the password form's
    signed_in = client_for("viewer").get("/", {"next": target})
    assert (signed_in.status_code, signed_in["Location"]) == (302, "/panel")


def test_signed_in_users_go_on_to_the_panel_or_next(client_for) -> None:
    client = client_for("viewer")
    assert client.get("/")["Location"] == "/panel"
    assert client.get("/?next=/panel/tickets")["Location"] == "/panel/tickets"


def test_a_discord_user_outside_the_staff_server_gets_a_page_saying_so(client_for) -> None:
    client = client_for("non_member")
    for url in ("/", "/panel"):
        response = client.get(url)
        assert response.status_code == 403
        html = response.content.decode()
        assert "You are not in the staff server" in html
        assert 'action="/logout"' in html


def test_pages_send_visitors_to_the_sign_in_page_with_next(client_for) -> None:
    response = client_for("anonymous").get("/panel?x=1")
    assert (response.status_code, response["Location"]) == (302, "/?next=%2Fpanel%3Fx%3D1")


def test_a_member_without_viewpanel_gets_the_403_page(client_for) -> None:
    response = client_for("member").get("/panel")
    assert response.status_code == 403
    assert "ViewPanel" in response.content.decode()


def test_password_sign_in_is_for_superusers_only(user_for) -> None:
    admin = user_for("superuser")
    staff = user_for("manager")
    staff.set_password(SUPERUSER_PASSWORD)
    staff.save()
    client = Client()

    for username, password in ((admin.username, "wrong"), (staff.username, SUPERUSER_PASSWORD), ("", "")):
        refused = client.post("/login", {"username": username, "password": password, "next": "/panel"})
        assert refused.status_code == 400
        assert "_auth_user_id" not in client.session
    assert "Wrong username or password" in refused.content.decode() or "required" in refused.content.decode()

    accepted = client.post(
        "/login",
        {"username": admin.username, "password": SUPERUSER_PASSWORD, "next": "https://evil.example/"},
    )
    assert (accepted.status_code, accepted["Location"]) == (302, "/panel")
    assert client.get("/panel").status_code == 200


def test_password_sign_in_needs_the_csrf_token(user_for) -> None:
    admin = user_for("superuser")
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login", {"username": admin.username, "password": SUPERUSER_PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post_that_ends_the_session(client_for) -> None:
    client = client_for("viewer")
    followed = client.get("/logout")  # a link changes nothing; the page offers the button
    assert followed.status_code == 405 and followed["Allow"] == "POST"
    assert 'method="post" action="/logout"' in followed.content.decode()
    assert client.get("/panel").status_code == 200
    response = client.post("/logout")
    assert (response.status_code, response["Location"]) == (302, "/")
    assert client.get("/panel").status_code == 302


def test_unknown_pages_are_html_and_unknown_api_routes_json(client_for) -> None:
    page = client_for("anonymous").get("/no/such/page")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")
    assert "Page not found" in page.content.decode()
    api = client_for("anonymous").get("/api/no/such/route")
    assert (api.status_code, api.json()) == (404, {"error": "Not found"})


def test_static_files_are_served(client_for) -> None:
    client = client_for("anonymous")
    for url in (
        "/static/panel/panel.css",
        "/static/panel/vendor/htmx/htmx.min.js",
        "/static/admin/css/base.css",
    ):
        response = client.get(url)
        assert response.status_code == 200, url


# --- Language ----------------------------------------------------------------------------------


def test_the_browser_language_is_the_default(client_for) -> None:
    html = client_for("anonymous").get("/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9").content.decode()
    assert '<html lang="fr">' in html
    assert "Se connecter avec Discord" in html


def test_a_user_s_choice_is_remembered_across_logout_and_login(user_for) -> None:
    user = user_for("viewer")
    client = Client()
    client.force_login(user)

    response = client.post("/language", {"language": "fr", "next": "/panel"})
    assert (response.status_code, response["Location"]) == (302, "/panel")
    assert PanelPreference.objects.get(user=user).language == "fr"
    assert '<html lang="fr">' in client.get("/panel", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    client.post("/logout")
    # Another browser, asking for English: the login brings French back.
    other = Client()
    other.force_login(user)
    assert '<html lang="fr">' in other.get("/panel", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_an_unknown_language_changes_nothing(client_for) -> None:
    client = client_for("viewer")
    assert client.post("/language", {"language": "xx"}).status_code == 400
    assert not PanelPreference.objects.exists()
    assert client.post("/language", {"language": "fr", "next": "https://evil.example"})["Location"] == "/"
