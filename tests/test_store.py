"""The store: articles and briefings kept once, found by title, listed most recent first."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    select,
)
from sqlalchemy.ext.asyncio import create_async_engine
from test_untrusted_text import FORBIDDEN, _any_text

from bot.config import load_config
from bot.store.articles import (
    NotFound,
    Store,
    briefings,
    load_configured,
    metadata,
    speakers_of,
)
from briefings import build_article
from briefings.model import ArticleMeta, Briefing, QuoteItem

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "bot"


def article(title: str, body: str = "Troops advanced near the town.", **kw: object):  # type: ignore[no-untyped-def]
    return build_article(body + " " + title, title=title, **kw)  # type: ignore[arg-type]


def briefing_with_quotes(a, *speakers: str) -> Briefing:  # type: ignore[no-untyped-def]
    quotes = tuple(QuoteItem(f"words {i}", s, None, (i,)) for i, s in enumerate(speakers))
    return Briefing(article=ArticleMeta.of(a), quotes=quotes)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL server on 127.0.0.1 (skipped with the reason when none can run)."""
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.skip("PostgreSQL is not installed (initdb and pg_ctl not on PATH)")
    prefix: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="sitrep-pg-"))
    if os.geteuid() == 0:  # initdb refuses to run as root
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no postgres user to run PostgreSQL as")
        os.chown(folder, pw.pw_uid, pw.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    data, port = folder / "data", _free_port()
    try:
        subprocess.run(
            [*prefix, initdb, "-D", str(data), "-A", "trust", "-U", "sitrep"],
            check=True,
            capture_output=True,
            timeout=120,
        )
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            [
                *prefix,
                pg_ctl,
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(folder / "log"),
                "-w",
                "start",
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    except (subprocess.SubprocessError, OSError) as exc:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip(f"PostgreSQL could not start: {exc}")
    try:
        yield f"postgresql+asyncpg://sitrep@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*prefix, pg_ctl, "-D", str(data), "stop", "-m", "immediate"],
            capture_output=True,
            timeout=120,
        )
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"
    else:
        url = request.getfixturevalue("postgres_url")
    s = await Store.open(url)
    yield s
    if request.param == "postgresql":
        async with s.engine.begin() as conn:
            await conn.run_sync(metadata.drop_all)
    await s.close()


async def test_add_is_deduplicated_by_sha256(store: Store) -> None:
    a = article("Bridgehead holds")
    assert await store.add_article(a) is True
    assert await store.add_article(a) is False
    assert await store.count() == 1


async def test_recent_orders_by_date_and_searches_titles(store: Store) -> None:
    await store.add_article(article("Old battle", published=date(2023, 1, 1)))
    await store.add_article(article("New battle", published=date(2024, 6, 1)))
    await store.add_article(article("Harbor talks", published=date(2024, 1, 1)))
    titles = [a.title for a in await store.recent()]
    assert titles == ["New battle", "Harbor talks", "Old battle"]
    assert [a.title for a in await store.recent(query="BATTLE")] == ["New battle", "Old battle"]
    assert await store.recent(query="100%_") == []
    latest = await store.latest()
    assert latest is not None and latest.title == "New battle"
    assert latest.label == "New battle (2024-06-01)"


async def test_an_untitled_article_is_listed_and_found_by_its_first_words(store: Store) -> None:
    body = "Rebels shelled the river port of Ostrova overnight, the governor said. More followed."
    await store.add_article(build_article(body))
    (listed,) = await store.recent()
    assert listed.title is None  # the briefing JSON keeps "title": null
    assert listed.name == "Rebels shelled the river port of Ostrova overnight…"
    assert listed.label == f"{listed.name} (added {listed.added_at.date().isoformat()})"
    assert [a.id for a in await store.recent(query="ostrova")] == [listed.id]


async def test_resolve_by_key_title_or_latest(store: Store) -> None:
    await store.add_article(article("Old battle", published=date(2023, 1, 1)))
    await store.add_article(article("New battle", published=date(2024, 6, 1)))
    old = (await store.recent(query="old"))[0]
    assert (await store.resolve(old.key)).title == "Old battle"
    assert (await store.resolve("old bat")).title == "Old battle"
    assert (await store.resolve(None)).title == "New battle"
    with pytest.raises(NotFound, match=r"No article matches 'xyz'\. Try /sources\."):
        await store.resolve("xyz")


async def test_resolve_with_no_articles_says_so(store: Store) -> None:
    with pytest.raises(NotFound, match="No articles"):
        await store.resolve("")


async def test_briefing_round_trip_counts_and_speakers(store: Store) -> None:
    a = article("Quotes galore")
    b = briefing_with_quotes(a, "Anna Bell", "Anna Bell", "Bob Stone", "a private")
    await store.add_article(a, b)
    stored = await store.latest()
    assert stored is not None
    assert dict(stored.counts) == {"frontline": 0, "forces": 0, "policy": 0, "quotes": 4}
    assert await store.briefing(stored.id) == b
    assert await store.speakers() == ["Anna Bell", "a private", "Bob Stone"]
    assert await store.speakers("sto") == ["Bob Stone"]
    assert speakers_of(b, "a") == ["Anna Bell", "a private"]


async def test_load_files_once_then_nothing_on_restart(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    for f in FIXTURES.glob("*.txt"):
        (folder / f.name).write_bytes(f.read_bytes())
    (folder / "copy.txt").write_bytes((FIXTURES / "harbor_talks.txt").read_bytes())
    (folder / "empty.txt").write_text("  \n")
    (folder / "notes.csv").write_text("ignored")
    cfg = tmp_path / "sitrep.toml"
    cfg.write_text(
        "[store]\nurl = 'sqlite:///state.db'\n[sources]\nfolders = ['articles']\n"
        "[[articles]]\npath = 'articles/river_crossing.txt'\nsource = 'Test Wire'\n"
        "published = 2024-11-20\nurl = 'https://example.invalid/river'\n"
    )
    config = load_config(cfg, env={})
    store = await Store.open(config.store.url)
    report = await load_configured(store, config)
    assert (report.added, report.known, report.unchanged) == (3, 1, 0)
    assert len(report.failed) == 1 and "empty.txt" in report.failed[0]
    river = await store.resolve("bridgehead")
    assert (river.source, river.url, river.published) == (
        "Test Wire",
        "https://example.invalid/river",
        date(2024, 11, 20),
    )
    await store.close()

    # A restart: the same database file, nothing read again (the files are unreadable now).
    for f in folder.glob("*.txt"):
        if f.name != "empty.txt":
            os.chmod(f, 0)
    try:
        store = await Store.open(config.store.url)
        report = await load_configured(store, config)
        assert (report.added, report.known, report.unchanged) == (0, 0, 4)
        assert await store.count() == 3
        await store.close()
    finally:
        for f in folder.glob("*.txt"):
            os.chmod(f, 0o644)
    assert (tmp_path / "state.db").is_file()


async def test_missing_folder_is_a_config_error(tmp_path: Path) -> None:
    cfg = tmp_path / "sitrep.toml"
    cfg.write_text("[store]\nurl = 'sqlite:///s.db'\n[sources]\nfolders = ['nope']\n")
    config = load_config(cfg, env={})
    store = await Store.open(config.store.url)
    try:
        from briefings.errors import ConfigError

        with pytest.raises(ConfigError, match="nope"):
            await load_configured(store, config)
    finally:
        await store.close()


async def test_unreachable_database_is_a_config_error(tmp_path: Path) -> None:
    from briefings.errors import ConfigError

    url = f"sqlite+aiosqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'x.db'}"
    with pytest.raises(ConfigError, match=r"conf.toml: \[store\] url: cannot open the database"):
        await Store.open(url, origin="conf.toml")
    with pytest.raises(ConfigError, match=r"\[store\] url: cannot open"):
        await Store.open("postgresql+asyncpg://nobody@127.0.0.1:1/none")


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=_any_text, title=_any_text, source=_any_text)
async def test_any_text_from_outside_is_stored_and_read_back_clean(
    store: Store, body: str, title: str, source: str
) -> None:
    """issue 10: arbitrary unicode (NUL, controls, bidi, lone surrogates) in an article and its
    metadata is stored alike on SQLite and PostgreSQL, and nothing hostile comes back."""
    a = build_article(
        f"Troops advanced near Kel. {body} The command said so.", title=title, source=source
    )
    await store.add_article(a)
    await store.recent(query=title)  # any query is answered
    for stored in await store.recent(limit=1000):
        briefing = await store.briefing(stored.id)
        for text in (stored.title, stored.source, stored.label, briefing.article.title):
            assert not FORBIDDEN.search(text or ""), ascii(text)


# ---------------------------------------------------------------- theatres


THEATRES = Path(__file__).resolve().parent / "fixtures" / "theatres"


async def test_the_store_assigns_theatres_by_its_groupings_when_read(tmp_path: Path) -> None:
    """A briefing stored under the default groupings is read in those configured now."""
    from briefings.geo import Theatres
    from briefings.ingest import read_article

    url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"
    s = await Store.open(url)
    try:
        assert await s.add_article(read_article(str(THEATRES / "1_kupiansk.txt")))
        (stored,) = await s.recent()
        assert (await s.briefing(stored.id)).article.theatre == "Ukraine"
    finally:
        await s.close()
    regrouped = Theatres.of({"Kharkiv front": ["UA"]})
    s = await Store.open(url, theatres=regrouped)
    try:
        assert (await s.briefing(stored.id)).article.theatre == "Kharkiv front"
        ((_, briefing, _),) = await s.archive()
        assert briefing.article.theatre == "Kharkiv front"
        # and written by them: the stored JSON of a new article carries the configured theatre
        assert await s.add_article(read_article(str(THEATRES / "3_pokrovsk.txt")))
        async with s.engine.connect() as conn:
            data = [row.data for row in (await conn.execute(select(briefings.c.data))).all()]
        assert [d["article"]["theatre"] for d in data] == ["Ukraine", "Kharkiv front"]
    finally:
        await s.close()


def _old_subscriptions(old: MetaData) -> Table:
    """The subscriptions table as sitrep made it before theatres."""
    return Table(
        "subscriptions",
        old,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("guild_id", BigInteger, nullable=True),
        Column("channel_id", BigInteger, nullable=False, index=True),
        Column("sections", String(100), nullable=False),
        Column("schedule", String(200), nullable=False),
        Column("timezone", String(64), nullable=False),
        Column("paused", Boolean, nullable=False, default=False),
        Column("paused_reason", String(500), nullable=True),
        Column("origin", String(16), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("last_posted_at", DateTime(timezone=True), nullable=True),
        UniqueConstraint("channel_id", "schedule", "timezone", "sections", name="uq_subscription"),
    )


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_a_subscriptions_table_from_before_theatres_is_upgraded(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    from bot.scheduling.subscriptions import (
        SubscriptionError,
        create_subscription,
        list_subscriptions,
    )

    url = (
        f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite'}"
        if backend == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    now = datetime(2026, 3, 1, 8, tzinfo=UTC)
    old = MetaData()
    table = _old_subscriptions(old)
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(old.create_all)
        await conn.execute(
            table.insert().values(
                id=7,
                channel_id=5,
                sections="frontline",
                schedule="daily 08:00",
                timezone="UTC",
                paused=False,
                origin="command",
                created_at=now,
                last_posted_at=now,
            )
        )
    await engine.dispose()
    s = await Store.open(url)
    try:
        (kept,) = await list_subscriptions(s.engine)
        assert (kept.id, kept.channel_id, kept.theatre, kept.last_posted_at) == (7, 5, None, now)
        # the theatre is part of the key now: the same schedule for one theatre is another
        sudan = await create_subscription(
            s.engine,
            channel_id=5,
            schedule="daily 08:00",
            sections="frontline",
            theatre="Sudan",
            now=now,
        )
        assert sudan.theatre == "Sudan" and sudan.id != 7
        with pytest.raises(SubscriptionError, match="already has that subscription"):
            await create_subscription(
                s.engine, channel_id=5, schedule="daily 08:00", sections="frontline", now=now
            )
        await s.close()
        s = await Store.open(url)  # a second open finds it upgraded and changes nothing
        found = {x.id: x.theatre for x in await list_subscriptions(s.engine)}
        assert found == {7: None, sudan.id: "Sudan"}
    finally:
        if backend == "postgresql":
            async with s.engine.begin() as conn:
                await conn.run_sync(metadata.drop_all)
        await s.close()
