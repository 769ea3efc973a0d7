"""Small SVG bar charts, inline in HTML and in PDF (no plotting dependency)."""

from collections.abc import Sequence
from html import escape

__all__ = ["bar_chart", "column_chart", "line_chart", "sparkline", "stacked_bars"]

_COLORS = ("#1b5e20", "#b00020", "#e65100", "#546e7a")
# Lines need more colours than the stacked bars' four parts (each with 3:1 contrast on white).
_LINE_COLORS = (
    "#1565c0", "#b00020", "#1b5e20", "#e65100", "#6a1b9a", "#00695c", "#546e7a", "#ad1457",
    "#4e342e",
)  # fmt: skip


def _svg(width: int, height: int, said: Sequence[tuple[str, int]], body: str) -> str:
    """The chart's frame; its figures, as text, are its accessible name (WCAG 1.1.1), and its
    viewBox lets a phone scale it down instead of cutting it off."""
    name = escape("; ".join(f"{label}: {value}" for label, value in said))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{name}">{body}</svg>'
    )


def bar_chart(items: Sequence[tuple[str, int]], *, width: int = 480, bar: int = 22) -> str:
    """Horizontal bars, one per (label, value)."""
    top = max((v for _, v in items), default=0) or 1
    height = bar * len(items) + 10
    rows = []
    for i, (label, value) in enumerate(items):
        y = 5 + i * bar
        w = int((width - 170) * value / top)
        rows.append(
            f'<text x="0" y="{y + 15}" font-size="12">{escape(label)}</text>'
            f'<rect x="110" y="{y + 3}" width="{w}" height="{bar - 6}" fill="#1565c0"/>'
            f'<text x="{115 + w}" y="{y + 15}" font-size="12">{value}</text>'
        )
    return _svg(width, height, items, "".join(rows))


def column_chart(
    items: Sequence[tuple[str, int]],
    *,
    width: int = 720,
    height: int = 110,
    first: str = "",
    last: str = "",
    summary: str = "",
) -> str:
    """Vertical columns over time, one per (label, value), each with its label and value
    as a tooltip; ``first``/``last`` label the axis ends; ``summary`` names the chart for
    screen readers (one label per column would be too long to hear)."""
    top = max((v for _, v in items), default=0) or 1
    plot = height - 18
    step = width / max(len(items), 1)
    out = [f'<line x1="0" y1="{plot}" x2="{width}" y2="{plot}" stroke="#90a4ae"/>']
    for i, (label, value) in enumerate(items):
        h = plot * value / top
        out.append(
            f'<rect x="{i * step + 0.5:.1f}" y="{plot - h:.1f}" width="{max(step - 1, 1):.1f}" '
            f'height="{h:.1f}" fill="#1565c0"><title>{escape(label)}: {value}</title></rect>'
        )
    out.append(f'<text x="0" y="{height - 4}" font-size="11">{escape(first)}</text>')
    out.append(
        f'<text x="{width}" y="{height - 4}" font-size="11" text-anchor="end">{escape(last)}</text>'
    )
    out.append(f'<text x="{width}" y="11" font-size="11" text-anchor="end">{top}</text>')
    return _svg(width, height, [(summary, sum(v for _, v in items))], "".join(out))


def stacked_bars(
    rows: Sequence[tuple[str, Sequence[int]]],
    legend: Sequence[str],
    *,
    width: int = 560,
    bar: int = 22,
    label_width: int = 150,
) -> str:
    """One horizontal bar per row, split into the legend's parts."""
    top = max((sum(parts) for _, parts in rows), default=0) or 1
    height = bar * len(rows) + 30
    out = []
    for i, (label, parts) in enumerate(rows):
        y = 5 + i * bar
        x = float(label_width)
        out.append(f'<text x="0" y="{y + 15}" font-size="12">{escape(label)}</text>')
        for j, value in enumerate(parts):
            w = (width - label_width - 50) * value / top
            if w > 0:
                out.append(
                    f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{bar - 6}" '
                    f'fill="{_COLORS[j % len(_COLORS)]}"/>'
                )
            x += w
        out.append(f'<text x="{x + 5:.1f}" y="{y + 15}" font-size="12">{sum(parts)}</text>')
    ly = 5 + len(rows) * bar + 12
    for j, name in enumerate(legend):
        out.append(
            f'<rect x="{label_width + j * 100}" y="{ly - 9}" width="10" height="10" '
            f'fill="{_COLORS[j % len(_COLORS)]}"/><text x="{label_width + 14 + j * 100}" y="{ly}" '
            f'font-size="11">{escape(name)}</text>'
        )
    return _svg(width, height, [(label, sum(parts)) for label, parts in rows], "".join(out))


def line_chart(
    ticks: Sequence[str],
    lines: Sequence[tuple[str, Sequence[int]]],
    *,
    width: int = 640,
    height: int = 220,
) -> str:
    """One line per (name, counts), over the same points (``ticks`` labels them; about six
    are written under the axis), with a legend below. The accessible name gives each
    line's total; a table beside it gives every figure."""
    left, right, top_pad, axis = 40, 10, 10, 24
    plot_h = height - top_pad - axis
    legend_rows = (len(lines) + 2) // 3
    full_h = height + legend_rows * 18 + 6
    top = max((max(counts, default=0) for _, counts in lines), default=0) or 1
    n = max(len(ticks), 1)
    step = (width - left - right) / max(n - 1, 1)
    out = [
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{width - right}" '
        f'y2="{top_pad + plot_h}" stroke="#333"/>',
        f'<text x="0" y="{top_pad + 10}" font-size="11">{top}</text>',
        f'<text x="0" y="{top_pad + plot_h}" font-size="11">0</text>',
    ]
    every = max(1, n // 6)
    for i in range(0, len(ticks), every):
        out.append(
            f'<text x="{left + i * step:.1f}" y="{top_pad + plot_h + 16}" font-size="10" '
            f'text-anchor="middle">{escape(ticks[i])}</text>'
        )
    for j, (_, counts) in enumerate(lines):
        color = _LINE_COLORS[j % len(_LINE_COLORS)]
        points = " ".join(
            f"{left + i * step:.1f},{top_pad + plot_h - plot_h * v / top:.1f}"
            for i, v in enumerate(counts)
        )
        out.append(f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2"/>')
    for j, (name, _) in enumerate(lines):
        x, y = 10 + (j % 3) * ((width - 10) // 3), height + 6 + (j // 3) * 18
        color = _LINE_COLORS[j % len(_LINE_COLORS)]
        out.append(
            f'<rect x="{x}" y="{y}" width="12" height="4" fill="{color}"/>'
            f'<text x="{x + 16}" y="{y + 6}" font-size="11">{escape(name)}</text>'
        )
    totals = [(name, sum(counts)) for name, counts in lines]
    return _svg(width, full_h, totals, "".join(out))


def sparkline(values: Sequence[int], *, name: str, width: int = 120, height: int = 24) -> str:
    """A row of thin bars, one per value (events per hour), scaled to the largest, for a
    table cell; ``name`` says the figures in words (its accessible name)."""
    top = max(values, default=0) or 1
    step = width / max(len(values), 1)
    bars = "".join(
        f'<rect x="{i * step:.1f}" y="{height - max(1.0, (height - 2) * v / top):.1f}" '
        f'width="{max(step - 1, 1):.1f}" height="{max(1.0, (height - 2) * v / top):.1f}" '
        f'fill="{"#1565c0" if v else "#cfd8dc"}"/>'
        for i, v in enumerate(values)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(name)}" '
        f'class="sparkline">{bars}</svg>'
    )
