"""The /forces chart: the figures of a briefing that can be compared, as a PNG drawn with
matplotlib's Agg: ratios with ratios, troops with troops, losses a day with losses a day, each
kind on its own linear scale; no chart where no kind has two figures (one bar says nothing).

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
    return bool(_panels(items))


# One panel a kind of figure, in this order: only like is compared with like.
_PANEL_TITLES = {
    ("ratio", ""): "Force ratios (x to 1)",
    ("troops", ""): "Troops",
    ("casualties", ""): "Losses",
    ("casualties", "/day"): "Losses a day",
    ("equipment", ""): "Equipment",
}
_SUFFIX = re.compile(r"^-?\d+(?:\.\d+)?(.*)$")
_MAX_BARS = 8


def _panels(items: tuple[ForceItem, ...]) -> list[tuple[str, list[tuple[str, float]]]]:
    """The panels worth drawing: one a kind of figure (a ratio with ratios, troops with troops,
    losses a day with losses a day), each of two values or more; a lone figure of its kind is
    clearer as the line it is, so it is not drawn."""
    groups: dict[tuple[str, str], list[tuple[str, float]]] = {}
    for item in items:
        if item.kind == "ratio":
            value = ratio_value(item.value)
            key = ("ratio", "")
        else:
            m = _SUFFIX.match(item.value.replace(",", ""))
            value = figure_value(item.value)
            key = (item.kind, m.group(1) if m else "")
        if value is None or value <= 0 or key not in _PANEL_TITLES:
            continue
        group = groups.setdefault(key, [])
        label = _label(item)
        if all(label != known for known, _ in group) and len(group) < _MAX_BARS:
            group.append((label, value))
    return [
        (title, groups[key])
        for key, title in _PANEL_TITLES.items()
        if len(groups.get(key, [])) >= 2
    ]


def forces_chart(items: tuple[ForceItem, ...], title: str | None = None) -> bytes | None:
    """A PNG of the figures that can be compared, a panel per kind on its own linear scale;
    None when no kind has two figures to compare."""
    panels = _panels(items)
    if not panels:
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    rows = [0.6 + 0.42 * len(bars) for _, bars in panels]
    fig = Figure(figsize=(9, 0.7 + sum(rows)), dpi=100, layout="constrained")
    axes = fig.subplots(len(panels), 1, squeeze=False, height_ratios=rows)[:, 0]
    for ax, (heading, bars) in zip(axes, panels, strict=True):
        labels = [label for label, _ in bars][::-1]
        values = [v for _, v in bars][::-1]
        is_ratio = heading.startswith("Force ratios")
        ax.barh(labels, values, height=0.55, color="#c0392b" if is_ratio else "#2c3e50")
        ax.set_title(heading, fontsize=10, loc="left")
        for y, v in enumerate(values):
            shown = f" {v:g}:1" if is_ratio else f" {v:,.0f}"
            ax.text(v, y, shown, va="center", fontsize=8)
        ax.set_xlim(0, max(values) * 1.18)
        ax.tick_params(labelsize=8)
        ax.spines[["top", "right"]].set_visible(False)
    if title:
        fig.suptitle(title[:90].replace("$", r"\$"), fontsize=11)
    buf = io.BytesIO()
    with _LOCK:
        fig.savefig(buf, format="png")
    return buf.getvalue()
