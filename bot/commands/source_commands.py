"""Slash commands for sources: ``/source add|list|remove`` and ``/ingest``.

The handlers are plain async functions of a :class:`SourceWhere` (the store, the poller, the
time, the guild, whether the member may manage the server) and the command's ``Invocation``.
The Discord client (``bot.gateway.source_discord``) and ``sitrep dry-run --command "/source
list"`` (``dry_run_source_command``) both call :func:`run_source_command`. A wrong argument is
one short ephemeral reply; nothing is written.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO

from bot.commands.pipeline import CommandError, CommandSpec, Invocation, Option, clip, error_message
from bot.commands.pipeline import parse_command as _parse
from bot.sources.fetch import FetchError
from bot.sources.polling import (
    DEFAULT_INTERVAL,
    KINDS,
    ORIGIN_CONFIG,
    Source,
    SourcePoller,
    add_source,
    get_source,
    latest_articles_of_sources,
    list_sources,
    parse_interval,
    remove_source,
)
from bot.store.articles import NotFound, Store
from briefings import limits
from briefings.errors import SitrepError
from briefings.ingest.feeds import FeedError, parse_feed
from briefings.messages import Embed, Message

log = logging.getLogger(__name__)

__all__ = [
    "SOURCE_SPECS",
    "SourceWhere",
    "dry_run_source_command",
    "is_source_command",
    "parse_source_command",
    "run_source_command",
]

LIST_COLOR = 0x95A5A6
OK_COLOR = 0x2ECC71
NEED_MANAGE = "Only members with the Manage Server permission can {what}."

SOURCE_SPECS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "source add",
        "Poll a feed or a web page for new reports (Manage Server)",
        "Polls `url` (an RSS/Atom feed or a page; `kind` when the guess is wrong) every "
        "`interval`, keeping articles with one of `keywords` and naming one of `regions`.",
        (
            Option("url", "The feed or page (http or https)"),
            Option("kind", "feed or page (default: found out by fetching it)", choices=KINDS[:2]),
            Option("keywords", "Keep only articles with one of these, e.g. 'drone, brigade'"),
            Option("regions", "Keep only articles naming one of these, e.g. 'Ukraine'"),
            Option("interval", "How often: 15m, 1h, 6h (default 30m)"),
        ),
        slow=True,
    ),
    CommandSpec(
        "source list",
        "The sources polled and how each is doing",
        "Every source with its last success, its last error and how many articles it found.",
    ),
    CommandSpec(
        "source remove",
        "Stop polling a source (Manage Server)",
        "Stops polling `source` (its #number from /source list); its articles stay.",
        (Option("source", "Which source (its #number)"),),
    ),
    CommandSpec(
        "ingest",
        "Read one web page now (Manage Server)",
        "Fetches `url` now, distills it and stores its briefing (/briefing shows it).",
        (Option("url", "The page (http or https)"),),
        slow=True,
    ),
)
_SPECS = {s.name: s for s in SOURCE_SPECS}
# "/source add url:x" is parsed as the command "source-add" (parse_command reads one word).
_FLAT = {s.name.replace(" ", "-"): s for s in SOURCE_SPECS}
_NAMES = {"source", *_FLAT}


@dataclass(frozen=True, slots=True)
class SourceWhere:
    """Where and by whom a source command was used, and what it may use."""

    store: Store
    poller: SourcePoller
    now: datetime
    guild_id: int | None = None
    can_manage: bool = True


def is_source_command(line_or_name: str) -> bool:
    """True for ``/source ...`` and ``/ingest ...`` (a command line or a command name)."""
    m = re.match(r"^\s*/?([\w-]+)", line_or_name)
    return m is not None and m.group(1).lower() in _NAMES


def parse_source_command(line: str) -> Invocation:
    """``"/source add url:https://..."`` -> ``Invocation("source add", (("url", ...),))``."""
    text = line.strip()
    m = re.match(r"^/?source(?:\s+([\w-]+))?\s*(.*)$", text, re.I | re.S)
    if m:
        sub = (m.group(1) or "").lower()
        if sub not in ("add", "list", "remove"):
            raise CommandError("Use /source add, /source list or /source remove.")
        text = f"/source-{sub} {m.group(2)}"
    inv = _parse(text, specs=_FLAT | {"ingest": _SPECS["ingest"]})
    return Invocation(inv.name.replace("-", " "), inv.options, inv.now)


async def run_source_command(where: SourceWhere, inv: Invocation) -> list[Message]:
    """The reply to a source command; a wrong argument raises a ``SitrepError``."""
    handler = _HANDLERS.get(inv.name)
    if handler is None:
        raise CommandError(f"Unknown command /{clip(inv.name)}. Try /help.")
    return await handler(where, inv)


async def answer_source(where: SourceWhere, inv: Invocation) -> list[Message]:
    """As ``run_source_command``, with a wrong argument as one ephemeral message."""
    try:
        return await run_source_command(where, inv)
    except SitrepError as exc:
        return [error_message(str(exc))]


# ---------------------------------------------------------------- handlers


def _require_manage(where: SourceWhere, what: str) -> None:
    if not where.can_manage:
        raise CommandError(NEED_MANAGE.format(what=what))


MAX_TERMS = 20
MAX_TERM = 100


def _terms(text: str | None) -> tuple[str, ...]:
    """A list of keywords or regions; too many, or one too long, is refused (nothing stored)."""
    terms = tuple(t.strip() for t in re.split(r"[,;\n]", text or "") if t.strip())
    if len(terms) > MAX_TERMS:
        raise CommandError(f"Too many terms ({len(terms):,}): at most {MAX_TERMS}.")
    long = [t for t in terms if len(t) > MAX_TERM]
    if long:
        raise CommandError(
            f"A term is too long ('{clip(long[0])}'): at most {MAX_TERM} characters."
        )
    return terms


async def _detect_kind(where: SourceWhere, url: str) -> str:
    fetched = await where.poller.fetcher.fetch(url)
    try:
        parse_feed(fetched.body, name=url)
    except FeedError:
        return "page"
    return "feed"


async def cmd_add(where: SourceWhere, inv: Invocation) -> list[Message]:
    _require_manage(where, "add sources")
    url = inv.get("url")
    if url is None:
        raise CommandError("Give the feed or page to poll: /source add url:https://…")
    kind = (inv.get("kind") or "").lower() or None
    if kind is not None and kind not in ("feed", "page"):
        raise CommandError(f"Unknown kind '{clip(kind)}': feed or page.")
    interval_text = inv.get("interval")
    interval = parse_interval(interval_text) if interval_text else None
    keywords, regions = _terms(inv.get("keywords")), _terms(inv.get("regions"))
    await where.poller.fetcher.check_url(url)  # a refused address is refused before anything
    if kind is None:
        kind = await _detect_kind(where, url)
    src = await add_source(
        where.store.engine,
        kind=kind,
        location=url,
        keywords=keywords,
        regions=regions,
        guild_id=where.guild_id,
        now=where.now,
        interval=interval or DEFAULT_INTERVAL,
    )
    result = await where.poller.poll_source(src, where.now)
    polled = await get_source(where.store.engine, src.id) or src
    if result is not None and not result.ok:
        outcome = f"The first poll failed: {clip(result.error or result.status, 300)}"
    elif result is not None:
        outcome = f"First poll: {result.new} new article(s), {result.known} already known"
        if result.skipped:
            outcome += f", {result.skipped} left out by the filters"
        if result.not_read:
            outcome += f", {result.not_read:,} older item(s) not read (the newest are)"
    else:
        outcome = "It is being polled."
    embed = Embed(
        title=f"Source #{src.id} added: {limits.truncate(clip(polled.label, 200), 200)}",
        description=f"{kind} · every {_every(src)}{_filters(src)}\n{outcome}.",
        color=OK_COLOR,
        timestamp=where.now,
    )
    return [Message(embeds=(embed,))]


def _every(src: Source) -> str:
    seconds = int(src.interval.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _filters(src: Source) -> str:
    parts = []
    if src.keywords:
        parts.append("keywords: " + ", ".join(src.keywords))
    if src.regions:
        parts.append("regions: " + ", ".join(src.regions))
    return (" · " + clip(" · ".join(parts), 300)) if parts else ""


def _ts(moment: datetime) -> str:
    return f"<t:{int(moment.timestamp())}:R>"


def describe_source(src: Source, theatres: Sequence[str] = ()) -> str:
    """Two lines for ``/source list``: what it is, then how it is doing (and the theatres its
    latest articles report on, most of them first)."""
    where = clip(src.location, 120)
    head = f"**#{src.id} {clip(src.label, 80)}** · {src.kind} · every {_every(src)}"
    head += _filters(src) + f"\n{where}"
    facts = [f"{src.articles_found} article(s) found"]
    if theatres:
        facts.append("reporting on " + clip(", ".join(theatres), 200))
    if src.last_success_at is not None:
        facts.append(f"last success {_ts(src.last_success_at)}")
    elif src.last_polled_at is None:
        facts.append("not polled yet")
    if src.failing_since is not None:
        facts.append(f"failing since {_ts(src.failing_since)}")
    if src.last_error and src.last_error_at is not None:
        facts.append(f"last error {_ts(src.last_error_at)}: {clip(src.last_error, 300)}")
    return head + "\n" + " · ".join(facts)


async def cmd_list(where: SourceWhere, inv: Invocation) -> list[Message]:
    found = await list_sources(where.store.engine, guild_id=where.guild_id)
    if not found:
        return [
            Message(
                content="No sources are polled yet. Add one with /source add url:… or "
                "[[sources]] in the configuration.",
                ephemeral=True,
            )
        ]
    latest = await latest_articles_of_sources(where.store.engine, [s.id for s in found])
    lines = [describe_source(s, await _theatres(where.store, latest[s.id])) for s in found]
    chunks = limits.split_to_fit(lines, limits.EMBED_DESCRIPTION, sep="\n\n")
    failing = sum(1 for s in found if s.failing)
    title = f"Sources ({len(found)} polled" + (f", {failing} failing)" if failing else ")")
    embeds = [
        Embed(
            title=title + (f" {n}/{len(chunks)}" if len(chunks) > 1 else ""),
            description=chunk,
            color=LIST_COLOR,
            timestamp=where.now,
        )
        for n, chunk in enumerate(chunks, 1)
    ]
    return [Message(embeds=group) for group in limits.pack_embeds(embeds)]


async def _theatres(store: Store, article_ids: Sequence[int]) -> list[str]:
    """The theatres of these articles, the most reported first (the store caches briefings)."""
    counts: Counter[str] = Counter()
    for article_id in article_ids:
        try:
            theatre = (await store.briefing(article_id)).article.theatre
        except NotFound:
            continue
        if theatre:
            counts[theatre] += 1
    return [t for t, _ in counts.most_common()]


def _source_id(text: str | None) -> int:
    m = re.fullmatch(r"\s*#?(\d{1,9})\s*", text or "")
    if not m:
        raise CommandError("Name the source by its #number (see /source list).")
    return int(m.group(1))


async def cmd_remove(where: SourceWhere, inv: Invocation) -> list[Message]:
    _require_manage(where, "remove sources")
    source_id = _source_id(inv.get("source"))
    src = await get_source(where.store.engine, source_id)
    if src is None or (where.guild_id is not None and src.guild_id not in (None, where.guild_id)):
        raise CommandError(f"There is no source #{source_id}. See /source list.")
    if src.origin == ORIGIN_CONFIG:
        raise CommandError(
            f"Source #{source_id} is declared in the configuration ([[sources]]): remove it there."
        )
    await remove_source(where.store.engine, source_id)
    return [Message(content=f"Source #{source_id} ({clip(src.label)}) is no longer polled.")]


async def cmd_ingest(where: SourceWhere, inv: Invocation) -> list[Message]:
    _require_manage(where, "ingest pages")
    url = inv.get("url")
    if url is None:
        raise CommandError("Give the page to read: /ingest url:https://…")
    try:
        outcome = await where.poller.ingest_url(url, where.now)
    except FetchError as exc:
        raise CommandError(f"Could not fetch it: {clip(exc.problem, 300)}") from None
    stored = await where.store.get(outcome.article_id) if outcome.article_id else None
    title = clip(stored.title if stored and stored.title else url, 200)
    if outcome.status == "new" and stored is not None:
        counts = " · ".join(f"{name} {n}" for name, n in stored.counts)
        text = f"Stored **{title}** as #{stored.id} ({counts}). /briefing article:#{stored.id}"
    elif stored is not None:
        text = f"Already known: **{title}** (#{stored.id}). /briefing article:#{stored.id}"
    else:
        text = "Nothing stored."
    return [Message(content=limits.truncate(text, limits.CONTENT))]


_HANDLERS: dict[str, Callable[[SourceWhere, Invocation], Awaitable[list[Message]]]] = {
    "source add": cmd_add,
    "source list": cmd_list,
    "source remove": cmd_remove,
    "ingest": cmd_ingest,
}


# ---------------------------------------------------------------- dry-run


async def dry_run_source_command(
    config: Any,
    store: Store,
    inv: Invocation,
    *,
    out: TextIO | None = None,
    now: datetime | None = None,
    as_json: bool = False,
) -> int:
    """``sitrep dry-run --command "/source list"``: answer as the bot would, on ``store`` (the
    dry run's throwaway store), and print it."""
    from bot.config import default_config
    from bot.delivery.sinks import ConsoleSink

    messages = await _answer_dry(config or default_config({}), store, inv, now)
    ConsoleSink(out, as_json=as_json).send_all(messages)
    return 0


async def _answer_dry(
    config: Any, store: Store, inv: Invocation, now: datetime | None
) -> list[Message]:
    from bot.sources.fetch import Fetcher
    from bot.sources.polling import fetch_settings_of, max_bytes_of

    policy = fetch_settings_of(config).policy(max_bytes_of(config))
    async with Fetcher(policy) as fetcher:
        poller = SourcePoller(store, fetcher, max_bytes=max_bytes_of(config))
        where = SourceWhere(store, poller, now or datetime.now(UTC))
        return await run_source_command(where, inv)
