"""Frontline situation: the sentences about the fighting, with the places they name.

A sentence is about the fighting when it uses the vocabulary of war reporting: ground changing
hands (captured, seized, retook, liberated, encircled, overran), movement (advanced, retreated,
withdrew, pushed back, a counteroffensive), attacks (assaults, strikes, shelling, a siege, fire
exchanged or opened) or holding ground (held, defended, the front line, a war, people killed); the
last class only counts when a place is named near the cue.
Each such sentence becomes one item: its text trimmed to one line, the places it names (from
``briefings.places``; capitals standing for their governments, countries, continents, reference
points and places people fled to are left out, seas and gulfs too unless something is attacked or
seized there) and a score, highest for a named place changing hands. A sentence that names no
place is kept only for a concrete event: a verb of seizing, moving or attacking in a past form,
not hedged ("may attack", "plans to seize") nor an adjective ("a captured soldier"); agent nouns
("the attackers") are no cue at all. Ground held as a share ("controls most of X", "appeared to
control half of X") is a state as reported, an event in any tense. Items with places score above
items without, except ground changing hands: a seizure that names no place ranks with a seizure
of a region and above an attack on a town. A line whose subject is a pronoun it does not resolve
("They took two villages") ranks lower: the reader cannot tell who. Speech that goes on from the
sentence before (no opening quotation mark) counts as quoted. A count written in figures next to
the cue ("carried out 38 airstrikes") makes an event concrete and ranks it higher; a seizure
with no place counts as one only when the line the briefing shows still tells it.

A sentence that introduces a place ("... in Ostrivka, a small mining town in Dolyna province")
right before or after a fighting sentence of the same paragraph is kept as well: news prose sets
the scene first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from briefings.article import Article, Sentence
from briefings.lines import PRONOUN_SAID, PRONOUN_START, event_parts, fit_line, without_timestamp
from briefings.model import FrontlineEvent, FrontlineItem
from briefings.people import find_people
from briefings.places import DATELINE, Gazetteer, PlaceIndex, PlaceMention, find_places

MAX_TEXT = 150


#: Ground held as a share: "controls most of the town", "holds 60% of the city". A state as
#: reported, so an event in any tense ("appeared to control most of X" too).
_SHARE_HELD = (
    r"(?:control(?:s|led|ling)?|holds?|holding) (?:(?:nearly|almost|about|roughly|"
    r"over|more than|less than|at least) )?(?:most|half|all|much|parts?|a (?:third|"
    r"quarter|fifth)|two[- ]thirds|three[- ]quarters|\d+ ?(?:%|per ?cent)) of"
)
_SHARE_HELD_RE = re.compile(rf"\b{_SHARE_HELD}\b")
#: What reports a state rather than plans it: "appeared to control", "seems to hold".
_EVIDENTIAL = re.compile(r"\b(?:appear|seem)(?:s|ed)? to (?=\w)")
#: Modal hedges before a share held: "could control half of X" is a fear, not a state.
_MODALS = frozenset("may might could would will should can cannot plan plans aim hope".split())


@dataclass(frozen=True, slots=True)
class _CueClass:
    """Words of one kind of fighting: stems (any word that starts so), whole words, phrases."""

    name: str
    weight: float
    stems: tuple[str, ...]
    words: frozenset[str]
    phrases: re.Pattern[str]
    triggers: frozenset[str]  # words without which no phrase of the class can match


# Cue classes, strongest first. Everything is matched on lower-cased text.
_CLASSES: tuple[_CueClass, ...] = (
    _CueClass(
        "seized",
        3.0,
        tuple(
            "captur seiz retak recaptur liberat overran overrun encircl surround occupy "
            "breach".split()
        ),
        frozenset("retook occupied stormed storming foothold".split()),
        re.compile(
            r"\b(?:(?:took|take[ns]?|taking|(?:re)?gain(?:ed|ing)?|seized?|establish\w*)"
            r" (?:full |partial )?control|fell to|fall of|in \w+ hands|cut(?:ting)? off|"
            r"(?:has|had|have) fallen|chang(?:ed|es|ing) hands|"
            # ground held as a share: "now control most of the town", "holds 60% of the city"
            rf"{_SHARE_HELD})\b"
        ),
        frozenset(
            """control controls controlled controlling hold holds holding fell fall hands off
            fallen""".split()
        ),
    ),
    _CueClass(
        "moved",
        2.5,
        tuple(
            """advanc retreat withdr counterattack counter-attack counteroffensive
            counter-offensive counter-charge offensive incursion""".split()
        ),
        frozenset(
            """pushing gain gains gained breakout break-out breakthrough infiltrated
            infiltrating infiltration repelled repelling repulsed crossed""".split()
        ),
        re.compile(
            r"\b(?:pull(?:ed|ing)? (?:back|out)|push(?:ed|es|ing)? (?:\w+ )?(?:back|forward|away|"
            r"westward|eastward|northward|southward)|surg(?:ed|ing) forward|(?:broke|breaking) "
            r"(?:through|out of)|forced \w+ back|f[ae]ll back|lost ground|clos(?:e|ed|es|ing) in|"
            r"fend(?:ed|ing)? off|fought off|beat(?:en)? back|dug in)\b"
        ),
        frozenset(
            """back out forward away westward eastward northward southward through ground
            close closed closes closing off dug""".split()
        ),
    ),
    _CueClass(
        "attacked",
        2.0,
        tuple(
            "assault attack airstrike bombard besieg invad shelling ambush skirmish torch".split()
        ),
        frozenset(
            "strike strikes struck shelled pounded pounding siege raid raided raids "
            "invasion firefight firefights".split()
        ),
        re.compile(
            r"\b(?:air strikes?|shot down|set (?:fire|ablaze|alight)|burn(?:ed|t) down|"
            r"(?:exchanged|opened) (?:heavy )?(?:gun)?fire|"
            r"exchanges? of (?:heavy )?(?:gun)?fire)\b"
        ),
        frozenset("strike strikes down fire ablaze alight gunfire".split()),
    ),
    _CueClass(
        "held",
        1.5,
        tuple(
            """hold defen fight battle clash trench struggl frontline front-line destroy target
            mortar missile rocket drone bomb""".split()
        ),
        frozenset(
            """held combat position positions embattled outpost stalemate artillery front
            stabilized stabilised entrenched gunfire sniper snipers explosions war wars
            killed""".split()
        ),
        re.compile(
            r"\b(?:front ?lines?|under (?:fire|pressure)|"
            r"(?:ceasefire|cease-fire|truce) violations?)\b"
        ),
        frozenset("front fire pressure lines line violation violations".split()),
    ),
)
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*")
_WORD_CLASS: dict[str, int] = {}  # a word's best class (its index; len(_CLASSES) for none)
_NONE = len(_CLASSES)


def _word_class(word: str) -> int:
    agent = word.endswith(("er", "ers"))  # "attackers", "defenders": people, not an event
    return next(
        (
            k
            for k, c in enumerate(_CLASSES)
            if word in c.words or (not agent and word.startswith(c.stems))
        ),
        _NONE,
    )


def _classes_of(words: list[str]) -> list[int]:
    """The class of each word, through a per-process memo of the vocabulary seen."""
    memo = _WORD_CLASS
    missing = [w for w in words if w not in memo]
    if missing:
        if len(memo) > 200_000:
            memo.clear()
        for w in missing:
            memo[w] = _word_class(w)
    return list(map(memo.__getitem__, words))


#: Words without which no phrase of any class can match: the phrase regexes run only then.
_PHRASE_TRIGGERS = frozenset().union(*(c.triggers for c in _CLASSES))


_NOT_CUES: set[str] = set()  # memo of the words seen that belong to no class


def _best_class(low: str) -> tuple[int, int]:
    """The strongest cue class in lower-cased ``low`` and where its first cue starts.

    The class is an index into ``_CLASSES``, ``len(_CLASSES)`` (and position -1) when none.
    Words known to be no cue are removed as a set first: most words of a sentence are.
    """
    words = _WORD.findall(low)
    unknown = set(words)
    unknown.difference_update(_NOT_CUES)
    best, first = _NONE, -1
    if unknown:
        memo = _WORD_CLASS
        if len(memo) > 200_000 or len(_NOT_CUES) > 200_000:
            memo.clear()
            _NOT_CUES.clear()
        for w in unknown:
            k = memo.get(w)
            if k is None:
                k = memo[w] = _word_class(w)
            if k == _NONE:
                _NOT_CUES.add(w)
            elif k < best:
                best, first = k, low.find(w)
            elif k == best:
                first = min(first, low.find(w))
    if best and not _PHRASE_TRIGGERS.isdisjoint(words):
        present = _PHRASE_TRIGGERS.intersection(words)
        for k in range(best):
            c = _CLASSES[k]
            if not c.triggers.isdisjoint(present):
                m = c.phrases.search(low)
                if m:
                    return k, m.start()
    return best, first


_NEEDS_PLACE = frozenset({"held"})
_AT_SEA = frozenset({"seized", "attacked"})  # what happens to ships: "attacked in the X Sea"
_HELD = len(_CLASSES) - 1
#: Past forms of the vocabulary that do not end in "-ed": "retook", "overran", "struck".
_IRREGULAR_PAST = frozenset(
    """
    retook took overran overrun struck fought broke fell fallen shot beat beaten dug hit
    taken retaken drove driven won lost withdrew withdrawn
    """.split()
)
#: Words that make what follows a plan, a hope or a fear rather than an event.
_HEDGES = frozenset(
    """
    may might could would will should can cannot plan plans planned planning hope hopes hoped
    try tries tried trying attempt attempts attempted seek seeks sought aim aims threaten
    threatens threatened fear fears feared fearing potential possible possibly expect expected
    expects intend intends intended ready prepare prepares preparing to not never unable
    """.split()
)
#: Words right before a past participle that make it an adjective: "a captured soldier".
_DETERMINERS = frozenset("a an the its their his her our this that these those".split())
#: Words before an adverb that make the participle after it an adjective: "from newly captured".
_BEFORE_ADJECTIVE = _DETERMINERS | frozenset("from in of on into onto over across".split())


def _is_event(low: str, classes: int = _HELD) -> bool:
    """True when ``low`` reports fighting that happened: a verb of the seized, moved or attacked
    class (the first ``classes`` of them) in a past form ("attacked", "were encircled", "pushed
    back"), not hedged ("may attack", "plans to seize"), not an adjective ("a captured
    soldier", "from newly captured ground").
    """
    words = _WORD.findall(low)
    word_classes = _classes_of(words)
    for k, (word, cls) in enumerate(zip(words, word_classes, strict=True)):
        if cls >= classes or not (word.endswith("ed") or word in _IRREGULAR_PAST):
            continue
        if not _HEDGES.isdisjoint(words[max(k - 2, 0) : k]):
            continue
        if k and words[k - 1] in _DETERMINERS:
            continue
        if k > 1 and words[k - 1].endswith("ly") and words[k - 2] in _BEFORE_ADJECTIVE:
            continue
        return True
    if _PHRASE_TRIGGERS.isdisjoint(words):
        return False
    plain = _EVIDENTIAL.sub("", low)
    for m in _SHARE_HELD_RE.finditer(plain):
        before = plain[: m.start()].split()[-2:]
        if _MODALS.isdisjoint(before) and "to" not in before[-1:]:
            return True  # "Russia controls most of X", "appeared to control half of X"
    for c in _CLASSES[:classes]:
        if c.triggers.isdisjoint(words):
            continue
        for m in c.phrases.finditer(low):
            first = m.group().split()[0]
            before = low[: m.start()].split()[-2:]
            if (first.endswith("ed") or first in _IRREGULAR_PAST) and _HEDGES.isdisjoint(before):
                return True
    return False


_NEAR, _FAR = 60, 100  # characters between a cue and a place
#: A count of what was done, written in figures: "38 airstrikes", "fired 120 shells".
_COUNT_NEAR = re.compile(r"\b\d[\d,]*\b(?!\s*(?:%|per ?cent|km|miles?|kilomet|a\.m\.|p\.m\.))")

_LEAD = re.compile(
    r"^(?:but|and|still|meanwhile|yet|so|however|separately|elsewhere|in addition|even so|"
    r"also|on the battlefield|by contrast|instead|then|now)\b,?\s+",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[“\"][^”\"]*[”\"]")
#: Speech that goes on from the sentence before: words up to a closing mark never opened
#: ("The army will retake the port, no matter what they say.”").
_CONTINUED = re.compile(r"^[^“]*”")
#: The reporter speaking of themselves, outside quotation marks.
_FIRST_PERSON = re.compile(
    r"(?:^|[,;:]\s+|\b(?:and|but|when|as|after|before|until)\s+)(?:we|I)(?:'re|’re|'ve|’ve)?\s",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"(?:[,;:]| [—–-]) ")

#: Place kinds that are too wide, or not places of fighting, to name in a frontline item.
_NOT_FRONTLINE: frozenset[str] = frozenset({"country", "water", "continent"})


@dataclass(frozen=True, slots=True)
class _Cue:
    name: str
    weight: float
    quoted_only: bool
    offset: int  # where the cue starts in the sentence


#: Phrases that use the words of fighting for offices and equipment: "the defense minister".
_NOT_FIGHTING = re.compile(
    r"\b(?:(?:air|missile)[- ]defen[cs]es?|defen[cs]e (?:minist\w+|secretary|department|"
    r"officials?|chiefs?|contractors?|industry|budget|spending|pact|policy|ties)|"
    r"minist\w+ of defen[cs]e|war (?:crimes?|criminals?|cabinet|memorial|museum|veterans?|"
    r"correspondents?|games)|(?:prisoners? of|world) war|strike price|"
    r"h[oe]ld (?:a |an |the |its |their )?(?:\w+ ){0,3}(?:meetings?|talks|conference|summit|"
    r"sessions?|votes?|elections?|referendum|rally|ceremony|briefing|consultations))\b"
)


def _cue(sentence: str) -> _Cue | None:
    """The strongest fighting cue of ``sentence``, if any."""
    low = sentence.lower()
    if "defen" in low or " war" in low or "strike price" in low or "held " in low or "hold " in low:
        low = _NOT_FIGHTING.sub(_blank, low)
    k, offset = _best_class(low)
    if k == len(_CLASSES):
        return None
    quoted_only = False
    if "“" in low or '"' in low or "”" in low:
        quoted_only = _best_class(_QUOTED.sub(" ", _CONTINUED.sub(" ", low)))[0] > k
    return _Cue(_CLASSES[k].name, _CLASSES[k].weight, quoted_only, offset)


def changes_hands(text: str) -> bool:
    """True when ``text`` itself reports ground changing hands as an event ("Russia has retaken
    half the territory"), not a plan ("trying to retake") or a mention in passing."""
    cue = _cue(text)
    if cue is None or cue.name != "seized" or cue.quoted_only:
        return False
    return _is_event(_QUOTED.sub(" ", text.lower()), classes=1)


def _blank(m: re.Match[str]) -> str:
    return " " * len(m.group())  # keeps the offsets of the rest of the sentence


def _distance(cue: _Cue, sentence: Sentence, mentions: tuple[PlaceMention, ...]) -> int:
    """Characters between the cue and the nearest of ``mentions`` (a large number if none)."""
    at = sentence.start + cue.offset
    return min((abs(m.start - at) for m in mentions), default=10_000)


def frontline_places(
    mentions: tuple[PlaceMention, ...], *, at_sea: bool = False
) -> tuple[str, ...]:
    """The names of ``mentions`` that locate fighting, each once, as first written.

    Seas and gulfs count only with ``at_sea`` (an attack there: "ships attacked in the X Sea").
    """
    seen: dict[str, str] = {}
    for m in mentions:
        if m.use != "place" or (m.kind in _NOT_FRONTLINE and not (at_sea and m.kind == "water")):
            continue
        seen.setdefault(m.base.lower(), m.name)
    return tuple(seen.values())


def summarize(
    text: str, limit: int = MAX_TEXT, keep: tuple[str, ...] = (), speaker: str | None = None
) -> str:
    """``text`` on one line, without a dateline or a leading "But", cut at a clause if too long.

    When the cut would lose the first of the ``keep`` names, the line is taken from the clause
    that names it instead ("… near the village of X, which ...").
    """
    line = without_timestamp(" ".join(text.split()))
    dateline = DATELINE.match(line)
    if dateline:
        line = line[dateline.end() :]
    stripped = _LEAD.sub("", line)
    if stripped and stripped != line:
        line = stripped[0].upper() + stripped[1:]
    body, who = event_parts(line, keep, speaker=speaker)
    return fit_line(body, who, limit, lambda text, room: _cut_keeping(text, room, keep))


def _cut_keeping(line: str, limit: int, keep: tuple[str, ...]) -> str:
    """``line`` cut to ``limit``; from the clause naming the first of ``keep`` when the cut
    would lose them all and that clause is as much about fighting."""
    out = _cut(line, limit)
    lost = [name for name in keep if name in line and name not in out]
    if lost and all(name not in out for name in keep):
        at = line.find(lost[0])
        begin = max((m.end() for m in _CLAUSE_BREAK.finditer(line, 0, at)), default=0)
        head_cue, tail_cue = _cue(out), _cue(line[begin:])
        head_weight = head_cue.weight if head_cue else 0.0
        if begin and (tail_cue.weight if tail_cue else 0.0) >= head_weight:
            out = "…" + _cut(line[begin:], limit - 1)
    return out


def _cut(line: str, limit: int) -> str:
    if len(line) <= limit:
        return line
    head = line[: limit - 1]
    breaks = [m.start() for m in _CLAUSE_BREAK.finditer(head) if m.start() >= limit // 2]
    if breaks:
        return head[: breaks[-1]].rstrip(" ,;:—–-") + "…"
    cut = head.rfind(" ")
    return (head[:cut] if cut > limit // 2 else head).rstrip(" ,;:—–-") + "…"


def _score(
    cue: _Cue | None,
    places: tuple[str, ...],
    index: PlaceIndex,
    sentence: Sentence,
    *,
    resolved: bool = False,
    line: str | None = None,
) -> float:
    """How strongly the item is frontline news; ``line`` is what the briefing shows of the
    sentence (a seizure that names no place counts only where the line still tells it)."""
    low = sentence.text.lower()
    raw = cue.weight if cue else 1.0
    if cue and cue.quoted_only:
        raw -= 0.5
    named = tuple(m for m in index.in_sentence(sentence.index) if m.name in places)
    if cue and _distance(cue, sentence, named) <= _NEAR:
        raw += 0.5  # the place is where the cue happens: "captured the village of X"
    kinds = {m.kind for m in named}
    if resolved:
        kinds = {"settlement"}  # "the town", resolved to the one named just before
    if "settlement" in kinds or "facility" in kinds:
        raw += 1.5
    elif kinds:
        raw += 1.0
    elif cue and cue.name == "seized" and _is_event(line.lower() if line else low):
        raw += 1.0  # ground changed hands, named place or not: "retook half the territory"
    else:
        raw *= 0.5
    raw += min(len(places) - 1, 2) * 0.25 if places else 0.0
    if cue and _COUNT_NEAR.search(sentence.text, max(cue.offset - _NEAR, 0), cue.offset + 20):
        raw += 0.5  # a count makes the event concrete: "carried out 38 airstrikes"
    if cue and cue.name != "held" and not _is_event(low):
        raw -= 0.5  # a plan, a fear or a condition: "trying to retake X", "may attack X"
    if _FIRST_PERSON.search(_QUOTED.sub(" ", sentence.text)):
        raw *= 0.5  # the reporter's own travel and sight: "We drive to X", "I saw ..."
    return round(min(raw / 5.5, 1.0), 3)


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
    resolved: dict[int, str] = {}  # sentences whose "the town" names a settlement before them
    for s in article.sentences:
        cue = _cue(s.text)
        if cue is None:
            continue
        mentions = index.in_sentence(s.index)
        names = frontline_places(mentions, at_sea=cue.name in _AT_SEA)
        if not names and not cue.quoted_only:
            antecedent = _antecedent(s.text, index, article.sentences, s.index)
            if antecedent is not None:
                resolved[s.index] = antecedent
                chosen[s.index] = (cue, (antecedent,))
                continue
        if not names and (
            cue.name in _NEEDS_PLACE or cue.quoted_only or not _is_event(s.text.lower())
        ):
            continue  # with no place, only a concrete event is frontline news
        if cue.quoted_only and not _is_event(s.text.lower()):
            narration = _QUOTED.sub(" ", _CONTINUED.sub(" ", s.text))
            if not any(name in narration for name in names):
                continue  # a vow or a threat ("we will retake X") is the quotes section's
        eligible = tuple(m for m in mentions if m.use == "place" and m.kind not in _NOT_FRONTLINE)
        if cue.name in _NEEDS_PLACE and _distance(cue, s, eligible) > _FAR:
            continue  # "drones" in one clause, a town in another
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
        if i in resolved:
            text = _DEFINITE_PLACE.sub(f"[{resolved[i]}]", summarize(sentences[i].text), count=1)
            score = _score(cue, names, index, sentences[i], resolved=True)
        else:
            speaker = _pronoun_speaker(article, sentences[i])
            text = summarize(sentences[i].text, keep=names, speaker=speaker)
            score = _score(cue, names, index, sentences[i], line=text)
        if PRONOUN_START.match(text):
            score = round(max(score - 0.5 / 5.5, 0.0), 3)  # who "they" are is lost
        event: FrontlineEvent = "scene" if cue is None else cue.name  # type: ignore[assignment]
        items.append(
            FrontlineItem(text=text, places=names, sentences=(i,), score=score, event=event)
        )
    return tuple(items)


def _pronoun_speaker(article: Article, sentence: Sentence) -> str | None:
    """Who the "he said" of ``sentence`` refers to (``lines.PRONOUN_SAID``): the person the
    people index resolves the pronoun to, by surname once the article has named them."""
    said = PRONOUN_SAID.search(sentence.text)
    if said is None:
        return None
    people = find_people(article)
    offset = sentence.start + said.start("pron")
    person = people.antecedent(offset, gender="m" if said.group("pron") == "he" else "f")
    if person is None or not person.named:
        return None
    return person.name.split()[-1]


#: "the town", "the city": a settlement named before, referred to by what it is.
_DEFINITE_PLACE = re.compile(r"\b[Tt]he (?:town|city|village|settlement)\b")
_ANTECEDENT_REACH = 6  # sentences back (this paragraph or the one before) to look for it


def _antecedent(
    text: str, index: PlaceIndex, sentences: tuple[Sentence, ...], i: int
) -> str | None:
    """The settlement that "the town" of ``text`` (sentence ``i``) refers to: the last one named
    in the sentences just before, of the same paragraph or the one before ("… in Dovzhyk. By
    early December the town was encircled"); ``None`` when there is no "the town" or no such
    settlement."""
    if _DEFINITE_PLACE.search(text) is None:
        return None
    for j in range(i - 1, max(i - 1 - _ANTECEDENT_REACH, -1), -1):
        if sentences[i].paragraph - sentences[j].paragraph > 1:
            break
        found = [p for p in index.in_sentence(j) if p.use == "place" and p.kind == "settlement"]
        if found:
            return found[-1].name
    return None


_SCENE = re.compile(
    r",\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,4}(?:village|town|city|settlement|hamlet|port|region|"
    r"province|district|hub|outpost|stronghold)\b|\b(?:village|town|city|settlement|hamlet|"
    r"region|province|district) of\b",
    re.IGNORECASE,
)


def _sets_scene(text: str) -> bool:
    """True for a sentence that presents a place: "X, a small mining town in Y"."""
    return bool(_SCENE.search(text))
