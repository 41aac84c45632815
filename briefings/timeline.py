"""A place's history: every stored report about one place, in date order (``/frontline place:``).

Pure: the caller (``bot.commands.pipeline``) reads the reports from the store and hands them
here with where each came from (a ``SourceRef``) and its day; ``build_timeline`` keeps the
frontline items naming the place, one entry each, oldest first, and says in words a reader
knows what each reports (``change_of``: captured, retaken, advance, withdrawal, ...).

An item names a place as ``/frontline place:X article:Y`` filters one article's items
(``names_place``): case-insensitively, in its places or in its text. ``place_choices`` ranks the
places of many reports for the ``place`` autocomplete; ``close_places`` suggests names when
no report names what was asked.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from briefings.digest import SourceRef
from briefings.model import Briefing, FrontlineItem

MAX_ENTRIES = 25  # the most recent entries shown; the older ones are counted
MAX_SUGGESTIONS = 5


@dataclass(frozen=True, slots=True)
class Report:
    """One stored briefing as a timeline reads it: where it came from and its day."""

    source: SourceRef
    briefing: Briefing
    day: date  # the day it was published, else the day it was stored
    published: bool  # ``day`` is the publication date (False: when it was stored)
    ref: str | None = None  # how commands name the article ("#12")


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One frontline item naming the place, with its report's day and outlet."""

    day: date
    published: bool
    outlet: str  # the source as digests credit it (``SourceRef.name``)
    item: FrontlineItem
    change: str  # what the item reports, in words: "captured", "advance", ...
    url: str | None  # the item's own link, else its article's
    ref: str | None


@dataclass(frozen=True, slots=True)
class Timeline:
    place: str  # as the reports spell it (the most frequent spelling), else as asked
    entries: tuple[TimelineEntry, ...]  # oldest first: the ``limit`` most recent
    omitted: int  # older entries left out
    reports: int  # reports naming the place (all of them, shown or not)
    searched: int = 0  # reports read (naming the place or not)
    # Only the most recent reports were searched: older ones may name the place too.
    partial: bool = False


def names_place(item: FrontlineItem, place: str) -> bool:
    """Whether ``item`` names ``place``: in one of its places or in its text, in any case."""
    wanted = place.strip().casefold()
    if not wanted:
        return False
    return any(wanted in p.casefold() for p in item.places) or wanted in item.text.casefold()


# What an item reports, from its event and its words: the first rule whose words appear wins.
_CHANGES: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {
    "seized": (
        ("retaken", re.compile(r"\b(?:retook|retak\w*|recaptur\w*|liberat\w*|regain\w*)")),
        ("encircled", re.compile(r"\b(?:encircl\w*|surround\w*|cut(?:ting)? off)")),
        ("captured", re.compile(r"\b(?:took|tak\w*|gain\w*|seiz\w*|captur\w*|f[ae]ll|fallen)")),
        ("control reported", re.compile(r"\b(?:controls?|controlled|holds?|holding)\b")),
        ("captured", re.compile(r"")),
    ),
    "moved": (
        ("counterattack", re.compile(r"\bcounter[- ]?(?:attack|offensive|charge)")),
        (
            "attack repelled",
            re.compile(r"\b(?:repel\w*|repuls\w*|fend\w* off|fought off|beat(?:en)? back)"),
        ),
        (
            "withdrawal",
            re.compile(r"\b(?:retreat\w*|withdr\w*|pull\w* (?:back|out)|f[ae]ll back|lost ground)"),
        ),
        (
            "advance",
            re.compile(
                r"\b(?:advanc\w*|push\w*|gain\w*|break\w*|broke|offensive|surg\w*|clos\w* in|"
                r"crossed|infiltrat\w*|incursion)"
            ),
        ),
        ("movement", re.compile(r"")),
    ),
    "attacked": (
        ("strike", re.compile(r"\b(?:air ?strikes?|strikes?|struck|shell\w*|bombard\w*)")),
        ("attack", re.compile(r"")),
    ),
    "held": (
        ("held", re.compile(r"\b(?:held|hold\w*|defen\w*)")),
        ("fighting", re.compile(r"")),
    ),
    "scene": (("background", re.compile(r"")),),
}
_NO_EVENT = "reported"
# A change tried, planned or feared rather than reported done: "trying to retake X", "could
# fall", "failed to take": a hedge within a few words before the change's own word.
_HEDGE = re.compile(
    r"\b(?:try|tries|trying|tried|attempt\w*|bids?|plans?|planned|planning|aim\w*|hop\w*|"
    r"seek\w*|sought|wants?|wanted|intend\w*|threat\w*|fail\w*|could|would|might|may|will|"
    r"if|not|never)\W+(?:\w+\W+){0,3}$"
)
_HEDGED = {
    "captured": "bid to capture",
    "retaken": "bid to retake",
    "encircled": "bid to encircle",
    "advance": "bid to advance",
}


def change_of(item: FrontlineItem) -> str:
    """What ``item`` reports of the ground, as a reader says it: "captured", "retaken",
    "encircled", "control reported"; "advance", "withdrawal", "counterattack", "attack
    repelled", "movement"; "attack", "strike"; "held", "fighting"; "background"; else
    "reported". A capture or an advance only tried or planned is a "bid to capture" (retake,
    encircle, advance)."""
    low = item.text.lower()
    for words, pattern in _CHANGES.get(item.event, ()):
        found = pattern.search(low)
        if found is None:
            continue
        tried = words in _HEDGED and found.end() > found.start()  # a word of its own, hedged
        if tried and _HEDGE.search(low, max(0, found.start() - 60), found.start()):
            return _HEDGED[words]
        return words
    return _NO_EVENT


def build_timeline(
    place: str, reports: Sequence[Report], *, limit: int = MAX_ENTRIES, partial: bool = False
) -> Timeline:
    """The frontline items of ``reports`` naming ``place``, oldest first (by the report's day;
    reports of one day in the order given, an article's items in its reading order): the
    ``limit`` most recent, with how many older ones are left out. ``partial``: ``reports`` are
    only the most recent of the reports there are (the timeline says so)."""
    entries: list[TimelineEntry] = []
    naming = 0
    for report in sorted(reports, key=lambda r: r.day):  # stable: one day keeps the given order
        items = [i for i in report.briefing.frontline if names_place(i, place)]
        naming += bool(items)
        for item in sorted(items, key=lambda i: i.sentences[:1]):
            entries.append(
                TimelineEntry(
                    day=report.day,
                    published=report.published,
                    outlet=report.source.name,
                    item=item,
                    change=change_of(item),
                    url=item.url or report.source.url,
                    ref=report.ref,
                )
            )
    shown = entries[-limit:] if limit > 0 else []
    return Timeline(
        place=_spelling(place, [e.item for e in entries]),
        entries=tuple(shown),
        omitted=len(entries) - len(shown),
        reports=naming,
        searched=len(reports),
        partial=partial,
    )


def _spelling(place: str, items: Sequence[FrontlineItem]) -> str:
    """How the reports spell ``place``: the most frequent of their place names equal to it in
    any case, else ``place`` as asked."""
    wanted = place.strip().casefold()
    exact: dict[str, int] = {}
    for item in items:
        for p in item.places:
            if p.casefold() == wanted:
                exact[p] = exact.get(p, 0) + 1
    if not exact:
        # "Kherson" matches "Kherson region" and the text of other items: no one place to name.
        return place.strip()
    return max(exact, key=lambda p: (exact[p], p))


def place_choices(briefings: Sequence[Briefing], query: str = "") -> list[str]:
    """The places named by the frontline items of ``briefings`` (most recent first) that
    contain ``query``: those named by most reports first, then the most recently named, then
    those starting with ``query``. Spellings that differ only in case are one place."""
    q = query.strip().casefold()
    reports: dict[str, int] = {}  # casefolded name -> reports naming it
    first: dict[str, int] = {}  # -> index of the most recent report naming it
    spellings: dict[str, dict[str, int]] = {}
    for n, briefing in enumerate(briefings):
        seen: set[str] = set()
        for item in briefing.frontline:
            for p in item.places:
                key = p.casefold()
                if q not in key or not p.strip():
                    continue
                forms = spellings.setdefault(key, {})
                forms[p] = forms.get(p, 0) + 1
                if key not in seen:
                    seen.add(key)
                    reports[key] = reports.get(key, 0) + 1
                    first.setdefault(key, n)
    order = sorted(reports, key=lambda k: (-reports[k], first[k], not k.startswith(q), k))
    return [max(spellings[k], key=lambda p: (spellings[k][p], p)) for k in order]


def close_places(place: str, known: Sequence[str], n: int = MAX_SUGGESTIONS) -> list[str]:
    """Names in ``known`` close to ``place`` (a typo, another transliteration), closest first."""
    by_key: dict[str, str] = {}
    for name in known:
        by_key.setdefault(name.casefold(), name)
    found = difflib.get_close_matches(place.strip().casefold(), list(by_key), n=n, cutoff=0.6)
    return [by_key[k] for k in found]
