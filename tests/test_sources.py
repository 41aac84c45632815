"""Sources polled into the store (bot.sources.polling): feeds, pages and folders over real HTTP on
127.0.0.1, with dedupe, filters, faults, admin reports and a restart in the middle of a poll."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from test_store import postgres_url  # noqa: F401  (the throwaway PostgreSQL server)
from web_fakes import LOOPBACK, Site, page, rss, serve

from bot.config import load_config
from bot.sources.fetch import Fetcher, FetchPolicy, Validators, parse_networks
from bot.sources.polling import (
    MAX_BACKOFF,
    DeclaredSource,
    Source,
    SourcePoller,
    add_source,
    article_keys,
    article_sources,
    declared_sources,
    fetch_settings_of,
    get_source,
    list_sources,
    matches_filters,
    parse_interval,
    sources_of_articles,
    sync_declared_sources,
)
from bot.store.articles import Store
from briefings.article import build_article
from briefings.errors import ConfigError

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

# Short reports of our own writing, about invented places.
STORIES = {
    "varnell": (
        "Militia pushes into Varnell",
        [
            "Militia units pushed into the outskirts of Varnell on Tuesday after a week of "
            "shelling, the regional command said.",
            "About 1,200 fighters took part in the assault, outnumbering the defenders three "
            "to one, according to officials in the provincial capital.",
            "\u201cWe are holding the bridge, but we need more ammunition,\u201d said Captain "
            "Ilse Dorran, who commands a company on the river.",
        ],
    ),
    "osk": (
        "Drones strike depot near Osk",
        [
            "A swarm of 40 drones struck a fuel depot near Osk overnight, the air force said "
            "on Wednesday, starting fires that burned until morning.",
            "The defence ministry announced new air-defence deliveries to the region and said "
            "two batteries would arrive before winter.",
            "\u201cThe depot was empty, the attack changed nothing,\u201d said a spokesman for "
            "the garrison, Major Tomas Reyl.",
        ],
    ),
    "talks": (
        "Envoys meet in Belmar as fighting continues",
        [
            "Envoys of both governments met in Belmar on Thursday for a second round of talks "
            "on a ceasefire along the southern front, the foreign ministry said.",
            "The talks ended without agreement, and shelling resumed near Varnell within hours, "
            "local officials reported.",
            "\u201cWe will return to the table when the guns fall silent,\u201d the foreign "
            "minister, Aurel Vask, told reporters.",
        ],
    ),
    "harbor": (
        "Navy closes harbor at Pell",
        [
            "The navy closed the harbor at Pell to merchant shipping on Friday after two mines "
            "were found in the approaches, the port authority said.",
            "Minesweepers were sent from the northern fleet and the harbor should reopen within "
            "a week, officials in the coastal region said.",
        ],
    ),
}


def story_page(key: str, *, chrome: str = "") -> str:
    title, paragraphs = STORIES[key]
    html = page(title, paragraphs)
    return html.replace("<nav>", f"<nav><a href='/x'>{chrome}</a>") if chrome else html


def item(site: Site, key: str, path: str | None = None, **extra: str) -> dict[str, str]:
    path = path or f"/news/{key}"
    return {"title": STORIES[key][0], "link": site.url(path), "guid": f"id-{key}", **extra}


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    async with serve(Site()) as s:
        yield s


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'sitrep.db'}")
    yield s
    await s.close()


def policy(**kw: object) -> FetchPolicy:
    base: dict[str, object] = {
        "allow_networks": parse_networks([LOOPBACK]),
        "total_timeout": 1.0,
        "read_timeout": 0.5,
        "retries": 0,
        "backoff": 0.01,
        "max_bytes": 200_000,
    }
    base.update(kw)
    return FetchPolicy(**base)  # type: ignore[arg-type]


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    async with Fetcher(policy()) as f:
        yield f


async def count(store: Store, table: object = None) -> int:
    from bot.store.articles import articles

    target = table if table is not None else articles
    async with store.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(target)) or 0)  # type: ignore[arg-type]


async def test_a_feed_is_polled_conditionally_and_new_items_are_stored_once(
    site: Site, store: Store, fetcher: Fetcher
) -> None:
    for key in ("varnell", "osk"):
        site.put(f"/news/{key}", story_page(key))
    site.put("/feed.xml", rss("Frontier Wire", [item(site, "varnell"), item(site, "osk")]))
    src = await add_source(store.engine, kind="feed", location=site.url("/feed.xml"), now=NOW)
    poller = SourcePoller(store, fetcher, clock=lambda: NOW)

    first = await poller.poll_source(src, NOW)
    assert first is not None and first.ok and (first.new, first.known) == (2, 0)
    assert await count(store) == 2
    src = await get_source(store.engine, src.id)
    assert src is not None and src.articles_found == 2 and src.last_success_at == NOW
    assert src.validators.etag

    # Unchanged: a 304, no page fetched again.
    second = await poller.poll_source(src, NOW + timedelta(minutes=30))
    assert second is not None and second.status == "not modified"
    assert site.conditional == ["/feed.xml"] and site.hits["/news/varnell"] == 1

    # The feed changes: only the new item is read.
    site.put("/news/talks", story_page("talks"))
    site.put(
        "/feed.xml",
        rss("Frontier Wire", [item(site, "talks"), item(site, "varnell"), item(site, "osk")]),
    )
    third = await poller.poll_source(src, NOW + timedelta(hours=1))
    assert third is not None and third.new == 1 and third.known == 2
    assert await count(store) == 3 and site.hits["/news/varnell"] == 1
    recent = await store.recent(5)
    assert {a.title for a in recent} == {STORIES[k][0] for k in ("varnell", "osk", "talks")}
    assert all(a.source == "Frontier Wire" for a in recent)


async def test_full_content_in_the_feed_needs_no_page(
    site: Site, store: Store, fetcher: Fetcher
) -> None:
    title, paragraphs = STORIES["talks"]
    body = "".join(f"<p>{p}</p>" for p in paragraphs * 2)
    site.put("/full.xml", rss("Desk", [item(site, "talks", content=body)]))
    src = await add_source(store.engine, kind="feed", location=site.url("/full.xml"), now=NOW)
    result = await SourcePoller(store, fetcher).poll_source(src, NOW)
    assert result is not None and result.new == 1
    assert "/news/talks" not in site.hits
    (stored,) = await store.recent(1)
    assert stored.title == title and stored.url == site.url("/news/talks")


async def test_the_same_wire_story_on_two_sites_is_one_article_with_two_sources(
    site: Site, store: Store, fetcher: Fetcher
) -> None:
    site.put("/a/story", story_page("osk", chrome="Alpha Daily"))
    site.put("/b/report", story_page("osk", chrome="Beta Herald"))
    site.put("/a.xml", rss("Alpha Daily", [item(site, "osk", "/a/story")]))
    b_item = item(site, "osk", "/b/report?id=7&utm_source=rss")
    b_item["guid"] = "beta-77"
    site.put("/b.xml", rss("Beta Herald", [b_item]))
    a = await add_source(store.engine, kind="feed", location=site.url("/a.xml"), now=NOW)
    b = await add_source(store.engine, kind="feed", location=site.url("/b.xml"), now=NOW)
    poller = SourcePoller(store, fetcher)
    results = await poller.poll_due(NOW)
    assert sorted((r.new, r.known) for r in results) == [(0, 1), (1, 0)]
    assert await count(store) == 1
    (stored,) = await store.recent(1)
    credited = (await sources_of_articles(store.engine, [stored.id]))[stored.id]
    assert {c.name for c in credited} == {"Alpha Daily", "Beta Herald"}
    assert {c.source_id for c in credited} == {a.id, b.id}
    assert any(c.url.endswith("/b/report?id=7") for c in credited)  # tracking dropped


async def test_keyword_and_region_filters_keep_only_matching_articles(
    site: Site, store: Store, fetcher: Fetcher
) -> None:
    for key in ("varnell", "harbor"):
        site.put(f"/news/{key}", story_page(key))
    site.put("/f.xml", rss("F", [item(site, "varnell"), item(site, "harbor")]))
    src = await add_source(
        store.engine,
        kind="feed",
        location=site.url("/f.xml"),
        keywords=["assault", "mines"],
        regions=["Varnell"],
        now=NOW,
    )
    result = await SourcePoller(store, fetcher).poll_source(src, NOW)
    assert result is not None and (result.new, result.skipped) == (1, 1)
    (stored,) = await store.recent(5)
    assert stored.title == STORIES["varnell"][0]
    # Left out once, it is not fetched again at the next poll.
    site.put("/f.xml", rss("F", [item(site, "varnell"), item(site, "harbor"), item(site, "osk")]))
    site.put("/news/osk", story_page("osk"))
    again = await SourcePoller(store, fetcher).poll_source(src, NOW + timedelta(hours=1))
    assert again is not None and again.skipped == 2 and site.hits["/news/harbor"] == 1


def test_region_filter_matches_the_words_made_from_a_place() -> None:
    article = build_article("Ukrainian troops held the line; Israeli envoys arrived.")
    assert matches_filters(article, regions=["Ukraine"])
    assert matches_filters(article, regions=["Israel"])
    assert not matches_filters(article, regions=["Syria"])
    assert matches_filters(article, keywords=["held the line"])
    assert not matches_filters(article, keywords=["line of"])


async def test_each_fault_ends_in_a_clear_status_for_its_source_and_nothing_else_stops(
    site: Site, store: Store, fetcher: Fetcher
) -> None:
    site.put("/news/varnell", story_page("varnell"))
    site.put("/good.xml", rss("Good", [item(site, "varnell")]))
    site.put("/broken.xml", "<rss><channel><item><title>cut off", "application/rss+xml")
    site.put(
        "/menu", "<html><body><nav><a href='/'>Home</a><a href='/b'>Sports</a></nav></body></html>"
    )
    site.put("/big", "<p>" + "word " * 60_000 + "</p>")
    site.redirects["/to-private"] = "http://10.0.0.8/admin"
    site.redirects["/to-file"] = "file:///etc/passwd"
    faults = {
        "/broken.xml": ("feed", "not a valid RSS or Atom feed"),
        "/menu": ("page", "no article body found"),
        "/big": ("page", "over the limit of 200,000 bytes|more than 200,000 bytes"),
        # A drip-fed answer runs into the 1 s deadline, or, when the poll's own work holds this
        # process's loop (it serves the site too), into the 0.5 s stall: both say so.
        "/slow": ("page", "no complete answer within 1 s|sent nothing for 0.5 s"),
        "/loop/0": ("feed", "more than 5 redirects"),
        "/to-private": ("page", "10.0.0.8 is a private address"),
        "/to-file": ("feed", "only http and https"),
    }
    for path, (kind, _) in faults.items():
        await add_source(store.engine, kind=kind, location=site.url(path), now=NOW)
    good = await add_source(store.engine, kind="feed", location=site.url("/good.xml"), now=NOW)

    results = await SourcePoller(store, fetcher).poll_due(NOW)
    assert len(results) == len(faults) + 1
    by_id = {s.id: s for s in await list_sources(store.engine)}
    assert by_id[good.id].last_error is None and by_id[good.id].articles_found == 1
    for src in by_id.values():
        if src.id == good.id:
            continue
        path = src.location.removeprefix(site.base)
        _, expected = faults[path]
        assert src.last_error is not None and "\n" not in src.last_error
        assert src.last_error.startswith(site.base), src.last_error
        assert __import__("re").search(expected, src.last_error), src.last_error
        assert src.failing_since == NOW and src.last_success_at is None
    assert await count(store) == 1


async def test_a_source_failing_for_a_day_is_reported_once(
    site: Site, store: Store, fetcher: Fetcher
) -> None:
    reports: list[tuple[str, str]] = []

    async def report(key: str, text: str, now: datetime) -> None:
        reports.append((key, text))

    src = await add_source(store.engine, kind="feed", location=site.url("/gone.xml"), now=NOW)
    poller = SourcePoller(store, fetcher, report=report, report_after=timedelta(hours=24))
    for hours in (0, 6, 12, 24, 30, 48):
        current = await get_source(store.engine, src.id)
        assert current is not None
        await poller.poll_source(current, NOW + timedelta(hours=hours))
    assert len(reports) == 1
    _, text = reports[0]
    assert f"Source #{src.id}" in text and "failing for 24 hours" in text and "404" in text
    # It recovers, then fails again: a new episode, reported again after a day.
    site.put("/gone.xml", rss("Back", []))
    current = await get_source(store.engine, src.id)
    assert current is not None
    ok = await poller.poll_source(current, NOW + timedelta(hours=50))
    assert ok is not None and ok.ok
    recovered = await get_source(store.engine, src.id)
    assert recovered is not None and recovered.failing_since is None
    assert not recovered.failure_reported


async def test_a_restart_in_the_middle_of_a_poll_loses_nothing_and_doubles_nothing(
    site: Site, tmp_path: Path
) -> None:
    keys = list(STORIES)
    for key in keys:
        site.put(f"/news/{key}", story_page(key))
    site.delays["/news/talks"] = 5.0  # the poll is stopped while this page is awaited
    site.put("/feed.xml", rss("Wire", [item(site, k) for k in keys]))
    url = f"sqlite+aiosqlite:///{tmp_path / 'restart.db'}"

    store = await Store.open(url)
    src = await add_source(store.engine, kind="feed", location=site.url("/feed.xml"), now=NOW)
    async with Fetcher(policy(total_timeout=10.0, read_timeout=10.0)) as f:
        task = asyncio.create_task(SourcePoller(store, f).poll_source(src, NOW))
        while site.hits.get("/news/talks", 0) == 0:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    stored_before = await count(store)
    assert 0 < stored_before < len(keys)
    await store.close()

    del site.delays["/news/talks"]
    store = await Store.open(url)
    try:
        current = await get_source(store.engine, src.id)
        assert current is not None and current.validators.etag is None  # poll never finished
        async with Fetcher(policy()) as f:
            result = await SourcePoller(store, f).poll_source(current, NOW + timedelta(minutes=1))
        assert result is not None and result.new == len(keys) - stored_before
        assert await count(store) == len(keys)
        assert await count(store, article_sources) == len(keys)
        again = await get_source(store.engine, src.id)
        assert again is not None and again.articles_found == len(keys)
    finally:
        await store.close()


async def test_a_folder_picks_up_new_files(store: Store, fetcher: Fetcher, tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    title, paragraphs = STORIES["harbor"]
    (folder / "harbor.txt").write_text(title + "\n\n" + "\n\n".join(paragraphs), "utf-8")
    (folder / "notes.csv").write_text("a,b\n", "utf-8")
    src = await add_source(store.engine, kind="folder", location=str(folder), now=NOW)
    poller = SourcePoller(store, fetcher)
    first = await poller.poll_source(src, NOW)
    assert first is not None and first.new == 1
    second = await poller.poll_source(src, NOW + timedelta(minutes=30))
    assert second is not None and (second.new, second.known) == (0, 1)
    title, paragraphs = STORIES["osk"]
    (folder / "osk.md").write_text(f"# {title}\n\n" + "\n\n".join(paragraphs), "utf-8")
    (folder / "empty.html").write_text("", "utf-8")
    third = await poller.poll_source(src, NOW + timedelta(hours=1))
    assert third is not None and third.new == 1 and third.failed_items == 1
    assert await count(store) == 2
    assert third.error is not None and "empty.html" in third.error
    # The unreadable file is not read again and again.
    fourth = await poller.poll_source(src, NOW + timedelta(hours=2))
    assert fourth is not None and fourth.failed_items == 0 and fourth.skipped == 1
    assert await count(store, article_keys) >= 3


def write_config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "sitrep.toml"
    path.write_text(body, "utf-8")
    return path


async def test_sources_from_the_configuration_are_synced(store: Store, tmp_path: Path) -> None:
    (tmp_path / "drop").mkdir()
    config = load_config(
        write_config(
            tmp_path,
            """
[[sources]]
url = "https://news.example.com/world/rss.xml"
keywords = ["brigade", "drone"]
regions = ["Ukraine"]
interval = "15m"

[[sources]]
path = "drop"

[fetch]
allow_networks = ["127.0.0.0/8"]
timeout_seconds = 5
""",
        ),
        env={},
    )
    declared = declared_sources(config)
    assert [d.kind for d in declared] == ["feed", "folder"]
    assert declared[0].interval == timedelta(minutes=15) and declared[0].regions == ("Ukraine",)
    assert declared[1].location == str((tmp_path / "drop").resolve())
    settings = fetch_settings_of(config)
    assert settings.timeout == 5.0 and settings.policy().allow_networks

    report = await sync_declared_sources(store.engine, declared, now=NOW)
    assert (report.added, report.removed) == (2, 0)
    await add_source(store.engine, kind="page", location="https://x.example.com/p", now=NOW)
    report = await sync_declared_sources(store.engine, declared[:1], now=NOW)
    assert (report.added, report.removed, report.kept) == (0, 1, 1)
    assert [s.kind for s in await list_sources(store.engine)] == ["feed", "page"]


def test_the_table_of_files_still_reads(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, '[sources]\nfiles = ["a.txt"]\n'), env={})
    assert config.sources.files == (tmp_path / "a.txt",)
    assert declared_sources(config) == ()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[[sources]]\nurl = "ftp://x.example.com/feed"\n', r"\[sources #1\] url: Not an http"),
        ('[[sources]]\nkind = "feed"\n', r"\[sources #1\] url: give either url"),
        ('[[sources]]\nurl = "https://a.example/f"\nkind = "tv"\n', "unknown kind 'tv'"),
        ('[[sources]]\nurl = "https://a.example/f"\ninterval = "5s"\n', "too short"),
        ('[[sources]]\nurl = "https://a.example/f"\ncolour = 1\n', "unknown key"),
        ('[fetch]\nallow_networks = ["nonsense"]\n', "not an IP network"),
        ("[fetch]\nmax_redirects = 9\n", "at most 5"),
    ],
)
def test_bad_source_configuration_is_one_clear_error(
    tmp_path: Path, body: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(write_config(tmp_path, body), env={})


def test_intervals() -> None:
    assert parse_interval("90s") == timedelta(seconds=90)
    assert parse_interval("2h") == timedelta(hours=2)
    assert parse_interval("1 day") == timedelta(days=1)
    with pytest.raises(Exception, match="Not an interval"):
        parse_interval("soon")


def test_declared_source_defaults() -> None:
    d = DeclaredSource(kind="feed", location="https://a.example/f")
    assert d.interval == timedelta(minutes=30) and d.keywords == ()


async def test_a_bug_met_on_one_item_or_source_stops_nothing_else(
    site: Site, store: Store, fetcher: Fetcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.sources.polling as sources_module
    from briefings import distill as real_distill

    def fragile(article: object) -> object:
        if "Osk" in getattr(article, "text", ""):
            raise RuntimeError("extractor bug")
        return real_distill(article)  # type: ignore[arg-type]

    real_parse = sources_module.parse_feed

    def picky(data: bytes, *, name: str) -> object:
        if name.endswith("/bad.xml"):
            raise KeyError("parser bug")
        return real_parse(data, name=name)

    monkeypatch.setattr(sources_module, "distill", fragile)
    monkeypatch.setattr(sources_module, "parse_feed", picky)
    for key in ("varnell", "osk"):
        site.put(f"/news/{key}", story_page(key))
    site.put("/f.xml", rss("F", [item(site, "varnell"), item(site, "osk")]))
    site.put("/bad.xml", rss("B", [item(site, "varnell")]))
    good = await add_source(store.engine, kind="feed", location=site.url("/f.xml"), now=NOW)
    bad = await add_source(store.engine, kind="feed", location=site.url("/bad.xml"), now=NOW)
    results = {r.source_id: r for r in await SourcePoller(store, fetcher).poll_due(NOW)}
    assert results[good.id].ok and results[good.id].new == 1
    assert results[good.id].error is not None and "could not be distilled" in results[good.id].error
    assert not results[bad.id].ok
    assert (
        results[bad.id].error is not None and "unexpected error (KeyError)" in results[bad.id].error
    )
    assert await count(store) == 1


async def test_a_page_source_with_only_last_modified_is_polled_conditionally(
    site: Site, store: Store, fetcher: Fetcher
) -> None:
    site.etags = False
    site.put("/story", story_page("harbor"))
    src = await add_source(store.engine, kind="page", location=site.url("/story"), now=NOW)
    poller = SourcePoller(store, fetcher)
    first = await poller.poll_source(src, NOW)
    assert first is not None and first.new == 1
    current = await get_source(store.engine, src.id)
    assert current is not None and current.validators.last_modified
    assert current.validators.etag is None
    second = await poller.poll_source(current, NOW + timedelta(hours=1))
    assert second is not None and second.status == "not modified"
    assert site.conditional == ["/story"]
    # The page is rewritten: read again, a new article (its text changed).
    site.modified = NOW
    site.put("/story", story_page("osk"))
    current = await get_source(store.engine, src.id)
    assert current is not None
    third = await poller.poll_source(current, NOW + timedelta(hours=2))
    assert third is not None and third.new == 1 and await count(store) == 2


async def test_on_postgresql_too_each_story_is_stored_once_and_credited_twice(
    site: Site, fetcher: Fetcher, request: pytest.FixtureRequest
) -> None:
    from bot.store.articles import metadata

    store = await Store.open(request.getfixturevalue("postgres_url"))
    try:
        for key in ("varnell", "osk"):
            site.put(f"/a/{key}", story_page(key, chrome="Alpha"))
            site.put(f"/b/{key}", story_page(key, chrome="Beta"))
        site.put("/a.xml", rss("Alpha", [item(site, k, f"/a/{k}") for k in ("varnell", "osk")]))
        b_items = [dict(item(site, k, f"/b/{k}"), guid=f"b-{k}") for k in ("varnell", "osk")]
        site.put("/b.xml", rss("Beta", b_items))
        for feed in ("/a.xml", "/b.xml"):
            await add_source(store.engine, kind="feed", location=site.url(feed), now=NOW)
        poller = SourcePoller(store, fetcher)
        first = await poller.poll_due(NOW)
        again = await poller.poll_due(NOW + timedelta(hours=1))
        assert sum(r.new for r in first) == 2 and sum(r.known for r in first) == 2
        assert all(r.status == "not modified" for r in again)
        assert await count(store) == 2 and await count(store, article_sources) == 4
        assert [s.articles_found for s in await list_sources(store.engine)] == [2, 2]
    finally:
        async with store.engine.begin() as conn:
            await conn.run_sync(metadata.drop_all)
        await store.close()


def test_a_failing_source_backs_off_and_a_success_resets_it() -> None:
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    src = Source(
        1,
        "feed",
        "https://news.example/rss",
        None,
        (),
        (),
        timedelta(minutes=30),
        "config",
        None,
        Validators(None, None),
        t0,
    )
    assert src.due_at() == t0  # never polled: at once
    ok = dataclasses.replace(src, last_polled_at=t0)
    assert ok.due_at() == t0 + timedelta(minutes=30)
    # Failing since t0: the wait grows with the time it has been failing, from the interval up.
    waits = []
    for failing_for in (timedelta(0), timedelta(hours=1), timedelta(hours=4), timedelta(days=2)):
        f = dataclasses.replace(src, failing_since=t0, last_polled_at=t0 + failing_for)
        waits.append(f.due_at() - (t0 + failing_for))
    assert waits == [timedelta(minutes=30), timedelta(hours=1), timedelta(hours=4), MAX_BACKOFF]
    # A daily source is never polled more often because it fails.
    daily = dataclasses.replace(
        src, interval=timedelta(days=1), failing_since=t0, last_polled_at=t0 + timedelta(hours=1)
    )
    assert daily.due_at() == t0 + timedelta(hours=1) + timedelta(days=1)


NUL_FEED = (
    '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
    "<title>Wire&#0;&#x202E;</title><link>http://example.invalid/</link>{items}</channel></rss>"
)
NUL_ITEM = (
    "<item><title>Front &#0;news&#x202E; {n}&#x2066;</title><link>{link}</link>"
    '<guid isPermaLink="false">g&#0;{n}</guid><pubDate>Fri, 20 Nov 2026 0{n}:00:00 GMT</pubDate>'
    "<description>Troops&#0; advanced {n} km near Varnell&#x202E; on Tuesday, the regional "
    "command said. About 1,200 fighters took part in the assault.</description></item>"
)


@pytest.mark.parametrize("db", ["sqlite", "postgresql"])
async def test_a_feed_with_nul_and_bidi_in_its_fields_polls_clean_every_time(
    site: Site, fetcher: Fetcher, request: pytest.FixtureRequest, tmp_path: Path, db: str
) -> None:
    """issue 10: a feed whose title held &#0; made every later poll of it fail on PostgreSQL
    (invalid byte sequence for encoding "UTF8": 0x00); it is cleaned where it enters."""
    from bot.store.articles import metadata

    url = (
        request.getfixturevalue("postgres_url")
        if db == "postgresql"
        else f"sqlite+aiosqlite:///{tmp_path / 's.db'}"
    )
    store = await Store.open(url)
    try:
        await add_source(store.engine, kind="feed", location=site.url("/nul.xml"), now=NOW)
        poller = SourcePoller(store, fetcher)
        for n in (1, 2):  # a second poll of a changed feed: the one that failed
            items = "".join(NUL_ITEM.format(n=i, link=site.url(f"/n/{i}")) for i in range(1, n + 1))
            site.put(f"/n/{n}", page(f"Front news {n}", [*STORIES["varnell"][1], f"Day {n}."]))
            site.put("/nul.xml", NUL_FEED.format(items=items), "application/rss+xml")
            (result,) = await poller.poll_due(NOW + timedelta(hours=n))
            assert (result.ok, result.error, result.new) == (True, None, 1), result
        (src,) = await list_sources(store.engine)
        assert (src.name, src.last_error, src.articles_found) == ("Wire", None, 2)
        titles = sorted(a.title or "" for a in await store.recent())
        assert titles == ["Front news 1", "Front news 2"]
    finally:
        async with store.engine.begin() as conn:
            await conn.run_sync(metadata.drop_all)
        await store.close()


@pytest.mark.parametrize("db", ["sqlite", "postgresql"])
async def test_a_declared_sources_name_and_terms_are_stored_clean(
    request: pytest.FixtureRequest, tmp_path: Path, db: str
) -> None:
    """A NUL or a bidi control in a [[sources]] name or keyword is cleaned where the
    configuration is read: PostgreSQL refuses a NUL, and the name credits every article."""
    from bot.store.articles import metadata

    url = (
        request.getfixturevalue("postgres_url")
        if db == "postgresql"
        else f"sqlite+aiosqlite:///{tmp_path / 's.db'}"
    )
    text = (
        '[[sources]]\nurl = "https://news.example.com/rss.xml"\nname = "Wire\\u0000\\u202e"\n'
        'keywords = ["bri\\u0000gade", "\\u2066"]\nregions = ["Kel\\u202e"]\n'
    )
    config = load_config(write_config(tmp_path, text), env={})
    store = await Store.open(url)
    try:
        await sync_declared_sources(store.engine, declared_sources(config), now=NOW)
        (src,) = await list_sources(store.engine)
        assert (src.name, src.keywords, src.regions) == ("Wire", ("brigade",), ("Kel",))
    finally:
        async with store.engine.begin() as conn:
            await conn.run_sync(metadata.drop_all)
        await store.close()
