"""The /forces chart: values parsed from normalized figures, a PNG drawn with Agg."""

from __future__ import annotations

import pytest

from bot.commands.chart import figure_value, forces_chart, ratio_value
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
        ForceItem("some 45,000 troops", "troops", "45000", (2,)),
        ForceItem("1,200 men a day", "casualties", "1200/day", (3,)),
    )
    png = forces_chart(items, "A title with $5 and 50% _under_")
    assert png is not None and png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) > 5000
