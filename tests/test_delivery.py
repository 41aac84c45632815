"""The outbox's Discord sender against the local fake Discord (127.0.0.1), and the console one."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import discord
import pytest
from delivery_fakes import SimulatedCrash
from discord_server import FakeDiscord
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from bot.delivery.outbox import Outbox, PermanentError, Post, TransientError
from bot.delivery.posts import FILES_KEY, outbox_files
from bot.delivery.senders import ConsoleSender, DiscordSender
from bot.scheduling.subscriptions import create_tables
from briefings.messages import Attachment, Embed, Message

T0 = datetime(2026, 3, 1, 8, tzinfo=UTC)
CHANNEL = 4242


@pytest.fixture
async def server(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as s:
        monkeypatch.setattr(discord.http.Route, "BASE", s.api)
        yield s


@pytest.fixture
async def client(server: FakeDiscord) -> AsyncIterator[discord.Client]:
    c = discord.Client(intents=discord.Intents.none())
    try:
        await c.login("test-token")
        yield c
    finally:
        await c.close()


def posted(server: FakeDiscord, channel: int = CHANNEL) -> list[dict[str, Any]]:
    return server.messages.get(f"channel:{channel}", [])


async def test_send_posts_the_payload_and_returns_the_id(
    server: FakeDiscord, client: discord.Client
) -> None:
    sender = DiscordSender(client)
    payload = Message(content="hello @everyone", embeds=(Embed(title="t"),)).to_payload()
    mid = await sender.send(CHANNEL, {**payload, "nonce": "sr1", "enforce_nonce": True})
    assert mid == int(posted(server)[0]["id"])
    body = server.calls("POST", rf"/channels/{CHANNEL}/messages")[0].json
    assert body is not None
    assert body["allowed_mentions"] == {"parse": [], "replied_user": False}
    assert (body["nonce"], body["enforce_nonce"]) == ("sr1", True)
    assert body["embeds"][0]["title"] == "t"


async def test_the_fake_behaves_as_discord_with_nonces(
    server: FakeDiscord, client: discord.Client
) -> None:
    """Listing gives no nonce, and a nonce is remembered only for a while (as on Discord), so
    the crash tests walk the recovery path real Discord leaves."""
    sender = DiscordSender(client)
    payload = {"content": "once", "nonce": "sr-n", "enforce_nonce": True}
    first = await sender.send(CHANNEL, payload)
    assert await sender.send(CHANNEL, payload) == first  # within the window: the same message
    listed = await client.http.logs_from(CHANNEL, 10)
    assert [m["id"] for m in listed] == [str(first)] and "nonce" not in listed[0]
    server.nonce_seconds = 0.0  # the window has passed
    assert await sender.send(CHANNEL, payload) != first
    assert len(posted(server)) == 2


@pytest.mark.parametrize("status", [403, 404, 400])
async def test_4xx_are_permanent(server: FakeDiscord, client: discord.Client, status: int) -> None:
    server.fail_next(rf"/channels/{CHANNEL}/messages", (status, {"message": "no", "code": 50001}))
    with pytest.raises(PermanentError) as info:
        await DiscordSender(client).send(CHANNEL, {"content": "x"})
    assert info.value.status == status
    assert posted(server) == []


async def test_a_429_is_waited_out_by_discord_py(
    server: FakeDiscord, client: discord.Client
) -> None:
    server.fail_next(
        rf"/channels/{CHANNEL}/messages", (429, {"retry_after": 0.01, "global": False})
    )
    mid = await DiscordSender(client).send(CHANNEL, {"content": "x"})
    assert [int(m["id"]) for m in posted(server)] == [mid]


async def test_find_by_content_after_a_message_id_and_not_one_already_owned(
    server: FakeDiscord, client: discord.Client
) -> None:
    """Discord lists no nonces: a post is the bot's own message with the same content, newer
    than the claim's message id (Discord's clock), that no other row owns; the oldest such."""
    sender = DiscordSender(client)
    none: frozenset[int] = frozenset()
    before = await sender.send(CHANNEL, {"content": "a", "nonce": "sr-0"})  # yesterday's
    first = await sender.send(CHANNEL, {"content": "a", "nonce": "sr-a"})
    again = await sender.send(CHANNEL, {"content": "a", "nonce": "sr-b"})
    same = {"content": "a", "nonce": "sr-a"}
    assert await sender.find(CHANNEL, same, after=before, known=none) == first
    assert await sender.find(CHANNEL, same, after=first, known=none) == again
    assert await sender.find(CHANNEL, same, after=before, known=frozenset({first})) == again
    assert await sender.find(CHANNEL, same, after=again, known=none) is None
    assert await sender.find(CHANNEL, same, after=None, known=none) == before
    assert await sender.find(CHANNEL, {"content": "b"}, after=None, known=none) is None
    query = server.calls("GET", rf"/channels/{CHANNEL}/messages")[0].query
    assert query["after"] == str(before)  # only what Discord made after the claim is asked for


async def test_find_in_a_forbidden_channel_is_permanent(
    server: FakeDiscord, client: discord.Client
) -> None:
    server.fail_next(rf"/channels/{CHANNEL}/messages", (403, {"message": "Missing Access"}))
    with pytest.raises(PermanentError):
        await DiscordSender(client).find(CHANNEL, {"nonce": "x"}, after=None, known=frozenset())


async def test_a_server_error_after_discord_py_gives_up_is_transient(
    server: FakeDiscord, client: discord.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def failing(*args: Any, **kwargs: Any) -> Any:
        raise discord.DiscordServerError(FakeResponse(503), {"message": "unavailable"})

    monkeypatch.setattr(client.http, "request", failing)
    with pytest.raises(TransientError, match="503"):
        await DiscordSender(client).send(CHANNEL, {"content": "x"})

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionResetError("reset by peer")

    monkeypatch.setattr(client.http, "request", broken)
    with pytest.raises(TransientError, match="connection error"):
        await DiscordSender(client).send(CHANNEL, {"content": "x"})


class FakeResponse:
    def __init__(self, status: int) -> None:
        self.status = status
        self.reason = "error"
        self.headers: dict[str, str] = {}


class CrashingSender(DiscordSender):
    """Dies right after Discord accepted the message, before the outbox marks it."""

    crash = True

    async def send(self, channel_id: int, payload: dict[str, Any], files: Any = ()) -> int:
        mid = await super().send(channel_id, payload, files)
        if self.crash:
            raise SimulatedCrash
        return mid


async def test_crash_after_send_restart_one_message_in_discord(
    server: FakeDiscord, client: discord.Client, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"
    engine = create_async_engine(url)
    await create_tables(engine)
    messages = [Message(content="part one"), Message(content="part two")]
    box = Outbox(engine, CrashingSender(client), rng=random.Random(3))
    await box.enqueue(Post.parts(1, CHANNEL, T0, messages), now=T0)
    with pytest.raises(SimulatedCrash):
        await box.deliver_due(now=T0)
    await engine.dispose()

    engine = create_async_engine(url)
    box = Outbox(engine, DiscordSender(client), rng=random.Random(3))
    assert (await box.recover(now=T0)).recovered == 1
    await box.deliver_due(now=T0)
    assert [m["content"] for m in posted(server)] == ["part one", "part two"]
    rows = await box.rows()
    assert [r.message_id for r in rows] == [int(m["id"]) for m in posted(server)]
    await engine.dispose()


async def test_console_sender_prints_once_per_nonce() -> None:
    out: list[str] = []
    sender = ConsoleSender(out.append)
    payload = {"content": "hi", "nonce": "n1", "enforce_nonce": True}
    first = await sender.send(7, payload)
    assert await sender.send(7, payload) == first
    assert await sender.find(7, payload, after=None, known=frozenset()) == first
    assert await sender.find(7, {"nonce": "n2"}, after=None, known=frozenset()) is None
    assert len(out) == 1 and "channel 7" in out[0] and '"content": "hi"' in out[0]
    assert "nonce" not in out[0]


async def test_a_post_with_a_picture_reaches_every_channel_and_is_stored_once(
    server: FakeDiscord, client: discord.Client, tmp_path: Path
) -> None:
    """A scheduled post's map goes through the outbox: kept once by its hash however many
    channels post it, sent as multipart with the payload naming it, after a restart too."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"
    engine = create_async_engine(url)
    await create_tables(engine)
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
    picture = Attachment("front.png", png, "image/png")
    message = Message(embeds=(Embed(title="Frontline"),), attachments=(picture,))
    box = Outbox(engine, DiscordSender(client), rng=random.Random(3))
    for channel in (CHANNEL, CHANNEL + 1, CHANNEL + 2):
        await box.enqueue(Post.parts(channel, channel, T0, [message]), now=T0)
    async with engine.connect() as conn:
        stored = (await conn.execute(select(outbox_files.c.sha256))).scalars().all()
    assert len(stored) == 1
    await engine.dispose()

    engine = create_async_engine(url)  # a restart between the enqueue and the send
    box = Outbox(engine, DiscordSender(client), rng=random.Random(3))
    assert (await box.deliver_due(now=T0)).sent == 3
    calls = server.calls("POST", r"/channels/\d+/messages")
    assert len(calls) == 3
    for call in calls:
        assert call.files == [("files[0]", "front.png", len(png))]
        assert call.file_data["front.png"] == png
        assert call.json is not None
        assert call.json["attachments"] == [{"id": 0, "filename": "front.png"}]
        assert FILES_KEY not in call.json  # the outbox's own key never reaches Discord
        assert call.json["embeds"][0]["title"] == "Frontline"
    await engine.dispose()


async def test_console_sender_names_the_attached_files() -> None:
    out: list[str] = []
    sender = ConsoleSender(out.append)
    picture = Attachment("front.png", b"\x89PNG" + b"x" * 2000, "image/png")
    await sender.send(7, {"content": "map", "nonce": "n1"}, [picture])
    assert "(attached: front.png, 2,004 bytes)" in out[0]


async def test_a_post_whose_file_is_gone_goes_without_it_and_lists_none(
    server: FakeDiscord, client: discord.Client, tmp_path: Path
) -> None:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    await create_tables(engine)
    picture = Attachment("front.png", b"\x89PNG" + b"x" * 100, "image/png")
    box = Outbox(engine, DiscordSender(client), rng=random.Random(3))
    await box.enqueue(Post.parts(1, CHANNEL, T0, [Message("map", attachments=(picture,))]), now=T0)
    async with engine.begin() as conn:
        await conn.execute(outbox_files.delete())
    assert (await box.deliver_due(now=T0)).sent == 1
    (call,) = server.calls("POST", rf"/channels/{CHANNEL}/messages$")
    assert call.files == [] and call.json is not None
    assert call.json["content"] == "map" and call.json["attachments"] == []
    await engine.dispose()
