"""Server-rendered, accessible SVG bar charts: no script, and the table is the alternative."""

from __future__ import annotations

from dataclasses import dataclass

from .suppression import SECONDARY_LABEL, Cell

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 16, 48


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: str
    hidden: bool
    label_x: float
    description: str


def bar_chart(*, labels: list[str], cells: list[Cell]) -> dict:
    """Geometry for a bar chart of suppressed counts. A hidden count has no bar: a bar's
    height would give the number away, so it is marked at the baseline instead: "<5" for
    a count from 1 to 4, "hidden" for one hidden so that a total cannot reveal another."""
    shown = [c.value for c in cells if not c.hidden]
    top = max([5, *shown])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(cells), 1)
    bars = []
    for i, (label, cell) in enumerate(zip(labels, cells, strict=True)):
        h = 0 if cell.hidden else plot_h * cell.value / top
        x = LEFT + i * slot + slot * 0.15
        bars.append(
            Bar(
                x=round(x, 1),
                y=round(TOP + plot_h - h, 1),
                width=round(slot * 0.7, 1),
                height=round(h, 1),
                label=label,
                value=("<5" if cell.primary else str(SECONDARY_LABEL)) if cell.hidden else str(cell.value),
                hidden=cell.hidden,
                description=str(cell),
                label_x=round(x + slot * 0.35, 1),
            )
        )
    ticks = [{"value": v, "y": round(TOP + plot_h - plot_h * v / top, 1)} for v in sorted({0, top // 2, top})]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "bars": bars,
        "ticks": ticks,
        "left": LEFT,
        "baseline": TOP + plot_h,
        "right": WIDTH - RIGHT,
        "label_y": TOP + plot_h + 16,
    }
