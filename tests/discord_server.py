"""A local stand-in for Discord's REST API, for tests and benchmarks (127.0.0.1 only).

It records every request (method, path, query, JSON or multipart body) and answers like Discord
for what sitrep uses: the bot's user and application, interaction callbacks, followups and the
original response, channel messages, webhooks and application commands. Tests can queue failures
(a 429 with ``retry_after``, a 500) for a path with ``fail_next``, turn on random faults for
channel posts with ``chaos`` (429s, 500s, connections dropped after the message was made), and
enforce Discord's rate limits with ``enforce_limits``. Like Discord, a post with
``enforce_nonce`` whose nonce the channel has seen returns the earlier message.

Point discord.py at it with ``monkeypatch.setattr(discord.http.Route, "BASE", server.api)``.
``interaction_payload`` builds the gateway payload of a slash command or an autocomplete.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

BOT_ID = 900_000_000_000_000_001
APP_ID = 900_000_000_000_000_002
OWNER_ID = 900_000_000_000_000_003
GUILD_ID = 900_000_000_000_000_004
CHANNEL_ID = 900_000_000_000_000_005
USER_ID = 900_000_000_000_000_006

_ids = itertools.count(1_200_000_000_000_000_000)


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
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.drop_connections = 0
        self.chaos_of: Chaos | None = None
        self.limits: Limits | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api(self) -> str:
        return f"{self.url}/api/v10"

    async def start(self) -> FakeDiscord:
        app = web.Application(client_max_size=64 * 1024 * 1024)
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

    # -- the API ----------------------------------------------------------------------------

    async def _read(self, request: web.Request) -> Recorded:
        rec = Recorded(request.method, request.path, dict(request.query))
        rec.received_at = time.perf_counter()
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
                if earlier.get("nonce") == nonce:
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
            "id": snowflake(),
            "channel_id": str(channel_id),
            "type": 0,
            "content": body.get("content") or "",
            "embeds": body.get("embeds") or [],
            "attachments": attachments,
            "author": author,
            "timestamp": datetime.now(UTC).isoformat(),
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
        return msg

    def _route(self, rec: Recorded) -> tuple[int, Any]:
        p = rec.path.removeprefix("/api/v10")
        m: re.Match[str] | None
        if rec.method == "GET" and p == "/users/@me":
            return 200, user_payload(BOT_ID, "sitrep", bot=True)
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
                    "type": 2,
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
                return 200, list(reversed(self.messages.get(f"channel:{m.group(1)}", [])))
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


def _json(body: Any, status: int, headers: dict[str, str] | None = None) -> web.Response:
    # discord.py parses a body as JSON only when the content type is exactly application/json.
    h = {"Content-Type": "application/json", **(headers or {})}
    return web.Response(body=json.dumps(body).encode("utf-8"), status=status, headers=h)


def interaction_payload(
    name: str,
    options: dict[str, str] | None = None,
    *,
    focused: str | None = None,
    guild_id: int = GUILD_ID,
    channel_id: int = CHANNEL_ID,
    user_id: int = USER_ID,
) -> dict[str, Any]:
    """The gateway payload of ``/name option:value ...`` (an autocomplete when ``focused``)."""
    opts = []
    for key, value in (options or {}).items():
        opt: dict[str, Any] = {"name": key, "type": 3, "value": value}
        if key == focused:
            opt["focused"] = True
        opts.append(opt)
    user = user_payload(user_id, "reader")
    return {
        "id": snowflake(),
        "application_id": str(APP_ID),
        "type": 4 if focused else 2,
        "token": f"tok-{snowflake()}",
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
