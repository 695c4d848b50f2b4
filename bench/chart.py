"""An SVG bar chart of throughput relative to oxigraph, written by hand (no plotting library).

One group of horizontal bars per workload; the axis is logarithmic, with oxigraph at 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

COLOURS = {"shkg": "#1f77b4", "rdflib-endpoint": "#ff7f0e"}
LOW, HIGH = 0.001, 100.0  # the axis, in multiples of oxigraph's throughput
LEFT, RIGHT, TOP = 190, 40, 60
PLOT = 520
BAR, GAP = 14, 12


@dataclass(frozen=True)
class Bar:
    group: str
    series: str
    value: float | None  # ratio to oxigraph; None: nothing measured


def _x(value: float) -> float:
    clamped = min(max(value, LOW), HIGH)
    return LEFT + PLOT * (math.log10(clamped) - math.log10(LOW)) / (
        math.log10(HIGH) - math.log10(LOW)
    )


def write_chart(path: Path, bars: list[Bar]) -> None:
    groups = list(dict.fromkeys(bar.group for bar in bars))
    series = list(dict.fromkeys(bar.series for bar in bars))
    height = TOP + len(groups) * (len(series) * BAR + GAP) + 50
    width = LEFT + PLOT + RIGHT
    out = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">'
        ),
        f'<rect width="{width}" height="{height}" fill="white"/>',
        (
            f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">'
            "Throughput relative to oxigraph serve-read-only (log scale)</text>"
        ),
    ]
    bottom = height - 40
    for exponent in range(int(math.log10(LOW)), int(math.log10(HIGH)) + 1):
        tick = 10.0**exponent
        x = _x(tick)
        colour = "#000" if tick == 1 else "#ddd"
        out.append(
            f'<line x1="{x:.1f}" y1="{TOP - 10}" x2="{x:.1f}" y2="{bottom}" stroke="{colour}"/>'
        )
        out.append(f'<text x="{x:.1f}" y="{bottom + 15}" text-anchor="middle">{tick:g}x</text>')
    out.append(f'<text x="{_x(1):.1f}" y="{TOP - 14}" text-anchor="middle">oxigraph</text>')
    y = TOP
    for group in groups:
        out.append(
            f'<text x="{LEFT - 8}" y="{y + len(series) * BAR / 2 + 4:.1f}" '
            f'text-anchor="end">{escape(group)}</text>'
        )
        for name in series:
            bar = next((b for b in bars if b.group == group and b.series == name), None)
            if bar is not None and bar.value is not None:
                end = _x(bar.value)
                start = _x(LOW)
                out.append(
                    f'<rect x="{start:.1f}" y="{y}" width="{end - start:.1f}" height="{BAR - 2}" '
                    f'fill="{COLOURS.get(name, "#888")}"><title>{escape(name)}: '
                    f"{bar.value:.3g}x</title></rect>"
                )
                out.append(
                    f'<text x="{end + 4:.1f}" y="{y + BAR - 4}" font-size="10">'
                    f"{bar.value:.2g}x</text>"
                )
            y += BAR
        y += GAP
    legend_x = LEFT
    for name in series:
        out.append(
            f'<rect x="{legend_x}" y="{height - 18}" width="12" height="12" '
            f'fill="{COLOURS.get(name, "#888")}"/>'
        )
        out.append(f'<text x="{legend_x + 16}" y="{height - 8}">{escape(name)}</text>')
        legend_x += 160
    out.append("</svg>")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
