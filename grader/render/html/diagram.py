"""A check's conversation as an SVG sequence diagram: one lane per client, one for the server.

Each beat is one row, top to bottom in the order things happened: arrows for
frames and handshakes (their content shortened, the whole text in a
``<title>`` shown on hover), notes on a lane, gaps for idle time on the
grader's clock, the learner's exception on the server's lane and the failed
step across every lane. Rows carry ``data-`` attributes so a browser test can
read the diagram as a person sees it.
"""

from __future__ import annotations

import unicodedata

from .beats import SERVER, Beat, lanes
from .page import esc

LEFT = 72  # room for the clock column
LANE = 170  # least distance between two lanes; fewer lanes share more room for their labels
ROOM = 740  # lanes spread over this much, so the diagram fits a laptop's report without scrolling
MARGIN = 110  # half a lane header, plus room for notes on the outer lanes
TOP = 40
ROW = 28
GAP_ROW = 26
CHAR = 7.3  # width of one narrow character at 12px in a monospace font
COLORS = {"ok": "#1a7f37", "bad": "#cf222e", "": "#1f2328"}


def svg(rows: list[Beat], server_name: str) -> str:
    names = lanes(rows)
    lane = max(LANE, min(420, ROOM // max(1, len(names) - 1)))
    x = {name: float(LEFT + MARGIN + i * lane) for i, name in enumerate(names)}
    width = LEFT + 2 * MARGIN + (len(names) - 1) * lane
    heights = [GAP_ROW if r.kind == "gap" else ROW + 18 * len(r.detail) for r in rows]
    height = TOP + sum(heights) + 16
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="sequence" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img">']
    for name in names:
        label = server_name if name == SERVER else name
        parts.append(f'<g class="lane" data-lane="{esc(name)}">'
                     f'<line x1="{x[name]}" y1="{TOP - 8}" x2="{x[name]}" y2="{height - 6}" stroke="#8c959f" '
                     f'stroke-dasharray="3 4"/>'
                     f'<rect x="{x[name] - 60}" y="6" width="120" height="24" rx="5" fill="#ddf4ff" stroke="#54aeff"/>'
                     f'<text x="{x[name]}" y="22" text-anchor="middle" font-size="12" font-weight="600">'
                     f"{esc(_fit(label, 15))}</text></g>")
    y = TOP
    for index, (row, row_height) in enumerate(zip(rows, heights, strict=True)):
        parts.append(_row(index, row, x, y, row_height, width))
        y += row_height
    parts.append("</svg>")
    return "".join(parts)


def _row(index: int, row: Beat, x: dict[str, float], y: float, height: float, width: float) -> str:
    color = COLORS[row.tone]
    attrs = (f'class="beat {row.kind}" data-index="{index}" data-kind="{row.kind}" '
             f'data-from="{esc(row.source or "")}" data-to="{esc(row.target or "")}" data-label="{esc(row.label)}"')
    title = f"<title>{esc(row.full)}</title>"
    clock = (f'<text x="6" y="{y + height - 10}" font-size="11" fill="#59636e">{row.at:.3f}s</text>'
             if row.kind != "gap" else "")
    if row.kind == "gap":
        mid = y + height / 2
        waves = "".join(
            f'<path d="M{lx - 8},{mid - 4} l5,4 l-5,4 M{lx + 2},{mid - 4} l5,4 l-5,4" stroke="#8c959f" fill="none"/>'
            for lx in x.values())
        return (f'<g {attrs}>{title}<rect x="{LEFT}" y="{y + 2}" width="{width - LEFT - 4}" height="{height - 4}" '
                f'fill="#f6f8fa"/>{waves}<text x="{LEFT + 6}" y="{mid + 4}" font-size="11" fill="#59636e">'
                f"⋯ {esc(_fit(row.label, int((width - LEFT) / CHAR) - 4))}</text></g>")
    if row.kind == "failure":
        columns = int((width - LEFT - 16) / CHAR)
        lines = "".join(
            f'<text x="{LEFT + 8}" y="{y + 38 + 18 * n}" font-size="12" fill="#1f2328">{esc(_fit(line, columns))}</text>'
            for n, line in enumerate(row.detail))
        return (f'<g {attrs}>{title}<text x="6" y="{y + 20}" font-size="11" fill="#59636e">{row.at:.3f}s</text>'
                f'<rect x="{LEFT}" y="{y + 3}" width="{width - LEFT - 4}" height="{height - 6}" rx="4" fill="#ffebe9" '
                f'stroke="{color}"/><text x="{LEFT + 8}" y="{y + 20}" font-size="12" font-weight="600" fill="{color}">'
                f"{esc(_fit(row.label, columns))}</text>{lines}</g>")
    if row.target is None:
        # A note sits on its lane (or across the diagram when it has none).
        cx = x.get(row.source or "", LEFT + (width - LEFT) / 2)
        room = 2 * MARGIN - 20 if row.source else width - LEFT - 20
        if row.kind == "error":
            # The exception's type is the point of the badge: it may spread over the diagram's width rather
            # than lose it, moved inwards so it stays inside the picture.
            room = max(room, min(_width(row.label) * CHAR, width - LEFT - 20))
        text = _fit(row.label, int(room / CHAR))
        box = _width(text) * CHAR + 14
        cx = min(max(cx, LEFT + 2 + box / 2), width - 4 - box / 2)
        fill = "#ffebe9" if row.tone == "bad" else "#fff8c5"
        return (f'<g {attrs}>{title}{clock}<rect x="{cx - box / 2}" y="{y + 5}" width="{box}" height="{height - 10}" '
                f'rx="4" fill="{fill}" stroke="{color}"/><text x="{cx}" y="{y + height - 11}" font-size="12" '
                f'text-anchor="middle" fill="{color}">{esc(text)}</text></g>')
    x1, x2 = x[row.source or SERVER], x[row.target]
    line_y = y + height - 6
    direction = 1 if x2 > x1 else -1
    head = f"{x2},{line_y} {x2 - 9 * direction},{line_y - 4} {x2 - 9 * direction},{line_y + 4}"
    dash = ' stroke-dasharray="6 4"' if row.dashed else ""
    text = _fit(row.label, int((abs(x2 - x1) - 12) / CHAR))
    return (f'<g {attrs}>{title}{clock}<line x1="{x1}" y1="{line_y}" x2="{x2 - 8 * direction}" y2="{line_y}" '
            f'stroke="{color}" stroke-width="1.6"{dash}/><polygon points="{head}" fill="{color}"/>'
            f'<text x="{(x1 + x2) / 2}" y="{line_y - 5}" font-size="12" text-anchor="middle" fill="{color}">'
            f"{esc(text)}</text></g>")


def _width(text: str) -> int:
    """Columns ``text`` takes in a monospace font: Hangul and other wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def _fit(text: str, columns: int) -> str:
    """``text`` cut to ``columns`` (with an ellipsis); the whole text stays in the row's title."""
    text = " ".join(text.split())
    if _width(text) <= columns:
        return text
    out, used = [], 0
    for char in text:
        used += _width(char)
        if used > columns - 1:
            break
        out.append(char)
    return "".join(out) + "…"
