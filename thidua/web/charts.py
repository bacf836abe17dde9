"""Server-rendered SVG charts: geometry here, markup in templates/_charts.html (autoescaped).

No script and no style attribute: colours come from CSS classes (``s0`` … ``s7``) in app.css,
as the Content-Security-Policy allows styles from the app's own files only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

WIDTH: Final = 720
HEIGHT: Final = 260
LEFT, BOTTOM, TOP = 40, 30, 10
SERIES_CLASSES: Final = 8


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    w: float
    h: float
    cls: str
    title: str


@dataclass(slots=True)
class Chart:
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    labels: list[tuple[float, str]] = field(default_factory=list)  # x, text under the axis
    ticks: list[tuple[float, int]] = field(default_factory=list)  # y, value
    legend: list[tuple[str, str]] = field(default_factory=list)  # class, name
    empty: bool = True


def _ticks(top: int, plot_h: float) -> list[tuple[float, int]]:
    step = max(1, round(top / 4))
    return [(TOP + plot_h - plot_h * v / top, v) for v in range(0, top + 1, step)]


def stacked_bars(data: dict[str, dict[str, int]], *, top_series: int = SERIES_CLASSES - 1) -> Chart:
    """Return a stacked bar chart: one bar per category (in the order given), one colour per series.

    The `top_series` series with the largest totals get their own colour; the rest are stacked
    together as "others".
    """
    chart = Chart(WIDTH, HEIGHT)
    if not data or not any(data.values()):
        return chart
    totals: dict[str, int] = {}
    for values in data.values():
        for name, n in values.items():
            totals[name] = totals.get(name, 0) + n
    named = [n for n, _ in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:top_series]]
    highest = max(sum(v.values()) for v in data.values())
    plot_w, plot_h = WIDTH - LEFT - 10, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(data)
    bar_w = max(2.0, slot * 0.7)
    for i, (category, values) in enumerate(data.items()):
        x = LEFT + i * slot + (slot - bar_w) / 2
        base: float = TOP + plot_h
        groups = [(name, values.get(name, 0), f"s{k}") for k, name in enumerate(named)]
        others = sum(n for name, n in values.items() if name not in named)
        groups.append(("others", others, f"s{len(named)}"))
        for name, n, cls in groups:
            if not n:
                continue
            h = plot_h * n / highest
            base -= h
            chart.bars.append(
                Bar(round(x, 1), round(base, 1), round(bar_w, 1), round(h, 1), cls, f"{category}: {name} {n}")
            )
        chart.labels.append((round(x + bar_w / 2, 1), category))
    chart.ticks = [(round(y, 1), v) for y, v in _ticks(highest, plot_h)]
    chart.legend = [(f"s{k}", name) for k, name in enumerate(named)]
    if len(totals) > len(named):
        chart.legend.append((f"s{len(named)}", "others"))
    chart.empty = False
    return chart
