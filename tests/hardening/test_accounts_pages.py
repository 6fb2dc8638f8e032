"""allauth is the Discord login only: its local sign-up, login, password and e-mail pages are not
offered, nothing under /accounts/ answers 500, and a password opens a session for a superuser only."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db


def _allauth_paths() -> list[str]:
    """Every route allauth declares under /accounts/, its parameters filled with sample values."""
    [accounts] = [
        p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and str(p.pattern) == "accounts/"
    ]
    found: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            text = str(pattern.pattern)
            text = re.sub(r"\(\?P<\w+>[^)]*\)", "x1", text).strip("^$").replace("\\", "")  # re_path groups
            text = re.sub(r"<(?:\w+:)?(\w+)>", "x1", text)  # path() converters
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + text)
            elif isinstance(pattern, URLPattern):
                found.append("/accounts/" + prefix + text)

    walk(accounts.url_patterns, "")
    return sorted(set(found))


ALLAUTH_PATHS = _allauth_paths()


def test_the_walk_covers_allauths_pages() -> None:
    for page in ("/accounts/signup/", "/accounts/login/", "/accounts/password/reset/", "/accounts/email/"):
        assert page in ALLAUTH_PATHS


@pytest.mark.parametrize("path", ALLAUTH_PATHS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_no_allauth_page_is_offered_or_fails(path: str, method: str) -> None:
    response = getattr(Client(raise_request_exception=False), method)(path)
    assert response.status_code in (302, 404), (path, response.status_code)
    if response.status_code == 302:
        assert response["Location"] in ("/", "/api/auth/login")


def test_the_providers_login_page_leads_to_the_discord_login() -> None:
    response = Client().get("/accounts/discord/login/?next=/panel/tickets")
    assert (response.status_code, response["Location"]) == (302, "/api/auth/login?next=%2Fpanel%2Ftickets")


def test_nobody_signs_up_locally() -> None:
    Client().post(
        "/accounts/signup/",
        {
            "username": "mallory",
            "email": "m@example.com",
            "password1": "Zq8!long-enough",
            "password2": "Zq8!long-enough",
        },
    )
    assert not get_user_model().objects.exists()


def test_a_password_signs_in_a_superuser_only() -> None:
    users = get_user_model().objects
    users.create_user("staffer", password="Zq8!long-enough", is_staff=True)
    users.create_superuser("root", password="Zq8!long-enough")
    assert authenticate(username="staffer", password="Zq8!long-enough") is None
    assert authenticate(username="root", password="Zq8!long-enough").username == "root"
    assert not Client().login(username="staffer", password="Zq8!long-enough")
    admin = Client()
    admin.post("/admin/login/", {"username": "staffer", "password": "Zq8!long-enough"})
    assert admin.get("/admin/").status_code == 302  # still sent to the login form
