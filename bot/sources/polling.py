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
import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from sqlalchemy import (
    update,
)

from bot.sources.catalog import (
    Clock,
    IngestOutcome,
    ItemError,
    PollResult,
    Reporter,
    add_source,
    article_keys,
    article_sources,
    get_source,
    is_permanent,
    item_keys,
    latest_articles_of_sources,
    list_sources,
    matches_filters,
    remove_source,
    run_cpu,
    source_key,
    sources,
    sources_of_articles,
    sync_declared_sources,
    text_fingerprint,
    utc_now,
)
from bot.sources.fetch import (
    Fetcher,
    FetchError,
    Validators,
    canonical_url,
)
from bot.sources.intake import ArticleIntake
from bot.sources.settings import (
    DEFAULT_INTERVAL,
    FEED_ACCEPT,
    FOLDER_SUFFIXES,
    KINDS,
    MAX_BACKOFF,
    ORIGIN_CONFIG,
    PAGE_ACCEPT,
    DeclaredSource,
    FetchSettings,
    Source,
    SourceError,
    declared_sources,
    fetch_settings_of,
    max_bytes_of,
    one_line,
    parse_interval,
)
from bot.store.articles import Store, utc
from briefings import distill
from briefings.article import Article
from briefings.errors import InputError, SitrepError
from briefings.ingest import DEFAULT_MAX_BYTES, article_from_bytes, read_article
from briefings.ingest.feeds import FeedItem, article_from_item, parse_feed
from briefings.model import Briefing

log = logging.getLogger(__name__)

MAX_FEED_ITEMS = 100  # items read in one poll of a feed, the newest; the rest are counted
T = TypeVar("T")

__all__ = [
    "DEFAULT_INTERVAL",
    "KINDS",
    "MAX_BACKOFF",
    "ORIGIN_CONFIG",
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
    "latest_articles_of_sources",
    "list_sources",
    "matches_filters",
    "max_bytes_of",
    "outbox_reporter",
    "parse_interval",
    "poll_configured",
    "remove_source",
    "sources",
    "sources_of_articles",
    "sync_declared_sources",
    "text_fingerprint",
]


class SourcePoller(ArticleIntake):
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
        clock: Clock = utc_now,
        concurrency: int = 4,
        max_feed_items: int | None = None,
    ) -> None:
        self.store = store
        self.engine = store.engine
        self.fetcher = fetcher
        self.max_bytes = max_bytes
        self.report = report
        self.report_after = report_after
        self.clock = clock
        self.concurrency = concurrency
        self.max_feed_items = MAX_FEED_ITEMS if max_feed_items is None else max_feed_items
        self._lock = asyncio.Lock()  # the look-up-then-store step, one item at a time
        self._wake = asyncio.Event()
        self._polling: set[int] = set()

    async def _distill(self, article: Article) -> Briefing:
        """The article's briefing, extracted off the loop's hot path (``run_cpu``)."""
        return await run_cpu(distill, article)

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
                values.update(last_error=one_line(result.error, 500), last_error_at=utc(now))
        else:
            since = src.failing_since or now
            values.update(
                last_error=one_line(result.error or result.status, 500),
                last_error_at=utc(now),
                failing_since=utc(since),
            )
            if not src.failure_reported and now - since >= self.report_after:
                reported = await self._report_failing(src, since, result, now)
                values["failure_reported"] = reported
            log.warning("source #%s failed: %s", src.id, result.error)
        if result.ok and (result.new or result.failed_items or result.not_read):
            log.info(
                "source #%s: %d new, %d known, %d left out, %d unreadable, %d older not read",
                src.id,
                result.new,
                result.known,
                result.skipped,
                result.failed_items,
                result.not_read,
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
                    .values(name=one_line(feed.title, 200))
                )
        counts = {"new": 0, "known": 0, "skipped": 0}
        failed = 0
        retry_later = False
        first_error: str | None = None
        # The newest items only (a feed of 100,000 would be 100,000 page fetches in one poll);
        # items with no date keep the feed's own order, after the dated ones. Then oldest first.
        newest_first = sorted(
            feed.items,
            key=lambda i: i.published or datetime.min.replace(tzinfo=UTC),
            reverse=True,  # stable: equal dates keep the feed's order
        )
        kept = newest_first[: self.max_feed_items]
        over = len(newest_first) - len(kept)
        oldest_first = kept[::-1]
        probes: list[str] = []
        for it in oldest_first:
            keys, found_url = item_keys(src, it)
            probes.extend([*keys, source_key("skip", f"{src.id}\n{found_url}")])
        known = await self._known(probes)  # one query for the whole feed
        for item in oldest_first:
            try:
                outcome = await self._feed_item(src, name, item, now, known)
            except ItemError as exc:
                failed += 1
                retry_later = retry_later or not exc.permanent
                first_error = first_error or str(exc)
                if exc.permanent:
                    await self._mark_skipped(
                        src, [source_key("item", f"{src.location}\n{item.key}")]
                    )
                continue
            counts[outcome.status] += 1
        notes = []
        if over:
            notes.append(
                f"the feed holds {len(newest_first):,} items: the newest {len(kept):,} are read,"
                f" {over:,} older ones are not"
            )
        if failed:
            notes.append(f"{failed} item(s) could not be read; the first: {first_error}")
        result = PollResult(
            src.id,
            True,
            "ok",
            new=counts["new"],
            known=counts["known"],
            skipped=counts["skipped"],
            failed_items=failed,
            not_read=over,
            error="; ".join(notes) or None,
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
        keys, found_url = item_keys(src, item)
        link = canonical_url(item.link) if item.link else None

        async def read() -> tuple[Article, list[str]]:
            from_feed = article_from_item(item, source=name)
            if from_feed is not None:
                return from_feed, []
            if not item.link:
                raise ItemError(f"{src.location}: an item with no link and no text", permanent=True)
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
        more = [source_key("url", url), source_key("url", canonical_url(src.location))]
        if article.url:
            more.append(source_key("url", canonical_url(article.url)))

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
                (
                    path,
                    source_key("file", f"{where}\n{st.st_size}\n{st.st_mtime_ns}"),
                    where.as_uri(),
                )
            )
        known = await self._known(  # one query for the whole folder
            [k for _, key, uri in found for k in (key, source_key("skip", f"{src.id}\n{uri}"))]
        )
        for path, key, uri in found:

            async def read(path: Path = path) -> tuple[Article, list[str]]:
                try:
                    article = await run_cpu(read_article, str(path), max_bytes=self.max_bytes)
                except InputError as exc:
                    raise ItemError(str(exc), permanent=True) from None
                return replace(article, source=article.source or name), []

            try:
                outcome = await self._consider(src, name, [key], uri, read, now, known)
            except ItemError as exc:
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
            raise ItemError(str(exc), permanent=is_permanent(exc)) from None
        try:
            article = await self._page_article(fetched.url, fetched.body, fetched.content_type)
        except InputError as exc:
            raise ItemError(str(exc), permanent=True) from None
        more = [source_key("url", canonical_url(fetched.url))]
        if article.url:
            more.append(source_key("url", canonical_url(article.url)))
        return article, more

    async def _page_article(self, url: str, body: bytes, content_type: str | None) -> Article:
        return await run_cpu(
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
        keys = [source_key("url", canonical_url(url)), source_key("url", canonical)]
        if article.url:
            keys.append(source_key("url", canonical_url(article.url)))
        name = article.source or urlsplit(fetched.url).hostname

        async def read() -> tuple[Article, list[str]]:
            return replace(article, url=article.url or canonical), keys

        return await self._consider(None, name, [], canonical, read, now)


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


def outbox_reporter(outbox: Any, channel_id: int | None) -> Reporter | None:
    """A ``Reporter`` posting through the delivery outbox (exactly once per key)."""
    if channel_id is None:
        return None
    from bot.delivery.outbox import Post
    from briefings.messages import Message

    async def report(key: str, text: str, now: datetime) -> None:
        payload = Message(content=one_line(text, 1900)).to_payload()
        await outbox.enqueue([Post(key=key, channel_id=channel_id, payload=payload)], now=now)
        with contextlib.suppress(AttributeError):
            outbox.wake()

    return report
