"""Inline SVG charts, drawn in Python: no JavaScript, no external file, works offline.

Each chart is one ``<svg class="chart" data-chart="…">`` element with a ``<title>`` (for
screen readers and the tests) and plain shapes; text uses the page's CJK font stack.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

__all__ = [
    "PALETTE",
    "Bar",
    "Funnel",
    "HeatPanel",
    "Series",
    "bar_chart",
    "funnel_grid",
    "heatmap",
    "line_chart",
    "rate_colour",
]

PALETTE = ("#2f6690", "#3a7d44", "#d9822b", "#9c3d54", "#6c5b7b", "#3d9fa8", "#b5a642")
_FONT = "font-family=\"'Noto Sans CJK SC','Noto Sans SC','WenQuanYi Micro Hei',sans-serif\""


def _svg(kind: str, title: str, width: int, height: int, body: list[str]) -> str:
    return (
        f'<svg class="chart" data-chart="{escape(kind)}" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'{_FONT} font-size="12">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def _text(x: float, y: float, text: str, **attrs: str | float) -> str:
    extra = " ".join(f'{k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}" {extra}>{escape(text)}</text>'


def _rect(x: float, y: float, w: float, h: float, fill: str, tip: str | None = None) -> str:
    inner = f"<title>{escape(tip)}</title>" if tip else ""
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{h:.1f}" '
        f'fill="{fill}" rx="2">{inner}</rect>'
    )


# -- funnel ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Funnel:
    """One unit's closed loop: stage labels with counts, widest first."""

    label: str
    stages: Sequence[tuple[str, int]]


def funnel_grid(title: str, funnels: Sequence[Funnel], *, columns: int = 5) -> str:
    """Small multiples: one centred funnel per unit, stage bars scaled to the first stage."""
    cell_w, bar_h, gap = 190, 16, 3
    stages = max((len(f.stages) for f in funnels), default=1)
    cell_h = 28 + stages * (bar_h + gap) + 10
    rows = max(1, -(-len(funnels) // columns))
    width, height = columns * cell_w + 10, rows * cell_h + 10
    body: list[str] = []
    for n, funnel in enumerate(funnels):
        x0 = 5 + (n % columns) * cell_w
        y0 = 5 + (n // columns) * cell_h
        body.append(
            _text(x0 + cell_w / 2, y0 + 16, funnel.label, text_anchor="middle", font_weight="bold")
        )
        top = max((v for _, v in funnel.stages[:1]), default=0) or 1
        for k, (stage, value) in enumerate(funnel.stages):
            w = (cell_w - 20) * min(value / top, 1.0)
            y = y0 + 26 + k * (bar_h + gap)
            x = x0 + (cell_w - w) / 2
            body.append(_rect(x, y, w, bar_h, PALETTE[k % len(PALETTE)], f"{stage}: {value}"))
            body.append(
                _text(
                    x0 + cell_w / 2,
                    y + 12,
                    f"{stage} {value}",
                    text_anchor="middle",
                    fill="#fff" if w > 90 else "#222",
                    font_size=11,
                )
            )
    return _svg("funnel", title, width, height, body)


# -- heatmap of rates -------------------------------------------------------------------------
@dataclass(frozen=True)
class HeatPanel:
    """A rate per row and month: values in 0..1 or None (nothing counted), with samples."""

    title: str
    rows: Sequence[str]
    columns: Sequence[str]
    values: Sequence[Sequence[float | None]]
    samples: Sequence[Sequence[int]]


def rate_colour(value: float | None) -> str:
    """Red (0 %) through amber (50 %) to green (100 %); grey when nothing was counted."""
    if value is None:
        return "#e6e6e6"
    stops = (
        (0.0, (215, 48, 39)),
        (0.5, (253, 174, 97)),
        (0.8, (217, 239, 139)),
        (1.0, (26, 152, 80)),
    )
    v = min(max(value, 0.0), 1.0)
    for (a, ca), (b, cb) in itertools.pairwise(stops):
        if v <= b:
            t = (v - a) / (b - a)
            r, g, bl = (round(ca[i] + (cb[i] - ca[i]) * t) for i in range(3))
            return f"#{r:02x}{g:02x}{bl:02x}"
    return "#1a9850"


def heatmap(kind: str, title: str, panels: Sequence[HeatPanel]) -> str:
    """Panels stacked top to bottom; each cell shows the rate and its colour."""
    cols = max((len(p.columns) for p in panels), default=0)
    label_w, cell_h = 170, 20
    cell_w = max(58, min(120, 720 // max(cols, 1)))  # few months: wider cells
    width = label_w + cols * cell_w + 10
    body: list[str] = []
    y = 4
    for panel in panels:
        body.append(_text(4, y + 14, panel.title, font_weight="bold", font_size=13))
        y += 22
        for c, month in enumerate(panel.columns):
            body.append(
                _text(
                    label_w + c * cell_w + cell_w / 2,
                    y + 10,
                    month,
                    text_anchor="middle",
                    fill="#555",
                    font_size=10,
                )
            )
        y += 14
        for r, row in enumerate(panel.rows):
            body.append(_text(label_w - 6, y + 14, row, text_anchor="end", font_size=11))
            for c, month in enumerate(panel.columns):
                value = panel.values[r][c]
                sample = panel.samples[r][c]
                text = "–" if value is None else f"{value * 100:.0f}%"
                tip = f"{row} {month}: {text} (n={sample})"
                x = label_w + c * cell_w
                body.append(_rect(x + 1, y + 1, cell_w - 2, cell_h - 2, rate_colour(value), tip))
                body.append(
                    _text(
                        x + cell_w / 2,
                        y + 14,
                        text,
                        text_anchor="middle",
                        font_size=10,
                        fill="#222",
                    )
                )
            y += cell_h
        y += 10
    return _svg(kind, title, width, y + 4, body)


# -- bars -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Bar:
    label: str
    parts: Sequence[float]


def bar_chart(
    kind: str,
    title: str,
    series: Sequence[str],
    bars: Sequence[Bar],
    *,
    unit: str = "",
    colours: Sequence[str] = PALETTE,
) -> str:
    """Horizontal stacked bars with a legend; the value of each bar is printed after it."""
    label_w, plot_w, bar_h, gap = 170, 460, 18, 6
    top = 30
    height = top + max(1, len(bars)) * (bar_h + gap) + 10
    width = label_w + plot_w + 110
    peak = max((sum(b.parts) for b in bars), default=0) or 1
    body: list[str] = []
    x = 4.0
    for k, name in enumerate(series):
        body.append(_rect(x, 6, 12, 12, colours[k % len(colours)]))
        body.append(_text(x + 16, 16, name, font_size=11))
        x += 24 + 12 * len(name) + 10
    for n, bar in enumerate(bars):
        y = top + n * (bar_h + gap)
        body.append(_text(label_w - 6, y + 13, bar.label, text_anchor="end", font_size=11))
        x = float(label_w)
        for k, value in enumerate(bar.parts):
            w = plot_w * value / peak
            tip = f"{bar.label} · {series[k]}: {_fmt(value)}{unit}"
            body.append(_rect(x, y, w, bar_h, colours[k % len(colours)], tip))
            x += w
        body.append(
            _text(x + 6, y + 13, f"{_fmt(sum(bar.parts))}{unit}", font_size=11, fill="#333")
        )
    if not bars:
        body.append(_text(label_w, top + 14, "（无数据 no data）", fill="#777"))
    return _svg(kind, title, width, height, body)


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 or value == int(value) else f"{value:,.1f}"


# -- lines ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]


def line_chart(kind: str, title: str, columns: Sequence[str], series: Sequence[Series]) -> str:
    """Monthly lines with dots and a legend."""
    left, right, top, bottom = 50, 30, 34, 30
    legend_w = sum(30 + 12 * len(s.name) for s in series)
    plot_w, plot_h = max(90 * len(columns), 640, legend_w), 220
    width, height = left + plot_w + right, top + plot_h + bottom
    peak = max((v for s in series for v in s.values), default=0) or 1
    body: list[str] = []
    for k in range(5):
        v = peak * k / 4
        y = top + plot_h - plot_h * k / 4
        body.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
        )
        body.append(_text(left - 6, y + 4, _fmt(v), text_anchor="end", font_size=10, fill="#666"))
    step = plot_w / max(len(columns) - 1, 1)
    for c, month in enumerate(columns):
        body.append(
            _text(
                left + c * step,
                top + plot_h + 18,
                month,
                text_anchor="middle",
                font_size=10,
                fill="#555",
            )
        )
    x = float(left)
    for k, s in enumerate(series):
        colour = PALETTE[k % len(PALETTE)]
        body.append(_rect(x, 8, 12, 12, colour))
        body.append(_text(x + 16, 18, s.name, font_size=11))
        x += 30 + 12 * len(s.name)
        points = [
            (left + c * step, top + plot_h - plot_h * v / peak) for c, v in enumerate(s.values)
        ]
        if points:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            body.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
        for (px, py), v, month in zip(points, s.values, columns, strict=True):
            body.append(
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}">'
                f"<title>{escape(s.name)} {month}: {_fmt(v)}</title></circle>"
            )
    return _svg(kind, title, width, height, body)
