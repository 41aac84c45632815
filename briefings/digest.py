"""Digests: the briefings of several articles merged into one, with what changed.

``build_digest`` takes the briefings of the articles new since a channel's last post (oldest
first, each with the ``SourceRef`` it came from) and the briefings that channel saw before. It
merges the four sections across articles: the same fact reported by two articles becomes one
item naming both sources, and items are ranked by importance (their own score, raised when
several sources report them). The "What changed" block compares the new articles with the earlier
ones: force figures that moved (the same kind of figure about the same thing in the same area,
such as a ratio going from 3:1 to 10:1), places newly reported taken or lost, and new policy
decisions.

Duplicates are found by the structure of the items, never by words of one article:

* frontline: nearly the same words, or the same place reported changing hands;
* forces: the same kind and value about the same area (or nearly the same phrase);
* quotes: the same words (nearly) by the same speaker;
* policy: nearly the same words, or the same decision by the same actor.

Pure and deterministic: same input, same digest. The JSON form is ``Digest.to_json``.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from briefings.model import (
    SECTIONS,
    ArticleMeta,
    Briefing,
    ForceItem,
    FrontlineItem,
    Item,
    PolicyItem,
    QuoteItem,
)

SCHEMA = "sitrep.digest/1"
# Each further source reporting an item raises its score by this share of the best score.
CORROBORATION_BONUS = 0.5
# Force kinds compared for "what changed" ("other" figures are too loose to follow).
TRACKED_KINDS = frozenset({"ratio", "troops", "casualties", "equipment", "territory", "rate"})
# How the reports of no theatre (no located place, no country named) are grouped.
NO_THEATRE = "Elsewhere"


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where an article came from, as a digest credits it."""

    outlet: str | None
    title: str | None
    url: str | None = None
    published: date | None = None

    @classmethod
    def of(cls, meta: ArticleMeta) -> SourceRef:
        return cls(outlet=meta.source, title=meta.title, url=meta.url, published=meta.published)

    @property
    def name(self) -> str:
        """A short name for citing: the outlet, else the title, else "an unnamed report"."""
        return (self.outlet or self.title or "").strip() or "an unnamed report"

    def to_json(self) -> dict[str, Any]:
        return {
            "outlet": self.outlet,
            "title": self.title,
            "url": self.url,
            "published": self.published.isoformat() if self.published else None,
        }


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One merged item: the best-scored wording, the sources that report it, its rank score.

    ``mentions`` traces the item back: (source index, that article's sentence indexes) for
    every article reporting it, in the order of ``Digest.sources``.
    """

    item: Item
    sources: tuple[int, ...]
    score: float
    mentions: tuple[tuple[int, tuple[int, ...]], ...] = ()
    # Forces: the other values other sources give for the same figure, each with its sources
    # ("45,000" here, "60,000" per two others): shown side by side, never averaged.
    differs: tuple[tuple[str, tuple[int, ...]], ...] = ()

    def to_json(self) -> dict[str, Any]:
        data = self.item.to_json()
        data["score"] = round(self.score, 3)
        data["sources"] = list(self.sources)
        data["mentions"] = [{"source": s, "sentences": list(n)} for s, n in self.mentions]
        if self.differs:
            data["differs"] = [{"value": v, "sources": list(s)} for v, s in self.differs]
        return data


@dataclass(frozen=True, slots=True)
class FigureChange:
    """A force figure that moved: the same kind about the same thing, a new value."""

    kind: str
    subject: str  # what the figure counts ("troops"; empty for ratios)
    area: str | None  # the place it is about, when one is known
    before: str
    after: str
    before_text: str
    after_text: str
    before_source: SourceRef | None
    sources: tuple[int, ...]  # where the new value is reported

    @property
    def direction(self) -> str:
        """ "up", "down" or "" when the values do not compare as numbers."""
        a, b = _leading_number(self.before), _leading_number(self.after)
        if a is None or b is None or a == b:
            return ""
        return "up" if b > a else "down"

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "area": self.area,
            "before": self.before,
            "after": self.after,
            "before_text": self.before_text,
            "after_text": self.after_text,
            "before_source": self.before_source.to_json() if self.before_source else None,
            "direction": self.direction,
            "sources": list(self.sources),
        }


@dataclass(frozen=True, slots=True)
class PlaceChange:
    """A place newly reported as changing hands ("captured", "fell", "withdrew from")."""

    place: str
    verb: str  # the word of the report, lower case
    text: str  # the frontline item reporting it
    sources: tuple[int, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "place": self.place,
            "verb": self.verb,
            "text": self.text,
            "sources": list(self.sources),
        }


@dataclass(frozen=True, slots=True)
class DecisionChange:
    """A policy decision not reported before."""

    text: str
    actors: tuple[str, ...]
    sources: tuple[int, ...]

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "actors": list(self.actors), "sources": list(self.sources)}


@dataclass(frozen=True, slots=True)
class Changes:
    figures: tuple[FigureChange, ...] = ()
    places: tuple[PlaceChange, ...] = ()
    decisions: tuple[DecisionChange, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.figures or self.places or self.decisions)

    def to_json(self) -> dict[str, Any]:
        return {
            "figures": [c.to_json() for c in self.figures],
            "places": [c.to_json() for c in self.places],
            "decisions": [c.to_json() for c in self.decisions],
        }


@dataclass(frozen=True, slots=True)
class Digest:
    """The merged sections (each ranked, most important first) and what changed."""

    sources: tuple[SourceRef, ...]
    now: datetime
    since: datetime | None = None
    frontline: tuple[DigestItem, ...] = ()
    forces: tuple[DigestItem, ...] = ()
    policy: tuple[DigestItem, ...] = ()
    quotes: tuple[DigestItem, ...] = ()
    changes: Changes = Changes()
    compared_with: int = 0  # how many earlier briefings "what changed" looked at
    omitted: int = 0  # older articles of the period left out (a digest keeps the most recent)
    # The theatre of each source (``Briefing.article.theatre``), in the order of ``sources``;
    # empty when unknown (a digest built by hand).
    theatres: tuple[str | None, ...] = ()

    def section(self, name: str) -> tuple[DigestItem, ...]:
        if name not in SECTIONS:
            raise KeyError(name)
        items: tuple[DigestItem, ...] = getattr(self, name)
        return items

    def theatre_of_source(self, index: int) -> str | None:
        return self.theatres[index] if 0 <= index < len(self.theatres) else None

    def theatre_of(self, item: DigestItem) -> str | None:
        """The theatre of a merged item: that of most of its sources, the first among equals."""
        votes: dict[str | None, int] = {}
        for i in item.sources:
            t = self.theatre_of_source(i)
            votes[t] = votes.get(t, 0) + 1
        if not votes:
            return None
        return max(votes, key=lambda t: votes[t])  # dicts keep order: the first wins a tie

    def theatre_order(self) -> tuple[str | None, ...]:
        """The theatres of the sources, most reported first (then in order of first report);
        no theatre (``None``) last."""
        counts: dict[str | None, int] = {}
        for t in self.theatres:
            counts[t] = counts.get(t, 0) + 1
        first = {t: n for n, t in reversed(list(enumerate(self.theatres)))}
        return tuple(sorted(counts, key=lambda t: (t is None, -counts[t], first[t])))

    @property
    def spans_theatres(self) -> bool:
        """Whether the sources report on more than one theatre (the post then groups by it)."""
        return len(set(self.theatres)) > 1

    def by_theatre(self, name: str) -> tuple[tuple[str | None, tuple[DigestItem, ...]], ...]:
        """Section ``name`` split by theatre (``theatre_order``), each part still ranked; empty
        parts are left out."""
        parts: dict[str | None, list[DigestItem]] = {t: [] for t in self.theatre_order()}
        for item in self.section(name):
            parts.setdefault(self.theatre_of(item), []).append(item)
        return tuple((t, tuple(items)) for t, items in parts.items() if items)

    @property
    def is_empty(self) -> bool:
        return not any(self.section(name) for name in SECTIONS) and self.changes.is_empty

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "now": self.now.isoformat(),
            "since": self.since.isoformat() if self.since else None,
            "sources": [
                {**s.to_json(), "theatre": self.theatre_of_source(n)}
                for n, s in enumerate(self.sources)
            ],
            "sections": {name: [i.to_json() for i in self.section(name)] for name in SECTIONS},
            "changes": self.changes.to_json(),
            "compared_with": self.compared_with,
            "omitted": self.omitted,
        }


# ---------------------------------------------------------------- words

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_STOP = frozenset(
    """a an the of in on at to for from by with and or but as is are was were be been has have had
    it its this that these those their there they he she his her we our you your i said says
    told according after before on over into onto than then also while who which what when
    where near around about some""".split()
)
_QUALIFIERS = _STOP | frozenset(
    """one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty
    forty fifty hundred hundreds thousand thousands million millions dozen dozens more most
    fewer less least nearly almost roughly approximately estimated much many up another
    additional just only much another times per cent percent half""".split()
)


@functools.lru_cache(maxsize=16384)
def _tokens(text: str) -> tuple[str, ...]:
    """The words of ``text``, case-folded (memoised: digests compare the same texts often)."""
    return tuple(t.casefold().replace("’", "'") for t in _TOKEN.findall(text))


def _content(text: str) -> frozenset[str]:
    """The words that carry meaning, each without a plural "s"."""
    return frozenset(_singular(t) for t in _tokens(text) if t not in _STOP and not t.isdigit())


def _singular(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _numbers(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"\d+(?:[.,]\d+)*", text))


def _leading_number(value: str) -> float | None:
    m = re.match(r"\s*(\d+(?:\.\d+)?)", value)
    return float(m.group(1)) if m else None


def _fold(name: str) -> str:
    return " ".join(_tokens(name))


# A place changing hands: a verb before the place (within a few words: "seized the village of
# X") or after it ("X fell", "X was captured").
_HANDS_BEFORE = re.compile(
    r"\b(captured|seized|took|taken|overr[au]n|occupied|retook|recaptured|retaken|liberated|"
    r"lost|abandoned|withdr[ae]wn?|pulled out|retreated|fall)\b"
    r"(?:\s+(?:of|from|control|full|partial|the|a|village|town|city|hamlet|settlement|"
    r"outskirts|heights|port|district|area|positions?|in)\b)*\s*$",
    re.IGNORECASE,
)
_HANDS_AFTER = re.compile(
    r"^\W*(?:(?:reportedly|finally|quickly|also)\s+)?(fell)\b|"
    r"^\W*(?:was|were|has|have|had|is|are)\s+(?:(?:been|reportedly|finally|also|now)\s+)*"
    r"(captured|taken|seized|lost|liberated|recaptured|retaken|overrun|abandoned|occupied)\b",
    re.IGNORECASE,
)
# Words before the verb that make it no report of a change ("failed to take", "has not fallen").
_NOT_DONE = re.compile(
    r"\b(?:not|never|no|n't|failed|fail|attempts?|attempted|bid|trying|tried|effort|aim\w*|"
    r"plans?|would|could|might|may|will|if)\W+(?:\w+\W+){0,2}$",
    re.IGNORECASE,
)
_LOOKBACK = 60  # characters before a place searched for its verb

# A policy item is a decision when it says one was taken: stems, or whole words where a stem
# would also catch other words ("sign" in "signal", "ban" in "bank").
_DECISION_STEMS = (
    "approv",
    "announc",
    "decid",
    "decision",
    "pledg",
    "authoriz",
    "authoris",
    "sanction",
    "allocat",
    "ratif",
    "impos",
    "veto",
)
_DECISION_WHOLE = frozenset(
    """sign signs signed ban bans banned order orders ordered vote votes voted passed agreed
    agrees extend extends extended declare declares declared commit commits committed""".split()
)
_FUTURE = frozenset({"will", "would"})  # "will send": a decision to deliver


def _is_decision(text: str) -> bool:
    words = _tokens(text)
    if any(w in _DECISION_WHOLE or w.startswith(_DECISION_STEMS) for w in words):
        return True
    return any(
        a in _FUTURE and b in {"send", "deliver", "supply", "provide"}
        for a, b in itertools.pairwise(words)
    )


def hands_changed(item: FrontlineItem) -> list[tuple[str, str]]:
    """(place, verb) for each place ``item`` reports changing hands, in its order of places."""
    out: list[tuple[str, str]] = []
    text = item.text
    for place in item.places:
        for m in re.finditer(re.escape(place), text):
            start = max(0, m.start() - _LOOKBACK)
            hit = _HANDS_BEFORE.search(text[start : m.start()])
            if hit is not None:
                said = text[max(0, start + hit.start() - 30) : start + hit.start()]
                if _NOT_DONE.search(said) is None:
                    out.append((place, hit.group(1).lower()))
                    break
            after = _HANDS_AFTER.match(text[m.end() : m.end() + _LOOKBACK])
            if after is not None:
                out.append((place, (after.group(1) or after.group(2)).lower()))
                break
    return out


# ---------------------------------------------------------------- merging


@dataclass(frozen=True, slots=True)
class _Entry:
    """One item of one article, with what duplicate detection compares."""

    source: int
    order: int  # position among all items of the section, for stable ties
    item: Item
    words: frozenset[str]
    places: frozenset[str]  # folded places of the item (forces: of its area)
    hands: frozenset[str]  # folded places it reports changing hands
    numbers: frozenset[str]  # the figures written in it
    event: str | None  # frontline: the kind of fighting
    main: str | None  # frontline: its first place, folded


def _area(briefing: Briefing, item: ForceItem, known: Iterable[str]) -> frozenset[str]:
    """The places a figure is about: those of the frontline items of its sentences, and known
    places named in their words. Empty when none is known."""
    sentences = set(item.sentences)
    found: set[str] = set()
    for f in briefing.frontline:
        if sentences & set(f.sentences):
            found.update(_fold(p) for p in f.places)
            words = f" {_fold(f.text)} "
            found.update(k for k in known if f" {k} " in words)
    return frozenset(found)


def _wide_area(briefing: Briefing) -> frozenset[str]:
    return frozenset(_fold(p) for f in briefing.frontline for p in f.places)


def _same(section: str, a: _Entry, b: _Entry) -> bool:
    """Whether two items of ``section`` (from different articles) report the same fact."""
    sim = _similarity(a.words, b.words)
    # The same words about different figures are different reports.
    other_figures = bool(a.numbers and b.numbers and a.numbers != b.numbers)
    if section == "frontline":
        if a.hands & b.hands:
            return True
        if other_figures:
            return False
        if a.event is None or a.event != b.event:
            return sim >= 0.6
        same_main = a.main is not None and a.main == b.main
        return same_main or sim >= 0.6 or (bool(a.places & b.places) and sim >= 0.2)
    if section == "forces":
        assert isinstance(a.item, ForceItem) and isinstance(b.item, ForceItem)
        if a.item.value == b.item.value and _same_subject(a.item, b.item):
            return not (a.places and b.places) or bool(a.places & b.places)
        # Another value is another report, however alike the words ("some 45,000 troops",
        # "about 60,000 troops"): the same figure given differently is shown side by side.
        return a.item.value == b.item.value and sim >= 0.8
    if section == "quotes":
        assert isinstance(a.item, QuoteItem) and isinstance(b.item, QuoteItem)
        if not _same_speaker(a.item.speaker, b.item.speaker):
            return False
        return sim >= 0.8 or _quoted_within(a.item.text, b.item.text)
    assert isinstance(a.item, PolicyItem) and isinstance(b.item, PolicyItem)
    if other_figures:
        return False
    actors_a = {_fold(x) for x in a.item.actors}
    actors_b = {_fold(x) for x in b.item.actors}
    if sim >= 0.6:
        return True
    return sim >= 0.35 and bool(actors_a & actors_b)


# Kinds of fighting, by word stems: two frontline items of one kind about one place (in one
# period) are one report. The first kind found in an item is its kind.
_EVENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("retreat", ("retreat", "withdr", "pullback", "evacuat")),
    ("advance", ("advanc", "push", "gain", "breakthrough", "offensive")),
    ("attack", ("shell", "strike", "struck", "bomb", "missile", "drone", "rocket", "assault")),
    ("attack", ("attack", "raid", "pound", "artillery", "airstrike")),
    ("hold", ("held", "hold", "defend", "repel", "repuls", "fend")),
)


def _event(words: frozenset[str]) -> str | None:
    for kind, stems in _EVENTS:
        if any(w.startswith(stems) for w in words):
            return kind
    return None


def _quoted_within(a: str, b: str) -> bool:
    """Whether the shorter quotation (five words or more) is part of the longer one."""
    ta, tb = " ".join(_tokens(a)), " ".join(_tokens(b))
    short, long = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    return len(short.split()) >= 5 and f" {short} " in f" {long} "


def _same_speaker(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return True
    ta, tb = set(_tokens(a)), set(_tokens(b))
    return bool(ta) and bool(tb) and (ta <= tb or tb <= ta)


def _subject(item: ForceItem, *, singular: bool = True) -> str:
    """What a figure counts: its phrase without numbers and qualifiers ("armored vehicle")."""
    words = [
        _singular(t) if singular else t
        for t in _tokens(item.text)
        if t not in _QUALIFIERS and not any(c.isdigit() for c in t)
    ]
    return " ".join(words)


def _same_subject(a: ForceItem, b: ForceItem) -> bool:
    if a.kind != b.kind:
        return False
    if a.kind == "ratio":
        return True
    sa, sb = _subject(a).split(), _subject(b).split()
    if not sa or not sb:
        return not sa and not sb
    return sa[-1] == sb[-1] or _similarity(frozenset(sa), frozenset(sb)) >= 0.5


def _entries(section: str, briefings: Sequence[Briefing], known: frozenset[str]) -> list[_Entry]:
    out: list[_Entry] = []
    for source, briefing in enumerate(briefings):
        wide = _wide_area(briefing)
        for item in briefing.section(section):
            places: frozenset[str] = frozenset()
            hands: frozenset[str] = frozenset()
            if isinstance(item, FrontlineItem):
                places = frozenset(_fold(p) for p in item.places)
                hands = frozenset(_fold(p) for p, _ in hands_changed(item))
            elif isinstance(item, ForceItem):
                places = _area(briefing, item, known) or wide
            words = _content(item.text)
            main = (
                _fold(item.places[0]) if isinstance(item, FrontlineItem) and item.places else None
            )
            event = _event(words) if isinstance(item, FrontlineItem) else None
            numbers = _numbers(item.text)
            out.append(_Entry(source, len(out), item, words, places, hands, numbers, event, main))
    return out


def _merge(section: str, entries: Sequence[_Entry]) -> tuple[DigestItem, ...]:
    clusters: list[list[_Entry]] = []
    for entry in entries:
        for cluster in clusters:
            if all(e.source != entry.source for e in cluster) and any(
                _same(section, e, entry) for e in cluster
            ):
                cluster.append(entry)
                break
        else:
            clusters.append([entry])
    ranked: list[tuple[float, int, DigestItem, frozenset[str]]] = []
    for cluster in clusters:
        best = max(cluster, key=lambda e: (e.item.score, -e.order))
        sources = tuple(sorted({e.source for e in cluster}))
        score = best.item.score * (1 + CORROBORATION_BONUS * (len(sources) - 1))
        mentions = tuple(
            (e.source, tuple(e.item.sentences)) for e in sorted(cluster, key=lambda e: e.source)
        )
        area = frozenset().union(*(e.places for e in cluster))
        item = DigestItem(best.item, sources, score, mentions)
        ranked.append((score, cluster[0].order, item, area))
    ranked.sort(key=lambda r: (-r[0], r[1]))
    items = [(r[2], r[3]) for r in ranked]
    if section == "forces":
        items = _side_by_side(items)
    return tuple(item for item, _ in items)


def _side_by_side(
    items: list[tuple[DigestItem, frozenset[str]]],
) -> list[tuple[DigestItem, frozenset[str]]]:
    """One line for a figure that sources give differently: the best-ranked value, and the
    others with their sources (``DigestItem.differs``). The same kind and subject, about the
    same area (ratios: a named one), from different sources."""
    out: list[tuple[DigestItem, frozenset[str]]] = []
    for item, area in items:
        assert isinstance(item.item, ForceItem)
        for k, (first, first_area) in enumerate(out):
            assert isinstance(first.item, ForceItem)
            if (
                item.item.value != first.item.value
                and not set(item.sources) & set(first.sources)
                and not any(set(item.sources) & set(s) for _, s in first.differs)
                and _same_subject(first.item, item.item)
                and _same_figure_area(first.item.kind, first_area, area)
            ):
                merged = dataclasses.replace(
                    first, differs=(*first.differs, (item.item.value, item.sources))
                )
                out[k] = (merged, first_area)
                break
        else:
            out.append((item, area))
    return out


def _same_figure_area(kind: str, a: frozenset[str], b: frozenset[str]) -> bool:
    if a and b:
        return bool(a & b)
    return kind != "ratio" and not a and not b  # a ratio is always of somewhere


# ---------------------------------------------------------------- what changed


@dataclass(frozen=True, slots=True)
class _Figure:
    item: ForceItem
    area: frozenset[str]
    near: frozenset[str]  # places of its own sentences (empty when only the article's known)
    source: int | None  # index among the new articles; None for an earlier briefing
    ref: SourceRef
    when: int  # position in time: earlier briefings first, then the new ones in order


def _figures(
    briefings: Sequence[Briefing],
    sources: Sequence[int | None],
    refs: Sequence[SourceRef],
    known: frozenset[str],
) -> list[_Figure]:
    out: list[_Figure] = []
    for when, (briefing, source, ref) in enumerate(zip(briefings, sources, refs, strict=True)):
        wide = _wide_area(briefing)
        for item in briefing.forces:
            if item.kind in TRACKED_KINDS:
                near = _area(briefing, item, known)
                out.append(_Figure(item, near | wide, near, source, ref, when))
    return out


def _figure_changes(
    old: Sequence[Briefing],
    new: Sequence[tuple[SourceRef, Briefing]],
    known: frozenset[str],
    place_names: dict[str, str],
) -> tuple[FigureChange, ...]:
    timeline = [*old, *(b for _, b in new)]
    sources: list[int | None] = [*(None for _ in old), *range(len(new))]
    refs = [*(SourceRef.of(b.article) for b in old), *(r for r, _ in new)]
    figures = _figures(timeline, sources, refs, known)
    changes: list[FigureChange] = []
    seen: list[_Figure] = []
    # The newest report of a figure first: it is the value now.
    for fig in sorted((f for f in figures if f.source is not None), key=lambda f: -f.when):
        if any(_same_subject(s.item, fig.item) and _areas_meet(s, fig) for s in seen):
            continue
        seen.append(fig)
        earlier = [
            f
            for f in figures
            if f.when < fig.when and _same_subject(f.item, fig.item) and _areas_meet(f, fig)
        ]
        if not earlier:
            continue
        last = max(earlier, key=lambda f: (f.when, f.item.score))
        if last.item.value == fig.item.value:
            continue
        same_now = tuple(
            sorted(
                {
                    f.source
                    for f in figures
                    if f.source is not None
                    and f.item.value == fig.item.value
                    and _same_subject(f.item, fig.item)
                    and _areas_meet(f, fig)
                }
            )
        )
        area = _area_label(fig, last, place_names)
        changes.append(
            FigureChange(
                kind=fig.item.kind,
                subject="" if fig.item.kind == "ratio" else _subject(fig.item, singular=False),
                area=area,
                before=last.item.value,
                after=fig.item.value,
                before_text=last.item.text,
                after_text=fig.item.text,
                before_source=last.ref,
                sources=same_now,
            )
        )
    order = {"ratio": 0, "casualties": 1, "rate": 2, "troops": 3, "equipment": 4, "territory": 5}
    return tuple(sorted(changes, key=lambda c: order.get(c.kind, 9)))


def _area_label(a: _Figure, b: _Figure, place_names: dict[str, str]) -> str | None:
    """The place to name for a figure reported by ``a`` and ``b``: one both name in their own
    sentences, else one either does, else one both articles name."""
    for candidates in (a.near & b.near, a.near | b.near, a.area & b.area):
        if candidates:
            return place_names.get(sorted(candidates)[0])
    return None


def _areas_meet(a: _Figure, b: _Figure) -> bool:
    if a.near and b.near:
        return bool(a.near & b.near)
    if not a.area or not b.area:
        return True
    return bool(a.area & b.area)


def _place_changes(
    old: Sequence[Briefing], frontline: Sequence[DigestItem], new: Sequence[Briefing]
) -> tuple[PlaceChange, ...]:
    before = {_fold(place) for b in old for item in b.frontline for place, _ in hands_changed(item)}
    out: list[PlaceChange] = []
    reported: set[str] = set()
    for merged in frontline:
        assert isinstance(merged.item, FrontlineItem)
        found = hands_changed(merged.item)
        if not found:  # the best wording may lack the verb another source used
            for source, sentences in merged.mentions:
                for item in new[source].frontline:
                    if tuple(item.sentences) == sentences and hands_changed(item):
                        found = hands_changed(item)
                        break
                if found:
                    break
        for place, verb in found:
            key = _fold(place)
            if key in before or key in reported:
                continue
            reported.add(key)
            out.append(PlaceChange(place, verb, merged.item.text, merged.sources))
    return tuple(out)


def _decision_changes(
    old: Sequence[Briefing], policy: Sequence[DigestItem]
) -> tuple[DecisionChange, ...]:
    earlier = [_content(item.text) for b in old for item in b.policy]
    out: list[DecisionChange] = []
    for merged in policy:
        item = merged.item
        assert isinstance(item, PolicyItem)
        if not _is_decision(item.text):
            continue
        words = _content(item.text)
        if any(_similarity(words, e) >= 0.6 for e in earlier):
            continue
        out.append(DecisionChange(item.text, tuple(item.actors), merged.sources))
    return tuple(out)


# ---------------------------------------------------------------- the digest


def build_digest(
    briefings: Sequence[tuple[SourceRef, Briefing]],
    *,
    previous: Sequence[Briefing] = (),
    now: datetime,
    since: datetime | None = None,
    omitted: int = 0,
) -> Digest:
    """The digest of ``briefings`` (the new articles, oldest first), compared with ``previous``
    (what the channel saw before, oldest first). ``now`` and ``since`` must be aware;
    ``omitted`` counts older articles of the period the caller left out."""
    if now.tzinfo is None or (since is not None and since.tzinfo is None):
        raise ValueError("now and since must be timezone-aware datetimes")
    new = [b for _, b in briefings]
    place_names: dict[str, str] = {}
    for b in [*previous, *new]:
        for f in b.frontline:
            for p in f.places:
                place_names.setdefault(_fold(p), p)
    known = frozenset(k for k in place_names if k)
    merged = {name: _merge(name, _entries(name, new, known)) for name in SECTIONS}
    changes = Changes(
        figures=_figure_changes(previous, briefings, known, place_names),
        places=_place_changes(previous, merged["frontline"], new),
        decisions=_decision_changes(previous, merged["policy"]),
    )
    return Digest(
        sources=tuple(ref for ref, _ in briefings),
        now=now,
        since=since,
        frontline=merged["frontline"],
        forces=merged["forces"],
        policy=merged["policy"],
        quotes=merged["quotes"],
        changes=changes,
        compared_with=len(previous),
        omitted=max(0, omitted),
        theatres=tuple(b.article.theatre for b in new),
    )
