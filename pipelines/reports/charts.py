"""Inline SVG charts: the report must open offline and in any mail client's browser, so
no chart library, no script, no external file. Coordinates are rounded so the same
figures always give the same markup."""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

BRAND_COLOURS = ("#1b5e91", "#c8553d", "#2a7f62", "#8a4fa3", "#b8860b")
COMPETITOR_COLOURS = ("#7d8591", "#a3a9b1", "#5c636b", "#babfc5")
FONT = "font-family:Helvetica,Arial,sans-serif"


def colours(handles_by_role: list[tuple[str, str]]) -> dict[str, str]:
    """A stable colour per account: strong colours for brands, greys for competitors."""
    out: dict[str, str] = {}
    brand = competitor = 0
    for handle, role in handles_by_role:
        if role == "brand":
            out[handle] = BRAND_COLOURS[brand % len(BRAND_COLOURS)]
            brand += 1
        else:
            out[handle] = COMPETITOR_COLOURS[competitor % len(COMPETITOR_COLOURS)]
            competitor += 1
    return out


@dataclass(frozen=True)
class Series:
    label: str
    colour: str
    points: list[tuple[float, float | None]]  # (x, y); None leaves a gap
    dashed: bool = False


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _nice_max(value: float) -> float:
    """The top of an axis with four equal, round steps (0, 15, 30, 45, 60)."""
    if value <= 0:
        return 1.0
    step = value / 4
    magnitude = 10 ** math.floor(math.log10(step))
    for nice in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step <= nice * magnitude:
            return 4 * nice * magnitude
    return 40 * magnitude


def line_chart(
    series: list[Series],
    x_ticks: list[tuple[float, str]],
    y_format,
    title: str,
    width: int = 900,
    height: int = 240,
    y_max: float | None = None,
) -> str:
    """Counts and rates: the y axis always starts at zero, so a small dip looks small
    (a 0.04% loss of followers drawn on a zoomed axis looks like a crash)."""
    left, right, top, bottom = 64, 40, 28, 36
    xs = [x for s in series for x, _ in s.points] + [x for x, _ in x_ticks]
    ys = [y for s in series for _, y in s.points if y is not None]
    if not xs or not ys:
        return _empty(title, width, height)
    x0, x1 = min(xs), max(xs)
    lo = 0.0
    hi = y_max if y_max is not None else _nice_max(max(ys))
    if hi <= lo:
        hi = lo + 1
    plot_w, plot_h = width - left - right, height - top - bottom

    def px(x: float) -> float:
        return left + (plot_w * (x - x0) / (x1 - x0) if x1 > x0 else plot_w / 2)

    def py(y: float) -> float:
        return top + plot_h * (1 - (y - lo) / (hi - lo))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">',
        f'<text x="{left}" y="16" style="{FONT};font-size:13px;font-weight:bold" '
        f'fill="#222">{escape(title)}</text>',
    ]
    for i in range(5):
        y = lo + (hi - lo) * i / 4
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{_n(py(y))}" y2="{_n(py(y))}" '
            'stroke="#e3e6ea" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{_n(py(y) + 4)}" text-anchor="end" '
            f'style="{FONT};font-size:11px" fill="#555">{escape(y_format(y))}</text>'
        )
    for x, label in x_ticks:
        parts.append(
            f'<text x="{_n(px(x))}" y="{height - bottom + 16}" text-anchor="middle" '
            f'style="{FONT};font-size:11px" fill="#555">{escape(label)}</text>'
        )
    for s in series:
        runs: list[list[tuple[float, float]]] = [[]]
        for x, y in s.points:
            if y is None:
                runs.append([])
            else:
                runs[-1].append((px(x), py(y)))
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        for run in runs:
            if len(run) > 1:
                path = " ".join(f"{_n(x)},{_n(y)}" for x, y in run)
                parts.append(
                    f'<polyline points="{path}" fill="none" stroke="{s.colour}" '
                    f'stroke-width="2.2"{dash}/>'
                )
            for x, y in run:
                parts.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="3" fill="{s.colour}"/>')
    parts.append("</svg>")
    return "".join(parts)


def legend(items: list[tuple[str, str, bool]]) -> str:
    """(label, colour, dashed) as an HTML legend line."""
    spans = []
    for label, colour, dashed in items:
        style = "dashed" if dashed else "solid"
        spans.append(
            f'<span class="key"><span class="swatch" style="border-top:3px {style} '
            f'{colour}"></span>{escape(label)}</span>'
        )
    return '<div class="legend">' + "".join(spans) + "</div>"


def stacked_bars(
    rows: list[tuple[str, list[tuple[float, str, str]]]], title: str, width: int = 900
) -> str:
    """One horizontal 100% bar per account: (label, [(value, colour, segment name)])."""
    left, right, top, bar_h, gap = 140, 16, 28, 22, 12
    height = top + len(rows) * (bar_h + gap) + 8
    plot_w = width - left - right
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">',
        f'<text x="{left}" y="16" style="{FONT};font-size:13px;font-weight:bold" '
        f'fill="#222">{escape(title)}</text>',
    ]
    for i, (label, segments) in enumerate(rows):
        y = top + i * (bar_h + gap)
        parts.append(
            f'<text x="{left - 8}" y="{y + bar_h - 6}" text-anchor="end" '
            f'style="{FONT};font-size:12px" fill="#222">{escape(label)}</text>'
        )
        total = sum(v for v, _, _ in segments)
        if total <= 0:
            parts.append(
                f'<text x="{left}" y="{y + bar_h - 6}" style="{FONT};font-size:12px" '
                'fill="#777">no posts in the period</text>'
            )
            continue
        x = float(left)
        for value, colour, name in segments:
            w = plot_w * value / total
            if w <= 0:
                continue
            parts.append(
                f'<rect x="{_n(x)}" y="{y}" width="{_n(w)}" height="{bar_h}" fill="{colour}">'
                f"<title>{escape(name)}: {value:g} ({value / total:.0%})</title></rect>"
            )
            if w > 34:
                parts.append(
                    f'<text x="{_n(x + w / 2)}" y="{y + bar_h - 7}" text-anchor="middle" '
                    f'style="{FONT};font-size:11px" fill="#fff">{value / total:.0%}</text>'
                )
            x += w
    parts.append("</svg>")
    return "".join(parts)


def _empty(title: str, width: int, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">'
        f'<text x="16" y="16" style="{FONT};font-size:13px;font-weight:bold">{escape(title)}'
        f'</text><text x="16" y="48" style="{FONT};font-size:12px" fill="#777">'
        "no data in the period</text></svg>"
    )
