"""The ``Briefing``: four sections of items, each traced to its source sentences.

The JSON form (``Briefing.to_json``) is the contract of CONTRACT.md: fields may be added, never
renamed or dropped. ``score`` orders items by importance for rendering; it is not part of the JSON,
which keeps every item in reading order; the JSON carries it as an added field so that a stored
briefing ranks the same when read back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from briefings.article import Article

SCHEMA = "sitrep.briefing/1"

ForceKind = Literal["ratio", "troops", "casualties", "equipment", "territory", "rate", "other"]
FORCE_KINDS: tuple[str, ...] = (
    "ratio",
    "troops",
    "casualties",
    "equipment",
    "territory",
    "rate",
    "other",
)
SECTIONS: tuple[str, ...] = ("frontline", "forces", "policy", "quotes")


#: What a frontline item reports: ground changing hands, movement, attacks, ground held, or a
#: sentence that sets the scene for one of those.
FrontlineEvent = Literal["seized", "moved", "attacked", "held", "scene", ""]


def _linked(out: dict[str, Any], url: str | None) -> dict[str, Any]:
    """``url`` is an added field (CONTRACT.md): present only where the article's URL is known."""
    if url is not None:
        out["url"] = url
    return out


@dataclass(frozen=True, slots=True)
class FrontlineItem:
    text: str
    places: tuple[str, ...]
    sentences: tuple[int, ...]
    score: float = field(default=0.0, compare=False)
    event: FrontlineEvent = field(default="", compare=False)
    # A link to the first source sentence on the article's page (``briefings.links``).
    url: str | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        return _linked(
            {
                "text": self.text,
                "places": list(self.places),
                "sentences": list(self.sentences),
                "score": round(self.score, 3),
                "event": self.event,
            },
            self.url,
        )


@dataclass(frozen=True, slots=True)
class Lead:
    """The briefing's bottom line: ground changing hands, else the heaviest figure, else the
    main decision, as one line of the article's words, traced to its sentences."""

    text: str
    section: str  # the section whose item it leads with
    sentences: tuple[int, ...]
    url: str | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        return _linked(
            {"text": self.text, "section": self.section, "sentences": list(self.sentences)},
            self.url,
        )


@dataclass(frozen=True, slots=True)
class ForceItem:
    text: str
    kind: ForceKind
    value: str
    sentences: tuple[int, ...]
    score: float = field(default=0.0, compare=False)
    # A link to the first source sentence on the article's page (``briefings.links``).
    url: str | None = field(default=None, compare=False)
    # Whose figure it is, as the sentence attributes it ("Ukrainian officials"); None: the
    # article's own (an added field of the JSON, present only when known).
    attribution: str | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "text": self.text,
            "kind": self.kind,
            "value": self.value,
            "sentences": list(self.sentences),
            "score": round(self.score, 3),
        }
        if self.attribution:
            out["attribution"] = self.attribution
        return _linked(out, self.url)


@dataclass(frozen=True, slots=True)
class PolicyItem:
    text: str
    actors: tuple[str, ...]
    sentences: tuple[int, ...]
    score: float = field(default=0.0, compare=False)
    # Who is who, no decision: the words that first introduce an actor ("X, the deputy mayor
    # of Y"). A ranked view shows these as one "Who's who" line, not as policy.
    introduces: bool = False
    # A link to the first source sentence on the article's page (``briefings.links``).
    url: str | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "text": self.text,
            "actors": list(self.actors),
            "sentences": list(self.sentences),
            "score": round(self.score, 3),
        }
        if self.introduces:
            out["introduces"] = True
        return _linked(out, self.url)


@dataclass(frozen=True, slots=True)
class QuoteItem:
    text: str
    speaker: str | None
    speaker_role: str | None
    sentences: tuple[int, ...]
    score: float = field(default=0.0, compare=False)
    # The verbatim parts of a quotation interrupted by its attribution (empty: one part);
    # ``text`` joins them with sentence punctuation, as a reader reads them.
    segments: tuple[str, ...] = ()
    # A link to the first source sentence on the article's page (``briefings.links``).
    url: str | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        return _linked(
            {
                "text": self.text,
                "speaker": self.speaker,
                "speaker_role": self.speaker_role,
                "sentences": list(self.sentences),
                "score": round(self.score, 3),
                "segments": list(self.segments) or [self.text],
            },
            self.url,
        )


@dataclass(frozen=True, slots=True)
class Actor:
    """A named leader, official or commander of the article (top-level ``actors``)."""

    name: str
    role: str | None
    kind: Literal["leader", "official", "commander"]
    sentences: tuple[int, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role,
            "kind": self.kind,
            "sentences": list(self.sentences),
        }


@dataclass(frozen=True, slots=True)
class ArticleMeta:
    title: str | None
    source: str | None
    published: date | None
    words: int
    sha256: str
    url: str | None = None
    # Paragraph index (0-based) of each sentence: renderers name source paragraphs with it.
    sentence_paragraphs: tuple[int, ...] = ()
    # The conflict the article reports on ("Ukraine"), from its places (``briefings.geo``).
    theatre: str | None = None

    @classmethod
    def of(cls, article: Article) -> ArticleMeta:
        return cls(
            title=article.title,
            source=article.source,
            published=article.published,
            words=article.words,
            sha256=article.sha256,
            url=article.url,
            sentence_paragraphs=tuple(s.paragraph for s in article.sentences),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "source": self.source,
            "published": self.published.isoformat() if self.published else None,
            "words": self.words,
            "sha256": self.sha256,
            "url": self.url,
            "sentence_paragraphs": list(self.sentence_paragraphs),
            "theatre": self.theatre,
        }


Item = FrontlineItem | ForceItem | PolicyItem | QuoteItem


@dataclass(frozen=True, slots=True)
class Briefing:
    article: ArticleMeta
    frontline: tuple[FrontlineItem, ...] = ()
    forces: tuple[ForceItem, ...] = ()
    policy: tuple[PolicyItem, ...] = ()
    quotes: tuple[QuoteItem, ...] = ()
    # Every named leader, official and commander, in order of first mention (not a section:
    # the policy items keep their own actors).
    actors: tuple[Actor, ...] = ()
    lead: Lead | None = None

    def section(self, name: str) -> tuple[Item, ...]:
        """The items of one section by its name (one of ``SECTIONS``)."""
        if name not in SECTIONS:
            raise KeyError(name)
        items: tuple[Item, ...] = getattr(self, name)
        return items

    @property
    def is_empty(self) -> bool:
        return not (self.frontline or self.forces or self.policy or self.quotes)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "article": self.article.to_json(),
            "sections": {
                name: [item.to_json() for item in self.section(name)] for name in SECTIONS
            },
            "actors": [a.to_json() for a in self.actors],
            "lead": self.lead.to_json() if self.lead is not None else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Briefing:
        """Read back what ``to_json`` wrote (the store keeps briefings as JSON)."""
        a = data["article"]
        meta = ArticleMeta(
            title=a.get("title"),
            source=a.get("source"),
            published=date.fromisoformat(a["published"]) if a.get("published") else None,
            words=int(a.get("words", 0)),
            sha256=a.get("sha256", ""),
            url=a.get("url"),
            sentence_paragraphs=tuple(int(p) for p in a.get("sentence_paragraphs", ())),
            theatre=a.get("theatre"),
        )
        s = data["sections"]
        return cls(
            article=meta,
            frontline=tuple(
                FrontlineItem(
                    i["text"],
                    tuple(i["places"]),
                    tuple(i["sentences"]),
                    _score(i),
                    i.get("event", "") if i.get("event") in _EVENTS else "",
                    url=_url(i),
                )
                for i in s.get("frontline", [])
            ),
            forces=tuple(
                ForceItem(
                    i["text"],
                    i["kind"],
                    i["value"],
                    tuple(i["sentences"]),
                    _score(i),
                    _url(i),
                    i["attribution"] if isinstance(i.get("attribution"), str) else None,
                )
                for i in s.get("forces", [])
            ),
            policy=tuple(
                PolicyItem(
                    i["text"],
                    tuple(i["actors"]),
                    tuple(i["sentences"]),
                    _score(i),
                    i.get("introduces") is True,
                    url=_url(i),
                )
                for i in s.get("policy", [])
            ),
            quotes=tuple(
                QuoteItem(
                    i["text"],
                    i.get("speaker"),
                    i.get("speaker_role"),
                    tuple(i["sentences"]),
                    _score(i),
                    tuple(i["segments"]) if len(i.get("segments", ())) > 1 else (),
                    url=_url(i),
                )
                for i in s.get("quotes", [])
            ),
            actors=tuple(
                Actor(a["name"], a.get("role"), a["kind"], tuple(a.get("sentences", ())))
                for a in data.get("actors", [])
                if a.get("kind") in {"leader", "official", "commander"}
            ),
            lead=_lead(data.get("lead")),
        )


def _score(item: dict[str, Any]) -> float:
    return float(item.get("score", 0.0))


def _url(item: dict[str, Any]) -> str | None:
    url = item.get("url")
    return url if isinstance(url, str) else None


_EVENTS = frozenset({"seized", "moved", "attacked", "held", "scene"})


def _lead(data: Any) -> Lead | None:
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        return None
    return Lead(
        data["text"],
        str(data.get("section", "")),
        tuple(int(i) for i in data.get("sentences", ())),
        _url(data),
    )
