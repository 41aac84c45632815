"""The /forces chart: ratios and figures of a briefing as a PNG, drawn with matplotlib's Agg.

matplotlib is imported on first use only, so that commands which draw nothing stay fast.
"""

from __future__ import annotations

import io
import re
import threading

from briefings.model import ForceItem

CHART_FILENAME = "forces.png"
_LOCK = threading.Lock()  # pyplot's state is global; one chart at a time
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?(?=$|[/-])")  # not "250 kg", "1 t", "50%"


def ratio_value(value: str) -> float | None:
    """``'10:1'`` -> 10.0; None when the value is not a ratio."""
    left, sep, right = value.partition(":")
    try:
        a, b = float(left), float(right)
    except ValueError:
        return None
    if not sep or b == 0:
        return None
    return a / b


def figure_value(value: str) -> float | None:
    """``'45000'`` -> 45000.0, ``'1200/day'`` -> 1200.0; None when no leading number."""
    m = _NUMBER.match(value.replace(",", ""))
    return float(m.group()) if m else None


def _label(item: ForceItem, width: int = 38) -> str:
    text = " ".join(item.text.split())
    text = text if len(text) <= width else text[: width - 1] + "…"
    return text.replace("$", r"\$")  # a dollar sign would start matplotlib's math mode


def chartable(items: tuple[ForceItem, ...]) -> bool:
    return any(_points(items))


def _points(
    items: tuple[ForceItem, ...],
) -> tuple[list[tuple[str, float]], list[tuple[str, float, str]]]:
    ratios: list[tuple[str, float]] = []
    figures: list[tuple[str, float, str]] = []
    for item in items:
        if item.kind == "ratio":
            r = ratio_value(item.value)
            if r is not None:
                ratios.append((_label(item), r))
        elif item.kind in ("troops", "casualties", "equipment", "rate"):
            f = figure_value(item.value)
            if f is not None and f > 0:
                figures.append((_label(item), f, item.kind))
    return ratios[:10], figures[:12]


def forces_chart(items: tuple[ForceItem, ...], title: str | None = None) -> bytes | None:
    """A PNG of the ratios (x to 1) and the figures (log scale); None when nothing to draw."""
    ratios, figures = _points(items)
    if not ratios and not figures:
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    panels = [p for p in (ratios, figures) if p]
    height = 1.2 + 0.38 * max(len(p) for p in panels)
    fig = Figure(figsize=(9, height), dpi=100, layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    k = 0
    if ratios:
        ax = axes[k]
        k += 1
        labels = [label for label, _ in ratios][::-1]
        values = [v for _, v in ratios][::-1]
        ax.barh(labels, values, height=0.5, color="#c0392b")
        ax.set_title("Force ratios (x to 1)", fontsize=10)
        for y, v in enumerate(values):
            ax.text(v, y, f" {v:g}:1", va="center", fontsize=8)
        ax.tick_params(labelsize=8)
    if figures:
        ax = axes[k]
        colors = {"troops": "#2c3e50", "casualties": "#8e44ad", "equipment": "#16a085"}
        labels = [label for label, _, _ in figures][::-1]
        values = [v for _, v, _ in figures][::-1]
        kinds = [kind for _, _, kind in figures][::-1]
        ax.barh(labels, values, color=[colors.get(kind, "#7f8c8d") for kind in kinds])
        ax.set_xscale("log")
        ax.set_title("Figures (log scale)", fontsize=10)
        for y, v in enumerate(values):
            ax.text(v, y, f" {v:,.0f}", va="center", fontsize=8)
        ax.tick_params(labelsize=8)
    if title:
        fig.suptitle(title[:90].replace("$", r"\$"), fontsize=11)
    buf = io.BytesIO()
    with _LOCK:
        fig.savefig(buf, format="png")
    return buf.getvalue()
