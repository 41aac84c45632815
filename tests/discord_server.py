"""A local stand-in for Discord, REST API and gateway, for tests and benchmarks (127.0.0.1 only).

It records every request (method, path, query, JSON or multipart body) and answers like Discord
for what sitrep uses: the bot's user and application, ``/gateway/bot``, interaction callbacks,
followups and the original response, channel messages, webhooks and application commands.
Tests can queue failures (a 429 with ``retry_after``, a 500) for a path with ``fail_next``, turn
on random faults for channel posts with ``chaos`` (429s, 500s, connections dropped after the
message was made), and enforce Discord's rate limits with ``enforce_limits``. Like Discord, a
post with ``enforce_nonce`` whose nonce the channel has seen in the last ``nonce_seconds`` (a
few minutes) returns the earlier message, and messages listed (``GET /channels/ID/messages``)
carry no ``nonce``: recovery after a crash cannot rely on it.

Interactions behave as Discord's do: the first callback must come within ``callback_deadline``
seconds (3) of the interaction, once (a second is 400 "already acknowledged", a late one 404
"Unknown interaction"), and the token works for followups for ``token_lifetime`` (15 minutes),
then 401 "Invalid Webhook Token". ``interaction_payload`` builds the gateway payload of a slash
command or an autocomplete and registers it; ``age`` makes one older without sleeping.

The gateway (``ws://127.0.0.1:PORT/gateway``, what ``GET /gateway/bot`` answers) speaks version 10
of Discord's protocol in JSON, plain or ``zlib-stream``: HELLO, heartbeats and their ACKs (and op 1
asking for one), IDENTIFY answered by READY (its ``resume_gateway_url`` is ``/resume``) and one
GUILD_CREATE, RESUME answered by the missed events and RESUMED (or op 9 when the session is
gone), and on command ``reconnect`` (op 7), ``invalidate`` (op 9), ``drop`` (the socket closed
without a word) and ``interact`` (INTERACTION_CREATE). ``wait_for`` waits until a condition on
what the server saw holds.

Point discord.py at it with ``monkeypatch.setattr(discord.http.Route, "BASE", server.api)`` (and
``DiscordWebSocket.DEFAULT_GATEWAY`` at ``server.gateway_url``, where discord.py goes after an
INVALID_SESSION), or run ``sitrep run`` with ``SITREP_DISCORD_URL=server.url``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import random
import re
import time
import uuid
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from aiohttp import WSMsgType, web

BOT_ID = 900_000_000_000_000_001
APP_ID = 900_000_000_000_000_002
OWNER_ID = 900_000_000_000_000_003
GUILD_ID = 900_000_000_000_000_004
CHANNEL_ID = 900_000_000_000_000_005
USER_ID = 900_000_000_000_000_006

DISCORD_EPOCH_MS = 1_420_070_400_000  # 2015-01-01, the epoch of Discord's snowflakes
NONCE_SECONDS = 300.0  # Discord remembers a nonce "for a few minutes"

_ids = itertools.count(1_200_000_000_000_000_000)

T = TypeVar("T")

EPHEMERAL = 64
CALLBACK_DEADLINE = 3.0  # seconds Discord waits for the first answer to an interaction
TOKEN_LIFETIME = 15 * 60.0  # seconds an interaction token works for followups
HEARTBEAT_INTERVAL = 41.25  # seconds, what Discord's HELLO says


@dataclass
class Issued:
    """An interaction handed to a bot: its token, kind, when, and whether it was answered."""

    token: str
    type: int
    created: float  # time.monotonic()
    answered: bool = False


# Every interaction built by ``interaction_payload``, by id: what Discord knows of them.
ISSUED: dict[str, Issued] = {}


def snowflake() -> str:
    return str(next(_ids))


def user_payload(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": name,
        "discriminator": "0",
        "global_name": name,
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
    }


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    json: Any = None
    files: list[tuple[str, str, int]] = field(default_factory=list)  # field, filename, size
    file_data: dict[str, bytes] = field(default_factory=dict)
    status: int = 0
    received_at: float = 0.0  # time.perf_counter() when the request arrived
    authorization: str = ""  # the Authorization header (a test may check the token was sent)

    @property
    def payload(self) -> dict[str, Any]:
        """The message JSON whatever the transport (plain JSON, multipart ``payload_json``, or
        the ``data`` of an interaction callback)."""
        body = self.json or {}
        if "/callback" in self.path and isinstance(body, dict):
            data: dict[str, Any] = body.get("data") or {}
            return data
        return body if isinstance(body, dict) else {}


@dataclass
class Failure:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]


@dataclass
class Chaos:
    """Random faults for channel posts: each request draws one (seeded, so runs repeat)."""

    rate_429: float = 0.0
    rate_500: float = 0.0
    rate_drop: float = 0.0  # the message is made, then the connection closes unanswered
    retry_after: float = 0.05
    rng: random.Random = field(default_factory=lambda: random.Random(0))


@dataclass
class Limits:
    """Discord's limits for channel posts: ``per_second`` in all, ``per_channel`` per
    ``channel_window`` seconds in each channel; a 429 beyond."""

    per_second: int = 50
    per_channel: int = 5
    channel_window: float = 5.0
    recent: deque[float] = field(default_factory=deque)
    by_channel: dict[str, deque[float]] = field(default_factory=dict)
    refused: int = 0


_CHANNEL_POST = re.compile(r"/api/v10/channels/(\d+)/messages$")


class FakeDiscord:
    """The server. ``async with FakeDiscord() as server:`` or ``await start()`` / ``stop()``."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.failures: list[tuple[re.Pattern[str], list[Failure]]] = []
        self.messages: dict[str, list[dict[str, Any]]] = {}  # channel or webhook -> messages
        self.nonce_seconds = NONCE_SECONDS  # how long a nonce is remembered, as on Discord
        self.clock: Callable[[], float] = time.time  # Discord's clock: message ids and times
        self._last_message_id = 0
        self._nonce_at: dict[str, float] = {}  # message id -> time.monotonic() of its post
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.drop_connections = 0
        self.chaos_of: Chaos | None = None
        self.limits: Limits | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0
        # The gateway and Discord's clocks (see the module's docstring).
        self.token: str | None = None  # when set, another token is refused (REST 401, close 4004)
        self.heartbeat_interval = HEARTBEAT_INTERVAL
        self.ack_heartbeats = True
        self.callback_deadline = CALLBACK_DEADLINE
        self.token_lifetime = TOKEN_LIFETIME
        self.sessions: dict[str, GatewaySession] = {}
        self.connections: list[GatewayConnection] = []
        self.received: list[dict[str, Any]] = []  # every gateway payload a client sent, in order
        self._changed = asyncio.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api(self) -> str:
        return f"{self.url}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def start(self) -> FakeDiscord:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/resume", self._gateway)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets
        self.port = server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        for conn in self.connections:
            if not conn.ws.closed:
                with contextlib.suppress(Exception):
                    await conn.ws.close(code=1001)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- test controls ----------------------------------------------------------------------

    def fail_next(self, path_regex: str, *failures: tuple[int, dict[str, Any]]) -> None:
        """The next requests whose path matches get these answers, in order, then normal ones.

        A 429 carries ``Via`` (as Discord's does) and ``Retry-After`` from ``retry_after``.
        """
        queued = []
        for status, body in failures:
            headers: dict[str, str] = {}
            if status == 429:
                headers = {
                    "Via": "1.1 google",
                    "Retry-After": str(body.get("retry_after", 1)),
                    "X-RateLimit-Scope": "user",
                }
            queued.append(Failure(status, body, headers))
        self.failures.append((re.compile(path_regex), queued))

    def chaos(
        self, *, rate_429: float = 0.0, rate_500: float = 0.0, rate_drop: float = 0.0, seed: int = 0
    ) -> None:
        """Random faults for every channel post from now on (``rate_*`` = 0 turns them off)."""
        self.chaos_of = Chaos(rate_429, rate_500, rate_drop, rng=random.Random(seed))

    def enforce_limits(
        self, per_second: int = 50, per_channel: int = 5, window: float = 5.0
    ) -> None:
        """Answer channel posts beyond Discord's rate limits with a 429 (from now on)."""
        self.limits = Limits(per_second, per_channel, window)

    def calls(self, method: str | None = None, path_regex: str = "") -> list[Recorded]:
        pattern = re.compile(path_regex)
        return [
            r
            for r in self.requests
            if (method is None or r.method == method)
            and pattern.search(r.path)
            and 200 <= r.status < 300
        ]

    def reset(self) -> None:
        self.requests.clear()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for(
        self, condition: Callable[[], T], timeout: float = 10.0, what: str = ""
    ) -> T:
        """The first true value of ``condition()``, checked again whenever a request or a gateway
        payload arrives or a connection opens or closes; AssertionError after ``timeout``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            got = condition()
            if got:
                return got
            left = deadline - loop.time()
            if left <= 0:
                raise AssertionError(f"fake Discord: timed out waiting for {what or condition}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(left, 0.5))

    def callbacks(self, payload: dict[str, Any]) -> list[Recorded]:
        """Every answered callback to the interaction of ``payload``."""
        return self.calls("POST", rf"/interactions/{payload['id']}/[^/]+/callback$")

    async def callback(self, payload: dict[str, Any], timeout: float = 10.0) -> Recorded:
        """The first callback to the interaction of ``payload`` (waiting for it)."""
        found = await self.wait_for(
            lambda: self.callbacks(payload), timeout, f"the callback of {payload['data']['name']}"
        )
        return found[0]

    def followups(self, payload: dict[str, Any]) -> list[Recorded]:
        """Messages sent for an interaction after its callback: followups and edits of the
        original response."""
        return [
            r
            for r in self.calls(None, rf"/webhooks/{APP_ID}/{re.escape(payload['token'])}")
            if r.method in ("POST", "PATCH")
        ]

    @staticmethod
    def age(payload: dict[str, Any], seconds: float) -> None:
        """Make the interaction of ``payload`` ``seconds`` older, as if that time had passed."""
        ISSUED[payload["id"]].created -= seconds

    # -- the gateway: test controls ---------------------------------------------------------

    @property
    def session(self) -> GatewaySession:
        """The session most recently identified that is still valid."""
        live = [s for s in self.sessions.values() if not s.invalid]
        assert live, "no client has identified to the fake gateway"
        return live[-1]

    def ops(self, op: int) -> list[dict[str, Any]]:
        """Every payload with opcode ``op`` clients sent (2 IDENTIFY, 6 RESUME, 1 heartbeat)."""
        return [p for p in self.received if p.get("op") == op]

    async def wait_ready(self, count: int = 1, timeout: float = 20.0) -> GatewaySession:
        """Wait until ``count`` sessions have been sent READY and GUILD_CREATE, and a client is
        connected to the latest; return it."""
        return await self.wait_for(
            lambda: (
                len(self.sessions) >= count
                and self.session.conn is not None
                and self.session.guilds_sent
                and self.session
            ),
            timeout,
            f"session {count} to be ready",
        )

    async def wait_connected(self, timeout: float = 20.0) -> GatewaySession:
        """Wait until a client is connected to a live session (after a RESUME, a new IDENTIFY)."""

        def connected() -> GatewaySession | None:
            live = [s for s in self.sessions.values() if not s.invalid and s.conn is not None]
            return live[-1] if live and live[-1].guilds_sent else None

        return await self.wait_for(connected, timeout, "a connected session")

    async def send_event(self, event: str, data: dict[str, Any]) -> int:
        """Dispatch ``event`` on the latest session (kept for a RESUME when no client is
        connected); its sequence number."""
        return await self.session.dispatch(event, data)

    async def interact(
        self, name: str, options: dict[str, str] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """Send INTERACTION_CREATE for ``/name option:value`` (see ``interaction_payload``)."""
        payload = interaction_payload(name, options, **kwargs)
        await self.send_event("INTERACTION_CREATE", payload)
        return payload

    async def reconnect(self) -> None:
        """op 7 RECONNECT: the client should close and RESUME."""
        await self.session.send_op(7, None)

    async def invalidate(self, *, resumable: bool = False) -> None:
        """op 9 INVALID_SESSION; unless ``resumable`` the session is gone (a new IDENTIFY)."""
        session = self.session
        if not resumable:
            session.invalid = True
        await session.send_op(9, resumable)

    async def request_heartbeat(self) -> None:
        """op 1: Discord asks for a heartbeat now."""
        await self.session.send_op(1, None)

    async def drop(self) -> None:
        """Close the latest open socket without a close frame, as a network failure would."""
        open_ = [c for c in self.connections if c.closed_at is None]
        assert open_, "no client connected"
        conn = open_[-1]
        transport = conn.request.transport
        assert transport is not None
        transport.abort()
        if conn.session is not None and conn.session.conn is conn:
            conn.session.conn = None
        self._notify()

    # -- the gateway: the protocol ----------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=4096 * 1024)
        await ws.prepare(request)
        query = request.query
        conn = GatewayConnection(
            self, ws, request, zlib_stream=query.get("compress") == "zlib-stream"
        )
        self.connections.append(conn)
        self._notify()
        try:
            if query.get("v") != "10" or query.get("encoding", "json") != "json":
                await ws.close(code=4012, message=b"Invalid API version or encoding")
                return ws
            if query.get("compress") not in (None, "zlib-stream"):
                await ws.close(code=4002, message=b"Unsupported compression")
                return ws
            await conn.send({"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval * 1000}})
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    break
                try:
                    payload = json.loads(msg.data)
                except ValueError:
                    await ws.close(code=4002, message=b"Error while decoding payload")
                    break
                payload["at"] = time.perf_counter()
                self.received.append(payload)
                await self._gateway_op(conn, payload)
                self._notify()
        finally:
            if conn.session is not None and conn.session.conn is conn:
                conn.session.conn = None
            conn.closed_at = time.perf_counter()
            self._notify()
        return ws

    async def _gateway_op(self, conn: GatewayConnection, payload: dict[str, Any]) -> None:
        op, data = payload.get("op"), payload.get("d")
        if op == 1:
            if self.ack_heartbeats:
                await conn.send({"op": 11})
            return
        if op == 2:
            if conn.session is not None:
                await conn.ws.close(code=4005, message=b"Already authenticated")
                return
            if self.token is not None and (data or {}).get("token") != self.token:
                await conn.ws.close(code=4004, message=b"Authentication failed")
                return
            session = GatewaySession(self, uuid.uuid4().hex, identify=data or {})
            self.sessions[session.id] = session
            conn.session, session.conn = session, conn
            await session.dispatch("READY", self._ready(session))
            await session.dispatch("GUILD_CREATE", guild_payload())
            session.guilds_sent = True
            return
        if op == 6:
            known = self.sessions.get(str((data or {}).get("session_id")))
            if known is None or known.invalid or (data or {}).get("token") != known.token:
                await conn.send({"op": 9, "d": False})
                return
            if known.conn is not None and known.conn is not conn:
                with contextlib.suppress(Exception):
                    await known.conn.ws.close(code=4000, message=b"Session resumed elsewhere")
            conn.session, known.conn = known, conn
            known.resumes += 1
            seq = int((data or {}).get("seq") or 0)
            for event in known.events:
                if event["s"] > seq:
                    await conn.send(event)
            await known.dispatch("RESUMED", {})
            return
        if conn.session is None:
            await conn.ws.close(code=4003, message=b"Not authenticated")

    def _ready(self, session: GatewaySession) -> dict[str, Any]:
        shard = session.identify.get("shard") or [0, 1]
        return {
            "v": 10,
            "user": {**user_payload(BOT_ID, "sitrep", bot=True), "verified": True, "flags": 0},
            "guilds": [{"id": str(GUILD_ID), "unavailable": True}],
            "session_id": session.id,
            "resume_gateway_url": f"ws://127.0.0.1:{self.port}/resume",
            "shard": shard,
            "application": {"id": str(APP_ID), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "session_type": "normal",
            "_trace": ["fake-discord-gateway"],
        }

    # -- the API ----------------------------------------------------------------------------

    async def _read(self, request: web.Request) -> Recorded:
        rec = Recorded(request.method, request.path, dict(request.query))
        rec.received_at = time.perf_counter()
        rec.authorization = request.headers.get("Authorization", "")
        ctype = request.headers.get("Content-Type", "")
        if ctype.startswith("multipart/"):
            reader = await request.multipart()
            while True:
                part = await reader.next()
                if part is None:
                    break
                data = await part.read()  # type: ignore[union-attr]
                name = part.name or ""
                if name == "payload_json":
                    rec.json = json.loads(bytes(data).decode("utf-8"))
                else:
                    rec.files.append((name, part.filename or "", len(data)))
                    rec.file_data[part.filename or name] = bytes(data)
        elif request.can_read_body:
            raw = await request.read()
            if raw:
                rec.json = json.loads(raw.decode("utf-8"))
        return rec

    def _failure(self, path: str) -> Failure | None:
        for pattern, queued in self.failures:
            if queued and pattern.search(path):
                return queued.pop(0)
        return None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        try:
            return await self._answer(request)
        finally:
            self._notify()

    async def _answer(self, request: web.Request) -> web.StreamResponse:
        rec = await self._read(request)
        self.requests.append(rec)
        if self.drop_connections > 0:
            self.drop_connections -= 1
            assert request.transport is not None
            request.transport.close()
            rec.status = -1
            return web.Response(status=500)
        post = _CHANNEL_POST.search(rec.path) if rec.method == "POST" else None
        if post is not None and self.limits is not None:
            limited = self._limit(post.group(1))
            if limited is not None:
                rec.status = 429
                return limited
        if post is not None and self.chaos_of is not None:
            faulty = self._chaos(rec, self.chaos_of, request)
            if faulty is not None:
                return faulty
        failure = self._failure(rec.path)
        if failure is not None:
            rec.status = failure.status
            return _json(failure.body, failure.status, failure.headers)
        status, body = self._route(rec)
        rec.status = status
        if status == 204:
            return web.Response(status=204)
        return _json(body, status)

    def _limit(self, channel: str) -> web.Response | None:
        limits = self.limits
        assert limits is not None
        now = time.monotonic()
        while limits.recent and limits.recent[0] <= now - 1.0:
            limits.recent.popleft()
        mine = limits.by_channel.setdefault(channel, deque())
        while mine and mine[0] <= now - limits.channel_window:
            mine.popleft()
        headers = {"Via": "1.1 google"}
        if len(limits.recent) >= limits.per_second:
            wait = limits.recent[0] + 1.0 - now
            headers.update({"X-RateLimit-Global": "true", "X-RateLimit-Scope": "global"})
        elif len(mine) >= limits.per_channel:
            wait = mine[0] + limits.channel_window - now
            headers.update(
                {
                    "X-RateLimit-Scope": "user",
                    "X-RateLimit-Bucket": f"channel-{channel}",
                    "X-RateLimit-Limit": str(limits.per_channel),
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset-After": f"{wait:.3f}",
                }
            )
        else:
            limits.recent.append(now)
            mine.append(now)
            return None
        limits.refused += 1
        headers["Retry-After"] = f"{max(wait, 0.001):.3f}"
        body = {"message": "You are being rate limited.", "retry_after": max(wait, 0.001)}
        body["global"] = headers.get("X-RateLimit-Global") == "true"
        return _json(body, 429, headers)

    def _chaos(self, rec: Recorded, chaos: Chaos, request: web.Request) -> web.Response | None:
        draw = chaos.rng.random()
        if draw < chaos.rate_429:
            rec.status = 429
            wait = chaos.retry_after
            headers = {"Via": "1.1 google", "Retry-After": str(wait), "X-RateLimit-Scope": "user"}
            return _json({"message": "rate limited", "retry_after": wait}, 429, headers)
        if draw < chaos.rate_429 + chaos.rate_500:
            rec.status = 500
            return _json({"message": "500: Internal Server Error", "code": 0}, 500)
        if draw < chaos.rate_429 + chaos.rate_500 + chaos.rate_drop:
            self._route(rec)  # the message is made; the answer never arrives
            assert request.transport is not None
            request.transport.close()
            rec.status = -1
            return web.Response(status=500)
        return None

    def _message(self, where: str, rec: Recorded, channel_id: int = CHANNEL_ID) -> dict[str, Any]:
        body = rec.payload
        nonce = body.get("nonce")
        if body.get("enforce_nonce") and nonce is not None:
            for earlier in self.messages.get(where, []):
                seen = self._nonce_at.get(earlier["id"], -math.inf)
                if earlier.get("nonce") == nonce and time.monotonic() - seen < self.nonce_seconds:
                    return earlier  # Discord: the same nonce within minutes is the same message
        attachments = [
            {
                "id": snowflake(),
                "filename": filename,
                "size": size,
                "url": f"{self.url}/attachments/{filename}",
                "proxy_url": f"{self.url}/attachments/{filename}",
            }
            for _, filename, size in rec.files
        ]
        author = user_payload(BOT_ID, "sitrep", bot=True)
        if body.get("username"):
            author = {**author, "username": body["username"]}
        msg = {
            "id": self._message_id(),
            "channel_id": str(channel_id),
            "type": 0,
            "content": body.get("content") or "",
            "embeds": body.get("embeds") or [],
            "attachments": attachments,
            "author": author,
            "timestamp": datetime.fromtimestamp(self.clock(), UTC).isoformat(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "pinned": False,
            "flags": int(body.get("flags") or 0),
            "nonce": body.get("nonce"),
        }
        if body.get("webhook_id"):
            msg["webhook_id"] = body["webhook_id"]
        self.messages.setdefault(where, []).append(msg)
        self._nonce_at[msg["id"]] = time.monotonic()
        return msg

    def _message_id(self) -> str:
        """A message id as Discord makes them: milliseconds since 2015 on Discord's clock, in the
        high bits (so ids grow with time, and a time can be read back from one)."""
        ms = int(self.clock() * 1000) - DISCORD_EPOCH_MS
        self._last_message_id = max(self._last_message_id + 1, ms << 22)
        return str(self._last_message_id)

    def _route(self, rec: Recorded) -> tuple[int, Any]:
        p = rec.path.removeprefix("/api/v10")
        m: re.Match[str] | None
        if rec.method == "GET" and p == "/users/@me":
            if self.token is not None and rec.authorization != f"Bot {self.token}":
                return 401, {"message": "401: Unauthorized", "code": 0}
            return 200, user_payload(BOT_ID, "sitrep", bot=True)
        if rec.method == "GET" and p in ("/gateway", "/gateway/bot"):
            limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
            body: dict[str, Any] = {"url": self.gateway_url}
            if p == "/gateway/bot":
                body.update(shards=1, session_start_limit=limit)
            return 200, body
        refused = self._interaction_refusal(rec, p)
        if refused is not None:
            return refused
        if rec.method == "GET" and p == "/oauth2/applications/@me":
            return 200, {
                "id": str(APP_ID),
                "name": "sitrep",
                "description": "",
                "icon": None,
                "bot_public": False,
                "bot_require_code_grant": False,
                "owner": user_payload(OWNER_ID, "owner"),
                "verify_key": "0" * 64,
                "flags": 0,
                "summary": "",
                "rpc_origins": [],
            }
        if m := re.fullmatch(r"/interactions/(\d+)/([^/]+)/callback", p):
            body = rec.json or {}
            out: dict[str, Any] = {
                "interaction": {
                    "id": m.group(1),
                    "type": ISSUED[m.group(1)].type,
                    "response_message_loading": body.get("type") == 5,
                    "response_message_ephemeral": bool(
                        (body.get("data") or {}).get("flags", 0) & 64
                    ),
                }
            }
            if body.get("type") == 4:
                msg = self._message(f"interaction:{m.group(2)}", rec)
                out["interaction"]["response_message_id"] = msg["id"]
                out["resource"] = {"type": 4, "message": msg}
            return 200, out
        if m := re.fullmatch(r"/webhooks/(\d+)/([^/]+)/messages/@original", p):
            if rec.method == "DELETE":
                return 204, None
            if rec.method == "PATCH":
                return 200, self._message(f"interaction:{m.group(2)}", rec)
            return 200, (self.messages.get(f"interaction:{m.group(2)}") or [{}])[0]
        if (m := re.fullmatch(r"/webhooks/(\d+)/([^/]+)", p)) and rec.method == "POST":
            msg = self._message(f"webhook:{m.group(1)}/{m.group(2)}", rec)
            msg["webhook_id"] = m.group(1)
            if rec.query.get("wait") in ("true", "1"):
                return 200, msg
            return 204, None
        if m := re.fullmatch(r"/channels/(\d+)/messages", p):
            if rec.method == "POST":
                return 200, self._message(f"channel:{m.group(1)}", rec, int(m.group(1)))
            if rec.method == "GET":
                listed = reversed(self.messages.get(f"channel:{m.group(1)}", []))
                return 200, [{k: v for k, v in msg.items() if k != "nonce"} for msg in listed]
        if m := re.fullmatch(r"/applications/(\d+)(?:/guilds/(\d+))?/commands", p):
            key = m.group(2) or "global"
            if rec.method == "PUT":
                cmds = []
                for c in rec.json or []:
                    cmd = {
                        "id": snowflake(),
                        "application_id": m.group(1),
                        "version": snowflake(),
                        "type": c.get("type", 1),
                        "default_member_permissions": None,
                        "dm_permission": True,
                        "nsfw": False,
                        **c,
                    }
                    if m.group(2):
                        cmd["guild_id"] = m.group(2)
                    cmds.append(cmd)
                self.commands[key] = cmds
                return 200, cmds
            if rec.method == "GET":
                return 200, self.commands.get(key, [])
        return 404, {"message": f"Unknown route {rec.method} {p}", "code": 0}

    def _interaction_refusal(self, rec: Recorded, p: str) -> tuple[int, Any] | None:
        """Discord's answer to a callback or interaction webhook it would refuse, else None; a
        callback it accepts marks the interaction answered."""
        if m := re.fullmatch(r"/interactions/(\d+)/([^/]+)/callback", p):
            issued = ISSUED.get(m.group(1))
            if issued is None or issued.token != m.group(2):
                return 404, {"message": "Unknown interaction", "code": 10062}
            if issued.answered:
                return 400, {"message": "Interaction has already been acknowledged.", "code": 40060}
            if time.monotonic() - issued.created > self.callback_deadline:
                return 404, {"message": "Unknown interaction", "code": 10062}
            issued.answered = True
            return None
        m = re.fullmatch(rf"/webhooks/{APP_ID}/([^/]+)(?:/.*)?", p)
        if m is None:
            return None
        found = [i for i in ISSUED.values() if i.token == m.group(1)]
        if not found:
            return 404, {"message": "Unknown Webhook", "code": 10015}
        if time.monotonic() - found[0].created > self.token_lifetime:
            return 401, {"message": "Invalid Webhook Token", "code": 50027}
        return None


@dataclass(eq=False)
class GatewaySession:
    """One gateway session: what IDENTIFY created, every event sent on it (for RESUME)."""

    server: FakeDiscord
    id: str
    identify: dict[str, Any]
    seq: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)
    conn: GatewayConnection | None = None
    invalid: bool = False
    guilds_sent: bool = False
    resumes: int = 0

    @property
    def token(self) -> Any:
        return self.identify.get("token")

    async def dispatch(self, event: str, data: dict[str, Any]) -> int:
        self.seq += 1
        payload = {"op": 0, "t": event, "s": self.seq, "d": data}
        self.events.append(payload)
        if self.conn is not None:
            try:
                await self.conn.send(payload)
            except (ConnectionError, RuntimeError):
                self.conn = None  # the client is gone; the event waits for a RESUME
        self.server._notify()
        return self.seq

    async def send_op(self, op: int, data: Any) -> None:
        assert self.conn is not None, "no client connected"
        await self.conn.send({"op": op, "d": data})


@dataclass(eq=False)
class GatewayConnection:
    """One websocket; with ``zlib_stream`` every payload goes through one zlib stream, each
    ending in a sync flush, as Discord's transport compression does."""

    server: FakeDiscord
    ws: web.WebSocketResponse
    request: web.Request
    zlib_stream: bool = False
    session: GatewaySession | None = None
    sent: list[dict[str, Any]] = field(default_factory=list)
    closed_at: float | None = None
    _zlib: Any = field(default_factory=zlib.compressobj)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def send(self, payload: dict[str, Any]) -> None:
        full = {"op": payload["op"], "d": payload.get("d"), "s": None, "t": None, **payload}
        text = json.dumps(full)
        async with self._lock:
            if self.ws.closed:
                raise ConnectionError("gateway connection closed")
            self.sent.append(full)
            if self.zlib_stream:
                await self.ws.send_bytes(
                    self._zlib.compress(text.encode()) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
                )
            else:
                await self.ws.send_str(text)


def guild_payload(guild_id: int = GUILD_ID, channel_id: int = CHANNEL_ID) -> dict[str, Any]:
    """GUILD_CREATE for the test guild: one text channel, @everyone, the bot as a member."""
    joined = "2024-01-01T00:00:00+00:00"
    return {
        "id": str(guild_id),
        "name": "Front desk",
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "banner": None,
        "description": None,
        "owner_id": str(OWNER_ID),
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "premium_progress_bar_enabled": False,
        "preferred_locale": "en-US",
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "public_updates_channel_id": None,
        "safety_alerts_channel_id": None,
        "vanity_url_code": None,
        "application_id": None,
        "max_members": 500_000,
        "features": [],
        "emojis": [],
        "stickers": [],
        "roles": [
            {
                "id": str(guild_id),
                "name": "@everyone",
                "permissions": "2248473465835073",
                "position": 0,
                "color": 0,
                "hoist": False,
                "managed": False,
                "mentionable": False,
                "flags": 0,
            }
        ],
        "joined_at": joined,
        "large": False,
        "unavailable": False,
        "member_count": 2,
        "members": [
            {
                "user": user_payload(BOT_ID, "sitrep", bot=True),
                "roles": [],
                "joined_at": joined,
                "deaf": False,
                "mute": False,
                "flags": 0,
            }
        ],
        "channels": [
            {
                "id": str(channel_id),
                "type": 0,
                "name": "briefings",
                "position": 0,
                "permission_overwrites": [],
                "nsfw": False,
                "parent_id": None,
                "topic": None,
                "last_message_id": None,
                "rate_limit_per_user": 0,
            }
        ],
        "threads": [],
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
    }


def _json(body: Any, status: int, headers: dict[str, str] | None = None) -> web.Response:
    # discord.py parses a body as JSON only when the content type is exactly application/json.
    h = {"Content-Type": "application/json", **(headers or {})}
    return web.Response(body=json.dumps(body).encode("utf-8"), status=status, headers=h)


def interaction_payload(
    name: str,
    options: dict[str, str | bool] | None = None,
    *,
    focused: str | None = None,
    guild_id: int = GUILD_ID,
    channel_id: int = CHANNEL_ID,
    user_id: int = USER_ID,
) -> dict[str, Any]:
    """The gateway payload of ``/name option:value ...`` (an autocomplete when ``focused``)."""
    opts = []
    for key, value in (options or {}).items():
        kind = 5 if isinstance(value, bool) else 3  # Discord's BOOLEAN and STRING option types
        opt: dict[str, Any] = {"name": key, "type": kind, "value": value}
        if key == focused:
            opt["focused"] = True
        opts.append(opt)
    user = user_payload(user_id, "reader")
    interaction_id, token, kind = snowflake(), f"tok-{snowflake()}", 4 if focused else 2
    ISSUED[interaction_id] = Issued(token, kind, time.monotonic())
    return {
        "id": interaction_id,
        "application_id": str(APP_ID),
        "type": kind,
        "token": token,
        "version": 1,
        "guild_id": str(guild_id),
        "channel_id": str(channel_id),
        "channel": {
            "id": str(channel_id),
            "type": 0,
            "guild_id": str(guild_id),
            "name": "briefings",
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
        },
        "member": {
            "user": user,
            "roles": [],
            "joined_at": "2024-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
            "permissions": "2248473465835073",
        },
        "data": {"id": snowflake(), "name": name, "type": 1, "options": opts},
        "locale": "en-US",
        "guild_locale": "en-US",
        "app_permissions": "2248473465835073",
        "entitlements": [],
        "authorizing_integration_owners": {"0": str(guild_id)},
        "context": 0,
        "attachment_size_limit": 10 * 1024 * 1024,
    }


async def dispatch(client: Any, payload: dict[str, Any]) -> None:
    """Feed ``payload`` to discord.py as the gateway would (``INTERACTION_CREATE``) and wait
    for the command tree's task to finish."""
    import asyncio

    before = set(asyncio.all_tasks())
    client._connection.parse_interaction_create(payload)
    new = [t for t in asyncio.all_tasks() - before if t.get_name() == "CommandTree-invoker"]
    assert new, "the command tree did not take the interaction"
    await asyncio.gather(*new)
