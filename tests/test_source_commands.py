"""/source add|list|remove and /ingest: through dry-run and through discord.py's command tree
against the fake Discord, with feeds and pages served on 127.0.0.1."""

from __future__ import annotations

import asyncio
import io
import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import discord
import pytest
from discord_server import FakeDiscord, dispatch, interaction_payload
from test_sources import STORIES, item, story_page
from web_fakes import Site, page, rss, serve

from bot.commands.source_commands import dry_run_source_command, parse_source_command
from bot.config import Config, load_config
from bot.gateway.client import SitrepBot
from bot.runner import dry_run_command
from bot.sources.catalog import add_source, list_sources
from bot.store.articles import Store
from briefings.errors import SitrepError
from briefings.ingest import article_from_bytes

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
BOT_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "bot"
EPHEMERAL = 64


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    async with serve(Site()) as s:
        for key in ("varnell", "osk", "talks"):
            s.put(f"/news/{key}", story_page(key))
        s.put("/feed.xml", rss("Frontier Wire", [item(s, "varnell"), item(s, "osk")]))
        s.put("/menu", "<html><body><nav><a href='/'>Home</a></nav></body></html>")
        yield s


def config(tmp_path: Path, extra: str = "") -> Config:
    path = tmp_path / "sitrep.toml"
    path.write_text(
        "[store]\nurl = 'sqlite:///s.db'\n\n[fetch]\nallow_networks = ['127.0.0.0/8']\n"
        "timeout_seconds = 2\nretries = 0\n" + extra,
        "utf-8",
    )
    return load_config(path, env={"DISCORD_TOKEN": "t"})


async def say(cfg: Config | None, line: str) -> str:
    out = io.StringIO()
    assert await dry_run_command(cfg, line, out=out, now=NOW) == 0
    return out.getvalue()


async def test_source_commands_on_a_store(site: Site, tmp_path: Path) -> None:
    cfg = config(tmp_path)
    store = await Store.open(cfg.store.url)

    async def on_store(line: str) -> str:  # the dry-run answer, on a store that is kept
        out = io.StringIO()
        inv = parse_source_command(line)
        assert await dry_run_source_command(cfg, store, inv, out=out, now=NOW) == 0
        return out.getvalue()

    try:
        added = await on_store(f"/source add url:{site.url('/feed.xml')} keywords:assault, drones")
        assert "Source #1 added: Frontier Wire" in added
        assert "feed · every 30m · keywords: assault, drones" in added
        assert "2 new article(s)" in added

        listed = await on_store("/source list")
        assert "#1 Frontier Wire" in listed and "2 article(s) found" in listed
        assert re.search(r"last success \d{4}-\d\d-\d\d \d\d:\d\d UTC", listed), listed

        stored = await on_store(f"/ingest url:{site.url('/news/talks')}")
        assert f"Stored **{STORIES['talks'][0]}** as #3" in stored
        again = await on_store(f"/ingest url:{site.url('/news/talks')}?utm_source=x")
        assert "Already known" in again and "#3" in again

        page_added = await on_store(f"/source add url:{site.url('/news/osk')}")
        assert "page · every 30m" in page_added and "1 already known" in page_added

        assert "no longer polled" in await on_store("/source remove source:#1")
        listed = await on_store("/source list")
        assert "#1 " not in listed and "#2 " in listed
    finally:
        await store.close()


async def test_source_commands_in_dry_run_see_the_store_and_never_write_it(
    site: Site, tmp_path: Path
) -> None:
    cfg = config(tmp_path, f"\n[[sources]]\nurl = '{site.url('/feed.xml')}'\nname = 'Wire'\n")
    store = await Store.open(cfg.store.url)
    try:  # what the bot stored: one source added by a command
        harbor = (BOT_FIXTURES / "harbor_talks.txt").read_bytes()
        assert await store.add_article(article_from_bytes(harbor, name="harbor"))
        await add_source(store.engine, location=site.url("/news/osk"), kind="page", now=NOW)
    finally:
        await store.close()
    listed = await say(cfg, "/source list")  # the store's source and the configuration's
    assert "#1 " in listed and "Wire" in listed
    added = await say(cfg, f"/source add url:{site.url('/news/varnell')}")
    assert "added" in added
    stored = await say(cfg, f"/ingest url:{site.url('/news/talks')}")
    assert "Stored" in stored
    store = await Store.open(cfg.store.url)
    try:  # the real store is as it was
        assert [s.location for s in await list_sources(store.engine, counts=False)] == [
            site.url("/news/osk")
        ]
        assert await store.count() == 1
    finally:
        await store.close()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("/source add url:ftp://example.com/feed", "only http and https"),
        ("/source add url:http://10.1.1.1/feed.xml", r"10\.1\.1\.1 is a private address"),
        ("/source add url:http://169.254.169.254/latest", "link-local"),
        ("/source add", "Give the feed or page"),
        ("/source add url:https://a.example/f interval:1s", "too short"),
        ("/source remove source:#99", "no source #99"),
        ("/source frobnicate", r"Use /source add, /source list or /source remove"),
        ("/ingest url:file:///etc/passwd", "only http and https"),
        ("/source add url:https://a.example/f interval:99999999999999999999d", "at most 30d"),
        (
            "/source add url:https://a.example/f keywords:" + ",".join(map(str, range(30))),
            r"Too many terms \(30\): at most 20",
        ),
        ("/source add url:https://a.example/f regions:" + "x" * 500, "at most 100 characters"),
        ("/source add url:https://" + "a" * 5000 + ".example/f", "host name is too long"),
        ("/ingest url:https://a..b/f", "not a valid host name"),
    ],
)
async def test_wrong_source_commands_are_one_clear_error(
    tmp_path: Path, line: str, message: str
) -> None:
    with pytest.raises(SitrepError, match=message):
        await say(config(tmp_path), line)


async def test_ingest_of_a_page_without_an_article_is_one_clear_error(
    site: Site, tmp_path: Path
) -> None:
    with pytest.raises(SitrepError, match="no article body found"):
        await say(config(tmp_path), f"/ingest url:{site.url('/menu')}")


async def test_a_configured_source_cannot_be_removed_by_command(site: Site, tmp_path: Path) -> None:
    # The bot syncs [[sources]] into the table at start-up; here the sync is done by hand.
    from bot.sources.polling import declared_sources, sync_declared_sources
    from bot.store.articles import Store

    cfg = config(tmp_path, f"\n[[sources]]\nurl = '{site.url('/feed.xml')}'\n")
    store = await Store.open(cfg.store.url)
    await sync_declared_sources(store.engine, declared_sources(cfg), now=NOW)
    await store.close()
    with pytest.raises(SitrepError, match=r"declared in the configuration \(\[\[sources\]\]\)"):
        await say(cfg, "/source remove source:1")


def test_parsing_source_commands() -> None:
    inv = parse_source_command("/source add url:https://a.example/f kind:feed keywords:a, b")
    assert inv.name == "source add"
    assert inv.get("url") == "https://a.example/f" and inv.get("keywords") == "a, b"
    assert parse_source_command("/source list").name == "source list"
    assert parse_source_command("/ingest url:https://a.example/p").get("url")


# ---------------------------------------------------------------- through Discord


@pytest.fixture
async def server(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as s:
        monkeypatch.setattr(discord.http.Route, "BASE", s.api)
        yield s


def subcommand(name: str, sub: str, options: dict[str, str] | None = None) -> dict[str, Any]:
    payload = interaction_payload(name)
    opts = [{"name": k, "type": 3, "value": v} for k, v in (options or {}).items()]
    payload["data"]["options"] = [{"name": sub, "type": 1, "options": opts}]
    return payload


async def test_the_bot_polls_configured_sources_and_answers_source_commands(
    site: Site, server: FakeDiscord, tmp_path: Path
) -> None:
    cfg = config(tmp_path, f"\n[[sources]]\nurl = '{site.url('/feed.xml')}'\nname = 'Wire'\n")
    bot = SitrepBot(cfg)
    try:
        await bot.login("t")  # setup_hook: the poller starts and polls the feed at once
        for _ in range(200):
            if await bot.store.count() == 2:
                break
            await asyncio.sleep(0.02)
        assert await bot.store.count() == 2

        server.reset()
        await dispatch(bot, subcommand("source", "list"))
        (cb,) = [r for r in server.requests if r.path.endswith("/callback")]
        text = json.dumps(cb.payload)
        assert "#1 Wire" in text and "2 article(s) found" in text

        server.reset()
        lurker = interaction_payload("ingest", {"url": site.url("/news/talks")})
        lurker["member"]["permissions"] = "0"
        await dispatch(bot, lurker)
        posted = [r for r in server.requests if r.method == "POST"]
        text = json.dumps([r.payload for r in posted])
        assert "Only members with the Manage Server permission" in text
        assert any(r.payload.get("flags", 0) & EPHEMERAL for r in posted)
        assert await bot.store.count() == 2
    finally:
        await bot.close()


def test_page_helper_is_an_article() -> None:
    assert "<article>" in page("T", ["p"])


async def test_dry_run_with_a_configuration_polls_its_sources_once(
    site: Site, tmp_path: Path
) -> None:
    from bot.runner import dry_run_post

    cfg = config(tmp_path, f"\n[[sources]]\nurl = '{site.url('/feed.xml')}'\n")
    out = io.StringIO()
    assert await dry_run_post(cfg, out=out) == 0
    assert site.hits["/feed.xml"] == 1
    assert STORIES["varnell"][0] in out.getvalue() or STORIES["osk"][0] in out.getvalue()


async def test_a_failing_source_is_reported_once_through_the_outbox(tmp_path: Path) -> None:
    from bot.delivery.outbox import Outbox
    from bot.sources.polling import outbox_reporter
    from bot.store.articles import Store

    class NoSender:
        async def send(self, channel_id: int, payload: dict[str, Any], files: Any = ()) -> int:
            raise AssertionError("nothing is sent in this test")

        async def find(self, channel_id: int, nonce: str, *, after: Any = None) -> int | None:
            return None

    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'o.db'}")
    try:
        outbox = Outbox(store.engine, NoSender())  # type: ignore[arg-type]
        report = outbox_reporter(outbox, 4242)
        assert report is not None and outbox_reporter(outbox, None) is None
        for _ in range(2):
            await report("report:source:1:100", "Source #1 (Wire) has been failing", NOW)
        (row,) = await outbox.rows()
        assert row.channel_id == 4242 and "failing" in json.dumps(row.payload)
    finally:
        await store.close()


async def test_real_reports_served_by_two_sites_are_stored_once_each(
    shared_articles: Path, tmp_path: Path
) -> None:
    from bot.sources.fetch import Fetcher, FetchPolicy, parse_networks
    from bot.sources.polling import SourcePoller, add_source, sources_of_articles
    from bot.store.articles import Store

    texts = sorted(shared_articles.glob("*.txt"))[:3]
    async with serve(Site()) as s:
        items_a, items_b = [], []
        for n, path in enumerate(texts):
            paragraphs = [p for p in path.read_text("utf-8").split("\n") if p.strip()]
            s.put(f"/a/{n}", page(paragraphs[0][:80], paragraphs[1:]))
            s.put(f"/b/{n}", page(paragraphs[0][:80], paragraphs[1:]).replace("Home", "Start"))
            items_a.append({"title": paragraphs[0][:80], "link": s.url(f"/a/{n}"), "guid": f"a{n}"})
            items_b.append({"title": paragraphs[0][:80], "link": s.url(f"/b/{n}"), "guid": f"b{n}"})
        s.put("/a.xml", rss("Site A", items_a))
        s.put("/b.xml", rss("Site B", items_b))
        store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'real.db'}")
        policy = FetchPolicy(allow_networks=parse_networks(["127.0.0.0/8"]), retries=0)
        try:
            async with Fetcher(policy) as fetcher:
                for feed in ("/a.xml", "/b.xml"):
                    await add_source(store.engine, kind="feed", location=s.url(feed), now=NOW)
                results = await SourcePoller(store, fetcher).poll_due(NOW)
            assert sum(r.new for r in results) == len(texts)
            assert sum(r.known for r in results) == len(texts)
            stored = await store.recent(10)
            assert len(stored) == len(texts)
            credits = await sources_of_articles(store.engine, [a.id for a in stored])
            assert all(
                {c.name for c in found} == {"Site A", "Site B"} for found in credits.values()
            )
        finally:
            await store.close()


async def test_source_add_through_discord_defers_then_reports_the_first_poll(
    site: Site, server: FakeDiscord, tmp_path: Path
) -> None:
    bot = SitrepBot(config(tmp_path))
    try:
        await bot.login("t")
        server.reset()
        payload = subcommand("source", "add", {"url": site.url("/feed.xml"), "regions": "Osk"})
        payload["member"]["permissions"] = str(1 << 5)  # Manage Server
        await dispatch(bot, payload)
        (cb,) = [r for r in server.requests if r.path.endswith("/callback")]
        assert cb.json["type"] == 5  # deferred: the first poll takes a moment
        followups = [r for r in server.requests if r.method in ("POST", "PATCH") and r is not cb]
        text = json.dumps([r.payload for r in followups])
        assert "Source #1 added: Frontier Wire" in text
        assert "1 new article(s)" in text and "1 left out by the filters" in text
        assert await bot.store.count() == 1
    finally:
        await bot.close()


async def test_commands_that_change_sources_are_for_managers_and_administrators(
    site: Site, server: FakeDiscord, tmp_path: Path
) -> None:
    """Hidden by default from members without Manage Server, guild only, and at run time a
    member with Administrator (but not Manage Server) is accepted."""
    bot = SitrepBot(config(tmp_path))
    try:
        await bot.login("t")
        published = {c["name"]: c for c in (c.to_dict(bot.tree) for c in bot.tree.get_commands())}
        for name in ("source", "ingest"):
            assert str(published[name]["default_member_permissions"]) == str(1 << 5), name
            guild_only = published[name].get("contexts") == [0]
            assert guild_only or published[name].get("dm_permission") is False, name
        server.reset()
        admin = interaction_payload("ingest", {"url": site.url("/news/talks")})
        admin["member"]["permissions"] = str(1 << 3)  # Administrator only
        await dispatch(bot, admin)
        text = json.dumps([r.payload for r in server.requests if r.method in ("POST", "PATCH")])
        assert "Manage Server" not in text
        assert await bot.store.count() == 1
    finally:
        await bot.close()


@pytest.mark.parametrize("order", ["newest first", "oldest first", "shuffled"])
async def test_a_huge_feed_is_read_newest_first_up_to_the_bound_and_the_rest_counted(
    site: Site, server: FakeDiscord, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, order: str
) -> None:
    """A feed of 3,000 items is 12 page fetches (the bound, lowered here from 100), the newest
    by date whatever the feed's order; the 2,988 older ones are counted in /source add's reply
    and in /source list, never fetched (issue 10: 100,000 items were 100,000 fetches)."""
    from bot.sources import polling

    monkeypatch.setattr(polling, "MAX_FEED_ITEMS", 12)
    n = 3000
    items = []
    for i in range(n):
        site.put(f"/p/{i}", page(f"Report {i}", [f"Troops advanced {i} km near Varnell."]))
        stamp = datetime.fromtimestamp(NOW.timestamp() - 60 * (n - i), UTC)
        items.append(
            {"title": f"Report {i}", "link": site.url(f"/p/{i}"), "guid": f"g{i}",
             "date": stamp.strftime("%a, %d %b %Y %H:%M:%S GMT")}
        )  # fmt: skip
    if order == "newest first":
        items.reverse()
    elif order == "shuffled":
        import random

        random.Random(10).shuffle(items)
    site.put("/big.xml", rss("Big Wire", items), "application/rss+xml")
    bot = SitrepBot(config(tmp_path))
    try:
        await bot.login("t")
        server.reset()
        payload = subcommand("source", "add", {"url": site.url("/big.xml")})
        payload["member"]["permissions"] = str(1 << 5)  # Manage Server
        await dispatch(bot, payload)
        text = json.dumps([r.payload for r in server.requests if r.method in ("POST", "PATCH")])
        assert "First poll: 12 new article(s), 0 already known" in text
        assert "2,988 older item(s) not read (the newest are)" in text
        fetched = sorted(int(p.rsplit("/", 1)[1]) for p in site.hits if p.startswith("/p/"))
        assert fetched == list(range(n - 12, n))  # the newest twelve by date, nothing else
        assert await bot.store.count() == 12

        server.reset()
        await dispatch(bot, subcommand("source", "list"))
        (cb,) = [r for r in server.requests if r.path.endswith("/callback")]
        listed = json.dumps(cb.payload, ensure_ascii=False)
        assert "the feed holds 3,000 items: the newest 12 are read, 2,988 older ones are not" in (
            listed
        )
    finally:
        await bot.close()


@pytest.mark.parametrize("command", ["/ingest url:{url}", "/source add url:{url} kind:page"])
@pytest.mark.parametrize("path", ["/stall", "/stall-body"])
async def test_a_read_stall_is_reported_with_the_read_timeout(
    site: Site, tmp_path: Path, command: str, path: str
) -> None:
    """issue 10: a server silent past the 1 s read timeout was 'no complete answer within 5 s'
    (aiohttp's ServerTimeoutError is a TimeoutError, caught as the total one)."""
    path_cfg = tmp_path / "sitrep.toml"
    path_cfg.write_text(
        "[store]\nurl = 'sqlite:///s.db'\n\n[fetch]\nallow_networks = ['127.0.0.0/8']\n"
        "timeout_seconds = 5\nread_timeout_seconds = 1\nretries = 0\n",
        "utf-8",
    )
    line = command.format(url=site.url(path))
    started = asyncio.get_running_loop().time()
    if command.startswith("/ingest"):
        with pytest.raises(SitrepError) as caught:
            await say(load_config(path_cfg, env={"DISCORD_TOKEN": "t"}), line)
        said = str(caught.value)
    else:
        said = await say(load_config(path_cfg, env={"DISCORD_TOKEN": "t"}), line)
    assert asyncio.get_running_loop().time() - started < 4
    if command.startswith("/ingest"):
        assert said == "Could not fetch it: the server sent nothing for 1 s (stalled)"
    else:
        url = site.url(path)
        assert f"The first poll failed: <{url}>: the server sent nothing for 1 s (stalled).\n" in (
            said
        )


async def test_source_list_names_the_theatres_of_each_sources_latest_articles(
    tmp_path: Path,
) -> None:
    theatres = Path(__file__).resolve().parent / "fixtures" / "theatres"
    reports = {}
    for path in sorted(theatres.glob("*.txt")):
        title, *paragraphs = [p for p in path.read_text("utf-8").split("\n\n") if p.strip()]
        reports[path.stem] = (title.strip(), paragraphs)
    async with serve(Site()) as s:
        for key, (title, paragraphs) in reports.items():
            s.put(f"/news/{key}", page(title, paragraphs))
        links = [
            {"title": t, "link": s.url(f"/news/{k}"), "guid": k} for k, (t, _) in reports.items()
        ]
        s.put("/war.xml", rss("War Wire", links[:2]))  # Kupiansk, El Fasher
        s.put("/ukraine.xml", rss("Donbas Post", links[2:]))  # Pokrovsk
        cfg = config(tmp_path)
        store = await Store.open(cfg.store.url)
        try:
            for feed in ("/war.xml", "/ukraine.xml"):
                inv = parse_source_command(f"/source add url:{s.url(feed)}")
                assert (
                    await dry_run_source_command(cfg, store, inv, out=io.StringIO(), now=NOW) == 0
                )
            out = io.StringIO()
            inv = parse_source_command("/source list")
            assert await dry_run_source_command(cfg, store, inv, out=out, now=NOW) == 0
            listed = out.getvalue()
        finally:
            await store.close()
    war, post = listed.split("#2 ", 1)
    (seen,) = re.findall(r"reporting on ([^·\n]+)", war)
    assert sorted(seen.strip().split(", ")) == ["Sudan", "Ukraine"]
    assert "reporting on Ukraine ·" in post and "Sudan" not in post
