"""Sources that sitrep polls on its own: RSS/Atom feeds, single web pages and local folders.

The ``sources`` table is the truth. Sources come from ``[[sources]]`` in the configuration
(synced into the table at start-up, as subscriptions are) and from ``/source add``. A
``SourcePoller`` polls each on its own interval:

* a feed is fetched with a conditional request (its last ``ETag``/``Last-Modified``); each new
  item becomes an article from the feed's full content when it has it, else from its page
  (fetched, main text by trafilatura);
* a page is fetched conditionally and read as one article;
* a folder is listed and each new ``.txt``/``.md``/``.html`` file read.

An article is stored once. Before reading an item its canonical URL and its GUID are looked up;
after reading it, a hash of its normalized text: the same wire story on two sites is one article
with two rows in ``article_sources``. The keys and the article's sources are written in the
article's own transaction (``Store.add_article(link=...)``), and a feed's validators are saved
only once all its items are stored, so a restart in the middle of a poll loses nothing and stores
nothing twice. Keyword and region filters keep only the articles about the configured conflicts.

Each poll ends in one status per source (``last_success_at``, ``last_error``, ``articles_found``);
a source failing for a day is reported once to the admin channel.

Configuration (registered on import)::

    [[sources]]
    url = "https://example.com/world/rss.xml"   # or: path = "../articles" (a folder)
    kind = "feed"                  # feed, page or folder (default: feed for a url)
    name = "Example News"          # how its articles are credited (default: the feed's title)
    keywords = ["drone", "brigade"]  # keep articles with any of these words (default: all)
    regions = ["Ukraine"]          # keep articles naming any of these places (default: all)
    interval = "30m"               # how often: 90s, 30m, 2h, 1d (default 30m)

    [fetch]
    timeout_seconds = 30           # total time for one request
    read_timeout_seconds = 15      # silence from the server before giving up
    retries = 2                    # more attempts after a 5xx or a lost connection
    max_redirects = 5              # at most 5
    allow_networks = []            # private networks that may be fetched, e.g. ["10.0.0.0/8"]
    report_failing_after_hours = 24
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
import unicodedata
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

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

from bot.config import Table as ConfigTable
from bot.config import register_table
from bot.sources.fetch import (
    BlockedAddress,
    Fetcher,
    FetchError,
    FetchPolicy,
    HTTPStatusError,
    InvalidURL,
    TooLarge,
    Validators,
    canonical_url,
    parse_networks,
)
from bot.store.articles import Store, db_time, metadata, utc
from briefings import distill
from briefings.article import Article
from briefings.errors import InputError, SitrepError
from briefings.ingest import DEFAULT_MAX_BYTES, article_from_bytes, read_article
from briefings.ingest.feeds import FeedItem, article_from_item, parse_feed

log = logging.getLogger(__name__)
T = TypeVar("T")

__all__ = [
    "KINDS",
    "DeclaredSource",
    "FetchSettings",
    "IngestOutcome",
    "PollResult",
    "Source",
    "SourceError",
    "SourcePoller",
    "add_source",
    "article_keys",
    "article_sources",
    "declared_sources",
    "fetch_settings_of",
    "get_source",
    "list_sources",
    "matches_filters",
    "parse_interval",
    "poll_configured",
    "remove_source",
    "sources",
    "sources_of_articles",
    "sync_declared_sources",
    "text_fingerprint",
]

KINDS = ("feed", "page", "folder")
ORIGIN_CONFIG = "config"
ORIGIN_COMMAND = "command"
DEFAULT_INTERVAL = timedelta(minutes=30)
MIN_INTERVAL = timedelta(seconds=30)
FOLDER_SUFFIXES = (".txt", ".text", ".md", ".markdown", ".html", ".htm")
FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, text/plain;q=0.5, */*;q=0.1"

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


class SourceError(SitrepError):
    """A source that cannot be added or found: bad URL, unknown kind, duplicate, unknown id."""


# ---------------------------------------------------------------- values


# The longest wait between two polls of a failing source (its own interval may be longer).
MAX_BACKOFF = timedelta(hours=6)


@dataclass(frozen=True, slots=True)
class Source:
    id: int
    kind: str
    location: str
    name: str | None
    keywords: tuple[str, ...]
    regions: tuple[str, ...]
    interval: timedelta
    origin: str
    guild_id: int | None
    validators: Validators
    created_at: datetime
    last_polled_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    failing_since: datetime | None = None
    failure_reported: bool = False
    articles_found: int = 0

    def due_at(self) -> datetime:
        """When the next poll is due (at once for a source never polled).

        A failing source backs off: it waits as long as it has been failing (so the waits
        double), never less than its interval and never more than ``MAX_BACKOFF``, unless its
        own interval is longer; a success resets it.
        """
        if self.last_polled_at is None:
            return self.created_at
        wait = self.interval
        if self.failing_since is not None:
            failing_for = self.last_polled_at - self.failing_since
            wait = max(self.interval, min(failing_for, MAX_BACKOFF))
        return self.last_polled_at + wait

    @property
    def failing(self) -> bool:
        return self.failing_since is not None

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        if self.kind == "folder":
            return Path(self.location).name or self.location
        return urlsplit(self.location).hostname or self.location


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(v for v in (value or "").split("\n") if v)


def _row(r: Any, found: int = 0) -> Source:
    created = db_time(r.created_at)
    assert created is not None
    return Source(
        id=r.id,
        kind=r.kind,
        location=r.location,
        name=r.name,
        keywords=_split(r.keywords),
        regions=_split(r.regions),
        interval=timedelta(seconds=r.interval_seconds),
        origin=r.origin,
        guild_id=r.guild_id,
        validators=Validators(r.etag, r.last_modified),
        created_at=created,
        last_polled_at=db_time(r.last_polled_at),
        last_success_at=db_time(r.last_success_at),
        last_error=r.last_error,
        last_error_at=db_time(r.last_error_at),
        failing_since=db_time(r.failing_since),
        failure_reported=bool(r.failure_reported),
        articles_found=found,
    )


@dataclass(frozen=True, slots=True)
class DeclaredSource:
    """One ``[[sources]]`` entry, validated."""

    kind: str
    location: str
    name: str | None = None
    keywords: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    interval: timedelta = DEFAULT_INTERVAL


@dataclass(frozen=True, slots=True)
class FetchSettings:
    """``[fetch]``: the fetch policy and when a failing source is reported."""

    allow_networks: tuple[str, ...] = ()
    timeout: float = 30.0
    read_timeout: float = 15.0
    retries: int = 2
    max_redirects: int = 5
    report_after: timedelta = timedelta(hours=24)

    def policy(self, max_bytes: int = DEFAULT_MAX_BYTES) -> FetchPolicy:
        return FetchPolicy(
            allow_networks=parse_networks(self.allow_networks),
            max_bytes=max_bytes,
            total_timeout=self.timeout,
            read_timeout=min(self.read_timeout, self.timeout),
            connect_timeout=min(10.0, self.timeout),
            max_redirects=self.max_redirects,
            retries=self.retries,
        )


# ---------------------------------------------------------------- configuration

_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|hr|d|day)s?\s*$", re.I)
_UNIT = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600, "d": 86400, "day": 86400}


def parse_interval(text: str) -> timedelta:
    """``"90s"``, ``"30m"``, ``"2h"``, ``"1d"`` -> a timedelta (at least 30 seconds)."""
    m = _INTERVAL.match(text)
    if not m:
        raise SourceError(f"Not an interval: {text!r} (write 90s, 30m, 2h or 1d).")
    value = timedelta(seconds=float(m.group(1)) * _UNIT[m.group(2).lower()])
    if value < MIN_INTERVAL:
        raise SourceError(f"The interval {text!r} is too short: at least 30s.")
    return value


def _guess_kind(url: str) -> str:
    return "feed"


def parse_declared_source(t: ConfigTable) -> DeclaredSource:
    """One ``[[sources]]`` entry; ConfigError naming the file and the key."""
    url = t.text("url")
    path = t.path("path")
    kind = (t.text("kind") or "").strip().lower() or None
    if (url is None) == (path is None):
        raise t.error("url", "give either url (a feed or a page) or path (a folder)")
    if kind is not None and kind not in KINDS:
        raise t.error("kind", f"unknown kind {kind!r} (one of {', '.join(KINDS)})")
    if path is not None:
        if kind not in (None, "folder"):
            raise t.error("kind", 'a path is a folder: kind = "folder" (or a url for feeds)')
        kind, location = "folder", str(path.resolve())
    else:
        assert url is not None
        try:
            _check_url_text(url)
        except SourceError as exc:
            raise t.error("url", str(exc)) from None
        if kind == "folder":
            raise t.error("kind", "a folder is given with path, not url")
        kind, location = kind or _guess_kind(url), url.strip()
    interval_text = t.text("interval")
    try:
        interval = parse_interval(interval_text) if interval_text else DEFAULT_INTERVAL
    except SourceError as exc:
        raise t.error("interval", str(exc)) from None
    return DeclaredSource(
        kind=kind,
        location=location,
        name=t.text("name"),
        keywords=tuple(k.strip() for k in t.str_list("keywords")),
        regions=tuple(r.strip() for r in t.str_list("regions")),
        interval=interval,
    )


def parse_fetch(t: ConfigTable) -> FetchSettings:
    networks = t.str_list("allow_networks")
    try:
        parse_networks(networks)
    except ValueError as exc:
        raise t.error("allow_networks", str(exc)) from None
    timeout = t.integer("timeout_seconds", 30, minimum=1)
    read = t.integer("read_timeout_seconds", 15, minimum=1)
    retries = t.integer("retries", 2, minimum=0)
    redirects = t.integer("max_redirects", 5, minimum=0)
    hours = t.integer("report_failing_after_hours", 24, minimum=1)
    assert timeout is not None and read is not None and retries is not None
    assert redirects is not None and hours is not None
    if redirects > 5:
        raise t.error("max_redirects", f"at most 5, not {redirects}")
    return FetchSettings(
        allow_networks=networks,
        timeout=float(timeout),
        read_timeout=float(read),
        retries=retries,
        max_redirects=redirects,
        report_after=timedelta(hours=hours),
    )


register_table("sources", parse_declared_source, array=True)
register_table("fetch", parse_fetch)


def declared_sources(config: object) -> tuple[DeclaredSource, ...]:
    """The ``[[sources]]`` of a loaded configuration (empty when none)."""
    table = getattr(config, "table", None)
    value = table("sources") if callable(table) else None
    if not isinstance(value, tuple):
        return ()
    return tuple(v for v in value if isinstance(v, DeclaredSource))


def fetch_settings_of(config: object) -> FetchSettings:
    table = getattr(config, "table", None)
    value = table("fetch") if callable(table) else None
    return value if isinstance(value, FetchSettings) else FetchSettings()


def max_bytes_of(config: object) -> int:
    ingest = getattr(config, "ingest", None)
    value = getattr(ingest, "max_bytes", None)
    return value if isinstance(value, int) and value > 0 else DEFAULT_MAX_BYTES


MAX_URL = 1000


def _check_url_text(url: str) -> None:
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError:
        raise SourceError(f"Not a valid URL: '{_clip(url)}'.") from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise SourceError(f"Not an http(s) URL: '{_clip(url)}'.")
    if len(url) > MAX_URL:
        raise SourceError(f"A URL of at most {MAX_URL} characters, please.")


def _clip(text: str, n: int = 80) -> str:
    one = " ".join(text.split())
    return one if len(one) <= n else one[: n - 1] + "…"


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
    return [_row(r, found.get(r.id, 0)) for r in rows]


async def get_source(engine: AsyncEngine, source_id: int) -> Source | None:
    async with engine.connect() as conn:
        row = (await conn.execute(select(sources).where(sources.c.id == source_id))).first()
        found = await _found(conn, [source_id]) if row is not None else {}
    return _row(row, found.get(source_id, 0)) if row is not None else None


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
        raise SourceError(f"Unknown kind '{_clip(kind)}': one of {', '.join(KINDS)}.")
    if kind != "folder":
        _check_url_text(location)
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
    return _row(row, 0)


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


# ---------------------------------------------------------------- filters and keys

_WORD = re.compile(r"\w+")


def text_fingerprint(article: Article) -> str:
    """A hash of the article's words (case, accents, punctuation and spacing folded): the same
    report published by two sites hashes the same."""
    folded = unicodedata.normalize("NFKD", article.text).casefold()
    words = _WORD.findall("".join(c for c in folded if not unicodedata.combining(c)))
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()


def _key(kind: str, value: str) -> str:
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


def _insert_keys(dialect: str) -> Any:
    if dialect == "sqlite":
        return sqlite_insert(article_keys).on_conflict_do_nothing(
            index_elements=[article_keys.c.key]
        )
    if dialect == "postgresql":
        return postgresql_insert(article_keys).on_conflict_do_nothing(
            index_elements=[article_keys.c.key]
        )
    return article_keys.insert()


def _insert_source_link(dialect: str) -> Any:
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
    error: str | None = None
    reported: bool = False


Reporter = Callable[[str, str, datetime], Awaitable[None]]
"""Reports a problem to the admins once per key: (key, text, now)."""

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class _ItemError(SitrepError):
    """One item could not be read; ``permanent`` ones are not tried again."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


class _Duplicate(Exception):
    """Raised inside an article's transaction to undo it: its text is stored already."""

    def __init__(self, article_id: int) -> None:
        super().__init__(article_id)
        self.article_id = article_id


_PERMANENT_FETCH = (BlockedAddress, InvalidURL, TooLarge)


def _permanent(exc: FetchError) -> bool:
    if isinstance(exc, _PERMANENT_FETCH):
        return True
    return isinstance(exc, HTTPStatusError) and exc.code in (400, 401, 403, 404, 410, 451)


def _resolve(known: dict[str, int | None], keys: Sequence[str]) -> tuple[int | None, bool, bool]:
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


async def _cpu(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a few milliseconds of pure work (extracting a page, distilling) on the loop, then
    let other tasks run. Not in a thread: a thread busy with Python code makes every database
    call of the loop wait for the interpreter lock (up to 5 ms each), which costs more than
    the work itself."""
    result = fn(*args, **kwargs)
    await asyncio.sleep(0)
    return result


def _item_keys(src: Source, item: FeedItem) -> tuple[list[str], str]:
    """The keys of a feed item known before reading it, and the URL it is credited under."""
    keys = [_key("item", f"{src.location}\n{item.key}")]
    if item.guid:
        keys.append(_key("guid", item.guid))
    link = canonical_url(item.link) if item.link else None
    if link:
        keys.append(_key("url", link))
    found_url = link or f"{src.location}#{item.key}"
    return keys, found_url


class SourcePoller:
    """Polls the sources of the table into the store. ``poll_due(now)`` polls what is due;
    ``run(stop)`` does so forever, each source on its own interval."""

    def __init__(
        self,
        store: Store,
        fetcher: Fetcher,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        report: Reporter | None = None,
        report_after: timedelta = timedelta(hours=24),
        clock: Clock = _utc_now,
        concurrency: int = 4,
    ) -> None:
        self.store = store
        self.engine = store.engine
        self.fetcher = fetcher
        self.max_bytes = max_bytes
        self.report = report
        self.report_after = report_after
        self.clock = clock
        self.concurrency = concurrency
        self._lock = asyncio.Lock()  # the look-up-then-store step, one item at a time
        self._wake = asyncio.Event()
        self._polling: set[int] = set()

    def wake(self) -> None:
        """Poll now (after ``/source add``)."""
        self._wake.set()

    # ------------------------------------------------------------ the loop

    async def run(self, stop: asyncio.Event, *, idle: float = 60.0) -> None:
        while not stop.is_set():
            self._wake.clear()
            wait = idle
            try:
                await self.poll_due(self.clock())
                upcoming = [s.due_at() for s in await list_sources(self.engine, counts=False)]
                if upcoming:
                    wait = min(idle, (min(upcoming) - self.clock()).total_seconds())
            except Exception:
                log.exception("sources: polling round failed")
            waker = asyncio.ensure_future(self._wake.wait())
            stopper = asyncio.ensure_future(stop.wait())
            try:
                await asyncio.wait(
                    {waker, stopper}, timeout=max(wait, 1.0), return_when="FIRST_COMPLETED"
                )
            finally:
                waker.cancel()
                stopper.cancel()

    async def poll_due(self, now: datetime) -> list[PollResult]:
        """Poll every source whose interval has passed at ``now`` (a few at a time)."""
        due = [s for s in await list_sources(self.engine, counts=False) if s.due_at() <= now]
        gate = asyncio.Semaphore(self.concurrency)

        async def one(src: Source) -> PollResult | None:
            async with gate:
                return await self.poll_source(src, now)

        results = await asyncio.gather(*(one(s) for s in due), return_exceptions=True)
        out: list[PollResult] = []
        for src, r in zip(due, results, strict=True):
            if isinstance(r, BaseException):
                if isinstance(r, asyncio.CancelledError):
                    raise r
                log.error("source #%s: its status could not be recorded: %r", src.id, r)
            elif r is not None:
                out.append(r)
        return out

    async def poll_source(self, src: Source, now: datetime) -> PollResult | None:
        """Poll one source and record its status; never raises for bad input (None when the
        source is being polled already)."""
        if src.id in self._polling:
            return None
        self._polling.add(src.id)
        try:
            try:
                result, validators = await self._poll(src, now)
            except (SitrepError, OSError) as exc:
                message = str(exc) if isinstance(exc, SitrepError) else f"{src.location}: {exc}"
                status = getattr(exc, "status", "error")
                result, validators = PollResult(src.id, False, status, error=message), None
            except Exception as exc:  # a bug met on odd input: logged; the other sources go on
                log.exception("source #%s: unexpected error", src.id)
                message = f"{src.location}: unexpected error ({type(exc).__name__}), see the log"
                result, validators = PollResult(src.id, False, "error", error=message), None
            return await self._record(src, result, validators, now)
        finally:
            self._polling.discard(src.id)

    async def _poll(self, src: Source, now: datetime) -> tuple[PollResult, Validators | None]:
        if src.kind == "feed":
            return await self._poll_feed(src, now)
        if src.kind == "page":
            return await self._poll_page(src, now)
        if src.kind == "folder":
            return await self._poll_folder(src, now), None
        raise SourceError(f"{src.location}: unknown kind {src.kind!r}")

    async def _record(
        self, src: Source, result: PollResult, validators: Validators | None, now: datetime
    ) -> PollResult:
        values: dict[str, Any] = {"last_polled_at": utc(now)}
        reported = False
        if result.ok:
            values.update(last_success_at=utc(now), failing_since=None, failure_reported=False)
            if validators is not None:
                values.update(etag=validators.etag, last_modified=validators.last_modified)
            if result.error:  # some items could not be read: noted, the source is fine
                values.update(last_error=_clip(result.error, 500), last_error_at=utc(now))
        else:
            since = src.failing_since or now
            values.update(
                last_error=_clip(result.error or result.status, 500),
                last_error_at=utc(now),
                failing_since=utc(since),
            )
            if not src.failure_reported and now - since >= self.report_after:
                reported = await self._report_failing(src, since, result, now)
                values["failure_reported"] = reported
            log.warning("source #%s failed: %s", src.id, result.error)
        if result.ok and (result.new or result.failed_items):
            log.info(
                "source #%s: %d new, %d known, %d left out, %d unreadable",
                src.id,
                result.new,
                result.known,
                result.skipped,
                result.failed_items,
            )
        async with self.engine.begin() as conn:
            await conn.execute(update(sources).where(sources.c.id == src.id).values(**values))
        return replace(result, reported=reported)

    async def _report_failing(
        self, src: Source, since: datetime, result: PollResult, now: datetime
    ) -> bool:
        hours = int((now - since).total_seconds() // 3600)
        text = (
            f"Source #{src.id} ({src.label}) has been failing for {hours} hours: "
            f"{result.error or result.status}. /source list shows its status."
        )
        key = f"report:source:{src.id}:{int(since.timestamp())}"
        if self.report is None:
            log.warning("admin report (no admin channel configured): %s", text)
            return True
        try:
            await self.report(key, text, now)
        except Exception:
            log.exception("source #%s: the admin report failed", src.id)
            return False
        return True

    # ------------------------------------------------------------ kinds

    async def _poll_feed(self, src: Source, now: datetime) -> tuple[PollResult, Validators | None]:
        fetched = await self.fetcher.fetch(
            src.location, validators=src.validators, accept=FEED_ACCEPT
        )
        if fetched.not_modified:
            return PollResult(src.id, True, "not modified"), None
        feed = parse_feed(fetched.body, name=src.location)
        name = src.name or feed.title or src.label
        if src.name is None and feed.title:  # credited by the feed's own title from now on
            async with self.engine.begin() as conn:
                await conn.execute(
                    update(sources)
                    .where(sources.c.id == src.id, sources.c.name.is_(None))
                    .values(name=_clip(feed.title, 200))
                )
        counts = {"new": 0, "known": 0, "skipped": 0}
        failed = 0
        retry_later = False
        first_error: str | None = None
        oldest_first = sorted(
            feed.items,
            key=lambda i: i.published or datetime.min.replace(tzinfo=UTC),
        )
        probes: list[str] = []
        for it in oldest_first:
            keys, found_url = _item_keys(src, it)
            probes.extend([*keys, _key("skip", f"{src.id}\n{found_url}")])
        known = await self._known(probes)  # one query for the whole feed
        for item in oldest_first:
            try:
                outcome = await self._feed_item(src, name, item, now, known)
            except _ItemError as exc:
                failed += 1
                retry_later = retry_later or not exc.permanent
                first_error = first_error or str(exc)
                if exc.permanent:
                    await self._mark_skipped(src, [_key("item", f"{src.location}\n{item.key}")])
                continue
            counts[outcome.status] += 1
        error = None
        if failed:
            error = f"{failed} item(s) could not be read; the first: {first_error}"
        result = PollResult(
            src.id,
            True,
            "ok",
            new=counts["new"],
            known=counts["known"],
            skipped=counts["skipped"],
            failed_items=failed,
            error=error,
        )
        # Validators are kept only when every item is stored or settled: a 304 next time
        # must not hide an item still to read.
        return result, None if retry_later else fetched.validators

    async def _feed_item(
        self,
        src: Source,
        name: str,
        item: FeedItem,
        now: datetime,
        known: dict[str, int | None] | None = None,
    ) -> IngestOutcome:
        keys, found_url = _item_keys(src, item)
        link = canonical_url(item.link) if item.link else None

        async def read() -> tuple[Article, list[str]]:
            from_feed = article_from_item(item, source=name)
            if from_feed is not None:
                return from_feed, []
            if not item.link:
                raise _ItemError(
                    f"{src.location}: an item with no link and no text", permanent=True
                )
            article, more = await self._read_page(item.link)
            article = replace(
                article,
                title=article.title or item.title,
                source=name,
                url=link,
                published=article.published or (item.published.date() if item.published else None),
            )
            return article, more

        return await self._consider(src, name, keys, found_url, read, now, known)

    async def _poll_page(self, src: Source, now: datetime) -> tuple[PollResult, Validators | None]:
        fetched = await self.fetcher.fetch(
            src.location, validators=src.validators, accept=PAGE_ACCEPT
        )
        if fetched.not_modified:
            return PollResult(src.id, True, "not modified"), None
        article = await self._page_article(fetched.url, fetched.body, fetched.content_type)
        name = src.name or article.source or src.label
        url = canonical_url(fetched.url)
        more = [_key("url", url), _key("url", canonical_url(src.location))]
        if article.url:
            more.append(_key("url", canonical_url(article.url)))

        async def read() -> tuple[Article, list[str]]:
            return replace(article, source=name, url=article.url or url), more

        # A page that changed is read again: only its text decides whether it is new.
        outcome = await self._consider(src, name, [], url, read, now)
        counts = {"new": 0, "known": 0, "skipped": 0}
        counts[outcome.status] += 1
        result = PollResult(
            src.id, True, "ok", new=counts["new"], known=counts["known"], skipped=counts["skipped"]
        )
        return result, fetched.validators

    async def _poll_folder(self, src: Source, now: datetime) -> PollResult:
        folder = Path(src.location)
        if not folder.is_dir():
            raise SourceError(f"{folder}: no such folder of articles")
        files = sorted(
            p for p in folder.iterdir() if p.suffix.lower() in FOLDER_SUFFIXES and p.is_file()
        )
        counts = {"new": 0, "known": 0, "skipped": 0}
        failed = 0
        first_error: str | None = None
        name = src.name or src.label
        found: list[tuple[Path, str, str]] = []
        for path in files:
            try:
                st = path.stat()
            except OSError:
                continue
            where = path.resolve()
            found.append(
                (path, _key("file", f"{where}\n{st.st_size}\n{st.st_mtime_ns}"), where.as_uri())
            )
        known = await self._known(  # one query for the whole folder
            [k for _, key, uri in found for k in (key, _key("skip", f"{src.id}\n{uri}"))]
        )
        for path, key, uri in found:

            async def read(path: Path = path) -> tuple[Article, list[str]]:
                try:
                    article = await _cpu(read_article, str(path), max_bytes=self.max_bytes)
                except InputError as exc:
                    raise _ItemError(str(exc), permanent=True) from None
                return replace(article, source=article.source or name), []

            try:
                outcome = await self._consider(src, name, [key], uri, read, now, known)
            except _ItemError as exc:
                failed += 1
                first_error = first_error or str(exc)
                await self._mark_skipped(src, [key])
                continue
            counts[outcome.status] += 1
        error = f"{failed} file(s) could not be read; the first: {first_error}" if failed else None
        return PollResult(
            src.id,
            True,
            "ok",
            new=counts["new"],
            known=counts["known"],
            skipped=counts["skipped"],
            failed_items=failed,
            error=error,
        )

    # ------------------------------------------------------------ reading

    async def _read_page(self, url: str) -> tuple[Article, list[str]]:
        try:
            fetched = await self.fetcher.fetch(url, accept=PAGE_ACCEPT)
        except FetchError as exc:
            raise _ItemError(str(exc), permanent=_permanent(exc)) from None
        try:
            article = await self._page_article(fetched.url, fetched.body, fetched.content_type)
        except InputError as exc:
            raise _ItemError(str(exc), permanent=True) from None
        more = [_key("url", canonical_url(fetched.url))]
        if article.url:
            more.append(_key("url", canonical_url(article.url)))
        return article, more

    async def _page_article(self, url: str, body: bytes, content_type: str | None) -> Article:
        return await _cpu(
            article_from_bytes,
            body,
            name=url,
            max_bytes=self.max_bytes,
            content_type=content_type,
        )

    async def ingest_url(self, url: str, now: datetime) -> IngestOutcome:
        """Read one page now (``/ingest``); ``SitrepError`` with a clear message."""
        fetched = await self.fetcher.fetch(url, accept=PAGE_ACCEPT)
        article = await self._page_article(fetched.url, fetched.body, fetched.content_type)
        canonical = canonical_url(fetched.url)
        keys = [_key("url", canonical_url(url)), _key("url", canonical)]
        if article.url:
            keys.append(_key("url", canonical_url(article.url)))
        name = article.source or urlsplit(fetched.url).hostname

        async def read() -> tuple[Article, list[str]]:
            return replace(article, url=article.url or canonical), keys

        return await self._consider(None, name, [], canonical, read, now)

    # ------------------------------------------------------------ storing

    async def _known(self, keys: Sequence[str]) -> dict[str, int | None]:
        """The keys already seen among ``keys``: the article each points at (None: left out)."""
        out: dict[str, int | None] = {}
        unique = list(dict.fromkeys(keys))
        async with self.engine.connect() as conn:
            for start in range(0, len(unique), 500):
                stmt = select(article_keys.c.key, article_keys.c.article_id).where(
                    article_keys.c.key.in_(unique[start : start + 500])
                )
                for r in (await conn.execute(stmt)).all():
                    out[r.key] = int(r.article_id) if r.article_id is not None else None
        return out

    async def _lookup(self, keys: Sequence[str]) -> tuple[int | None, bool]:
        """(the article a key points at, whether a key marks the item as left out)."""
        if not keys:
            return None, False
        return _resolve(await self._known(keys), keys)[:2]

    async def _mark_skipped(self, src: Source, keys: Sequence[str]) -> None:
        now = self.clock()
        async with self.engine.begin() as conn:
            await conn.execute(
                _insert_keys(conn.dialect.name),
                [{"key": k, "article_id": None, "source_id": src.id, "seen_at": now} for k in keys],
            )

    async def _link(
        self,
        conn: AsyncConnection,
        article_id: int,
        src: Source | None,
        name: str | None,
        url: str,
        keys: Sequence[str],
        now: datetime,
        *,
        new: bool = False,
    ) -> bool:
        """Write the keys and the article's source in ``conn``; True when the source is new
        for the article (``new``: the article was inserted in this transaction)."""
        source_id = src.id if src is not None else None
        rows = [
            {"key": k, "article_id": article_id, "source_id": source_id, "seen_at": utc(now)}
            for k in dict.fromkeys(keys)
        ]
        if rows and not new:
            # A key first seen as left out (another source's filter, an unreadable page) now
            # points at the article.
            await conn.execute(
                update(article_keys)
                .where(article_keys.c.key.in_(list(keys)), article_keys.c.article_id.is_(None))
                .values(article_id=article_id)
            )
        if rows:
            await conn.execute(_insert_keys(conn.dialect.name), rows)
        if not new:
            exists = await conn.scalar(
                select(func.count())
                .select_from(article_sources)
                .where(
                    article_sources.c.article_id == article_id,
                    article_sources.c.url == url[:MAX_URL],
                )
            )
            if exists:
                return False
        await conn.execute(
            _insert_source_link(conn.dialect.name),
            [
                {
                    "article_id": article_id,
                    "source_id": source_id,
                    "name": _clip(name, 200) if name else None,
                    "url": url[:MAX_URL],
                    "found_at": utc(now),
                }
            ],
        )
        return True

    async def _consider(
        self,
        src: Source | None,
        name: str | None,
        keys: list[str],
        url: str,
        read: Callable[[], Awaitable[tuple[Article, list[str]]]],
        now: datetime,
        known: dict[str, int | None] | None = None,
    ) -> IngestOutcome:
        """Store the item unless a key says it is known; credit this source either way.

        ``known`` is what ``_known`` said of the keys of a whole feed, read at once."""
        skip_key = _key("skip", f"{src.id if src else 0}\n{url}")
        probe = [*keys, skip_key]
        found, left_out, own = _resolve(
            known if known is not None else await self._known(probe), probe
        )
        if found is not None:
            if not own:  # first seen through this source: credit it
                async with self.engine.begin() as conn:
                    await self._link(conn, found, src, name, url, keys, now)
            return IngestOutcome("known", found)
        if left_out:
            return IngestOutcome("skipped")
        try:
            article, more = await read()
        except FetchError as exc:
            raise _ItemError(str(exc), permanent=_permanent(exc)) from None
        except InputError as exc:
            raise _ItemError(str(exc), permanent=True) from None
        except (_ItemError, asyncio.CancelledError):
            raise
        except Exception as exc:  # a reader's bug met on odd input: logged, the item left out
            log.exception("%s: could not be read", url)
            raise _ItemError(
                f"{url}: could not be read ({type(exc).__name__})", permanent=True
            ) from None
        if src is not None and not matches_filters(article, src.keywords, src.regions):
            # Only this source's keys: another source's filters may want the same article.
            scoped = [k for k in keys if k.startswith(("item:", "file:"))]
            await self._mark_skipped(src, [*scoped, skip_key])
            return IngestOutcome("skipped", title=article.title)
        all_keys = [*keys, *more, _key("text", text_fingerprint(article))]
        # Distilled before taking the lock (rarely wasted on a duplicate): the lock only guards
        # the look-up and the insert, so that two sources of one story store it once.
        try:
            briefing = await _cpu(distill, article)
        except Exception as exc:  # an extractor's bug met on odd text: logged, the item left out
            log.exception("%s: could not be distilled", url)
            raise _ItemError(
                f"{url}: could not be distilled ({type(exc).__name__})", permanent=True
            ) from None
        text_key = all_keys[-1]
        async with self._lock:
            holder: list[int] = []

            async def link(conn: AsyncConnection, article_id: int, added: bool) -> None:
                if added:
                    # The same text under another URL (a wire story on a second site): undo
                    # this insert and credit the article already stored.
                    same = await conn.scalar(
                        select(article_keys.c.article_id).where(
                            article_keys.c.key == text_key, article_keys.c.article_id.isnot(None)
                        )
                    )
                    if same is not None:
                        raise _Duplicate(int(same))
                holder.append(article_id)
                await self._link(conn, article_id, src, name, url, all_keys, now, new=added)

            try:
                added = await self.store.add_article(article, briefing, link=link)
            except _Duplicate as dup:
                found = dup.article_id
            else:
                if added:
                    return IngestOutcome("new", holder[0], article.title)
                if holder:  # the same bytes were stored before (by a file, say)
                    return IngestOutcome("known", holder[0], article.title)
                again, _ = await self._lookup(all_keys)  # another process stored it meanwhile
                if again is None:
                    return IngestOutcome("skipped", title=article.title)
                found = again
            async with self.engine.begin() as conn:
                await self._link(conn, found, src, name, url, all_keys, now)
            return IngestOutcome("known", found, article.title)


async def poll_configured(store: Store, config: object, *, now: datetime) -> list[PollResult]:
    """``[[sources]]`` into the table, then one poll of every source due (``sitrep dry-run``
    with a configuration: the same polling as the bot, once)."""
    declared = declared_sources(config)
    await sync_declared_sources(store.engine, declared, now=now)
    if not await list_sources(store.engine, counts=False):
        return []
    policy = fetch_settings_of(config).policy(max_bytes_of(config))
    async with Fetcher(policy) as fetcher:
        poller = SourcePoller(store, fetcher, max_bytes=max_bytes_of(config), clock=lambda: now)
        results = await poller.poll_due(now)
    for r in results:
        if not r.ok:
            log.warning("source #%s: %s", r.source_id, r.error)
    return results


# ---------------------------------------------------------------- bot extension hooks


@dataclass(frozen=True, slots=True)
class _Running:
    """The poller's loop as the bot runs it: stopped through ``stop``, then awaited."""

    poller: SourcePoller
    fetcher: Fetcher
    stop: asyncio.Event
    task: asyncio.Task[None]


def outbox_reporter(outbox: Any, channel_id: int | None) -> Reporter | None:
    """A ``Reporter`` posting through the delivery outbox (exactly once per key)."""
    if channel_id is None:
        return None
    from bot.delivery.outbox import Post
    from briefings.messages import Message

    async def report(key: str, text: str, now: datetime) -> None:
        payload = Message(content=_clip(text, 1900)).to_payload()
        await outbox.enqueue([Post(key=key, channel_id=channel_id, payload=payload)], now=now)
        with contextlib.suppress(AttributeError):
            outbox.wake()

    return report


async def setup(bot: Any) -> None:
    """In the bot's ``setup_hook``: ``[[sources]]`` into the table, then the poller's loop."""
    config = bot.config
    settings = fetch_settings_of(config)
    now = datetime.now(UTC)
    report = await sync_declared_sources(bot.store.engine, declared_sources(config), now=now)
    if report.added or report.removed:
        log.info(
            "sources from the configuration: %d added, %d removed, %d kept",
            report.added,
            report.removed,
            report.kept,
        )
    fetcher = Fetcher(settings.policy(max_bytes_of(config)))
    scheduler = getattr(bot, "briefing_scheduler", None)
    outbox = getattr(scheduler, "outbox", None)
    admin = getattr(getattr(config, "discord", None), "admin_channel_id", None)
    poller = SourcePoller(
        bot.store,
        fetcher,
        max_bytes=max_bytes_of(config),
        report=outbox_reporter(outbox, admin) if outbox is not None else None,
        report_after=settings.report_after,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(poller.run(stop), name="sitrep-sources")
    running = _Running(poller, fetcher, stop, task)
    bot.source_poller = poller
    bot._sources_running = running
    log.info("source poller started: %d sources", len(await list_sources(bot.store.engine)))


async def teardown(bot: Any) -> None:
    running = getattr(bot, "_sources_running", None)
    if not isinstance(running, _Running):
        return
    running.stop.set()
    running.task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await running.task
    await running.fetcher.close()
