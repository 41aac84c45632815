"""The map of the front: which places become points (briefings.frontmap) and how they are drawn
(bot.commands.front_map): markers where the places are, names that do not overlap, the places
that could not be located listed under the map."""

from __future__ import annotations

import io

import pytest

from bot.commands.front_map import (
    _overlaps,
    _resolution,
    _shapes,
    draw_front_map,
    front_map_png,
)
from briefings.frontmap import EVENTS, front_map
from briefings.model import FrontlineItem


def _item(text: str, *places: str, event: str = "scene") -> FrontlineItem:
    return FrontlineItem(text=text, places=places, sentences=(0,), event=event)  # type: ignore[arg-type]


def test_each_located_place_is_a_point_with_the_strongest_event_named_there() -> None:
    front = front_map(
        [
            _item("Shelling hit Kramatorsk overnight.", "Kramatorsk", event="attacked"),
            _item("Troops took Siversk after weeks of fighting.", "Siversk", event="seized"),
            _item("Sirens sounded again in Kramatorsk.", "Kramatorsk", event="scene"),
        ]
    )
    assert front is not None
    points = {p.name: p for p in front.points}
    assert points["Kramatorsk"].event == "attacked"  # attacked outranks a mere mention
    assert points["Kramatorsk"].reports == 2
    assert points["Siversk"].event == "seized"
    assert front.points[0].name == "Kramatorsk"  # the most reported first
    assert points["Kramatorsk"].lat == pytest.approx(48.72, abs=0.05)
    # The frame holds every point, with room around it.
    for p in front.points:
        assert front.west < p.lon < front.east and front.south < p.lat < front.north


def test_unknown_places_are_listed_never_guessed_and_areas_are_not_points() -> None:
    front = front_map(
        [
            _item("Fighting went on near Zorvanka Brod.", "Zorvanka Brod"),
            _item("Drones struck Kherson and its region.", "Kherson", "Kherson region"),
            _item("Ukraine said the line held.", "Ukraine", event="held"),
        ]
    )
    assert front is not None
    assert [p.name for p in front.points] == ["Kherson"]
    assert front.unplaced == ("Zorvanka Brod",)


def test_a_place_far_from_the_front_is_listed_not_drawn() -> None:
    # Two front towns and a capital 2,000 km away where a decision was announced: drawn, the
    # capital would shrink the front to a dot.
    front = front_map(
        [
            _item("Troops advanced towards Kupiansk.", "Kupiansk", event="moved"),
            _item("Kharkiv was shelled.", "Kharkiv", event="attacked"),
            _item("Shelling near Izium.", "Izium"),
            _item("Talks in Madrid went nowhere.", "Madrid"),
        ]
    )
    assert front is not None
    assert "Madrid" not in [p.name for p in front.points]
    assert front.beyond == ("Madrid",)
    assert front.north - front.south < 5


def test_nothing_located_gives_no_map() -> None:
    assert front_map([_item("Fighting near Zorvanka Brod.", "Zorvanka Brod")]) is None
    assert front_map([]) is None
    assert front_map_png(None) is None


def test_a_lone_town_is_shown_with_its_surroundings() -> None:
    front = front_map([_item("Fighting near Sudzha.", "Sudzha")])
    assert front is not None
    assert front.north - front.south >= 1.0  # at least ~110 km tall, not a dot
    assert _resolution(front) == "i"


def test_the_map_data_is_read_from_the_installed_package() -> None:
    coast = _shapes("gshhs", "c")
    assert len(coast) > 100
    # A box around the Sea of Azov holds land (level 1) and at least one coastline shape.
    assert coast.within(35.0, 39.0, 45.0, 47.5)
    borders = _shapes("countries", "l")
    assert borders.within(30.0, 40.0, 44.0, 53.0)


def _crowded() -> list[FrontlineItem]:
    towns = [
        "Kramatorsk",
        "Sloviansk",
        "Druzhkivka",
        "Kostiantynivka",
        "Bakhmut",
        "Toretsk",
        "Pokrovsk",
        "Myrnohrad",
        "Siversk",
        "Lyman",
        "Izium",
        "Horlivka",
        "Donetsk",
        "Avdiivka",
        "Selydove",
    ]
    return [
        _item(f"Fighting near {t}.", t, event=EVENTS[i % len(EVENTS)]) for i, t in enumerate(towns)
    ]


def test_names_never_overlap_and_markers_are_where_the_places_are() -> None:
    front = front_map(_crowded())
    assert front is not None
    drawn = draw_front_map(front, "Fifteen towns of one front")
    from PIL import Image

    image = Image.open(io.BytesIO(drawn.png))
    assert image.format == "PNG" and image.size == (800, 660)
    boxes = [label.box for label in drawn.labels]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not _overlaps(a, b)
    # Every place is marked: labelled, or listed under the map when its name did not fit.
    assert {label.name for label in drawn.labels} | set(drawn.unlabelled) == {
        p.name for p in front.points
    }
    assert len(drawn.labels) >= 10
    # The markers keep the places' geography: Sloviansk is north of Kramatorsk, Pokrovsk west
    # of Donetsk; each name sits next to its own marker.
    at = {name: (x, y) for name, x, y in drawn.markers}
    assert at["Sloviansk"][1] > at["Kramatorsk"][1]
    assert at["Pokrovsk"][0] < at["Donetsk"][0]
    for label in drawn.labels:
        x, y = at[label.name]
        x0, y0, x1, y1 = label.box
        assert x0 - 20 <= x <= x1 + 20 and y0 - 20 <= y <= y1 + 20


def test_article_text_on_the_map_is_never_markup() -> None:
    # A dollar sign would start matplotlib's math mode: "$x$" must be drawn as it is, not fail.
    front = front_map([_item("Strikes on Kharkiv.", "Kharkiv", event="attacked")])
    assert front is not None
    png = front_map_png(front, "A $5 billion $\\frac{1}{2}$ pledge " + "x" * 500)
    assert png is not None and png.startswith(b"\x89PNG")


def test_names_that_fit_nowhere_are_listed_under_the_map() -> None:
    from briefings.frontmap import FrontMap, MapPoint

    points = tuple(
        MapPoint(f"Hamlet number {i}", 48.0 + 0.004 * i, 37.0 + 0.004 * i, "scene", 1)
        for i in range(25)
    )
    front = FrontMap(points, 36.6, 37.5, 47.8, 48.45)
    drawn = draw_front_map(front)
    assert drawn.unlabelled  # 25 names on a 50 km diagonal cannot all be written
    assert len(drawn.labels) + len(drawn.unlabelled) == 25
    boxes = [label.box for label in drawn.labels]
    assert not any(_overlaps(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
