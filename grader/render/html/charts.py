"""Two small SVG charts for the class dashboard: horizontal bars of a share, and a histogram of counts.

Every bar carries its numbers as ``data-`` attributes and in a ``<title>``,
so a reader can hover for them and a browser test can count them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .page import esc

BAR = 22
LABEL = 300  # room for the check's name
TRACK = 360


@dataclass(frozen=True)
class Share:
    label: str
    part: int
    whole: int


def bars(shares: list[Share], unit: str) -> str:
    """One horizontal bar per share: ``part`` of ``whole``, with the count and percentage after it."""
    width = LABEL + TRACK + 170
    height = len(shares) * (BAR + 8) + 8
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="bars" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img">']
    for index, share in enumerate(shares):
        y = 4 + index * (BAR + 8)
        fraction = share.part / share.whole if share.whole else 0.0
        fill = "#1a7f37" if fraction >= 0.8 else "#bf8700" if fraction >= 0.5 else "#cf222e"
        name = share.label if len(share.label) <= 40 else share.label[:39] + "…"
        text = f"{share.part}/{share.whole} {unit} · {round(100 * fraction)}%"
        parts.append(
            f'<g class="bar" data-label="{esc(share.label)}" data-part="{share.part}" data-whole="{share.whole}">'
            f"<title>{esc(share.label)}: {esc(text)}</title>"
            f'<text x="{LABEL - 8}" y="{y + 16}" font-size="12" text-anchor="end">{esc(name)}</text>'
            f'<rect x="{LABEL}" y="{y}" width="{TRACK}" height="{BAR}" fill="#f6f8fa" stroke="#d1d9e0"/>'
            f'<rect x="{LABEL}" y="{y}" width="{TRACK * fraction:.1f}" height="{BAR}" fill="{fill}"/>'
            f'<text x="{LABEL + TRACK + 6}" y="{y + 16}" font-size="12">{esc(text)}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def histogram(counts: list[tuple[str, int]], axis: str) -> str:
    """Vertical bars, one per bin (its label under it, its count above it)."""
    column = max(28, min(60, 640 // max(1, len(counts))))
    width = 40 + column * len(counts) + 10
    plot = 160
    height = plot + 60
    top = max([count for _, count in counts] + [1])
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="histogram" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img">',
             f'<line x1="36" y1="{plot + 20}" x2="{width - 6}" y2="{plot + 20}" stroke="#8c959f"/>']
    for index, (label, count) in enumerate(counts):
        x = 40 + index * column
        tall = plot * count / top
        y = plot + 20 - tall
        parts.append(
            f'<g class="bin" data-label="{esc(label)}" data-count="{count}"><title>{esc(label)}: {count}</title>'
            f'<rect x="{x + 3}" y="{y:.1f}" width="{column - 6}" height="{tall:.1f}" fill="#0969da"/>'
            f'<text x="{x + column / 2}" y="{y - 4:.1f}" font-size="12" text-anchor="middle">{count}</text>'
            f'<text x="{x + column / 2}" y="{plot + 36}" font-size="11" text-anchor="middle">{esc(label)}</text></g>')
    parts.append(f'<text x="{40 + column * len(counts) / 2}" y="{height - 4}" font-size="12" text-anchor="middle" '
                 f'fill="#59636e">{esc(axis)}</text></svg>')
    return "".join(parts)
