"""A static web archive of stored briefings: pages, an index by date and theatre, an Atom feed.

``build_site`` is pure: it takes the stored briefings (each with the sentences of its article)
and returns every file of the site as ``{relative path: bytes}``; ``bot`` writes them to a folder.
Pages are rendered from the bundled ``templates/site/*.html.j2`` with autoescaping (article text
is untrusted) and need no JavaScript. Every link is relative, so the site works opened from disk
and from any static server.

Every briefing line links to its source: the article's sentences it was taken from are listed on
the same page (``#s-N``), and, where the article's address is known, to the sentence itself on the
original page (a text fragment). A digest page merges the briefings of one day per theatre, each
line linking to the sentence of every briefing that reports it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import jinja2
import jinja2.sandbox

from briefings.digest import NO_THEATRE, Digest, SourceRef, build_digest
from briefings.links import sentence_link
from briefings.model import SECTIONS, Briefing, FrontlineItem, Item
from briefings.render import readable_figure
from briefings.render_views import HEADINGS
from briefings.sanitize import clean, safe_url

TEMPLATES = Path(__file__).parent / "templates" / "site"
FEED_ENTRIES = 50


@dataclass(frozen=True, slots=True)
class SiteEntry:
    """One stored briefing: its store id, when it was stored, its article's sentences."""

    id: int
    briefing: Briefing
    added_at: datetime
    sentences: tuple[str, ...] = ()

    @property
    def day(self) -> date:
        return self.briefing.article.published or self.added_at.astimezone(UTC).date()

    @property
    def theatre(self) -> str:
        return self.briefing.article.theatre or NO_THEATRE

    @property
    def title(self) -> str:
        meta = self.briefing.article
        return clean(meta.title or "") or f"Untitled report {meta.sha256[:8]}"

    @property
    def outlet(self) -> str:
        return clean(self.briefing.article.source or "") or "an unnamed outlet"


#: A map maker: the PNG of the places of frontline items, or None when it draws no map.
MapMaker = Callable[[Sequence[FrontlineItem]], bytes | None]

#: Maps are drawn for the newest briefings and days only (a map costs about 0.15 s to draw;
#: an archive of a thousand reports would take minutes): older pages have none.
MAPPED_BRIEFINGS = 40
MAPPED_DAYS = 14


def slug(text: str) -> str:
    """A file name for ``text`` ("Israel and Gaza" -> "israel-and-gaza")."""
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s or "x"


def _environment() -> jinja2.Environment:
    env = jinja2.sandbox.SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["figure"] = readable_figure
    env.globals["headings"] = dict(HEADINGS)
    return env


def _item_fields(section: str, item: Item) -> dict[str, Any]:
    fields: dict[str, Any] = {"text": clean(item.text)}
    if section == "frontline":
        fields["detail"] = ", ".join(clean(p) for p in getattr(item, "places", ()))
    elif section == "forces":
        fields["detail"] = f"{readable_figure(getattr(item, 'value', ''))} · {item.kind}"  # type: ignore[union-attr]
    elif section == "policy":
        fields["detail"] = ", ".join(clean(a) for a in getattr(item, "actors", ()))
    else:
        speaker = getattr(item, "speaker", None)
        role = getattr(item, "speaker_role", None)
        fields["detail"] = ", ".join(clean(x) for x in (speaker, role) if x)
    return fields


def _briefing_view(entry: SiteEntry, prefix: str) -> dict[str, Any]:
    meta = entry.briefing.article
    cited: set[int] = set()
    sections = []
    for name in SECTIONS:
        items = []
        for item in entry.briefing.section(name):
            refs = [i for i in item.sentences if 0 <= i < max(len(entry.sentences), 1)]
            refs = refs or list(item.sentences[:1])
            cited.update(refs)
            first = entry.sentences[refs[0]] if refs and refs[0] < len(entry.sentences) else None
            items.append(
                {
                    **_item_fields(name, item),
                    "refs": [
                        {"n": i + 1, "href": f"{prefix}briefings/{entry.id}.html#s-{i}"}
                        for i in refs
                    ],
                    "original": sentence_link(meta.url, first),
                }
            )
        sections.append({"name": name, "heading": HEADINGS.get(name, name), "lines": items})
    sources = [
        {"index": i, "n": i + 1, "text": clean(entry.sentences[i])}
        for i in sorted(cited)
        if i < len(entry.sentences)
    ]
    return {
        "id": entry.id,
        "href": f"{prefix}briefings/{entry.id}.html",
        "title": entry.title,
        "outlet": entry.outlet,
        "day": entry.day.isoformat(),
        "theatre": entry.theatre,
        "theatre_href": f"{prefix}theatres/{slug(entry.theatre)}.html",
        "url": safe_url(meta.url),
        "sections": sections,
        "sources": sources,
        "counts": {name: len(entry.briefing.section(name)) for name in SECTIONS},
    }


def _digest_view(
    digest: Digest, entries: Sequence[SiteEntry], prefix: str, theatre: str
) -> dict[str, Any]:
    sections = []
    for name in SECTIONS:
        items = []
        for merged in digest.section(name):
            refs = []
            for source, sentences in merged.mentions or tuple((s, ()) for s in merged.sources):
                entry = entries[source]
                anchor = f"#s-{sentences[0]}" if sentences else ""
                refs.append(
                    {"name": entry.outlet, "href": f"{prefix}briefings/{entry.id}.html{anchor}"}
                )
            differs = [
                {
                    "value": value,
                    "refs": [
                        {
                            "name": entries[i].outlet,
                            "href": f"{prefix}briefings/{entries[i].id}.html",
                        }
                        for i in indexes
                    ],
                }
                for value, indexes in merged.differs
            ]
            outlets = len({r["name"] for r in refs})
            fields = _item_fields(name, merged.item)
            items.append({**fields, "refs": refs, "outlets": outlets, "differs": differs})
        if items:
            sections.append({"name": name, "heading": HEADINGS.get(name, name), "lines": items})
    return {
        "theatre": theatre,
        "theatre_href": f"{prefix}theatres/{slug(theatre)}.html",
        "sections": sections,
        "articles": [
            {"title": e.title, "outlet": e.outlet, "href": f"{prefix}briefings/{e.id}.html"}
            for e in entries
        ],
    }


def _by_theatre(entries: Sequence[SiteEntry]) -> dict[str, list[SiteEntry]]:
    groups: dict[str, list[SiteEntry]] = defaultdict(list)
    for e in entries:
        groups[e.theatre].append(e)
    return dict(sorted(groups.items(), key=lambda kv: (kv[0] == NO_THEATRE, kv[0].lower())))


def _recent_first(entries: Sequence[SiteEntry]) -> list[SiteEntry]:
    return sorted(entries, key=lambda e: (e.day, e.added_at, e.id), reverse=True)


def build_site(
    entries: Sequence[SiteEntry],
    *,
    now: datetime,
    title: str = "sitrep archive",
    base_url: str | None = None,
    make_map: MapMaker | None = None,
) -> dict[str, bytes]:
    """Every file of the archive of ``entries``: ``{relative path: content}``.

    ``now`` (aware) stamps the feed; ``base_url`` makes the feed's links absolute (a feed read
    from disk resolves them against its own address otherwise); ``make_map`` draws the map of a
    page's places (none when omitted or when it returns None).
    """
    if now.tzinfo is None:
        raise ValueError("now must be a timezone-aware datetime")
    env = _environment()
    files: dict[str, bytes] = {}
    ordered = _recent_first(entries)
    theatres = _by_theatre(ordered)
    days: dict[date, list[SiteEntry]] = defaultdict(list)
    for e in ordered:
        days[e.day].append(e)

    def page(path: str, template: str, prefix: str, **context: Any) -> None:
        html = env.get_template(template).render(
            site_title=title, prefix=prefix, stylesheet=f"{prefix}style.css", **context
        )
        files[path] = html.encode("utf-8")

    drawn: dict[tuple[object, ...], str | None] = {}  # the same places and events: one file

    def map_of(name: str, briefings: Sequence[Briefing], prefix: str) -> str | None:
        items = [f for b in briefings for f in b.frontline if f.places]
        if make_map is None or not items:
            return None
        key = tuple((f.places, f.event) for f in items)
        if key not in drawn:
            png = make_map(items)
            drawn[key] = None if png is None else f"maps/{name}.png"
            if png is not None:
                files[f"maps/{name}.png"] = png
        found = drawn[key]
        return prefix + found if found is not None else None

    for n, e in enumerate(ordered):
        view = _briefing_view(e, "../")
        mapped = n < MAPPED_BRIEFINGS
        view["map"] = map_of(f"briefing-{e.id}", [e.briefing], "../") if mapped else None
        page(f"briefings/{e.id}.html", "briefing.html.j2", "../", briefing=view)

    for n, (day, day_entries) in enumerate(sorted(days.items(), reverse=True)):
        oldest_first = list(reversed(day_entries))
        groups = []
        for theatre, group in _by_theatre(oldest_first).items():
            digest = build_digest(
                [(SourceRef.of(e.briefing.article), e.briefing) for e in group],
                now=datetime.combine(day, time.max, tzinfo=UTC),
            )
            view = _digest_view(digest, group, "../", theatre)
            # One map a theatre: a front in Sudan and one in Ukraine are not one picture.
            view["map"] = (
                map_of(
                    f"digest-{day.isoformat()}-{slug(theatre)}", [e.briefing for e in group], "../"
                )
                if n < MAPPED_DAYS
                else None
            )
            groups.append(view)
        d = day.isoformat()
        page(f"digests/{d}.html", "digest.html.j2", "../", day=d, groups=groups)

    def listing(items: Sequence[SiteEntry], prefix: str) -> list[dict[str, Any]]:
        return [
            {
                "href": f"{prefix}briefings/{e.id}.html",
                "title": e.title,
                "outlet": e.outlet,
                "day": e.day.isoformat(),
                "theatre": e.theatre,
                "theatre_href": f"{prefix}theatres/{slug(e.theatre)}.html",
            }
            for e in items
        ]

    by_day = [
        {
            "day": day.isoformat(),
            "digest": f"digests/{day.isoformat()}.html",
            "entries": listing(group, ""),
        }
        for day, group in sorted(days.items(), reverse=True)
    ]
    theatre_links = [
        {"name": name, "href": f"theatres/{slug(name)}.html", "count": len(group)}
        for name, group in theatres.items()
    ]
    page("index.html", "index.html.j2", "", days=by_day, theatres=theatre_links)
    for name, group in theatres.items():
        page(
            f"theatres/{slug(name)}.html",
            "theatre.html.j2",
            "../",
            theatre=name,
            entries=listing(group, "../"),
        )
    files["style.css"] = (TEMPLATES / "style.css").read_bytes()
    files["feed.xml"] = _feed(env, ordered[:FEED_ENTRIES], now, title, base_url)
    return files


def _feed(
    env: jinja2.Environment,
    entries: Sequence[SiteEntry],
    now: datetime,
    title: str,
    base_url: str | None,
) -> bytes:
    base = (safe_url(base_url) or "").rstrip("/")
    prefix = f"{base}/" if base else ""
    items = []
    for e in entries:
        lead = next((i.text for name in SECTIONS for i in e.briefing.section(name)), "")
        updated = datetime.combine(e.day, time(), tzinfo=UTC)
        items.append(
            {
                "id": f"urn:sha256:{e.briefing.article.sha256 or e.id}",
                "title": e.title,
                "outlet": e.outlet,
                "theatre": e.theatre,
                "href": f"{prefix}briefings/{e.id}.html",
                "updated": updated.isoformat().replace("+00:00", "Z"),
                "summary": clean(lead),
                "original": safe_url(e.briefing.article.url),
            }
        )
    xml = env.get_template("feed.xml.j2").render(
        title=title,
        updated=now.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        self_href=f"{prefix}feed.xml",
        home=f"{prefix}index.html",
        entries=items,
    )
    return xml.encode("utf-8")
