"""The /forces chart: values parsed from normalized figures, a PNG drawn with Agg."""

from __future__ import annotations

import pytest

from bot.commands.chart import _panels, figure_value, forces_chart, ratio_value
from briefings.model import ForceItem


@pytest.mark.parametrize(
    ("value", "expected"), [("10:1", 10.0), ("3:2", 1.5), ("1:0", None), ("45000", None)]
)
def test_ratio_value(value: str, expected: float | None) -> None:
    assert ratio_value(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("45000", 45000.0),
        ("1,200/day", 1200.0),
        ("0.5", 0.5),
        ("8000-9000", 8000.0),
        ("half", None),
        ("250 kg", None),
        ("1 t", None),
        ("50%", None),
    ],
)
def test_figure_value(value: str, expected: float | None) -> None:
    assert figure_value(value) == expected


def test_nothing_to_draw_gives_no_chart() -> None:
    assert forces_chart(()) is None
    assert forces_chart((ForceItem("nearly half the territory", "territory", "0.5", (1,)),)) is None


def test_chart_is_a_png_even_with_math_characters_in_labels() -> None:
    items = (
        ForceItem("outnumbered 10-to-1 ($ signs $x^2$ here)", "ratio", "10:1", (1,)),
        ForceItem("3 to 1 further south, _under_", "ratio", "3:1", (2,)),
    )
    png = forces_chart(items, "A title with $5 and 50% _under_")
    assert png is not None and png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) > 5000


def test_like_is_compared_with_like_and_a_lone_figure_is_not_drawn() -> None:
    items = (
        ForceItem("outnumbered 10 to 1 near the dam", "ratio", "10:1", (1,)),
        ForceItem("3 to 1 further south", "ratio", "3:1", (2,)),
        ForceItem("some 45,000 troops", "troops", "45000", (3,)),
        ForceItem("another 10,000 troops in reserve", "troops", "10000", (4,)),
        ForceItem("1,200 men a day", "casualties", "1200/day", (5,)),  # alone of its kind
        ForceItem("5,000 killed in all", "casualties", "5000", (6,)),  # a total, not a rate
        ForceItem("a 300-mile front", "territory", "300 mi", (7,)),  # not a count
    )
    assert [(title, [v for _, v in bars]) for title, bars in _panels(items)] == [
        ("Force ratios (x to 1)", [10.0, 3.0]),
        ("Troops", [45000.0, 10000.0]),
    ]
    # One figure of each kind: a chart of unrelated bars says nothing, so there is none.
    lone = (items[0], items[2], items[4], items[6])
    assert not _panels(lone) and forces_chart(lone) is None
