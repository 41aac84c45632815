"""``sitrep run`` end to end: the real command in a subprocess, against the local fake Discord.

The only thing that differs from production is ``SITREP_DISCORD_URL``, which points discord.py's
REST client and gateway at tests/discord_server.py. The bot logs in, fetches ``/gateway/bot``,
connects, identifies and answers interactions that arrive over the websocket; the assertions are
on what the fake Discord received, as a community would see it. The store is a real SQLite file
(seeded once with the fixture articles so that each process starts in a second or two).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import signal
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import discord
import pytest
from cli_run import clean_env
from discord_server import CHANNEL_ID, EPHEMERAL, FakeDiscord, Recorded

from bot.config import load_config
from bot.store.articles import Store, load_configured

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "bot"
ARTICLES = ("river_crossing.txt", "harbor_talks.txt", "hostile.txt")
TOKEN = "e2e-token-that-must-never-be-logged"
MANAGE_GUILD = 1 << 5


def write_config(folder: Path, extra: str = "") -> Path:
    # First, so that the latest article stays the bot fixtures' own: a report whose figures can
    # be compared (two ratios, two troop counts), which /forces charts.
    paths = [FIXTURES.parent / "forces" / "two_sectors.txt", *(FIXTURES / n for n in ARTICLES)]
    files = json.dumps([str(p) for p in paths])
    cfg = folder / "sitrep.toml"
    cfg.write_text(
        f"[store]\nurl = 'sqlite:///sitrep.db'\n\n[sources]\nfiles = {files}\n{extra}",
        encoding="utf-8",
    )
    return cfg


async def _seed(cfg: Path) -> None:
    config = load_config(cfg, env={})
    store = await Store.open(config.store.url, origin=config.path)
    try:
        await load_configured(store, config)
    finally:
        await store.close()


@pytest.fixture(scope="session")
def seeded_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the fixture articles, distilled once for every test of this module."""
    folder = tmp_path_factory.mktemp("seeded")
    asyncio.run(_seed(write_config(folder)))
    return folder / "sitrep.db"


class SitrepRun:
    """One ``sitrep run`` process; its standard error goes to a file (read by ``log``)."""

    def __init__(self, server: FakeDiscord, folder: Path) -> None:
        self.server = server
        self.folder = folder
        self.proc: asyncio.subprocess.Process | None = None
        self.starts = 0

    @property
    def log(self) -> str:
        return "".join(
            p.read_text("utf-8", "replace") for p in sorted(self.folder.glob("stderr-*.log"))
        )

    async def start(self) -> None:
        self.starts += 1
        env = {
            **clean_env(),
            "DISCORD_TOKEN": TOKEN,
            "SITREP_DISCORD_URL": self.server.url,
            "SITREP_CONFIG": "",
        }
        with open(self.folder / f"stderr-{self.starts}.log", "wb") as err:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.cli",
                "run",
                "--config",
                str(self.folder / "sitrep.toml"),
                cwd=self.folder,
                env=env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=err,
            )

    async def ready(self, count: int = 1) -> None:
        """Wait until the process has identified ``count`` times in all (and is connected)."""

        def ready() -> bool:
            assert self.proc is not None
            if self.proc.returncode is not None:
                raise AssertionError(f"sitrep run exited {self.proc.returncode}:\n{self.log}")
            live = [s for s in self.server.sessions.values() if not s.invalid]
            return len(self.server.sessions) >= count and bool(live) and live[-1].conn is not None

        await self.server.wait_for(ready, 60, "sitrep run to connect")

    async def stop(self) -> int:
        """SIGTERM, as a service manager stops it; its exit code."""
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        async with asyncio.timeout(30):
            return await self.proc.wait()

    async def ask(self, name: str, options: dict[str, str] | None = None, **kw: Any) -> Recorded:
        """Send ``/name`` over the gateway; the callback Discord received for it."""
        manage = kw.pop("manage", False)
        payload = _payload(name, options, **kw)
        if manage:
            payload["member"]["permissions"] = str(MANAGE_GUILD)
        await self.server.send_event("INTERACTION_CREATE", payload)
        cb = await self.server.callback(payload, timeout=20)
        cb.interaction = payload  # type: ignore[attr-defined]
        return cb


def _payload(name: str, options: dict[str, str] | None, **kw: Any) -> dict[str, Any]:
    from discord_server import interaction_payload

    sub = kw.pop("sub", None)
    payload = interaction_payload(name, None if sub else options, **kw)
    if sub:
        opts = [{"name": k, "type": 3, "value": v} for k, v in (options or {}).items()]
        payload["data"]["options"] = [{"name": sub, "type": 1, "options": opts}]
    return payload


@pytest.fixture
async def server() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as s:
        s.token = TOKEN
        yield s


@pytest.fixture
async def sitrep(
    server: FakeDiscord, seeded_store: Path, tmp_path: Path
) -> AsyncIterator[SitrepRun]:
    write_config(tmp_path, "\n[scheduler]\nmisfire_grace_minutes = 60\n")
    shutil.copy(seeded_store, tmp_path / "sitrep.db")
    run = SitrepRun(server, tmp_path)
    await run.start()
    try:
        await run.ready()
        yield run
    finally:
        if run.proc is not None and run.proc.returncode is None:
            run.proc.kill()
            await run.proc.wait()


def pings_nobody(rec: Recorded) -> bool:
    """``allowed_mentions`` allows no mention of any kind (and is there)."""
    allowed = rec.payload["allowed_mentions"]
    return bool(
        allowed["parse"] == []
        and not allowed.get("users")
        and not allowed.get("roles")
        and not allowed.get("replied_user")
    )


def embeds_text(rec: Recorded) -> str:
    return json.dumps(rec.payload.get("embeds") or [], ensure_ascii=False)


async def test_run_answers_every_command_over_the_gateway(
    server: FakeDiscord, sitrep: SitrepRun
) -> None:
    (identify,) = server.ops(2)
    assert identify["d"]["token"] == TOKEN
    assert identify["d"]["intents"] == discord.Intents(guilds=True).value
    assert server.connections[0].zlib_stream

    briefing = await sitrep.ask("briefing")
    assert briefing.json["type"] == 4  # answered at once, well inside 3 s
    assert [e["title"] for e in briefing.payload["embeds"]][:1]

    quotes = await sitrep.ask("briefing", {"section": "quotes"})
    assert len(quotes.payload["embeds"]) == 1 and "Key quotes" in embeds_text(quotes)

    lone = await sitrep.ask("forces")  # the latest: one figure of each kind, nothing to compare
    assert lone.json["type"] == 5  # deferred all the same: whether to draw is known later
    (text_only,) = await server.wait_for(lambda: server.followups(lone.interaction), 20)
    assert not text_only.files and "Forces and numbers" in embeds_text(text_only)
    forces = await sitrep.ask("forces", {"article": "Lowland"})
    assert forces.json["type"] == 5  # drawing the chart takes real work: deferred first
    (chart,) = await server.wait_for(lambda: server.followups(forces.interaction), 20)
    assert [f[1] for f in chart.files] == ["forces.png"]
    assert chart.file_data["forces.png"].startswith(b"\x89PNG\r\n\x1a\n")
    assert "attachment://forces.png" in embeds_text(chart)

    replies = [briefing, quotes, chart]
    for name in ("quotes", "frontline", "policy", "sources", "help", "subscriptions"):
        rec = await sitrep.ask(name)
        assert rec.json["type"] == 4, name
        assert rec.payload.get("embeds") or rec.payload.get("content"), name
        replies.append(rec)
    replies.append(await sitrep.ask("source", {}, sub="list", manage=True))
    replies.append(await sitrep.ask("preview"))
    # Wrong or refused arguments: a short private answer, never silence.
    for name, options, kw in [
        ("quotes", {"speaker": "Nobody Ever Quoted"}, {}),
        ("briefing", {"since": "yesterday-ish"}, {}),
        ("subscribe", {"schedule": "daily 08:00"}, {}),  # no Manage Server
        ("unsubscribe", {}, {"manage": True}),  # nothing to end
        ("ingest", {"url": "http://127.0.0.1:9/private"}, {"manage": True}),
        ("source", {"url": "file:///etc/passwd"}, {"sub": "add", "manage": True}),
        ("source", {"source": "404"}, {"sub": "remove", "manage": True}),
    ]:
        rec = await sitrep.ask(name, options, **kw)
        final = rec if rec.json["type"] == 4 else (await _followup(server, rec))
        assert final.payload["flags"] & EPHEMERAL, (name, options)
        assert final.payload["content"], (name, options)
        replies.append(final)
    for rec in replies:
        assert pings_nobody(rec), rec.path

    # Both article and speaker autocompletes, over the gateway.
    article = await sitrep.ask("briefing", {"article": "bridge"}, focused="article")
    assert article.json["type"] == 8
    labels = [c["name"] for c in article.json["data"]["choices"]]
    assert labels and all("bridge" in label.lower() for label in labels)
    speaker = await sitrep.ask("quotes", {"speaker": ""}, focused="speaker")
    assert speaker.json["data"]["choices"], "the speakers of the latest article"
    zone = await sitrep.ask("subscribe", {"timezone": "kyi"}, focused="timezone")
    assert [c["value"] for c in zone.json["data"]["choices"]] == ["Europe/Kyiv"]

    assert await sitrep.stop() == 0
    log = sitrep.log
    assert TOKEN not in log
    assert "Traceback" not in log
    assert "stopping on signal" in log


async def _followup(server: FakeDiscord, deferred: Recorded) -> Recorded:
    found = await server.wait_for(lambda: server.followups(deferred.interaction), 20)
    return found[0]


async def test_run_keeps_answering_through_drops_reconnects_and_invalid_sessions(
    server: FakeDiscord, sitrep: SitrepRun
) -> None:
    first = server.session
    await server.drop()
    away = _payload("help", None)
    await server.send_event("INTERACTION_CREATE", away)  # sent while no socket is open
    await server.wait_for(lambda: first.resumes == 1 and first.conn is not None, 30, "a RESUME")
    assert server.ops(6)[0]["d"]["session_id"] == first.id
    assert (await server.callback(away, 20)).json["type"] == 4  # replayed on RESUME, answered

    await server.reconnect()  # op 7
    await server.wait_for(lambda: first.resumes == 2 and first.conn is not None, 30, "RESUME")
    assert (await sitrep.ask("sources")).json["type"] == 4

    await server.invalidate()  # op 9: the session is gone; discord.py identifies anew
    await sitrep.ready(count=2)
    assert len(server.ops(2)) == 2
    assert (await sitrep.ask("briefing")).json["type"] == 4

    # SIGTERM while a reply is being drawn: the reply still reaches Discord, then a clean exit.
    forces = _payload("forces", {"article": "Lowland"})
    await server.send_event("INTERACTION_CREATE", forces)
    await server.callback(forces, 20)  # deferred; the chart is being drawn
    assert await sitrep.stop() == 0
    (chart,) = server.followups(forces)
    assert chart.status == 200 and [f[1] for f in chart.files] == ["forces.png"]
    assert "Traceback" not in sitrep.log


def _next_minute(at_least: timedelta) -> datetime:
    soon = datetime.now(UTC) + at_least
    return soon.replace(second=0, microsecond=0) + timedelta(minutes=1)


@pytest.mark.waits_for_the_clock  # the next whole minute: a schedule's finest step
async def test_scheduled_post_while_connected_then_restart_posts_nothing_twice(
    server: FakeDiscord, sitrep: SitrepRun
) -> None:
    when = _next_minute(timedelta(seconds=5))
    sub = await sitrep.ask(
        "subscribe",
        {"schedule": f"daily {when:%H:%M}", "timezone": "UTC"},
        manage=True,
    )
    assert "Subscribed" in sub.payload["content"], sub.payload
    channel = f"channel:{CHANNEL_ID}"
    wait = (when - datetime.now(UTC)).total_seconds() + 30
    await server.wait_for(lambda: server.messages.get(channel), wait, "the scheduled post")
    await asyncio.sleep(1.0)  # every part of the post
    posted = list(server.messages[channel])
    posts = server.calls("POST", rf"/channels/{CHANNEL_ID}/messages$")
    assert posts and all(pings_nobody(p) for p in posts)
    assert any(m["embeds"] for m in posted)
    assert await sitrep.stop() == 0

    await sitrep.start()  # the same store: the run is known as posted
    await sitrep.ready(count=2)
    listed = await sitrep.ask("subscriptions")
    assert f"{when:%H:%M}" in json.dumps(listed.payload)
    await asyncio.sleep(2.0)  # a catch-up or a redelivery would have been sent by now
    assert server.messages[channel] == posted
    assert await sitrep.stop() == 0
    assert "Traceback" not in sitrep.log


async def test_run_with_a_refused_token_or_a_bad_discord_url_says_so(
    server: FakeDiscord, tmp_path: Path
) -> None:
    cfg = tmp_path / "sitrep.toml"
    cfg.write_text("[store]\nurl = 'sqlite:///sitrep.db'\n", encoding="utf-8")
    for url, token, expected in [
        (server.url, "a-revoked-token", "Discord refused the token in DISCORD_TOKEN"),
        ("ftp://127.0.0.1:1", TOKEN, "SITREP_DISCORD_URL: not an http(s)://host[:port] URL"),
    ]:
        env = {**clean_env(), "DISCORD_TOKEN": token, "SITREP_DISCORD_URL": url}
        proc = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "bot.cli", "run", "--config", str(cfg)),
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        async with asyncio.timeout(60):
            _, err = await proc.communicate()
        assert proc.returncode == 2, err.decode()
        last = err.decode().strip().splitlines()[-1]
        assert last.startswith("sitrep: ") and expected in last, err.decode()
        assert "Traceback" not in err.decode() and token not in err.decode()
    assert not server.sessions  # nothing got as far as the gateway
