"""The gateway: HELLO, heartbeats, IDENTIFY → READY → GUILD_CREATE, RESUME with replay, dispatch.

Each IDENTIFY makes a session with its own sequence numbers and a bounded buffer of the events it
was sent. A session outlives its connection for ``resume_window`` seconds, so events dispatched
while the bot is disconnected are replayed when it RESUMEs; a new IDENTIFY starts afresh.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import time
import zlib
from collections import OrderedDict, deque
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from .state import GUILD_MEMBERS, GUILD_PRESENCES, MESSAGE_CONTENT
from .util import new_token, sid

if TYPE_CHECKING:
    from .server import FakeDiscord

DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE, RESUME, REQUEST_MEMBERS = 0, 1, 2, 3, 6, 8
RECONNECT, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 7, 9, 10, 11
PRIVILEGED = {"members": GUILD_MEMBERS, "presences": GUILD_PRESENCES, "message_content": MESSAGE_CONTENT}
TRACE = ["fakediscord-gateway"]


def frame(op: int, d: Any, s: int | None = None, t: str | None = None) -> dict[str, Any]:
    """A gateway payload; nextcord needs all four keys on every frame."""
    return {"op": op, "d": d, "s": s, "t": t}


def strip_content(data: dict[str, Any]) -> dict[str, Any]:
    """A message without the MESSAGE_CONTENT intent: empty content, embeds, attachments, components."""
    data = copy.copy(data)
    data.update(content="", embeds=[], attachments=[], components=[])
    return data


class Connection:
    """One websocket; a single writer task keeps frames in order."""

    def __init__(self, ws: web.WebSocketResponse, request: web.Request, compress: bool) -> None:
        self.ws = ws
        self.request = request
        self.session: Session | None = None
        self.queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self.compressor = zlib.compressobj() if compress else None
        self.last_heartbeat = time.monotonic()
        self.writer = asyncio.ensure_future(self._write())

    def send(self, payload: dict[str, Any]) -> None:
        """Queue a frame."""
        self.queue.put_nowait(payload)

    async def _write(self) -> None:
        while True:
            payload = await self.queue.get()
            try:
                if payload is None:
                    return
                text = json.dumps(payload)
                if self.compressor is not None:
                    data = self.compressor.compress(text.encode()) + self.compressor.flush(zlib.Z_SYNC_FLUSH)
                    await self.ws.send_bytes(data)
                else:
                    await self.ws.send_str(text)
            except (ConnectionError, RuntimeError):
                pass
            finally:
                self.queue.task_done()

    async def close(self, code: int, message: str = "") -> None:
        """Send what is queued, then close with ``code``."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.queue.join(), 1.0)
        await self.ws.close(code=code, message=message.encode())

    def abort(self) -> None:
        """Drop the TCP connection without a close frame (what a network failure looks like)."""
        transport = self.request.transport
        if transport is not None:
            transport.abort()

    def stop(self) -> None:
        """Stop the writer, releasing anything still queued."""
        while not self.queue.empty():
            self.queue.get_nowait()
            self.queue.task_done()
        self.writer.cancel()


class Session:
    """What IDENTIFY created: intents, sequence and the events sent, kept for RESUME."""

    def __init__(self, intents: int, large_threshold: int, shard: tuple[int, int], buffer_size: int) -> None:
        self.id = new_token(16)
        self.intents = intents
        self.large_threshold = large_threshold
        self.shard = shard
        self.seq = 0
        self.buffer: deque[dict[str, Any]] = deque(maxlen=buffer_size)
        self.connection: Connection | None = None
        self.disconnected_at: float | None = None

    def push(self, event: str, data: Any) -> None:
        """Number an event, keep it for replay and send it if connected."""
        self.seq += 1
        payload = frame(DISPATCH, data, self.seq, event)
        self.buffer.append(payload)
        if self.connection is not None:
            self.connection.send(payload)

    def sees_guild(self, guild_id: int | None) -> bool:
        """Whether this shard receives the guild's events."""
        shard_id, count = self.shard
        return guild_id is None or count <= 1 or (int(guild_id) >> 22) % count == shard_id


class Gateway:
    """Websocket endpoint and dispatcher shared by every connection."""

    def __init__(self, emu: FakeDiscord) -> None:
        self.emu = emu
        self.heartbeat_interval_ms = 41250
        self.resume_window = 300.0
        self.buffer_size = 5000
        self.sessions: OrderedDict[str, Session] = OrderedDict()
        self.connections: set[Connection] = set()
        self.presences: list[dict[str, Any]] = []
        # Bounded, so a long-running standalone emulator does not grow without limit.
        self.events: deque[dict[str, Any]] = deque(maxlen=20000)
        self.identifies = 0
        self.resumes = 0
        self.held: asyncio.Event | None = None
        self._closing: set[asyncio.Future[Any]] = set()

    # -- dispatch ----------------------------------------------------------------------------

    def dispatch(self, event: str, data: dict[str, Any], intent: int, content_exempt: bool) -> None:
        """Send an event to every live session that asked for ``intent``."""
        self.events.append({"t": event, "d": data})
        self._expire()
        guild_id = data.get("guild_id") or (data.get("id") if event.startswith("GUILD_") else None)
        stripped = None
        for session in self.sessions.values():
            if intent and not session.intents & intent:
                continue
            if not session.sees_guild(int(guild_id) if guild_id else None):
                continue
            payload = data
            if not content_exempt and not session.intents & MESSAGE_CONTENT:
                stripped = stripped or strip_content(data)
                payload = stripped
            session.push(event, payload)

    def _expire(self) -> None:
        now = time.monotonic()
        for key, session in list(self.sessions.items()):
            gone = session.connection is None and session.disconnected_at is not None
            if gone and now - (session.disconnected_at or now) > self.resume_window:
                del self.sessions[key]

    async def flush(self, timeout: float = 2.0) -> None:
        """Wait until every connected websocket has written what is queued for it."""
        joins = [c.queue.join() for c in self.connections]
        if joins:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.gather(*joins), timeout)

    # -- connection lifecycle ----------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """The websocket endpoint (``GET /gateway?v=10&encoding=json[&compress=zlib-stream]``)."""
        ws = web.WebSocketResponse(max_msg_size=0, compress=False)
        await ws.prepare(request)
        if self.held is not None:
            # A held gateway accepts the socket but says HELLO only when released (bounded by the
            # client's own 60 s connect timeout), so tests control when a reconnect completes.
            await self.held.wait()
        conn = Connection(ws, request, compress=request.query.get("compress") == "zlib-stream")
        self.connections.add(conn)
        conn.send(frame(HELLO, {"heartbeat_interval": self.heartbeat_interval_ms, "_trace": TRACE}))
        watchdog = asyncio.ensure_future(self._watchdog(conn))
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    await self._on_frame(conn, msg.data)
                elif msg.type == WSMsgType.BINARY:
                    await conn.close(4002, "Error while decoding payload.")
                else:
                    break
        finally:
            watchdog.cancel()
            self._detach(conn)
        return ws

    def _detach(self, conn: Connection) -> None:
        session = conn.session
        if session is not None and session.connection is conn:
            session.connection = None
            session.disconnected_at = time.monotonic()
        self.connections.discard(conn)
        conn.stop()

    async def _watchdog(self, conn: Connection) -> None:
        # Discord drops connections that stop heartbeating; be lenient (3 intervals + 5 s).
        limit = self.heartbeat_interval_ms / 1000 * 3 + 5
        while True:
            await asyncio.sleep(limit / 3)
            if time.monotonic() - conn.last_heartbeat > limit:
                await conn.close(4009, "Session timed out.")
                return

    async def _on_frame(self, conn: Connection, text: str) -> None:
        try:
            payload = json.loads(text)
            op = payload["op"]
            data = payload.get("d")
        except (ValueError, KeyError, TypeError):
            await conn.close(4002, "Error while decoding payload.")
            return
        if op == HEARTBEAT:
            conn.last_heartbeat = time.monotonic()
            conn.send(frame(HEARTBEAT_ACK, None))
        elif op == IDENTIFY:
            await self._identify(conn, data or {})
        elif op == RESUME:
            await self._resume(conn, data or {})
        elif conn.session is None and op in (PRESENCE, REQUEST_MEMBERS):
            await conn.close(4003, "Not authenticated.")
        elif op == PRESENCE:
            self._presence(conn.session, data or {})
        elif op == REQUEST_MEMBERS:
            self._request_members(conn.session, data or {})
        elif op in (4, 14, 31):
            pass  # voice state, lazy guilds, soundboard: accepted and ignored
        else:
            await conn.close(4001, "Unknown opcode.")

    def _token_ok(self, token: Any) -> bool:
        token = str(token or "")
        return token.removeprefix("Bot ") == self.emu.bot_token

    async def _identify(self, conn: Connection, data: dict[str, Any]) -> None:
        if conn.session is not None:
            await conn.close(4005, "Already authenticated.")
            return
        if not self._token_ok(data.get("token")):
            await conn.close(4004, "Authentication failed.")
            return
        intents = data.get("intents")
        if not isinstance(intents, int) or intents < 0:
            await conn.close(4013, "Invalid intent(s).")
            return
        for name, bit in PRIVILEGED.items():
            if intents & bit and name not in self.emu.privileged_intents:
                await conn.close(4014, "Disallowed intent(s).")
                return
        shard_raw = data.get("shard") or [0, 1]
        shard = (int(shard_raw[0]), int(shard_raw[1]))
        session = Session(intents, int(data.get("large_threshold") or 50), shard, self.buffer_size)
        session.connection = conn
        conn.session = session
        self.sessions[session.id] = session
        self.identifies += 1
        if data.get("presence"):
            self._presence(session, data["presence"], source="identify")
        state = self.emu.state
        guilds = [g for g in state.bot_guilds() if session.sees_guild(g.id)]
        user = state.users[state.bot_id].payload()
        user.update(verified=True, mfa_enabled=False, email=None, bot=True)
        ready = {
            "v": 10,
            "user": user,
            "user_settings": {},
            "guilds": [{"id": sid(g.id), "unavailable": True} for g in guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.emu.gateway_url,
            "shard": list(shard),
            "application": {"id": sid(self.emu.application_id), "flags": self.emu.application_flags()},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "auth": {},
            "_trace": TRACE,
        }
        session.push("READY", ready)
        all_members = bool(intents & (GUILD_MEMBERS | GUILD_PRESENCES))
        for guild in guilds:
            payload = state.guild_create_payload(
                guild, all_members=all_members, large_threshold=session.large_threshold
            )
            session.push("GUILD_CREATE", payload)

    async def _resume(self, conn: Connection, data: dict[str, Any]) -> None:
        if not self._token_ok(data.get("token")):
            await conn.close(4004, "Authentication failed.")
            return
        self._expire()
        session = self.sessions.get(str(data.get("session_id")))
        seq = int(data.get("seq") or 0)
        oldest = session.buffer[0]["s"] if session and session.buffer else 1
        if session is None or seq + 1 < oldest or seq > session.seq:
            conn.send(frame(INVALID_SESSION, False))
            return
        old = session.connection
        if old is not None and old is not conn:
            old.session = None
            old.abort()
        session.connection = conn
        session.disconnected_at = None
        conn.session = session
        self.resumes += 1
        for payload in session.buffer:
            if payload["s"] > seq:
                conn.send(payload)
        conn.send(frame(DISPATCH, {"_trace": TRACE}, session.seq, "RESUMED"))

    def _presence(self, session: Session | None, data: dict[str, Any], source: str = "op3") -> None:
        record = {
            "session_id": session.id if session else None,
            "source": source,
            "status": data.get("status"),
            "activities": data.get("activities") or ([data["game"]] if data.get("game") else []),
            "since": data.get("since"),
            "afk": data.get("afk", False),
            "at": time.time(),
        }
        self.presences.append(record)
        self.emu.state.notify()

    def _request_members(self, session: Session, data: dict[str, Any]) -> None:
        state = self.emu.state
        guild_ids = data.get("guild_id")
        guild_ids = guild_ids if isinstance(guild_ids, list) else [guild_ids]
        query = str(data.get("query") or "").lower()
        limit = int(data.get("limit") or 0)
        wanted = data.get("user_ids")
        wanted_ids = None
        if wanted is not None:
            wanted_ids = {int(u) for u in (wanted if isinstance(wanted, list) else [wanted])}
        for gid in guild_ids:
            guild = state.guilds.get(int(gid))
            if guild is None:
                continue
            members = []
            for member in guild.members.values():
                user = state.users[member.user_id]
                if wanted_ids is not None and member.user_id not in wanted_ids:
                    continue
                if query and not user.username.lower().startswith(query):
                    continue
                members.append(member)
            if limit:
                members = members[:limit]
            chunks = [members[i : i + 1000] for i in range(0, len(members), 1000)] or [[]]
            for index, chunk in enumerate(chunks):
                payload: dict[str, Any] = {
                    "guild_id": sid(guild.id),
                    "members": [state.member_payload(m) for m in chunk],
                    "chunk_index": index,
                    "chunk_count": len(chunks),
                }
                if data.get("nonce") is not None:
                    payload["nonce"] = data["nonce"]
                if wanted_ids is not None:
                    payload["not_found"] = [sid(u) for u in wanted_ids if u not in guild.members]
                if data.get("presences"):
                    payload["presences"] = []
                session.push("GUILD_MEMBERS_CHUNK", payload)

    # -- faults ------------------------------------------------------------------------------

    def drop(self, code: int | None = None) -> int:
        """Drop every connection (abruptly, or with a close ``code``); sessions stay resumable."""
        conns = list(self.connections)
        for conn in conns:
            if code is None:
                conn.abort()
            else:
                self._closing.add(asyncio.ensure_future(conn.ws.close(code=code)))
        return len(conns)

    def send_all(self, op: int, d: Any) -> int:
        """Send a raw opcode (RECONNECT, INVALID_SESSION) to every connection."""
        for conn in self.connections:
            conn.send(frame(op, d))
        return len(self.connections)

    async def close_all(self, code: int = 1001) -> None:
        """Close every connection (server shutdown)."""
        for conn in list(self.connections):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.ws.close(code=code), 1.0)
