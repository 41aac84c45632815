"""The theatres of stored articles: what autocomplete offers and what a theatre argument means.

A briefing's theatre is not a column: it follows the configuration's ``[theatres]`` and is
assigned when the briefing is read (``Store.in_theatres``). What "the theatres reported" are is
therefore read from the briefings of the ``SCAN`` most recent articles (cached by the store), not
from an index: cheap at that size, and always in the groupings configured now.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from bot.store.articles import NotFound, Store, StoredArticle
from briefings.model import Briefing
from briefings.render_views import clip as _cut
from briefings.sanitize import clean, escape_markdown

__all__ = [
    "SCAN",
    "canonical",
    "latest_of",
    "matches",
    "of_theatre",
    "reported",
    "resolve_theatre",
    "theatre_choices",
]

SCAN = 200  # the most recent articles whose theatres are looked at


def clip(text: str, n: int = 60) -> str:
    """A name echoed in a reply: one line, short, markdown and mentions defused."""
    return escape_markdown(_cut(clean(text), n))


def canonical(store: Store, theatre: str | None) -> str | None:
    """``theatre`` as the store's groupings name it ("russia" is "Ukraine" by default); a name
    they do not know as it is."""
    if theatre is None:
        return None
    return store.theatres.find(theatre) or theatre


def matches(briefing: Briefing, theatre: str | None) -> bool:
    """Whether ``briefing`` is of ``theatre`` (``None``: of any), whatever the case."""
    if theatre is None:
        return True
    return (briefing.article.theatre or "").casefold() == theatre.casefold()


async def reported(store: Store, *, scan: int = SCAN) -> list[tuple[str, int]]:
    """The theatres of the ``scan`` most recent articles with how many report on each, the
    most reported first (then by name)."""
    counts: Counter[str] = Counter()
    for a in await store.recent(limit=scan):
        theatre = (await store.briefing(a.id)).article.theatre
        if theatre:
            counts[theatre] += 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].casefold()))


async def theatre_choices(store: Store, current: str) -> list[str]:
    """Theatres of stored articles containing ``current``, those starting with it first (25 at
    most, each at most 100 characters: Discord's limits for choices)."""
    typed = " ".join(current.split()).casefold()
    names = [name for name, _ in await reported(store) if typed in name.casefold()]
    names.sort(key=lambda n: not n.casefold().startswith(typed))
    return [n[:100] for n in names[:25]]


async def resolve_theatre(store: Store, name: str, *, reported_only: bool = True) -> str:
    """The theatre a command names: a theatre of stored articles, a configured group or a
    country (``Theatres.find``), in its own spelling. ``NotFound`` with one clear line naming
    the theatres reported when it is none of them, or, ``reported_only``, when no stored article
    reports on it."""
    typed = " ".join(name.split())
    known = await reported(store)
    for theatre, _ in known:
        if theatre.casefold() == typed.casefold():
            return theatre
    found = store.theatres.find(typed)
    if found is not None:
        for theatre, _ in known:
            if theatre.casefold() == found.casefold():
                return theatre
        if not reported_only:
            return found
    listed = ", ".join(t for t, _ in known[:10])
    hint = f" Theatres reported: {listed}." if listed else " No article has a theatre yet."
    shown = clip(typed, 60)
    if found is not None:
        raise NotFound(f"No article reports on {clip(found, 60)}.{hint}")
    raise NotFound(f"'{shown}' is not a theatre.{hint}")


async def latest_of(
    store: Store, theatre: str | None, *, scan: int = SCAN
) -> tuple[StoredArticle, Briefing] | None:
    """The most recent article of ``theatre`` (any theatre: the latest) with its briefing."""
    theatre = canonical(store, theatre)
    if theatre is None:
        latest = await store.latest()
        return (latest, await store.briefing(latest.id)) if latest is not None else None
    for a in await store.recent(limit=scan):
        briefing = await store.briefing(a.id)
        if matches(briefing, theatre):
            return a, briefing
    return None


def of_theatre(
    found: Sequence[tuple[StoredArticle, Briefing]], theatre: str | None
) -> list[tuple[StoredArticle, Briefing]]:
    return [(a, b) for a, b in found if matches(b, theatre)]
