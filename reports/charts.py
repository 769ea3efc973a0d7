"""Small SVG bar charts, inline in HTML and in PDF (no plotting dependency)."""

from collections.abc import Sequence
from html import escape

__all__ = ["bar_chart", "column_chart", "stacked_bars"]

_COLORS = ("#1b5e20", "#b00020", "#e65100", "#546e7a")


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
