"""The ``sources`` table and what is kept of polled articles: keys and sources.

Listing, adding, removing and syncing sources with the configuration; the keys an article is
known by (canonical URL, GUID, text fingerprint) and the sources that carried it; the keyword
and region filters; the small values a poll reports.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import unicodedata
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.sources.fetch import (
    BlockedAddress,
    FetchError,
    HTTPStatusError,
    InvalidURL,
    TooLarge,
    canonical_url,
)
from bot.sources.settings import (
    DEFAULT_INTERVAL,
    KINDS,
    ORIGIN_COMMAND,
    ORIGIN_CONFIG,
    DeclaredSource,
    Source,
    SourceError,
    check_url_text,
    one_line,
    source_row,
)
from bot.store.articles import db_time, metadata, utc
from briefings.article import Article
from briefings.errors import SitrepError
from briefings.ingest.feeds import FeedItem

log = logging.getLogger(__name__)
T = TypeVar("T")


sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("location", String(2048), nullable=False, unique=True),
    Column("name", String(200), nullable=True),
    Column("keywords", Text, nullable=False, default=""),
    Column("regions", Text, nullable=False, default=""),
    Column("interval_seconds", Integer, nullable=False),
    Column("origin", String(16), nullable=False),
    Column("guild_id", BigInteger, nullable=True),
    Column("etag", String(1024), nullable=True),
    Column("last_modified", String(200), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_polled_at", DateTime(timezone=True), nullable=True),
    Column("last_success_at", DateTime(timezone=True), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("last_error_at", DateTime(timezone=True), nullable=True),
    Column("failing_since", DateTime(timezone=True), nullable=True),
    Column("failure_reported", Boolean, nullable=False, default=False),
)

# What has been seen: ``url:``, ``guid:``, ``text:`` and ``file:`` keys point at the article they
# were read into; ``skip:`` keys (per source) mark items left out by a filter or unreadable.
article_keys = Table(
    "article_keys",
    metadata,
    Column("key", String(80), primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=True),
    Column("source_id", Integer, nullable=True),
    Column("seen_at", DateTime(timezone=True), nullable=False),
)

# Where each article was found: one row per source and URL (a wire story on two sites: two).
article_sources = Table(
    "article_sources",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "article_id",
        Integer,
        ForeignKey("articles.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("source_id", Integer, nullable=True),
    Column("name", String(200), nullable=True),
    Column("url", String(2048), nullable=False),
    Column("found_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("article_id", "url", name="uq_article_source"),
)


# ---------------------------------------------------------------- the table


async def _found(conn: AsyncConnection, ids: Sequence[int]) -> dict[int, int]:
    """How many articles each source has been credited with."""
    if not ids:
        return {}
    stmt = (
        select(article_sources.c.source_id, func.count())
        .where(article_sources.c.source_id.in_(list(ids)))
        .group_by(article_sources.c.source_id)
    )
    return {int(k): int(n) for k, n in (await conn.execute(stmt)).all()}


async def list_sources(
    engine: AsyncEngine, *, guild_id: int | None = None, counts: bool = True
) -> list[Source]:
    """The sources by id (of ``guild_id`` and those of no guild, when given); ``counts``
    fills ``articles_found``."""
    stmt = select(sources).order_by(sources.c.id)
    if guild_id is not None:
        stmt = stmt.where((sources.c.guild_id == guild_id) | sources.c.guild_id.is_(None))
    async with engine.connect() as conn:
        rows = (await conn.execute(stmt)).all()
        found = await _found(conn, [r.id for r in rows]) if counts else {}
    return [source_row(r, found.get(r.id, 0)) for r in rows]


async def get_source(engine: AsyncEngine, source_id: int) -> Source | None:
    async with engine.connect() as conn:
        row = (await conn.execute(select(sources).where(sources.c.id == source_id))).first()
        found = await _found(conn, [source_id]) if row is not None else {}
    return source_row(row, found.get(source_id, 0)) if row is not None else None


async def add_source(
    engine: AsyncEngine,
    *,
    kind: str,
    location: str,
    now: datetime,
    name: str | None = None,
    keywords: Sequence[str] = (),
    regions: Sequence[str] = (),
    interval: timedelta = DEFAULT_INTERVAL,
    origin: str = ORIGIN_COMMAND,
    guild_id: int | None = None,
) -> Source:
    """Store a new source; ``SourceError`` for a bad kind or a location already polled."""
    if kind not in KINDS:
        raise SourceError(f"Unknown kind '{one_line(kind)}': one of {', '.join(KINDS)}.")
    if kind != "folder":
        check_url_text(location)
    async with engine.begin() as conn:
        existing = await conn.scalar(select(sources.c.id).where(sources.c.location == location))
        if existing is not None:
            raise SourceError(f"That source is already polled (#{existing}).")
        result = await conn.execute(
            sources.insert().values(
                kind=kind,
                location=location,
                name=name,
                keywords="\n".join(k for k in keywords if k.strip()),
                regions="\n".join(r for r in regions if r.strip()),
                interval_seconds=int(interval.total_seconds()),
                origin=origin,
                guild_id=guild_id,
                created_at=utc(now),
                failure_reported=False,
            )
        )
        (new_id,) = result.inserted_primary_key or (None,)
        row = (await conn.execute(select(sources).where(sources.c.id == new_id))).one()
    return source_row(row, 0)


async def remove_source(engine: AsyncEngine, source_id: int) -> bool:
    """Remove a source (its articles stay); False when there was none."""
    async with engine.begin() as conn:
        result = await conn.execute(delete(sources).where(sources.c.id == source_id))
    return bool(result.rowcount)


@dataclass(frozen=True, slots=True)
class SourceSync:
    added: int = 0
    removed: int = 0
    kept: int = 0


async def sync_declared_sources(
    engine: AsyncEngine, declared: Sequence[DeclaredSource], *, now: datetime
) -> SourceSync:
    """Bring the table in line with ``[[sources]]``: new entries added, entries no longer
    declared removed, kept ones updated (their poll state stays). Rows added by commands are
    left alone."""
    wanted = {d.location: d for d in declared}
    added = removed = kept = 0
    async with engine.begin() as conn:
        rows = (await conn.execute(select(sources))).all()
        existing = {r.location: r for r in rows}
        for location, r in existing.items():
            if r.origin != ORIGIN_CONFIG:
                continue
            d = wanted.get(location)
            if d is None:
                await conn.execute(delete(sources).where(sources.c.id == r.id))
                removed += 1
                continue
            kept += 1
            await conn.execute(
                update(sources)
                .where(sources.c.id == r.id)
                .values(
                    kind=d.kind,
                    name=d.name,
                    keywords="\n".join(d.keywords),
                    regions="\n".join(d.regions),
                    interval_seconds=int(d.interval.total_seconds()),
                )
            )
        for location, d in wanted.items():
            if location in existing:
                continue
            await conn.execute(
                sources.insert().values(
                    kind=d.kind,
                    location=location,
                    name=d.name,
                    keywords="\n".join(d.keywords),
                    regions="\n".join(d.regions),
                    interval_seconds=int(d.interval.total_seconds()),
                    origin=ORIGIN_CONFIG,
                    created_at=utc(now),
                    failure_reported=False,
                )
            )
            added += 1
    return SourceSync(added=added, removed=removed, kept=kept)


@dataclass(frozen=True, slots=True)
class ArticleSource:
    article_id: int
    source_id: int | None
    name: str | None
    url: str
    found_at: datetime


async def sources_of_articles(
    engine: AsyncEngine, article_ids: Iterable[int]
) -> dict[int, list[ArticleSource]]:
    """Where each article was found (for crediting sources in a digest), oldest first."""
    ids = sorted(set(article_ids))
    out: dict[int, list[ArticleSource]] = {i: [] for i in ids}
    if not ids:
        return out
    stmt = (
        select(article_sources)
        .where(article_sources.c.article_id.in_(ids))
        .order_by(article_sources.c.found_at, article_sources.c.id)
    )
    async with engine.connect() as conn:
        for r in (await conn.execute(stmt)).all():
            found = db_time(r.found_at)
            assert found is not None
            out[r.article_id].append(ArticleSource(r.article_id, r.source_id, r.name, r.url, found))
    return out


async def latest_articles_of_sources(
    engine: AsyncEngine, source_ids: Iterable[int], *, per_source: int = 5
) -> dict[int, list[int]]:
    """The ids of the ``per_source`` articles each source found last, most recent first."""
    ids = sorted(set(source_ids))
    out: dict[int, list[int]] = {i: [] for i in ids}
    if not ids:
        return out
    rank = (
        func.row_number()
        .over(
            partition_by=article_sources.c.source_id,
            order_by=(article_sources.c.found_at.desc(), article_sources.c.id.desc()),
        )
        .label("rank")
    )
    ranked = (
        select(article_sources.c.source_id, article_sources.c.article_id, rank)
        .where(article_sources.c.source_id.in_(ids))
        .subquery()
    )
    stmt = (
        select(ranked.c.source_id, ranked.c.article_id)
        .where(ranked.c.rank <= per_source)
        .order_by(ranked.c.source_id, ranked.c.rank)
    )
    async with engine.connect() as conn:
        for r in (await conn.execute(stmt)).all():
            if r.article_id not in out[r.source_id]:
                out[r.source_id].append(r.article_id)
    return out


# ---------------------------------------------------------------- filters and keys

_WORD = re.compile(r"\w+")


def text_fingerprint(article: Article) -> str:
    """A hash of the article's words (case, accents, punctuation and spacing folded): the same
    report published by two sites hashes the same."""
    folded = unicodedata.normalize("NFKD", article.text).casefold()
    words = _WORD.findall("".join(c for c in folded if not unicodedata.combining(c)))
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()


def source_key(kind: str, value: str) -> str:
    return f"{kind}:{hashlib.sha256(value.encode('utf-8')).hexdigest()}"


def _phrase(term: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in term.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.I)


def _region(term: str) -> re.Pattern[str]:
    """A place and the words made from it ('Ukraine', 'Ukrainian', 'Israelis', 'Gazans')."""
    words = term.split()
    last = words[-1]
    base = last[:-1] if len(last) > 4 and last[-1].lower() == "e" else last
    head = r"\s+".join(re.escape(w) for w in words[:-1])
    tail = re.escape(base) + r"(?:e|a|n|ns|an|ans|ian|ians|i|is|ese|ish)?"
    return re.compile(r"(?<!\w)" + (head + r"\s+" if head else "") + tail + r"(?!\w)", re.I)


def matches_filters(
    article: Article, keywords: Sequence[str] = (), regions: Sequence[str] = ()
) -> bool:
    """True when the article names one of ``keywords`` (if any) and one of ``regions`` (if
    any), in its title or text."""
    text = f"{article.title or ''}\n{article.text}"
    if keywords and not any(_phrase(k).search(text) for k in keywords if k.strip()):
        return False
    return not regions or any(_region(r).search(text) for r in regions if r.strip())


def insert_keys(dialect: str) -> Any:
    if dialect == "sqlite":
        return sqlite_insert(article_keys).on_conflict_do_nothing(
            index_elements=[article_keys.c.key]
        )
    if dialect == "postgresql":
        return postgresql_insert(article_keys).on_conflict_do_nothing(
            index_elements=[article_keys.c.key]
        )
    return article_keys.insert()


def insert_source_link(dialect: str) -> Any:
    cols = [article_sources.c.article_id, article_sources.c.url]
    if dialect == "sqlite":
        return sqlite_insert(article_sources).on_conflict_do_nothing(index_elements=cols)
    if dialect == "postgresql":
        return postgresql_insert(article_sources).on_conflict_do_nothing(index_elements=cols)
    return article_sources.insert()


# ---------------------------------------------------------------- polling


@dataclass(frozen=True, slots=True)
class IngestOutcome:
    """What became of one item: ``new`` (stored), ``known`` (already stored: credited to this
    source too), ``skipped`` (left out by a filter, or seen before and left out)."""

    status: str
    article_id: int | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class PollResult:
    source_id: int
    ok: bool
    status: str  # "ok", "not modified", or the error's short status
    new: int = 0
    known: int = 0
    skipped: int = 0
    failed_items: int = 0
    not_read: int = 0  # a feed's older items past the poller's bound, counted, not read
    error: str | None = None
    reported: bool = False


Reporter = Callable[[str, str, datetime], Awaitable[None]]
"""Reports a problem to the admins once per key: (key, text, now)."""

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class ItemError(SitrepError):
    """One item could not be read; ``permanent`` ones are not tried again."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


class DuplicateItem(Exception):
    """Raised inside an article's transaction to undo it: its text is stored already."""

    def __init__(self, article_id: int) -> None:
        super().__init__(article_id)
        self.article_id = article_id


_PERMANENT_FETCH = (BlockedAddress, InvalidURL, TooLarge)


def is_permanent(exc: FetchError) -> bool:
    if isinstance(exc, _PERMANENT_FETCH):
        return True
    return isinstance(exc, HTTPStatusError) and exc.code in (400, 401, 403, 404, 410, 451)


def resolve_keys(
    known: dict[str, int | None], keys: Sequence[str]
) -> tuple[int | None, bool, bool]:
    """(the article one of ``keys`` points at, whether one marks the item as left out, whether
    the article was found by a key of this source: its item or file key, so it is credited to
    this source already)."""
    left_out = False
    found: int | None = None
    own = False
    for k in keys:
        if k not in known:
            continue
        article_id = known[k]
        if article_id is None:
            left_out = True
        elif found is None or k.startswith(_OWN_KEYS):
            own = own or k.startswith(_OWN_KEYS)
            found = article_id
    return found, left_out and found is None, own


_OWN_KEYS = ("item:", "file:")


async def run_cpu(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a few milliseconds of pure work (extracting a page, distilling) on the loop, then
    let other tasks run. Not in a thread: a thread busy with Python code makes every database
    call of the loop wait for the interpreter lock (up to 5 ms each), which costs more than
    the work itself."""
    result = fn(*args, **kwargs)
    await asyncio.sleep(0)
    return result


def item_keys(src: Source, item: FeedItem) -> tuple[list[str], str]:
    """The keys of a feed item known before reading it, and the URL it is credited under."""
    keys = [source_key("item", f"{src.location}\n{item.key}")]
    if item.guid:
        keys.append(source_key("guid", item.guid))
    link = canonical_url(item.link) if item.link else None
    if link:
        keys.append(source_key("url", link))
    found_url = link or f"{src.location}#{item.key}"
    return keys, found_url
