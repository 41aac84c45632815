"""Frontline situation: the sentences about the fighting, with the places they name.

A sentence is about the fighting when it uses the vocabulary of war reporting: ground changing
hands (captured, seized, retook, liberated, encircled, overran), movement (advanced, retreated,
withdrew, pushed back, a counteroffensive), attacks (assaults, strikes, shelling, a siege) or
holding ground (held, defended, the front line); the last class only counts when a place is named.
Each such sentence becomes one item: its text trimmed to one line, the places it names (from
``briefings.places``; capitals standing for their governments, countries, seas and places people
fled to are left out) and a score, highest for a named place changing hands.

A sentence that introduces a place ("... in Siversk, a small mining town in Donetsk province")
right before or after a fighting sentence of the same paragraph is kept as well: news prose sets
the scene first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from briefings.article import Article, Sentence
from briefings.model import FrontlineItem
from briefings.places import DATELINE, Gazetteer, PlaceIndex, PlaceMention, find_places

MAX_TEXT = 220

# Cue classes, strongest first: (name, weight, pattern). Patterns match lower-cased text.
_CUES: tuple[tuple[str, float, str], ...] = (
    (
        "seized",
        3.0,
        r"captur\w*|seiz\w*|retak\w*|retook|recaptur\w*|liberat\w*|overr[au]n\w*|"
        r"encircl\w*|surround\w*|(?:took|take[ns]?|taking|gain(?:ed|ing)?|seized?|establish\w*)"
        r" (?:full |partial )?control|fell to|fall of|in (?:russian|enemy|ukrainian) hands|"
        r"occupy\w*|occupied|storm(?:ed|ing)|breach\w*|foothold|cut(?:ting)? off",
    ),
    (
        "moved",
        2.5,
        r"advanc\w*|retreat\w*|withdr[ae]w\w*|pull(?:ed|ing)? (?:back|out)|"
        r"push(?:ed|es|ing)? (?:\w+ )?(?:back|forward|away|westward|eastward|northward|southward)|"
        r"pushing|surg(?:ed|ing) forward|counter-?(?:attack|offensive|charge)\w*|offensive\w*|"
        r"incursion\w*|break-?(?:out|through)|(?:broke|breaking) (?:through|out)|gains?|gained|"
        r"forced \w+ back|"
        r"fall back|fell back|lost ground",
    ),
    (
        "attacked",
        2.0,
        r"assault\w*|attack\w*|strikes?|struck|airstrikes?|air strikes?|bombard\w*|"
        r"shell(?:ed|ing|s)|pound\w*|siege|besieg\w*|raid(?:ed|s)?|shot down|invasion|invad\w*",
    ),
    (
        "held",
        1.5,
        r"hold\w*|held|defen[cs]\w*|fight\w*|battle\w*|clash\w*|front ?lines?|front-line|"
        r"frontline|trench\w*|combat|positions?|embattled|struggl\w*|outpost|stalemate|"
        r"under (?:fire|pressure)|bomb(?:ed|ing|s)?|missiles?|rockets?|artillery|drones?|"
        r"mortars?|target(?:ed|ing|s)?|destroy(?:ed|ing)?",
    ),
)
_CUE_RE = tuple((name, weight, re.compile(rf"\b(?:{pat})\b")) for name, weight, pat in _CUES)
_NEEDS_PLACE = frozenset({"held"})

_LEAD = re.compile(
    r"^(?:but|and|still|meanwhile|yet|so|however|separately|elsewhere|in addition|even so|"
    r"also|on the battlefield|by contrast|instead|then|now)\b,?\s+",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[“\"][^”\"]*[”\"]")
_CLAUSE_BREAK = re.compile(r"(?:[,;:]| [—–-]) ")

#: Place kinds that are too wide, or not places of fighting, to name in a frontline item.
_NOT_FRONTLINE: frozenset[str] = frozenset({"country", "water"})


@dataclass(frozen=True, slots=True)
class _Cue:
    name: str
    weight: float
    quoted_only: bool


#: Phrases that use the words of fighting for offices and equipment: "the defense minister".
_NOT_FIGHTING = re.compile(
    r"\b(?:(?:air|missile)[- ]defen[cs]es?|defen[cs]e (?:minist\w+|secretary|department|"
    r"officials?|chiefs?|contractors?|industry|budget|spending|pact|policy|ties)|"
    r"minist\w+ of defen[cs]e|war crimes?|strike price)\b"
)


def _cue(sentence: str) -> _Cue | None:
    """The strongest fighting cue of ``sentence``, if any."""
    low = _NOT_FIGHTING.sub(" ", sentence.lower())
    narration = _QUOTED.sub(" ", low)
    for name, weight, pattern in _CUE_RE:
        if pattern.search(low):
            return _Cue(name, weight, quoted_only=not pattern.search(narration))
    return None


def frontline_places(mentions: tuple[PlaceMention, ...]) -> tuple[str, ...]:
    """The names of ``mentions`` that locate fighting, each once, as first written."""
    seen: dict[str, str] = {}
    for m in mentions:
        if m.use != "place" or m.kind in _NOT_FRONTLINE:
            continue
        seen.setdefault(m.base.lower(), m.name)
    return tuple(seen.values())


def summarize(text: str, limit: int = MAX_TEXT) -> str:
    """``text`` on one line, without a dateline or a leading "But", cut at a clause if too long."""
    line = " ".join(text.split())
    dateline = DATELINE.match(line)
    if dateline:
        line = line[dateline.end() :]
    stripped = _LEAD.sub("", line)
    if stripped and stripped != line:
        line = stripped[0].upper() + stripped[1:]
    if len(line) <= limit:
        return line
    head = line[: limit - 1]
    breaks = [m.start() for m in _CLAUSE_BREAK.finditer(head) if m.start() >= limit // 2]
    if breaks:
        return head[: breaks[-1]].rstrip(" ,;:—–-") + "…"
    cut = head.rfind(" ")
    return (head[:cut] if cut > limit // 2 else head).rstrip(" ,;:—–-") + "…"


def _score(cue: _Cue | None, places: tuple[str, ...], index: PlaceIndex, sentence: int) -> float:
    raw = cue.weight if cue else 1.0
    if cue and cue.quoted_only:
        raw -= 0.5
    kinds = {m.kind for m in index.in_sentence(sentence) if m.name in places}
    if "settlement" in kinds or "facility" in kinds:
        raw += 1.5
    elif kinds:
        raw += 1.0
    else:
        raw *= 0.5
    raw += min(len(places) - 1, 2) * 0.25 if places else 0.0
    return round(min(raw / 5.0, 1.0), 3)


def _introduces_place(index: PlaceIndex, sentence: Sentence) -> bool:
    return any(
        m.use == "place" and m.kind not in _NOT_FRONTLINE for m in index.in_sentence(sentence.index)
    )


def extract_frontline(
    article: Article, *, places: PlaceIndex | None = None, gazetteer: Gazetteer | None = None
) -> tuple[FrontlineItem, ...]:
    """Advances, retreats, seizures, assaults and held ground, with the places named.

    ``places`` lets a caller that already ran ``find_places`` share its result.
    """
    index = places if places is not None else find_places(article, gazetteer)
    chosen: dict[int, tuple[_Cue | None, tuple[str, ...]]] = {}
    for s in article.sentences:
        cue = _cue(s.text)
        if cue is None:
            continue
        names = frontline_places(index.in_sentence(s.index))
        if not names and (cue.name in _NEEDS_PLACE or cue.quoted_only):
            continue
        chosen[s.index] = (cue, names)
    # Scene-setting sentences next to a fighting sentence of the same paragraph.
    sentences = article.sentences
    for i in list(chosen):
        for j in (i - 1, i + 1):
            if j in chosen or not 0 <= j < len(sentences):
                continue
            s = sentences[j]
            if s.paragraph != sentences[i].paragraph or not _introduces_place(index, s):
                continue
            names = frontline_places(index.in_sentence(j))
            if names and _sets_scene(s.text):
                chosen[j] = (None, names)
    items = []
    for i in sorted(chosen):
        cue, names = chosen[i]
        items.append(
            FrontlineItem(
                text=summarize(sentences[i].text),
                places=names,
                sentences=(i,),
                score=_score(cue, names, index, i),
            )
        )
    return tuple(items)


_SCENE = re.compile(
    r",\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,4}(?:village|town|city|settlement|hamlet|port|region|"
    r"province|district|hub|outpost|stronghold)\b|\b(?:village|town|city|settlement|hamlet|"
    r"region|province|district) of\b",
    re.IGNORECASE,
)


def _sets_scene(text: str) -> bool:
    """True for a sentence that presents a place: "X, a small mining town in Y"."""
    return bool(_SCENE.search(text))
