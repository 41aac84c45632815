"""Digests in the bot: which articles are new since a time, what a channel saw before them, and
the post that covers them (``briefings.digest`` builds it, ``Renderer.digest_messages`` renders it).

"New since" is by when sitrep stored an article (``articles.added_at``), not when it was
published: a report published yesterday and picked up an hour ago is news to the channel. What a
channel saw before is what its last post could have covered: the articles stored up to that post
(at most ``PREVIOUS_LIMIT``, within ``PREVIOUS_WINDOW``); "what changed" compares with them.

Both the scheduled post (``render_latest``, the render step the scheduler is given) and
``/briefing since:24h`` call ``render_since``: with several new articles it gives the digest,
with one that article's briefing, with none nothing (``None``), so the caller decides what an
empty period means. Given a ``theatre`` (a subscription's, ``/briefing theatre:``), only that
theatre's articles count, new and seen before: the most recent ``SCAN`` of the period are looked
at (``bot.store.theatres``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.commands.front_map import front_map_attachment, with_attachment
from bot.store.articles import Store, StoredArticle
from bot.store.theatres import SCAN, canonical, latest_of, of_theatre
from briefings.digest import Digest, SourceRef, build_digest
from briefings.errors import SitrepError
from briefings.messages import Message
from briefings.model import SECTIONS, Briefing, FrontlineItem
from briefings.render import Renderer

if TYPE_CHECKING:
    from bot.scheduling.scheduler import RenderPost
    from bot.scheduling.subscriptions import Subscription

log = logging.getLogger(__name__)

__all__ = [
    "MAX_ARTICLES",
    "MAX_SINCE",
    "DurationError",
    "NewArticles",
    "added_before",
    "added_between",
    "collect",
    "describe_period",
    "digest_reply",
    "parse_duration",
    "render_latest",
    "render_since",
]

MAX_ARTICLES = 25  # articles in one digest: the most recent (the others are counted)
PREVIOUS_LIMIT = 10
PREVIOUS_WINDOW = timedelta(days=7)
MAX_SINCE = timedelta(days=30)
MEMO_SIZE = 64


class DurationError(SitrepError):
    """A ``since:`` value that is not a duration: the message is the user's reply."""


_UNITS = {"m": 60, "min": 60, "h": 3600, "hr": 3600, "d": 86400, "w": 7 * 86400}
_UNIT_WORDS = {
    "minute": "m",
    "minutes": "m",
    "mins": "m",
    "hour": "h",
    "hours": "h",
    "hrs": "h",
    "day": "d",
    "days": "d",
    "week": "w",
    "weeks": "w",
}
_PART = re.compile(r"(\d{1,6})\s*([a-z]+)")
_HINT = "Write it like 90m, 6h, 2d or 1w (at most 30 days)."


def parse_duration(text: str) -> timedelta:
    """``"6h"``, ``"2d"``, ``"90m"``, ``"1d12h"``, ``"24 hours"`` -> a ``timedelta`` of at least
    one minute and at most ``MAX_SINCE``; ``DurationError`` with a helpful message otherwise."""
    raw = text.strip().lower()
    shown = " ".join(raw.split())[:40]
    compact = re.sub(r"\s+", " ", raw)
    parts = list(_PART.finditer(compact))
    covered = "".join(m.group(0) for m in parts).replace(" ", "")
    if not parts or covered != compact.replace(" ", "").replace(",", "").replace("and", ""):
        raise DurationError(f"'{shown}' is not a duration. {_HINT}")
    seconds = 0
    for m in parts:
        unit = _UNIT_WORDS.get(m.group(2), m.group(2))
        if unit not in _UNITS:
            raise DurationError(f"'{shown}': unknown unit '{m.group(2)[:10]}'. {_HINT}")
        seconds += int(m.group(1)) * _UNITS[unit]
    if seconds < 60:
        raise DurationError(f"'{shown}' is too short. {_HINT}")
    if seconds > MAX_SINCE.total_seconds():
        raise DurationError(f"'{shown}' is too long. {_HINT}")
    return timedelta(seconds=seconds)


async def added_between(
    store: Store, after: datetime, until: datetime, *, limit: int = MAX_ARTICLES
) -> tuple[list[StoredArticle], int]:
    """The articles stored in ``(after, until]``, oldest first: the ``limit`` most recent of
    them, and how many there were in all."""
    return await store.added_between(after, until, limit=limit)


async def added_before(
    store: Store,
    before: datetime,
    *,
    limit: int = PREVIOUS_LIMIT,
    window: timedelta = PREVIOUS_WINDOW,
) -> list[StoredArticle]:
    """The ``limit`` most recent articles stored in ``(before - window, before]``, oldest first:
    what a channel whose last post was at ``before`` could have seen."""
    return await store.added_before(before, limit=limit, window=window)


@dataclass(frozen=True, slots=True)
class NewArticles:
    """The articles new in a period with their briefings, and those seen before it."""

    new: tuple[tuple[StoredArticle, Briefing], ...]
    previous: tuple[Briefing, ...]
    total: int  # new articles in the period (``new`` keeps the most recent MAX_ARTICLES)


def source_of(stored: StoredArticle) -> SourceRef:
    return SourceRef(
        outlet=stored.source, title=stored.title, url=stored.url, published=stored.published
    )


async def collect(
    store: Store, *, since: datetime, now: datetime, theatre: str | None = None
) -> NewArticles:
    theatre = canonical(store, theatre)
    if theatre is None:
        found, total = await added_between(store, since, now, limit=MAX_ARTICLES)
        new = tuple([(a, await store.briefing(a.id)) for a in found])
    else:  # the period's most recent SCAN articles, those of the theatre
        found, _ = await added_between(store, since, now, limit=SCAN)
        kept = of_theatre([(a, await store.briefing(a.id)) for a in found], theatre)
        total = len(kept)
        new = tuple(kept[-MAX_ARTICLES:])
    previous: tuple[Briefing, ...] = ()
    if new:
        if theatre is None:
            seen = await added_before(store, since)
            previous = tuple([await store.briefing(a.id) for a in seen])
        else:
            seen = await added_before(store, since, limit=SCAN)
            earlier = of_theatre([(a, await store.briefing(a.id)) for a in seen], theatre)
            previous = tuple(b for _, b in earlier[-PREVIOUS_LIMIT:])
    return NewArticles(new=new, previous=previous, total=total)


def digest_of(found: NewArticles, *, since: datetime, now: datetime) -> Digest:
    return build_digest(
        [(source_of(a), b) for a, b in found.new],
        previous=found.previous,
        now=now,
        since=since,
        omitted=found.total - len(found.new),
    )


async def render_since(
    store: Store,
    renderer: Renderer,
    *,
    since: datetime,
    now: datetime,
    sections: Sequence[str] = SECTIONS,
    minimum: int = 1,
    memo: dict[tuple[object, ...], list[Message] | None] | None = None,
    theatre: str | None = None,
) -> list[Message] | None:
    """The post covering the articles stored in ``(since, now]`` (of ``theatre`` only, when
    given): a digest when there are several, the briefing when there is one, ``None`` when
    there are fewer than ``minimum``.

    ``memo`` (kept by the caller) shares one result among the channels of one run: channels
    whose last post, sections and time are the same get the same post, computed once.
    """
    key = (since, tuple(sections), now, minimum, (theatre or "").casefold())
    if memo is not None and key in memo:
        return memo[key]
    result = await _render_since(store, renderer, since, now, sections, minimum, theatre)
    if memo is not None:
        if len(memo) >= MEMO_SIZE:
            memo.pop(next(iter(memo)))
        memo[key] = result
    return result


async def _render_since(
    store: Store,
    renderer: Renderer,
    since: datetime,
    now: datetime,
    sections: Sequence[str],
    minimum: int,
    theatre: str | None = None,
) -> list[Message] | None:
    found = await collect(store, since=since, now=now, theatre=theatre)
    if len(found.new) < max(1, minimum):
        return None
    if len(found.new) == 1:
        stored, briefing = found.new[0]
        if tuple(sections) == SECTIONS:
            out = renderer.post_messages(briefing, now=now, ref=stored.key)
        else:
            out = []
            for name in sections:
                out.extend(renderer.section_messages(briefing, name, now=now))
        return await with_front_map(out, briefing.frontline, sections, stored.name)
    digest = digest_of(found, since=since, now=now)
    out = renderer.digest_messages(digest, now=now, sections=sections)
    items = [d.item for d in digest.frontline if isinstance(d.item, FrontlineItem)]
    return await with_front_map(out, items, sections, f"{len(digest.sources)} reports")


async def with_front_map(
    messages: Sequence[Message],
    items: Sequence[FrontlineItem],
    sections: Sequence[str],
    title: str | None,
) -> list[Message]:
    """A post with the frontline section carries the map of its places (none located: none)."""
    if "frontline" not in sections:
        return list(messages)
    return with_attachment(messages, await front_map_attachment(items, title))


def describe_period(period: timedelta) -> str:
    """``timedelta(hours=6)`` -> "6 hours" (the largest whole unit that divides it)."""
    seconds = int(period.total_seconds())
    for size, unit in ((7 * 86400, "week"), (86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size and seconds % size == 0:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{seconds} seconds"


async def digest_reply(
    store: Store,
    renderer: Renderer,
    since: str,
    *,
    now: datetime,
    section: str | None = None,
    theatre: str | None = None,
) -> list[Message]:
    """``/briefing since:6h [section] [theatre]``: what is new in the period (of ``theatre``
    only, when given), as a scheduled post gives it. ``DurationError`` (the user's reply) for a
    bad period or a period with no new article."""
    period = parse_duration(since)
    sections = (section,) if section is not None else SECTIONS
    messages = await render_since(
        store, renderer, since=now - period, now=now, sections=sections, theatre=theatre
    )
    if messages is None:
        on = f" on {theatre}" if theatre is not None else ""
        raise DurationError(
            f"No new articles{on} in the last {describe_period(period)}. "
            "/sources lists every article; /briefing shows the latest."
        )
    return messages


def render_latest(store: Any, renderer: Any) -> RenderPost:
    """The production render step: the latest stored briefing, the subscription's sections;
    when several articles were stored since the subscription's last post, their digest; of the
    subscription's theatre only, when it has one.
    The scheduler is given it (``BriefingScheduler(..., render)``); it never imports commands.

    ``store`` is a ``bot.store.articles.Store``, ``renderer`` a ``briefings.render.Renderer``.
    """

    digests: dict[Any, Any] = {}  # shared by the channels of a run (see render_since)
    posts: dict[tuple[int, tuple[str, ...], datetime], list[Message]] = {}
    latest_in: dict[tuple[str, datetime], Any] = {}  # a theatre's latest, once per run

    async def latest(theatre: str | None, now: datetime) -> Any:
        if theatre is None:
            return await latest_of(store, None)
        key = (theatre.casefold(), now)
        if key not in latest_in:
            latest_in[key] = await latest_of(store, theatre)
            while len(latest_in) > 32:
                latest_in.pop(next(iter(latest_in)))
        return latest_in[key]

    async def render(sub: Subscription, now: datetime) -> Sequence[Message]:
        if sub.last_posted_at is not None:  # several articles new since: their digest
            digest = await render_since(
                store,
                renderer,
                since=sub.last_posted_at,
                now=now,
                sections=sub.sections,
                minimum=2,
                memo=digests,
                theatre=sub.theatre,
            )
            if digest:
                return digest
        found = await latest(sub.theatre, now)
        if found is None:
            return []
        newest, briefing = found
        if sub.last_posted_at is not None and newest.added_at <= sub.last_posted_at:
            # Nothing new since this channel's last post: a repeat would be noise, not news.
            log.info("subscription %s: nothing new since %s, no post", sub.id, sub.last_posted_at)
            return []
        # one run fans out to many channels with the same post: rendered once for them all
        key = (newest.id, tuple(sub.sections), now)
        if key in posts:
            return list(posts[key])
        out = list(renderer.post_messages(briefing, now=now, sections=sub.sections, ref=newest.key))
        out = await with_front_map(out, briefing.frontline, sub.sections, newest.name)
        posts[key] = out
        while len(posts) > 32:
            posts.pop(next(iter(posts)))
        return list(out)

    return render
