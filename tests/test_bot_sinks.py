"""Sinks: the webhook (429 and 5xx retried, nothing lost or doubled), the bot's channel posts,
and the console."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import discord
import pytest
from discord_server import CHANNEL_ID, FakeDiscord

from bot.config import load_config
from bot.delivery.sinks import ConsoleSink, DeliveryError, WebhookSink
from bot.gateway.client import SitrepBot
from bot.gateway.discord_io import DiscordSink
from briefings.messages import Attachment, Embed, Message

HOOK = "/api/v10/webhooks/4242/hooktoken"


@pytest.fixture
async def server(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as s:
        monkeypatch.setattr(discord.http.Route, "BASE", s.api)
        yield s


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def message(text: str = "@everyone hello") -> Message:
    return Message(
        content=text,
        embeds=(Embed(title="T", description="d", timestamp=datetime(2024, 1, 1, tzinfo=UTC)),),
    )


async def post(server: FakeDiscord, msg: Message, sleeps: Sleeps, **kw: object) -> int | None:
    async with aiohttp.ClientSession() as session:
        sink = WebhookSink(
            session,
            server.url + HOOK,
            username="sitrep desk",
            avatar_url="https://example.invalid/a.png",
            sleep=sleeps,
            **kw,  # type: ignore[arg-type]
        )
        assert "hooktoken" not in repr(sink)
        return await sink.send(msg)


async def test_webhook_posts_with_name_avatar_and_no_mentions(server: FakeDiscord) -> None:
    sleeps = Sleeps()
    msg_id = await post(server, message(), sleeps)
    (req,) = server.calls("POST", "/webhooks/4242/")
    assert req.query["wait"] == "true"
    body = req.json
    assert body["username"] == "sitrep desk"
    assert body["avatar_url"] == "https://example.invalid/a.png"
    assert body["allowed_mentions"]["parse"] == []
    assert body["content"] == "@everyone hello" and body["embeds"][0]["title"] == "T"
    assert msg_id == int(server.messages["webhook:4242/hooktoken"][0]["id"])
    assert sleeps.calls == []


async def test_webhook_waits_retry_after_on_429_then_posts_once(server: FakeDiscord) -> None:
    server.fail_next("/webhooks/4242/", (429, {"message": "slow", "retry_after": 1.75}))
    sleeps = Sleeps()
    msg_id = await post(server, message(), sleeps)
    assert msg_id is not None
    assert sleeps.calls == [1.75]
    assert len(server.messages["webhook:4242/hooktoken"]) == 1  # nothing doubled
    assert [r.status for r in server.requests] == [429, 200]


async def test_webhook_retries_5xx_with_backoff_then_posts_once(server: FakeDiscord) -> None:
    server.fail_next("/webhooks/4242/", (500, {"message": "oops"}), (502, {"message": "bad"}))
    sleeps = Sleeps()
    msg_id = await post(server, message(), sleeps, base_delay=0.5)
    assert msg_id is not None
    assert len(sleeps.calls) == 2
    assert 0.25 <= sleeps.calls[0] <= 0.5 and 0.5 <= sleeps.calls[1] <= 1.0
    assert len(server.messages["webhook:4242/hooktoken"]) == 1


async def test_webhook_retries_a_dropped_connection(server: FakeDiscord) -> None:
    server.drop_connections = 1
    sleeps = Sleeps()
    assert await post(server, message(), sleeps) is not None
    assert len(sleeps.calls) == 1
    assert len(server.messages["webhook:4242/hooktoken"]) == 1


async def test_webhook_gives_up_loudly_not_silently(server: FakeDiscord) -> None:
    server.fail_next("/webhooks/4242/", *[(503, {"message": "down"})] * 3)
    with pytest.raises(DeliveryError, match="after 3 attempts"):
        await post(server, message(), Sleeps(), max_attempts=3)
    assert "webhook:4242/hooktoken" not in server.messages


async def test_webhook_refusal_is_not_retried(server: FakeDiscord) -> None:
    server.fail_next("/webhooks/4242/", (404, {"message": "Unknown Webhook", "code": 10015}))
    sleeps = Sleeps()
    with pytest.raises(DeliveryError, match="HTTP 404") as exc:
        await post(server, message(), sleeps)
    assert exc.value.status == 404 and sleeps.calls == []


async def test_webhook_sends_attachments_as_multipart(server: FakeDiscord) -> None:
    png = b"\x89PNG\r\n\x1a\nfake"
    msg = Message(
        embeds=(Embed(title="Forces", image_url="attachment://forces.png"),),
        attachments=(Attachment("forces.png", png, "image/png"),),
    )
    server.fail_next("/webhooks/4242/", (500, {"message": "oops"}))
    await post(server, msg, Sleeps())
    (req,) = server.calls("POST", "/webhooks/4242/")
    assert req.files == [("files[0]", "forces.png", len(png))]
    assert req.file_data["forces.png"] == png  # the retried form carried the file again
    assert req.json["attachments"] == [{"id": 0, "filename": "forces.png"}]


async def test_discord_sink_posts_to_a_channel(server: FakeDiscord, tmp_path: Path) -> None:
    cfg = tmp_path / "s.toml"
    cfg.write_text("[store]\nurl = 'sqlite:///s.db'\n")
    bot = SitrepBot(load_config(cfg, env={}), serve=False)
    try:
        await bot.login("token")
        sink = DiscordSink(bot)
        msg_id = await sink.send(message("<@123> look"), channel_id=CHANNEL_ID, nonce="k-1")
    finally:
        await bot.close()
    (req,) = server.calls("POST", f"/channels/{CHANNEL_ID}/messages")
    assert req.json["allowed_mentions"]["parse"] == []
    assert req.json["nonce"] == "k-1"
    assert req.json["embeds"][0]["title"] == "T"
    assert msg_id == int(server.messages[f"channel:{CHANNEL_ID}"][0]["id"])


async def test_console_sink_prints_and_writes_attachments(tmp_path: Path) -> None:
    out = io.StringIO()
    sink = ConsoleSink(out, attachment_dir=tmp_path)
    msg = Message(content="hi", attachments=(Attachment("chart.png", b"png-bytes"),))
    sink.send_all([msg, message()])
    text = out.getvalue()
    assert "message 1 of 2" in text and "message 2 of 2" in text
    assert f"attachment written: {tmp_path / 'chart.png'}" in text
    assert (tmp_path / "chart.png").read_bytes() == b"png-bytes"
    sink.send_all([msg])  # never overwrites an earlier file
    assert (tmp_path / "chart-1.png").is_file()

    out = io.StringIO()
    ConsoleSink(out, attachment_dir=tmp_path, as_json=True).send_all([message()])
    (payload,) = json.loads(out.getvalue())
    assert payload["allowed_mentions"]["parse"] == [] and payload["content"] == "@everyone hello"


async def test_webhook_429_without_a_body_uses_retry_after_header(server: FakeDiscord) -> None:
    server.fail_next("/webhooks/4242/", (429, {"retry_after": 2.5}))
    server.failures[-1][1][0].body = {}  # only the Retry-After header says how long
    sleeps = Sleeps()
    assert await post(server, message(), sleeps) is not None
    assert sleeps.calls == [2.5]
