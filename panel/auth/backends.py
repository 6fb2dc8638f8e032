"""Password authentication for Django superusers only.

Panel users sign in with Discord (allauth's social login, which logs the user in without asking a
backend to check a password); a password opens a session only for a superuser (the sign-in page's
form, the Django admin). Sessions of every user are still resolved by ``get_user``.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest


class SuperuserPasswordBackend(ModelBackend):
    """Django's model backend, refusing a password for anyone but an active superuser."""

    def authenticate(self, request: HttpRequest | None, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None or not user.is_superuser:
            return None
        return user
