"""What templates see, and the public API both renderers build on.

A briefing (``briefings.render``) and a digest (``briefings.render_digest``) are rendered with
the same pieces: the section headings and colours, the budgets that keep every string well within
Discord's limits, the item and section views (every string already ``clean``), and a renderer
that renders one template and packs a section into embeds (``TemplateRenderer``, which
``briefings.render.Renderer`` is). The digest renderer imports this module, never the briefing
renderer, so the two import one way: render -> render_digest -> render_views.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from briefings import limits, speech
from briefings.model import ForceItem, FrontlineItem, Item, PolicyItem, QuoteItem
from briefings.sanitize import clean

HEADINGS: dict[str, str] = {
    "frontline": "Frontline situation",
    "forces": "Forces and numbers",
    "policy": "Policy context",
    "quotes": "Key quotes",
}
COLORS: dict[str, int] = {
    "frontline": 0xC0392B,
    "forces": 0xD68910,
    "policy": 0x2471A3,
    "quotes": 0x7D3C98,
}
# Budgets (characters of clean text, before escaping, which at most doubles them): an item of any
# section then always fits one message's content (2,000) with room to spare.
TEXT_BUDGET = {"frontline": 500, "forces": 400, "policy": 500, "quotes": 700}
#: A quotation in a ranked view: a long speech is trimmed to its strongest sentences.
QUOTE_VIEW_BUDGET = 110
NAME_BUDGET = 80
ROLE_BUDGET = 120
VALUE_BUDGET = 40
MAX_NAMES = 4
TITLE_BUDGET = 200
LEAD_BUDGET = 300
FOOTER_BUDGET = 400


@dataclass(frozen=True, slots=True)
class ItemView:
    """One item as templates see it: every string clean and within its budget."""

    text: str
    places: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    kind: str = ""
    value: str = ""
    speaker: str | None = None
    role: str | None = None
    paragraphs: tuple[int, ...] = ()  # 1-based, as readers count; empty when unknown
    sentences: tuple[int, ...] = ()  # 1-based
    sources: tuple[Any, ...] = ()  # digests only: who reports it (briefings.render_digest)
    attribution: str | None = None  # forces: whose figure it is ("Ukrainian officials")
    # digests, forces: other values other sources give for this figure (``DifferView``)
    differs: tuple[Any, ...] = ()

    @property
    def lead(self) -> str:
        """The actor the text begins with ("Marta Hnatiuk, a company commander ..."), so a
        template can set the name in bold where it stands instead of repeating it; else ""."""
        for name in self.actors:
            if name and self.text.startswith(name):
                return name
        return ""

    @property
    def unnamed(self) -> tuple[str, ...]:
        """The actors the text does not name, by full name or surname ("Trump's pick ..."
        names Donald Trump): a template shows these before the text."""
        return tuple(
            name
            for name in self.actors
            if name
            and name not in self.text
            and not re.search(rf"\b{re.escape(name.split()[-1])}\b", self.text)
        )


@dataclass(frozen=True, slots=True)
class SectionView:
    name: str
    heading: str
    items: tuple[ItemView, ...]
    total: int  # items in the briefing's section
    more: int  # items cut from this view
    sources: str  # "from paragraphs 3, 7" (empty when nothing is shown)
    # Policy in a ranked view: who is who, in place of the items that only introduce someone.
    who: tuple[WhoView, ...] = ()


@dataclass(frozen=True, slots=True)
class WhoView:
    """One actor of the "Who's who" line: the name and the role, made clean and clipped."""

    name: str
    role: str | None


class RenderSettings(Protocol):
    """What a renderer shows: its sections in order and each one's item limit."""

    @property
    def sections(self) -> tuple[str, ...]: ...

    def limit_for(self, section: str) -> int | None: ...


class TemplateRenderer(Protocol):
    """A renderer as the digest renderer uses it (``briefings.render.Renderer`` is one)."""

    @property
    def options(self) -> RenderSettings: ...

    def render_template(self, name: str, context: dict[str, Any]) -> str:
        """Template ``name`` rendered with ``context`` (a ``TemplateError`` if it fails)."""
        ...

    def section_parts(
        self, context: dict[str, Any], section: SectionView, template: str
    ) -> list[tuple[str, str]]:
        """``section`` rendered by ``template`` in parts that each fit an embed, with sources."""
        ...


def clip(text: str, budget: int) -> str:
    """``text`` made ``clean`` and cut to ``budget`` characters at a word boundary ("…").

    Only a prefix is cleaned (cleaning a 100,000-character quote to show 700 would be waste);
    text left out is always marked with the ellipsis.
    """
    head = text[: budget * 4 + 16]
    out = clean(head)
    if len(head) < len(text) and len(out) < budget:
        return out + limits.ELLIPSIS
    return limits.truncate(out, budget)


def _names(names: Sequence[str]) -> tuple[str, ...]:
    out = [clip(n, NAME_BUDGET) for n in names[:MAX_NAMES]]
    return tuple(n for n in out if n)


def clip_or_none(text: str | None, budget: int) -> str | None:
    """``clip`` for optional text: ``None`` when there is none or nothing is left."""
    if text is None:
        return None
    return clip(text, budget) or None


def item_view(
    section: str, item: Item, paragraph_of: tuple[int, ...], *, trim: bool = False
) -> ItemView:
    """One item of ``section`` as templates see it; ``paragraph_of`` maps its sentences to
    paragraphs (empty: none known). ``trim`` (a ranked view) cuts a long speech to its
    strongest sentences (``strongest``)."""
    text = clip(item.text, TEXT_BUDGET[section])
    numbers = tuple(sorted({s + 1 for s in item.sentences if s >= 0}))
    paragraphs: tuple[int, ...] = ()
    if all(s <= len(paragraph_of) for s in numbers):  # else: stored before paragraphs were kept
        paragraphs = tuple(sorted({paragraph_of[s - 1] + 1 for s in numbers}))
    if isinstance(item, FrontlineItem):
        return ItemView(text, places=_names(item.places), paragraphs=paragraphs, sentences=numbers)
    if isinstance(item, ForceItem):
        return ItemView(
            text,
            kind=clip(item.kind, VALUE_BUDGET),
            value=clip(item.value, VALUE_BUDGET),
            paragraphs=paragraphs,
            sentences=numbers,
            attribution=clip_or_none(item.attribution, NAME_BUDGET),
        )
    if isinstance(item, PolicyItem):
        return ItemView(text, actors=_names(item.actors), paragraphs=paragraphs, sentences=numbers)
    assert isinstance(item, QuoteItem)
    return ItemView(
        clip(strongest(item.text, QUOTE_VIEW_BUDGET), TEXT_BUDGET[section]) if trim else text,
        speaker=clip_or_none(item.speaker, NAME_BUDGET),
        role=clip_or_none(item.speaker_role, ROLE_BUDGET),
        paragraphs=paragraphs,
        sentences=numbers,
    )


def strongest(text: str, budget: int) -> str:
    """The speech ``text`` within ``budget`` characters, by whole sentences: its lead sentence
    (or a much stronger one: a figure, words that commit or judge), then its neighbours while
    they fit; "…" marks what is left out. A speech that fits is returned as it is."""
    if len(text) <= budget:
        return text
    parts = speech.sentences(text)
    if len(parts) < 2:
        return text
    best = speech.strongest_index(parts)
    first = last = best
    size = len(parts[best])
    while True:
        grew = False
        if last + 1 < len(parts) and size + 1 + len(parts[last + 1]) <= budget - 2:
            last += 1
            size += 1 + len(parts[last])
            grew = True
        if first > 0 and size + 1 + len(parts[first - 1]) <= budget - 2:
            first -= 1
            size += 1 + len(parts[first])
            grew = True
        if not grew:
            break
    text = " ".join(parts[first : last + 1])
    if first > 0 and not text.startswith("…"):
        text = "… " + text
    if last < len(parts) - 1 and not text.endswith("…"):
        text = text + " …"  # a speaker's own trailing "…" already says it goes on
    return text


def timestamp(now: datetime | None) -> int | None:
    """Unix time of an aware ``now`` (``None`` stays ``None``), as templates show times."""
    if now is None:
        return None
    if now.tzinfo is None:
        raise ValueError("now must be a timezone-aware datetime")
    return int(now.timestamp())
