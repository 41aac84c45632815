"""The fake Discord's gateway and interaction rules, driven by discord.py's own client.

discord.py connects to the fake exactly as to Discord (``GET /gateway/bot``, a websocket with
zlib-stream compression, HELLO, IDENTIFY, heartbeats) and keeps its session across a dropped
socket, op 7 and op 9 the way it does against the real gateway. These tests pin the fake to what
discord.py expects, so the end-to-end tests of ``sitrep run`` (tests/test_run_gateway.py) stand on
a gateway that behaves like Discord's.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.gateway import DiscordWebSocket
from discord_server import APP_ID, BOT_ID, GUILD_ID, FakeDiscord, interaction_payload

TOKEN = "gateway-test-token"


class Client(discord.AutoShardedClient):
    """A minimal bot: ``/echo text`` answers at once, ``/later`` when the test says so,
    ``/slow`` defers and follows up when the test says so, ``/pick`` autocompletes."""

    def __init__(self) -> None:
        super().__init__(
            intents=discord.Intents.none() | discord.Intents(guilds=True),
            allowed_mentions=discord.AllowedMentions.none(),
            guild_ready_timeout=0.05,  # on_ready 2 s after the last GUILD_CREATE otherwise
        )
        self.tree = app_commands.CommandTree(self)
        self.ready = asyncio.Event()
        self.resumed = asyncio.Event()
        self.release = asyncio.Event()
        self.errors: list[BaseException] = []
        tree = self.tree

        @tree.command(name="echo", description="say it back")
        async def echo(interaction: discord.Interaction[Any], text: str) -> None:
            await interaction.response.send_message(f"echo: {text}")

        @tree.command(name="later", description="answer when released")
        async def later(interaction: discord.Interaction[Any]) -> None:
            await self.release.wait()
            try:
                await interaction.response.send_message("too late?")
            except discord.HTTPException as exc:
                self.errors.append(exc)

        @tree.command(name="slow", description="defer, follow up when released")
        async def slow(interaction: discord.Interaction[Any]) -> None:
            await interaction.response.defer(thinking=True)
            await self.release.wait()
            try:
                await interaction.followup.send("done")
            except discord.HTTPException as exc:
                self.errors.append(exc)

        async def choices(
            interaction: discord.Interaction[Any], current: str
        ) -> list[app_commands.Choice[str]]:
            names = ["alpha", "beta", "gamma"]
            return [app_commands.Choice(name=n, value=n) for n in names if current in n]

        @tree.command(name="pick", description="choose")
        @app_commands.autocomplete(thing=choices)
        async def pick(interaction: discord.Interaction[Any], thing: str) -> None:
            await interaction.response.send_message(thing)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        pass  # discord.py waits 5 s before identifying again; these tests need not

    async def on_ready(self) -> None:
        self.ready.set()

    async def on_shard_resumed(self, shard_id: int) -> None:
        self.resumed.set()


@pytest.fixture
async def server(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as s:
        s.token = TOKEN
        s.heartbeat_interval = 0.2
        monkeypatch.setattr(discord.http.Route, "BASE", s.api)
        # Where discord.py goes after an INVALID_SESSION (Discord's own gateway otherwise).
        monkeypatch.setattr(
            DiscordWebSocket, "DEFAULT_GATEWAY", discord.gateway.yarl.URL(s.gateway_url)
        )
        yield s


@pytest.fixture
async def client(server: FakeDiscord) -> AsyncIterator[Client]:
    c = Client()
    running = asyncio.create_task(c.start(TOKEN))
    try:
        await asyncio.wait_for(c.ready.wait(), 15)
        yield c
    finally:
        await c.close()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(running, 10)
        # discord.py beats from a thread: let it see the close before the loop goes away.
        for thread in threading.enumerate():
            if isinstance(thread, discord.gateway.KeepAliveHandler):
                thread.join(2)


async def test_identify_ready_guild_and_heartbeats(server: FakeDiscord, client: Client) -> None:
    (identify,) = server.ops(2)
    assert identify["d"]["token"] == TOKEN
    assert identify["d"]["intents"] == discord.Intents(guilds=True).value
    assert identify["d"]["shard"] == [0, 1]
    (conn,) = server.connections
    assert conn.zlib_stream  # discord.py asks for zlib-stream; every payload went through it
    assert conn.request.query["v"] == "10"
    assert [p["op"] for p in conn.sent[:1]] == [10]  # HELLO first
    assert [p["t"] for p in conn.sent if p["op"] == 0][:2] == ["READY", "GUILD_CREATE"]
    assert client.user is not None and client.user.id == BOT_ID
    assert client.application_id == APP_ID
    guild = client.get_guild(GUILD_ID)
    assert guild is not None and guild.name == "Front desk" and guild.text_channels
    await server.wait_for(lambda: len(server.ops(1)) >= 3, 5, "three heartbeats")
    assert sum(1 for p in conn.sent if p["op"] == 11) >= 3  # each acknowledged
    assert client.latency < 1.0


async def test_heartbeat_on_request(server: FakeDiscord, client: Client) -> None:
    server.heartbeat_interval = 30.0
    before = len(server.ops(1))
    await server.request_heartbeat()
    await server.wait_for(lambda: len(server.ops(1)) > before, 5, "a heartbeat on op 1")


async def test_interaction_create_answered_over_the_gateway(
    server: FakeDiscord, client: Client
) -> None:
    payload = await server.interact("echo", {"text": "hello"})
    cb = await server.callback(payload)
    assert cb.json["type"] == 4
    assert cb.payload["content"] == "echo: hello"
    assert cb.payload["allowed_mentions"] == {"parse": []}


async def test_autocomplete_over_the_gateway(server: FakeDiscord, client: Client) -> None:
    payload = await server.interact("pick", {"thing": "a"}, focused="thing")
    cb = await server.callback(payload)
    assert cb.json["type"] == 8
    assert [c["value"] for c in cb.json["data"]["choices"]] == ["alpha", "beta", "gamma"]


async def test_dropped_socket_resumes_and_replays_missed_events(
    server: FakeDiscord, client: Client
) -> None:
    session = server.session
    await server.drop()
    missed = await server.interact("echo", {"text": "while away"})  # kept for the RESUME
    (resume,) = [p for p in await server.wait_for(lambda: server.ops(6), 10, "a RESUME")]
    assert resume["d"]["session_id"] == session.id and resume["d"]["token"] == TOKEN
    await server.wait_for(lambda: session.resumes == 1 and session.conn is not None)
    assert server.connections[-1].request.path == "/resume"  # READY's resume_gateway_url
    assert (await server.callback(missed)).payload["content"] == "echo: while away"
    await asyncio.wait_for(client.resumed.wait(), 5)
    assert len(server.ops(2)) == 1  # no new IDENTIFY
    after = await server.interact("echo", {"text": "back"})
    assert (await server.callback(after)).payload["content"] == "echo: back"


async def test_reconnect_op7_resumes(server: FakeDiscord, client: Client) -> None:
    session = server.session
    await server.reconnect()
    await server.wait_for(lambda: session.resumes == 1 and session.conn is not None)
    resumed = [p for p in server.connections[-1].sent if p.get("t") == "RESUMED"]
    assert resumed
    payload = await server.interact("echo", {"text": "after op 7"})
    assert (await server.callback(payload)).payload["content"] == "echo: after op 7"


async def test_invalid_session_identifies_again(server: FakeDiscord, client: Client) -> None:
    first = server.session
    await server.invalidate()
    second = await server.wait_ready(count=2)
    assert second is not first and first.invalid
    assert len(server.ops(2)) == 2
    assert server.connections[-1].request.path == "/gateway"  # DEFAULT_GATEWAY, patched
    payload = await server.interact("echo", {"text": "new session"})
    assert (await server.callback(payload)).payload["content"] == "echo: new session"


async def test_resume_of_an_unknown_session_is_refused(server: FakeDiscord, client: Client) -> None:
    server.session.invalid = True  # Discord forgot the session while the socket was down
    await server.drop()
    await server.wait_ready(count=2)
    (resume,) = server.ops(6)
    refused = [c for c in server.connections if any(p["op"] == 9 for p in c.sent)]
    assert refused and refused[0].sent[-1] == {"op": 9, "d": False, "s": None, "t": None}
    assert resume["d"]["session_id"] != server.session.id


async def test_a_reply_after_three_seconds_fails(server: FakeDiscord, client: Client) -> None:
    payload = await server.interact("later")
    server.age(payload, 3.1)  # as if the command had taken 3.1 s
    client.release.set()
    await server.wait_for(lambda: client.errors, 5, "the late reply to fail")
    (error,) = client.errors
    assert isinstance(error, discord.NotFound) and error.code == 10062
    late = [r for r in server.requests if r.path.endswith("/callback")]
    assert [r.status for r in late] == [404]


async def test_a_deferred_reply_may_follow_up_until_the_token_expires(
    server: FakeDiscord, client: Client
) -> None:
    payload = await server.interact("slow")
    cb = await server.callback(payload)
    assert cb.json["type"] == 5
    server.age(payload, 15 * 60 + 1)  # the token lives 15 minutes
    client.release.set()
    await server.wait_for(lambda: client.errors, 5, "the followup to fail")
    (error,) = client.errors
    assert isinstance(error, discord.HTTPException) and error.code == 50027
    assert not server.followups(payload)


async def test_deferred_followup_within_the_token_lifetime(
    server: FakeDiscord, client: Client
) -> None:
    payload = await server.interact("slow")
    await server.callback(payload)
    server.age(payload, 60)  # well past 3 s: only the first answer has that deadline
    client.release.set()
    (followup,) = await server.wait_for(lambda: server.followups(payload), 5, "the followup")
    assert followup.payload["content"] == "done"


async def test_an_interaction_is_acknowledged_once(server: FakeDiscord) -> None:
    payload = interaction_payload("echo", {"text": "x"})
    url = f"{server.api}/interactions/{payload['id']}/{payload['token']}/callback"
    async with aiohttp.ClientSession() as http:
        body = {"type": 4, "data": {"content": "one"}}
        async with http.post(url, json=body) as first:
            assert first.status == 200
        async with http.post(url, json=body) as second:
            assert second.status == 400
            assert (await second.json())["code"] == 40060
        wrong = f"{server.api}/interactions/{payload['id']}/not-the-token/callback"
        async with http.post(wrong, json=body) as forged:
            assert forged.status == 404


async def test_a_wrong_token_is_refused(server: FakeDiscord) -> None:
    c = Client()
    with pytest.raises(discord.LoginFailure):
        await c.login("not-the-token")
    await c.close()
