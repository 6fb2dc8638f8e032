"""The REST plumbing every route goes through: body parsing, faults, auth, rate limits, recording.

Routes are declared as :class:`RouteSpec` in the ``rest_*`` modules with Discord's path templates
and mounted under ``/api/v10``, ``/api/v9`` and ``/api`` (Discord serves the unversioned path too,
and django-allauth's Discord provider uses it). Anything else under ``/api/`` is an unimplemented
route: it answers 404 with a ``fakediscord`` marker and is recorded in ``emu.unimplemented``.
"""

from __future__ import annotations

import json
import logging
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from aiohttp import web

from .messages import Upload
from .ratelimit import VIA
from .util import EMU_KEY, UNAUTHORIZED, DiscordError, error, json_response

if TYPE_CHECKING:
    from .oauth import Grant
    from .server import FakeDiscord
    from .state import State

log = logging.getLogger("fakediscord")
API_PREFIXES = ("/api/v10", "/api/v9", "/api")
UNIMPLEMENTED_BODY = {"code": 0, "message": "404: Not Found", "fakediscord": "unimplemented route"}


@dataclass
class Call:
    """One recorded REST call (``status`` 0: a fault dropped the connection unanswered)."""

    method: str
    path: str
    route: str | None
    query: dict[str, str]
    json: Any
    files: list[str]
    status: int
    response: Any
    auth: str | None
    reason: str | None = None
    at: float = field(default_factory=time.time)
    # The multipart files as received (name, content type and bytes), in ``files[n]`` order.
    uploads: list[Upload] = field(default_factory=list)


class Ctx:
    """What a route handler gets: the request, its parsed body and uploads, and the emulator."""

    def __init__(self, emu: FakeDiscord, request: web.Request, spec: RouteSpec) -> None:
        self.emu = emu
        self.request = request
        self.spec = spec
        self.params: dict[str, str] = dict(request.match_info)
        self.query = request.query
        self.body: Any = None
        self.uploads: list[Upload] = []
        self.auth: str | None = None
        self.grant: Grant | None = None
        self.status = 200
        self.headers: dict[str, str] = {}

    @property
    def state(self) -> State:
        """The shared state."""
        return self.emu.state

    def json(self) -> dict[str, Any]:
        """The JSON object body ({} when there was none)."""
        return self.body if isinstance(self.body, dict) else {}

    def param(self, name: str) -> int:
        """A snowflake path parameter as an int (a malformed one is an unknown object: 404)."""
        try:
            return int(self.params[name])
        except ValueError:
            raise DiscordError(404, 0, "404: Not Found") from None


Handler = Callable[[Ctx], Awaitable[Any]]


@dataclass
class RouteSpec:
    """A REST route: method, Discord path template, handler, how it authenticates."""

    method: str
    path: str
    handler: Handler
    auth: str = "bot"  # "bot", "bot_or_bearer", "bearer" or "none"
    counts_global: bool = True


async def parse_body(request: web.Request, ctx: Ctx) -> None:
    """JSON, multipart (``payload_json`` + ``files[n]``) or form-encoded bodies."""
    ctype = request.content_type
    if request.method in ("GET", "HEAD") or not request.can_read_body:
        return
    if ctype == "multipart/form-data":
        reader = await request.multipart()
        index = 0
        async for part in reader:
            name = part.name or ""
            if name == "payload_json":
                ctx.body = json.loads(await part.text())
            elif part.filename is not None:
                data = await part.read(decode=False)
                n = name[6:-1] if name.startswith("files[") and name.endswith("]") else str(index)
                ptype = part.headers.get("Content-Type")
                ctx.uploads.append(
                    Upload(int(n) if n.isdigit() else index, part.filename, bytes(data), ptype)
                )
                index += 1
            else:
                ctx.body = ctx.body or {}
                ctx.body[name] = await part.text()
    elif ctype == "application/x-www-form-urlencoded":
        ctx.body = dict(await request.post())
    else:
        raw = await request.read()
        if raw:
            ctx.body = json.loads(raw)


def check_auth(ctx: Ctx) -> None:
    """Bot routes need ``Authorization: Bot <token>``; user routes accept an OAuth bearer token."""
    header = ctx.request.headers.get("Authorization", "")
    kind = ctx.spec.auth
    if kind == "none":
        return
    if header == f"Bot {ctx.emu.bot_token}" and kind in ("bot", "bot_or_bearer"):
        ctx.auth = "bot"
        return
    if header.startswith("Bearer ") and kind in ("bearer", "bot_or_bearer"):
        grant = ctx.emu.oauth.grant_for_token(header[7:])
        if grant is not None:
            ctx.auth, ctx.grant = "bearer", grant
            return
    raise error(UNAUTHORIZED)


def make_handler(
    emu: FakeDiscord, spec: RouteSpec, prefix: str
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Wrap a route handler in the common pipeline."""

    async def handle(request: web.Request) -> web.StreamResponse:
        ctx = Ctx(emu, request, spec)
        rel = request.path[len(prefix) :]
        headers: dict[str, str] = {"Via": VIA}
        status, payload = 500, None
        try:
            try:
                await parse_body(request, ctx)
            except ValueError:
                raise DiscordError(400, 50109, "The request body contains invalid JSON.") from None
            if await emu.faults.before_request(request, rel, spec.path):
                status = 0
                return web.Response(status=500)
            check_auth(ctx)
            auth_key = request.headers.get("Authorization")
            headers.update(
                emu.limiter.hit(
                    spec.method, spec.path, ctx.params, auth_key, counts_global=spec.counts_global
                )
            )
            result = await spec.handler(ctx)
            headers.update(ctx.headers)
            if isinstance(result, web.StreamResponse):
                status = result.status
                return result
            if result is None:
                status = 204
                return web.Response(status=204, headers=headers)
            status, payload = ctx.status, result
            return json_response(result, ctx.status, headers)
        except DiscordError as exc:
            headers.update(exc.headers)
            status, payload = exc.status, exc.body()
            return json_response(payload, exc.status, headers)
        except ConnectionResetError:
            # The client went away mid-request (a bot process killed while sending): not an
            # emulator fault; nobody is left to answer.
            log.info("fakediscord: client gone during %s %s", spec.method, rel)
            status = 0
            return web.Response(status=499)
        except Exception as exc:
            log.exception("fakediscord: error in %s %s", spec.method, rel)
            emu.server_errors.append(f"{spec.method} {rel}: {exc!r}\n{traceback.format_exc()}")
            status, payload = 500, {"message": "500: Internal Server Error", "code": 0}
            return json_response(payload, 500, headers)
        finally:
            emu.record(
                Call(
                    spec.method,
                    rel,
                    spec.path,
                    dict(request.query),
                    ctx.body,
                    [u.filename for u in ctx.uploads],
                    status,
                    payload,
                    ctx.auth,
                    unquote(request.headers.get("X-Audit-Log-Reason", "")) or None,
                    uploads=list(ctx.uploads),
                )
            )

    handle.spec = spec  # type: ignore[attr-defined]
    return handle


async def unimplemented(request: web.Request) -> web.Response:
    """Any /api/ route the emulator does not know: 404 with a marker, recorded so tests fail."""
    emu: FakeDiscord = request.app[EMU_KEY]
    rel = request.path
    for prefix in API_PREFIXES:
        if rel.startswith(prefix + "/"):
            rel = rel[len(prefix) :]
            break
    body: Any = None
    try:
        raw = await request.read()
        body = json.loads(raw) if raw else None
    except ValueError:
        body = "<unparsed body>"
    call = Call(request.method, rel, None, dict(request.query), body, [], 404, UNIMPLEMENTED_BODY, None)
    emu.record(call)
    emu.unimplemented.append(call)
    log.warning("fakediscord: unimplemented route %s %s", request.method, rel)
    return json_response(UNIMPLEMENTED_BODY, 404, {"Via": VIA})


def mount(app: web.Application, emu: FakeDiscord, specs: list[RouteSpec]) -> None:
    """Register the routes under every API prefix, most specific first, then the catch-all."""
    # Literal segments (``@me``, ``@original``, ``search``) must win over ``{param}`` ones.
    ordered = sorted(specs, key=lambda s: s.path.count("{"))
    for prefix in API_PREFIXES:
        for spec in ordered:
            app.router.add_route(spec.method, prefix + spec.path, make_handler(emu, spec, prefix))
    app.router.add_route("*", "/api/{tail:.*}", unimplemented)
