"""Storing a polled article once: what the poller does with an item it may not have seen.

Before an item is read its keys (canonical URL, GUID, file) are looked up; after reading, the
hash of its normalized text. A known article gains the source as one more row of
``article_sources``; a new one is distilled and stored with its keys and source in its own
transaction (``Store.add_article(link=...)``). ``SourcePoller`` is an ``ArticleIntake``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from sqlalchemy import (
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.sources.catalog import (
    Clock,
    DuplicateItem,
    IngestOutcome,
    ItemError,
    article_keys,
    article_sources,
    insert_keys,
    insert_source_link,
    is_permanent,
    matches_filters,
    resolve_keys,
    source_key,
    text_fingerprint,
)
from bot.sources.fetch import (
    FetchError,
)
from bot.sources.settings import (
    MAX_URL,
    Source,
    one_line,
)
from bot.store.articles import Store, utc
from briefings.article import Article
from briefings.errors import InputError
from briefings.model import Briefing

log = logging.getLogger(__name__)


class ArticleIntake:
    """The look-up-then-store step of ``SourcePoller``, one item at a time (``_lock``)."""

    store: Store
    engine: AsyncEngine
    max_bytes: int
    clock: Clock
    _lock: asyncio.Lock
    _distill: Callable[[Article], Awaitable[Briefing]]  # the poller's extraction step

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
        return resolve_keys(await self._known(keys), keys)[:2]

    async def _mark_skipped(self, src: Source, keys: Sequence[str]) -> None:
        now = self.clock()
        async with self.engine.begin() as conn:
            await conn.execute(
                insert_keys(conn.dialect.name),
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
            await conn.execute(insert_keys(conn.dialect.name), rows)
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
            insert_source_link(conn.dialect.name),
            [
                {
                    "article_id": article_id,
                    "source_id": source_id,
                    "name": one_line(name, 200) if name else None,
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
        skip_key = source_key("skip", f"{src.id if src else 0}\n{url}")
        probe = [*keys, skip_key]
        found, left_out, own = resolve_keys(
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
            raise ItemError(str(exc), permanent=is_permanent(exc)) from None
        except InputError as exc:
            raise ItemError(str(exc), permanent=True) from None
        except (ItemError, asyncio.CancelledError):
            raise
        except Exception as exc:  # a reader's bug met on odd input: logged, the item left out
            log.exception("%s: could not be read", url)
            raise ItemError(
                f"{url}: could not be read ({type(exc).__name__})", permanent=True
            ) from None
        if src is not None and not matches_filters(article, src.keywords, src.regions):
            # Only this source's keys: another source's filters may want the same article.
            scoped = [k for k in keys if k.startswith(("item:", "file:"))]
            await self._mark_skipped(src, [*scoped, skip_key])
            return IngestOutcome("skipped", title=article.title)
        all_keys = [*keys, *more, source_key("text", text_fingerprint(article))]
        # Distilled before taking the lock (rarely wasted on a duplicate): the lock only guards
        # the look-up and the insert, so that two sources of one story store it once.
        try:
            briefing = await self._distill(article)
        except Exception as exc:  # an extractor's bug met on odd text: logged, the item left out
            log.exception("%s: could not be distilled", url)
            raise ItemError(
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
                        raise DuplicateItem(int(same))
                holder.append(article_id)
                await self._link(conn, article_id, src, name, url, all_keys, now, new=added)

            try:
                added = await self.store.add_article(article, briefing, link=link)
            except DuplicateItem as dup:
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
