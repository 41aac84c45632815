"""The store: articles and their briefings in one database (SQLAlchemy 2, async).

SQLite through aiosqlite is the default; a PostgreSQL URL works the same way. The tables live on
one ``metadata`` so that other parts of the bot (subscriptions, outbox) add theirs to the same
database: define them on ``bot.store.articles.metadata`` and ``Store.open`` creates them too.

Articles are read once: ``load_sources`` remembers each file by path, size and modification time,
and each article by the SHA-256 of its text, so a restart re-reads and re-distills nothing.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, overload

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    event,
    func,
    or_,
    select,
)
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.config import SNOWFLAKE_LIMIT, Config
from briefings import distill
from briefings.article import OPENING_CHARS, Article, display_name
from briefings.errors import ConfigError, InputError, SitrepError
from briefings.geo import DEFAULT_THEATRES, Theatres, assign_theatre
from briefings.ingest import read_article
from briefings.model import SECTIONS, Briefing
from briefings.sanitize import clean, clean_optional, escape_markdown, strip_unsafe

log = logging.getLogger(__name__)

metadata = MetaData()
LATEST_TTL = 10.0
# A place's history reads this many of the most recent articles with frontline items.
FRONTLINE_SCAN = 200

articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("title", Text),
    Column("source", Text),
    Column("url", Text),
    Column("published", Date),
    Column("text", Text, nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
)

briefings = Table(
    "briefings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "article_id",
        Integer,
        ForeignKey("articles.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    Column("data", JSON, nullable=False),
    Column("frontline_count", Integer, nullable=False, default=0),
    Column("forces_count", Integer, nullable=False, default=0),
    Column("policy_count", Integer, nullable=False, default=0),
    Column("quotes_count", Integer, nullable=False, default=0),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

source_files = Table(
    "source_files",
    metadata,
    Column("path", String(1024), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("mtime_ns", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
)


Linker = Callable[[AsyncConnection, int, bool], Awaitable[None]]
"""Called by ``Store.add_article`` inside its transaction: (connection, article id, added)."""


class NotFound(SitrepError):
    """A command named something the store does not have (an article, a speaker)."""


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """An article as the store lists it, with how many items each section of its briefing has."""

    id: int
    sha256: str
    title: str | None
    source: str | None
    url: str | None
    published: date | None
    added_at: datetime
    counts: tuple[tuple[str, int], ...] = ()
    opening: str = ""  # the start of the text (``OPENING_CHARS``): names an untitled article

    @property
    def name(self) -> str:
        """The title, else the first words of the text (``display_name``)."""
        return display_name(self.title, self.opening)

    @property
    def when(self) -> str:
        """The publication date; an article that gives none says when it was added."""
        if self.published is not None:
            return self.published.isoformat()
        return f"added {self.added_at.date().isoformat()}"

    @property
    def label(self) -> str:
        """Name and date, as autocomplete shows it (at most 100 characters)."""
        title = self.name
        suffix = f" ({self.when})"
        if len(title) + len(suffix) > 100:
            title = title[: 99 - len(suffix)].rstrip() + "…"
        return title + suffix

    @property
    def key(self) -> str:
        """A stable value identifying the article in an autocomplete choice."""
        return f"#{self.id}"


@dataclass(frozen=True, slots=True)
class LoadReport:
    added: int = 0
    known: int = 0
    unchanged: int = 0
    failed: tuple[str, ...] = ()


@overload
def db_time(value: datetime) -> datetime: ...
@overload
def db_time(value: None) -> None: ...
def db_time(value: datetime | None) -> datetime | None:
    """A datetime read from the database, aware: SQLite hands back naive values stored in UTC."""
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def utc(value: datetime) -> datetime:
    """``value`` in UTC, for storing; a naive datetime is a bug of the caller, not a guess."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"a timezone-aware datetime is required, got {value!r}")
    return value.astimezone(UTC)


_LISTED = (
    articles.c.id,
    articles.c.sha256,
    articles.c.title,
    articles.c.source,
    articles.c.url,
    articles.c.published,
    articles.c.added_at,
    briefings.c.frontline_count,
    briefings.c.forces_count,
    briefings.c.policy_count,
    briefings.c.quotes_count,
    func.substr(articles.c.text, 1, OPENING_CHARS).label("opening"),
)
# Most recent first: by publication date (articles without one by when they were added).
_RECENT = (
    func.coalesce(articles.c.published, func.date(articles.c.added_at)).desc(),
    articles.c.added_at.desc(),
    articles.c.id.desc(),
)


def _stored(row: Any) -> StoredArticle:
    counts = tuple((name, int(getattr(row, f"{name}_count") or 0)) for name in SECTIONS)
    return StoredArticle(
        id=row.id,
        sha256=row.sha256,
        title=row.title,
        source=row.source,
        url=row.url,
        published=row.published,
        added_at=db_time(row.added_at),
        counts=counts,
        opening=row.opening or "",
    )


def tune_sqlite(engine: AsyncEngine) -> None:
    """On SQLite, each new connection uses write-ahead logging with ``synchronous=NORMAL``: a
    commit costs no fsync (the outbox commits often), survives a crash of the process, and
    readers never block the writer. Call it before the engine's first connection."""
    if engine.dialect.name != "sqlite":
        return

    def pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    event.listen(engine.sync_engine, "connect", pragmas)


class Store:
    """Articles and briefings. Open with ``await Store.open(url)``; ``await close()`` at the end."""

    def __init__(self, engine: AsyncEngine, theatres: Theatres = DEFAULT_THEATRES) -> None:
        self.engine = engine
        # The configuration's ``[theatres]``: every briefing read or written gets its theatre
        # from them (``in_theatres``), whichever groupings it was distilled with.
        self.theatres = theatres
        self._cache: dict[int, Briefing] = {}
        self._latest: StoredArticle | None = None
        self._latest_at = float("-inf")  # monotonic time when _latest was read

    @classmethod
    async def open(
        cls,
        url: str,
        *,
        echo: bool = False,
        origin: object = None,
        theatres: Theatres = DEFAULT_THEATRES,
    ) -> Store:
        """Open (and create the tables of) the database at ``url``. A driver that is missing
        or a database that cannot be reached is a ``ConfigError`` naming ``origin`` (the
        configuration file) and the key. ``theatres`` are the configuration's groupings."""
        where = f"{origin}: " if origin else ""
        try:
            engine = create_async_engine(url, echo=echo)
        except ModuleNotFoundError as exc:
            raise ConfigError(
                f"{where}[store] url needs the {exc.name} driver: pip install 'sitrep[postgres]'"
            ) from None
        tune_sqlite(engine)
        folder = _sqlite_folder(engine)
        if folder is not None and not folder.is_dir():
            # Said before any connection: a failed one leaves aiosqlite's thread behind it.
            await engine.dispose()
            raise ConfigError(f"{where}[store] url: cannot open the database: no folder {folder}")
        try:
            async with engine.begin() as conn:
                await conn.run_sync(metadata.create_all)
            for upgrade in _UPGRADES:
                await upgrade(engine)
        except (OSError, SQLAlchemyError) as exc:
            await engine.dispose()
            raise ConfigError(
                f"{where}[store] url: cannot open the database: {_reason(exc)}"
            ) from None
        return cls(engine, theatres)

    def in_theatres(self, briefing: Briefing) -> Briefing:
        """``briefing`` with its theatre assigned by this store's groupings: a briefing stored
        before ``[theatres]`` changed is in the theatre the configuration now says."""
        theatre = assign_theatre(briefing, self.theatres)
        if theatre == briefing.article.theatre:
            return briefing
        return dataclasses.replace(
            briefing, article=dataclasses.replace(briefing.article, theatre=theatre)
        )

    async def close(self) -> None:
        await self.engine.dispose()

    # ------------------------------------------------------------ writing

    async def add_article(
        self, article: Article, briefing: Briefing | None = None, *, link: Linker | None = None
    ) -> bool:
        """Store ``article`` and its briefing; False when an article with its SHA-256 is known
        (also when another process stored it a moment before: the unique key decides).

        ``link(conn, article_id, added)`` runs in the same transaction (the article's id, new or
        known): what it writes (bot.sources.polling: dedupe keys, the article's sources) commits
        with the article or not at all."""
        try:
            return await self._add_article(article, briefing, link)
        except IntegrityError:
            return False

    async def _add_article(
        self, article: Article, briefing: Briefing | None, link: Linker | None = None
    ) -> bool:
        async with self.engine.begin() as conn:
            found = await conn.scalar(
                select(articles.c.id).where(articles.c.sha256 == article.sha256)
            )
            if found is not None:
                if link is not None:
                    await link(conn, found, False)
                return False
            briefing = self.in_theatres(briefing or distill(article, self.theatres))
            now = datetime.now(UTC)
            result = await conn.execute(
                articles.insert().values(
                    sha256=article.sha256,
                    title=article.title,
                    source=article.source,
                    url=article.url,
                    published=article.published,
                    text=article.text,
                    added_at=now,
                )
            )
            (article_id,) = result.inserted_primary_key or (None,)
            await conn.execute(
                briefings.insert().values(
                    article_id=article_id,
                    data=briefing.to_json(),
                    created_at=now,
                    **{f"{name}_count": len(briefing.section(name)) for name in SECTIONS},
                )
            )
            if link is not None and article_id is not None:
                await link(conn, int(article_id), True)
        self._latest_at = float("-inf")
        return True

    async def load_files(
        self,
        paths: Iterable[Path],
        *,
        max_bytes: int,
        overrides: dict[Path, dict[str, Any]] | None = None,
    ) -> LoadReport:
        """Read and store each file not seen before (by path, size and mtime; then by SHA-256).

        A file that cannot be read is reported in ``failed`` and skipped; the others still load.
        """
        overrides = overrides or {}
        added = known = unchanged = 0
        failed: list[str] = []
        async with self.engine.connect() as conn:
            rows = (await conn.execute(select(source_files))).all()
        seen = {row.path: (row.size, row.mtime_ns) for row in rows}
        for path in paths:
            key = str(path.resolve())
            try:
                st = path.stat()
            except OSError as exc:
                failed.append(f"{path}: {exc.strerror or exc}")
                continue
            if seen.get(key) == (st.st_size, st.st_mtime_ns):
                unchanged += 1
                continue
            try:
                article, briefing = await asyncio.to_thread(
                    _read_and_distill, path, max_bytes, overrides.get(path, {})
                )
            except InputError as exc:
                failed.append(str(exc))
                log.warning("article skipped: %s", exc)
                continue
            if await self.add_article(article, briefing):
                added += 1
                log.info("article added: %s (%s)", article.title or path.name, path)
            else:
                known += 1
            async with self.engine.begin() as conn:
                await conn.execute(source_files.delete().where(source_files.c.path == key))
                await conn.execute(
                    source_files.insert().values(
                        path=key, size=st.st_size, mtime_ns=st.st_mtime_ns, sha256=article.sha256
                    )
                )
        return LoadReport(added=added, known=known, unchanged=unchanged, failed=tuple(failed))

    # ------------------------------------------------------------ reading

    async def count(self) -> int:
        async with self.engine.connect() as conn:
            return int(await conn.scalar(select(func.count()).select_from(articles)) or 0)

    async def recent(self, limit: int = 25, query: str = "") -> list[StoredArticle]:
        """Articles most recent first, those whose title (or source, or an untitled one's opening)
        contains ``query``."""
        stmt = select(*_LISTED).join(briefings, briefings.c.article_id == articles.c.id)
        q = strip_unsafe(query).strip().lower()  # an autocomplete's text too: no lone surrogate
        if q:
            pattern = f"%{_escape_like(q)}%"
            stmt = stmt.where(
                or_(
                    func.lower(articles.c.title).like(pattern, escape="\\"),
                    func.lower(articles.c.source).like(pattern, escape="\\"),
                    and_(  # an untitled article by the words it is listed under
                        articles.c.title.is_(None),
                        func.lower(func.substr(articles.c.text, 1, OPENING_CHARS)).like(
                            pattern, escape="\\"
                        ),
                    ),
                )
            )
        stmt = stmt.order_by(*_RECENT).limit(limit)
        async with self.engine.connect() as conn:
            return [_stored(row) for row in (await conn.execute(stmt)).all()]

    async def added_between(
        self, after: datetime, until: datetime, *, limit: int
    ) -> tuple[list[StoredArticle], int]:
        """The articles stored in ``(after, until]``, oldest first: the ``limit`` most recent of
        them, and how many there were in all (what a digest of that period covers)."""
        window = (articles.c.added_at > utc(after), articles.c.added_at <= utc(until))
        stmt = (
            select(*_LISTED)
            .join(briefings, briefings.c.article_id == articles.c.id)
            .where(*window)
            .order_by(articles.c.added_at.desc(), articles.c.id.desc())
            .limit(limit)
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(stmt)).all()
            total = len(rows)
            if total == limit:
                counted = select(articles.c.id).where(*window).subquery()
                total = int(await conn.scalar(select(func.count()).select_from(counted)) or 0)
        return [_stored(r) for r in reversed(rows)], total

    async def added_before(
        self, before: datetime, *, limit: int, window: timedelta
    ) -> list[StoredArticle]:
        """The ``limit`` most recent articles stored in ``(before - window, before]``, oldest
        first (what a channel whose last post was at ``before`` could have seen)."""
        end = utc(before)
        stmt = (
            select(*_LISTED)
            .join(briefings, briefings.c.article_id == articles.c.id)
            .where(articles.c.added_at <= end, articles.c.added_at > end - window)
            .order_by(articles.c.added_at.desc(), articles.c.id.desc())
            .limit(limit)
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(stmt)).all()
        return [_stored(r) for r in reversed(rows)]

    async def latest(self) -> StoredArticle | None:
        """The most recent article; read again after ``LATEST_TTL`` seconds, so that articles
        another process added are seen."""
        if time.monotonic() - self._latest_at > LATEST_TTL:
            found = await self.recent(1)
            self._latest = found[0] if found else None
            self._latest_at = time.monotonic()
        return self._latest

    async def get(self, article_id: int) -> StoredArticle | None:
        stmt = (
            select(*_LISTED)
            .join(briefings, briefings.c.article_id == articles.c.id)
            .where(articles.c.id == article_id)
        )
        async with self.engine.connect() as conn:
            row = (await conn.execute(stmt)).first()
        return _stored(row) if row is not None else None

    async def resolve(self, query: str | None) -> StoredArticle:
        """The article a command names: empty for the latest, ``#id`` from autocomplete, or a
        piece of its title (the most recent match). ``NotFound`` with a helpful message."""
        q = strip_unsafe(query or "").strip()
        if not q:
            latest = await self.latest()
            if latest is None:
                raise NotFound("No articles are loaded yet. Add some to the configuration.")
            return latest
        # "#id" from autocomplete: ASCII digits only ("#²" is a digit to str.isdigit, not to int)
        m = re.fullmatch(r"#([0-9]{1,19})", q)
        if m and int(m.group(1)) < SNOWFLAKE_LIMIT:
            found = await self.get(int(m.group(1)))
            if found is not None:
                return found
        matches = await self.recent(1, q)
        if not matches:
            raise NotFound(f"No article matches '{_clip(q)}'. Try /sources.")
        return matches[0]

    async def briefing(self, article_id: int) -> Briefing:
        cached = self._cache.get(article_id)
        if cached is not None:
            return cached
        async with self.engine.connect() as conn:
            data = await conn.scalar(
                select(briefings.c.data).where(briefings.c.article_id == article_id)
            )
        if data is None:
            raise NotFound(f"No briefing for article #{article_id}.")
        return self._remember(article_id, Briefing.from_json(data))

    def _remember(self, article_id: int, briefing: Briefing) -> Briefing:
        briefing = self.in_theatres(briefing)
        if len(self._cache) > 256:
            self._cache.pop(next(iter(self._cache)))
        self._cache[article_id] = briefing
        return briefing

    async def with_frontline(
        self, limit: int = FRONTLINE_SCAN
    ) -> list[tuple[StoredArticle, Briefing]]:
        """The ``limit`` most recent articles whose briefing has frontline items, most recent
        first, with their briefings (a place's history, the places autocomplete offers).
        Briefings already read come from the cache; the others are read in one query."""
        stmt = (
            select(*_LISTED)
            .join(briefings, briefings.c.article_id == articles.c.id)
            .where(briefings.c.frontline_count > 0)
            .order_by(*_RECENT)
            .limit(limit)
        )
        async with self.engine.connect() as conn:
            found = [_stored(row) for row in (await conn.execute(stmt)).all()]
            known = {a.id: self._cache[a.id] for a in found if a.id in self._cache}
            missing = [a.id for a in found if a.id not in known]
            if missing:
                rows = await conn.execute(
                    select(briefings.c.article_id, briefings.c.data).where(
                        briefings.c.article_id.in_(missing)
                    )
                )
                for row in rows.all():
                    known[row.article_id] = self._remember(
                        row.article_id, Briefing.from_json(row.data)
                    )
        return [(a, known[a.id]) for a in found if a.id in known]

    async def archive(self) -> list[tuple[StoredArticle, Briefing, str]]:
        """Every stored article with its briefing and its text, most recent first (the web
        archive reads the whole store once)."""
        stmt = (
            select(*_LISTED, briefings.c.data, articles.c.text)
            .join(briefings, briefings.c.article_id == articles.c.id)
            .order_by(*_RECENT)
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(stmt)).all()
        return [
            (_stored(row), self.in_theatres(Briefing.from_json(row.data)), row.text or "")
            for row in rows
        ]

    async def speakers(self, query: str = "", article: StoredArticle | None = None) -> list[str]:
        """Speakers quoted in an article's briefing (the latest by default), by how often quoted,
        those containing ``query`` first among equals."""
        target = article or await self.latest()
        if target is None:
            return []
        return speakers_of(await self.briefing(target.id), query)


Upgrade = Callable[[AsyncEngine], Awaitable[None]]
# Schema changes ``create_all`` cannot make to a table an older sitrep created (a new column),
# run by ``Store.open`` after it: the rooms that own tables register theirs (``bot.store``).
_UPGRADES: list[Upgrade] = []


def register_upgrade(upgrade: Upgrade) -> None:
    if upgrade not in _UPGRADES:
        _UPGRADES.append(upgrade)


def speakers_of(briefing: Briefing, query: str = "") -> list[str]:
    counts: dict[str, int] = {}
    for quote in briefing.quotes:
        if quote.speaker:
            counts[quote.speaker] = counts.get(quote.speaker, 0) + 1
    q = query.strip().casefold()
    names = [name for name in counts if q in name.casefold()]
    return sorted(names, key=lambda n: (-counts[n], not n.casefold().startswith(q), n.casefold()))


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return " ".join(str(orig).split())[:200] or type(orig).__name__


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _clip(text: str, n: int = 60) -> str:
    """User input echoed in a reply: one line, short, mentions and markdown defused."""
    one = clean(text)
    return escape_markdown(one if len(one) <= n else one[: n - 1] + "…")


def _read_and_distill(path: Path, max_bytes: int, meta: dict[str, Any]) -> tuple[Article, Briefing]:
    article = read_article(str(path), max_bytes=max_bytes)
    # [[articles]] metadata is text from outside: cleaned as the article's own is (a NUL in a
    # title made PostgreSQL refuse the row), before the briefing carries it.
    changes: dict[str, Any] = {
        k: clean_optional(v) if isinstance(v, str) else v for k, v in meta.items() if v is not None
    }
    if changes:
        article = dataclasses.replace(article, **changes)
    return article, distill(article)


def source_paths(
    files: Sequence[Path], folders: Sequence[Path], patterns: Sequence[str]
) -> list[Path]:
    """The article files named by the configuration, in a stable order, each once.

    A folder that does not exist raises ``InputError`` naming it.
    """
    out: dict[Path, None] = {}
    for f in files:
        out[f] = None
    for folder in folders:
        if not folder.is_dir():
            raise InputError(f"{folder}: no such folder of articles")
        found: set[Path] = set()
        for pattern in patterns:
            found.update(p for p in folder.glob(pattern) if p.is_file())
        for p in sorted(found):
            out[p] = None
    return list(out)


def _missing(path: Path) -> bool:
    """Whether nothing is at ``path`` (a dangling link counts as nothing); a file that is there
    but cannot be read is not missing: ``load_files`` reports it with its reason."""
    try:
        path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return True
    except OSError:
        return False
    return False


async def load_configured(store: Store, config: Config) -> LoadReport:
    """Load the files, folders and ``[[articles]]`` entries of ``config`` into ``store``."""
    s = config.sources
    entries = {e.path: e for e in config.articles}
    where = config.path or "configuration"
    for key, listed in (("[sources] files", s.files), ("[[articles]] path", entries)):
        for f in listed:
            if _missing(f):
                # Named here, not skipped with the unreadable ones: a path listed by name that
                # is not there is a mistake in the configuration, and skipping it ends in the
                # puzzling "no articles loaded".
                raise ConfigError(f"{where}: {key}: {f}: no such file")
    try:
        paths = source_paths([*s.files, *entries], s.folders, s.patterns)
    except InputError as exc:
        raise ConfigError(f"{where}: [sources] folders: {exc}") from None
    overrides = {
        p: {"title": e.title, "source": e.source, "url": e.url, "published": e.published}
        for p, e in entries.items()
    }
    report = await store.load_files(paths, max_bytes=config.ingest.max_bytes, overrides=overrides)
    log.info(
        "sources: %d added, %d already known, %d unchanged, %d failed",
        report.added,
        report.known,
        report.unchanged,
        len(report.failed),
    )
    return report


def _sqlite_folder(engine: AsyncEngine) -> Path | None:
    """The folder of a SQLite database file (``None`` for other databases and in-memory)."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    if url.database.startswith("file:"):
        return None  # a URI filename: SQLite reads it
    return Path(url.database).expanduser().resolve().parent
