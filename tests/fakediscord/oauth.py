"""OAuth2 for the panel login: authorize approves at once, token exchange, bearer-token identity.

``GET /oauth2/authorize`` (also under ``/api`` and ``/api/v10``) redirects straight back to
``redirect_uri`` with a one-time code, logged in as ``emu.oauth_login_as(user_id)``'s user.
"""

from __future__ import annotations

import base64
import hashlib
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from aiohttp import web

from .rest import Ctx, RouteSpec
from .util import EMU_KEY, DiscordError, json_response, new_token, sid

if TYPE_CHECKING:
    from .server import FakeDiscord

CODE_LIFETIME = 600.0
TOKEN_LIFETIME = 604800


@dataclass
class Grant:
    """What an authorization code or access token stands for."""

    user_id: int
    scopes: set[str]
    client_id: str
    redirect_uri: str
    code_challenge: str | None = None
    created: float = field(default_factory=time.time)


class OAuthError(Exception):
    """An OAuth2 error body ``{"error": ..., "error_description": ...}``."""

    def __init__(self, status: int, code: str, description: str) -> None:
        super().__init__(code)
        self.status, self.code, self.description = status, code, description


class OAuth:
    """Codes, access and refresh tokens, and who the next login is."""

    def __init__(self, emu: FakeDiscord) -> None:
        self._emu = emu
        self.login_user_id: int | None = None
        self.codes: dict[str, Grant] = {}
        self.tokens: dict[str, Grant] = {}
        self.refresh_tokens: dict[str, Grant] = {}
        self.authorizations: list[dict[str, Any]] = []

    def grant_for_token(self, token: str) -> Grant | None:
        """The grant behind a bearer token, if it is valid."""
        grant = self.tokens.get(token)
        if grant is None or time.time() - grant.created > TOKEN_LIFETIME:
            return None
        return grant

    def user_payload(self, grant: Grant) -> dict[str, Any]:
        """``/users/@me`` for a bearer token (``email`` with the ``email`` scope)."""
        user = self._emu.state.user(grant.user_id)
        data = user.payload()
        data.update(locale="en-US", mfa_enabled=False, premium_type=0)
        if "email" in grant.scopes:
            data.update(email=user.email or f"{user.username}@example.invalid", verified=True)
        return data

    def _login_user(self) -> int:
        if self.login_user_id is not None:
            return self.login_user_id
        demo = self._emu.demo
        if demo is not None:
            return demo.admin_id
        people = [u.id for u in self._emu.state.users.values() if not u.bot]
        if not people:
            raise OAuthError(400, "access_denied", "no user to log in as")
        return people[0]

    def authorize(self, query: dict[str, str]) -> str:
        """Approve at once: return the redirect URL with ``code`` and ``state``."""
        redirect_uri = query.get("redirect_uri", "")
        if query.get("client_id") != str(self._emu.application_id):
            raise OAuthError(400, "invalid_client", "Unknown client_id")
        if not redirect_uri:
            raise OAuthError(400, "invalid_request", "redirect_uri is required")
        if query.get("response_type", "code") != "code":
            raise OAuthError(400, "unsupported_response_type", "only response_type=code")
        code = new_token(20)
        scopes = set(query.get("scope", "identify").replace("+", " ").split())
        challenge = query.get("code_challenge")
        if challenge and query.get("code_challenge_method", "plain") == "S256":
            challenge = "S256:" + challenge
        self.codes[code] = Grant(self._login_user(), scopes, query["client_id"], redirect_uri, challenge)
        self.authorizations.append(
            {"user_id": self.codes[code].user_id, "scopes": sorted(scopes), "at": time.time()}
        )
        params = {"code": code}
        if query.get("state") is not None:
            params["state"] = query["state"]
        parts = urlsplit(redirect_uri)
        joined = f"{parts.query}&{urlencode(params)}" if parts.query else urlencode(params)
        return urlunsplit((parts.scheme, parts.netloc, parts.path, joined, parts.fragment))

    def exchange(self, form: dict[str, str], basic_auth: tuple[str, str] | None) -> dict[str, Any]:
        """``POST /oauth2/token`` for ``authorization_code`` and ``refresh_token`` grants."""
        client_id, secret = basic_auth or (form.get("client_id", ""), form.get("client_secret", ""))
        if client_id != str(self._emu.application_id) or secret != self._emu.client_secret:
            raise OAuthError(401, "invalid_client", "Invalid client")
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            grant = self.codes.pop(form.get("code", ""), None)
            if grant is None or time.time() - grant.created > CODE_LIFETIME:
                raise OAuthError(400, "invalid_grant", 'Invalid "code" in request.')
            if form.get("redirect_uri") and form["redirect_uri"] != grant.redirect_uri:
                raise OAuthError(400, "invalid_grant", 'Invalid "redirect_uri" in request.')
            if grant.code_challenge and not _pkce_ok(grant.code_challenge, form.get("code_verifier", "")):
                raise OAuthError(400, "invalid_grant", 'Invalid "code_verifier" in request.')
        elif grant_type == "refresh_token":
            grant = self.refresh_tokens.pop(form.get("refresh_token", ""), None)
            if grant is None:
                raise OAuthError(400, "invalid_grant", 'Invalid "refresh_token" in request.')
        else:
            raise OAuthError(400, "unsupported_grant_type", "Unsupported grant type")
        fresh = Grant(grant.user_id, grant.scopes, grant.client_id, grant.redirect_uri)
        access, refresh = new_token(24), new_token(24)
        self.tokens[access] = fresh
        self.refresh_tokens[refresh] = fresh
        return {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME,
            "refresh_token": refresh,
            "scope": " ".join(sorted(grant.scopes)),
        }

    def revoke(self, token: str) -> None:
        """Forget an access or refresh token."""
        self.tokens.pop(token, None)
        self.refresh_tokens.pop(token, None)


def _pkce_ok(challenge: str, verifier: str) -> bool:
    if challenge.startswith("S256:"):
        digest = hashlib.sha256(verifier.encode()).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=") == challenge[5:]
    return verifier == challenge


def _oauth_error(exc: OAuthError) -> web.Response:
    return json_response({"error": exc.code, "error_description": exc.description}, exc.status)


async def authorize(request: web.Request) -> web.StreamResponse:
    """GET /oauth2/authorize → 302 to redirect_uri?code=...&state=..."""
    emu: FakeDiscord = request.app[EMU_KEY]
    try:
        location = emu.oauth.authorize(dict(request.query))
    except OAuthError as exc:
        return _oauth_error(exc)
    return web.Response(status=302, headers={"Location": location})


def _basic(ctx: Ctx) -> tuple[str, str] | None:
    header = ctx.request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return None
    user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    return user, password


async def token(ctx: Ctx) -> Any:
    """POST /oauth2/token (form-encoded)."""
    form = {k: str(v) for k, v in ctx.json().items()}
    try:
        return ctx.emu.oauth.exchange(form, _basic(ctx))
    except OAuthError as exc:
        return _oauth_error(exc)


async def revoke(ctx: Ctx) -> Any:
    """POST /oauth2/token/revoke"""
    ctx.emu.oauth.revoke(str(ctx.json().get("token", "")))
    return {}


async def current_authorization(ctx: Ctx) -> Any:
    """GET /oauth2/@me with a bearer token."""
    grant = ctx.grant
    if grant is None:
        raise DiscordError(401, 0, "401: Unauthorized")
    return {
        "application": ctx.emu.application_payload(),
        "scopes": sorted(grant.scopes),
        "expires": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(grant.created + TOKEN_LIFETIME)),
        "user": ctx.emu.oauth.user_payload(grant),
        "user_id": sid(grant.user_id),
    }


ROUTES = [
    RouteSpec("POST", "/oauth2/token", token, auth="none", counts_global=False),
    RouteSpec("POST", "/oauth2/token/revoke", revoke, auth="none", counts_global=False),
    RouteSpec("GET", "/oauth2/@me", current_authorization, auth="bearer"),
]
AUTHORIZE_PATHS = (
    "/oauth2/authorize",
    "/api/oauth2/authorize",
    "/api/v9/oauth2/authorize",
    "/api/v10/oauth2/authorize",
)
