"""Where the fighting of a briefing (or a digest) is: its frontline places as points for a map.

Pure: the points, what happened at each, and the extent to draw; the drawing itself is the
bot's (``bot.commands.front_map``). Each place is located through the gazetteer (``geo``); a
same-named place is resolved by the briefing's other places and theatre. A place the gazetteer
lacks, or knows without coordinates, is listed in ``unplaced``, never guessed; a country or an
area ("Kel region") named as a place is the frame the points are in, not a point itself. A place
far from the others (a capital where a decision was taken, a city people fled to) would shrink
the front to a dot: it is listed in ``beyond`` instead.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from briefings.geo import COUNTRY, GeoIndex, Theatres, distance_km, geocode, is_area_name
from briefings.model import FrontlineItem

#: What happened at a place, strongest first; a place named by several items shows the strongest.
EVENTS = ("seized", "attacked", "moved", "held", "scene")

#: The legend's words for each event (``FrontlineItem.event``).
EVENT_LABELS = {
    "seized": "changed hands",
    "attacked": "attacked or struck",
    "moved": "advance or withdrawal",
    "held": "held",
    "scene": "fighting reported",
}

#: Farther than this from the middle of the other places, a place is listed, not drawn.
BEYOND_KM = 1200.0

_MIN_SPAN_KM = 120.0  # the smallest frame: a lone town is shown with its surroundings
_PAD = 0.18  # the share of the points' span added around them
_ASPECT = 4 / 3  # width to height of the frame, in kilometres on the ground


@dataclass(frozen=True, slots=True)
class MapPoint:
    name: str
    lat: float
    lon: float
    event: str  # one of EVENTS
    reports: int  # how many items name the place


@dataclass(frozen=True, slots=True)
class FrontMap:
    """The points to draw, most reported first, and the frame (degrees) that holds them."""

    points: tuple[MapPoint, ...]
    west: float
    east: float
    south: float
    north: float
    unplaced: tuple[str, ...] = ()  # named, but the gazetteer has no point for it
    beyond: tuple[str, ...] = ()  # located far from the rest of the front

    @property
    def x_scale(self) -> float:
        """Kilometres per degree of longitude over degrees of latitude at the frame's middle."""
        return max(0.05, math.cos(math.radians((self.south + self.north) / 2)))


def _event(events: Iterable[str]) -> str:
    ranked = [e for e in events if e in EVENTS]
    return min(ranked, key=EVENTS.index) if ranked else "scene"


def front_map(
    items: Iterable[FrontlineItem],
    *,
    context: Iterable[str] = (),
    theatres: Theatres | None = None,
    index: GeoIndex | None = None,
    max_points: int = 30,
) -> FrontMap | None:
    """The map of ``items``' places, or ``None`` when none of them can be located.

    ``context`` are country codes the places are expected in (the briefing's theatre); at most
    ``max_points`` places are drawn, the most reported first (ties: the first named).
    """
    events: dict[str, list[str]] = {}
    for item in items:
        for place in item.places:
            events.setdefault(place.strip(), []).append(item.event)
    names = [n for n in events if n]
    if not names:
        return None
    geo = geocode(names, context=context, index=index, theatres=theatres)
    unplaced = list(geo.missing)
    located: list[MapPoint] = []
    for loc in geo.found:
        if loc.kind == COUNTRY or is_area_name(loc.name):
            continue  # an area is the map's frame, not a point on it
        if loc.lat is None or loc.lon is None:
            unplaced.append(loc.name)
            continue
        named = events.get(loc.name, [])
        located.append(MapPoint(loc.name, loc.lat, loc.lon, _event(named), len(named)))
    if not located:
        return None
    # The middle of the front: the median point, which a few far places do not move.
    mid = (_median([p.lat for p in located]), _median([p.lon for p in located]))
    near = [p for p in located if distance_km((p.lat, p.lon), mid) <= BEYOND_KM]
    beyond = [p.name for p in located if p not in near]
    order = sorted(range(len(near)), key=lambda i: (-near[i].reports, i))
    points = tuple(near[i] for i in order[:max_points])
    west, east, south, north = _frame(points)
    return FrontMap(points, west, east, south, north, tuple(unplaced), tuple(beyond))


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    return ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2


def _frame(points: tuple[MapPoint, ...]) -> tuple[float, float, float, float]:
    """West, east, south, north around ``points``: padded, at least ``_MIN_SPAN_KM`` high, and
    widened on the short side to the ``_ASPECT`` of the picture."""
    lats = [p.lat for p in points]
    lons = [p.lon for p in points]
    mid_lat = (min(lats) + max(lats)) / 2
    mid_lon = (min(lons) + max(lons)) / 2
    x = max(0.05, math.cos(math.radians(mid_lat)))
    height_km = (max(lats) - min(lats)) * 111.2 * (1 + 2 * _PAD)
    width_km = (max(lons) - min(lons)) * 111.2 * x * (1 + 2 * _PAD)
    height_km = max(height_km, _MIN_SPAN_KM, width_km / _ASPECT)
    width_km = max(width_km, height_km * _ASPECT)
    half_lat = height_km / 111.2 / 2
    half_lon = width_km / (111.2 * x) / 2
    south = max(-89.0, mid_lat - half_lat)
    north = min(89.0, mid_lat + half_lat)
    return mid_lon - half_lon, mid_lon + half_lon, south, north
