"""A check's conversation as an SVG sequence diagram: one lane per client, one for the server.

Each beat is one row, top to bottom in the order things happened: arrows for
frames and handshakes (their content shortened, the whole text in a
``<title>`` shown on hover), notes on a lane, gaps for idle time on the
grader's clock, the learner's exception on the server's lane and the failed
step across every lane. Rows carry ``data-`` attributes so a browser test can
read the diagram as a person sees it.

The same rows are drawn in two layouts: a wide one for a laptop and a narrow
one for a phone, where every lane fits the screen's width (or, past five
lanes, the whole picture scrolls as one). Lifelines are drawn in pieces that
stop short of every label, so no text is ever crossed by another lane's line.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from .beats import SERVER, Beat, lanes
from .page import esc

TOP = 40
ROW = 28
GAP_ROW = 26
COLORS = {"ok": "#1a7f37", "bad": "#cf222e", "": "#1f2328"}


@dataclass(frozen=True)
class Layout:
    name: str
    left: int  # room for the clock column
    lane: int  # least distance between two lanes
    most: int  # greatest distance between two lanes
    room: int  # lanes spread over this much when they can
    margin: int  # from the outer lanes to the picture's edges
    font: int  # label size in px
    char: float  # width of one narrow character at ``font`` in a monospace font (a wide one takes two)
    clock: int  # size of the clock column's text


# A laptop's report: lanes spread over 740 px, so the diagram fits without scrolling.
WIDE = Layout("wide", left=72, lane=170, most=420, room=740, margin=110, font=12, char=7.3, clock=11)
# A phone (390 px less the page's padding): five lanes fit; more scroll together, headers and all.
NARROW = Layout("narrow", left=42, lane=52, most=260, room=242, margin=30, font=11, char=6.7, clock=10)


def svg(rows: list[Beat], server_name: str, layout: Layout = WIDE) -> str:
    names = lanes(rows)
    lane = max(layout.lane, min(layout.most, layout.room // max(1, len(names) - 1)))
    x = {name: float(layout.left + layout.margin + i * lane) for i, name in enumerate(names)}
    width = layout.left + 2 * layout.margin + (len(names) - 1) * lane
    heights = [GAP_ROW if r.kind == "gap" else ROW + 18 * len(r.detail) for r in rows]
    height = TOP + sum(heights) + 16
    drawing = _Drawing(layout, x, width)
    y = TOP
    body = []
    for index, (row, row_height) in enumerate(zip(rows, heights, strict=True)):
        body.append(drawing.row(index, row, y, row_height))
        y += row_height
    header = min(120, 2 * layout.margin - 4, lane - 4)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="sequence {layout.name}" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" role="img">']
    for name in names:
        label = server_name if name == SERVER else name
        pieces = "".join(f'<line class="lifeline" x1="{x[name]}" y1="{top}" x2="{x[name]}" y2="{bottom}" '
                         f'stroke="#8c959f" stroke-dasharray="3 4"/>'
                         for top, bottom in drawing.lifeline(x[name], TOP - 8, height - 6))
        parts.append(f'<g class="lane" data-lane="{esc(name)}"><title>{esc(label)}</title>{pieces}'
                     f'<rect x="{x[name] - header / 2}" y="6" width="{header}" height="24" rx="5" fill="#ddf4ff" '
                     f'stroke="#54aeff"/><text x="{x[name]}" y="22" text-anchor="middle" font-size="{layout.font}" '
                     f'font-weight="600">{esc(_fit(label, int((header - 6) / layout.char)))}</text></g>')
    parts.extend(body)
    parts.append("</svg>")
    return "".join(parts)


class _Drawing:
    """Draws rows, remembering where text lies so the lifelines can stop short of it."""

    def __init__(self, layout: Layout, x: dict[str, float], width: float) -> None:
        self.layout = layout
        self.x = x
        self.width = width
        self.cuts: list[tuple[float, float, float, float]] = []  # left, right, top, bottom of text over lanes

    def lifeline(self, lane: float, top: float, bottom: float) -> list[tuple[float, float]]:
        """The pieces of a lane's line from ``top`` to ``bottom`` that cross no label."""
        cuts = sorted((t, b) for left, right, t, b in self.cuts if left <= lane <= right)
        pieces, start = [], top
        for cut_top, cut_bottom in cuts:
            if cut_top > start:
                pieces.append((start, min(cut_top, bottom)))
            start = max(start, cut_bottom)
        if start < bottom:
            pieces.append((start, bottom))
        return [(round(a, 1), round(b, 1)) for a, b in pieces if b - a > 1]

    def _text_box(self, cx: float, baseline: float, text: str, anchor: str = "middle") -> None:
        """Keep lifelines off a label's box (with room for the tallest font's ascent and descent)."""
        wide = _width(text) * self.layout.char
        left = cx - wide / 2 if anchor == "middle" else cx
        size = self.layout.font
        self.cuts.append((left - 4, left + wide + 4, baseline - 1.3 * size, baseline + 0.4 * size))

    def row(self, index: int, row: Beat, y: float, height: float) -> str:
        layout, width = self.layout, self.width
        color = COLORS[row.tone]
        attrs = (f'class="beat {row.kind}" data-index="{index}" data-kind="{row.kind}" '
                 f'data-from="{esc(row.source or "")}" data-to="{esc(row.target or "")}" data-label="{esc(row.label)}"'
                 + (f' data-error="{esc(row.error)}"' if row.error else ""))
        title = f"<title>{esc(row.full)}</title>"
        clock = (f'<text x="4" y="{y + height - 10}" font-size="{layout.clock}" fill="#59636e">{row.at:.3f}s</text>'
                 if row.kind != "gap" else "")
        if row.kind == "gap":
            return self._gap(attrs, title, row, y, height)
        if row.kind == "failure":
            columns = int((width - layout.left - 16) / layout.char)
            lines = "".join(
                f'<text x="{layout.left + 8}" y="{y + 38 + 18 * n}" font-size="{layout.font}" fill="#1f2328">'
                f"{esc(_fit(line, columns))}</text>"
                for n, line in enumerate(row.detail))
            return (f'<g {attrs}>{title}<text x="4" y="{y + 20}" font-size="{layout.clock}" fill="#59636e">'
                    f'{row.at:.3f}s</text><rect x="{layout.left}" y="{y + 3}" width="{width - layout.left - 4}" '
                    f'height="{height - 6}" rx="4" fill="#ffebe9" stroke="{color}"/><text x="{layout.left + 8}" '
                    f'y="{y + 20}" font-size="{layout.font}" font-weight="600" fill="{color}">'
                    f"{esc(_fit(row.label, columns))}</text>{lines}</g>")
        if row.target is None:
            return self._note(attrs, title, clock, row, y, height)
        x1, x2 = self.x[row.source or SERVER], self.x[row.target]
        line_y = y + height - 6
        direction = 1 if x2 > x1 else -1
        head = f"{x2},{line_y} {x2 - 9 * direction},{line_y - 4} {x2 - 9 * direction},{line_y + 4}"
        dash = ' stroke-dasharray="6 4"' if row.dashed else ""
        text = _fit(row.label, int((abs(x2 - x1) - 12) / layout.char))
        self._text_box((x1 + x2) / 2, line_y - 5, text)
        return (f'<g {attrs}>{title}{clock}<line x1="{x1}" y1="{line_y}" x2="{x2 - 8 * direction}" y2="{line_y}" '
                f'stroke="{color}" stroke-width="1.6"{dash}/><polygon points="{head}" fill="{color}"/>'
                f'<text class="label" x="{(x1 + x2) / 2}" y="{line_y - 5}" font-size="{layout.font}" '
                f'text-anchor="middle" fill="{color}">{esc(text)}</text></g>')

    def _gap(self, attrs: str, title: str, row: Beat, y: float, height: float) -> str:
        """Idle time: a band across the lanes, its words on the left, a break mark on every lane they leave free."""
        layout, width = self.layout, self.width
        mid = y + height / 2
        text = "⋯ " + _fit(row.label, int((width - layout.left - 12) / layout.char) - 2)
        start = layout.left + 6
        end = start + _width(text) * layout.char
        self.cuts.append((0, width, y + 2, y + height - 2))  # lifelines pause over the band
        waves = "".join(
            f'<path class="wave" d="M{lx - 8},{mid - 4} l5,4 l-5,4 M{lx + 2},{mid - 4} l5,4 l-5,4" stroke="#8c959f" '
            f'fill="none"/>'
            for lx in self.x.values() if lx - 10 > end)
        return (f'<g {attrs}>{title}<rect x="{layout.left}" y="{y + 2}" width="{width - layout.left - 4}" '
                f'height="{height - 4}" fill="#f6f8fa"/>{waves}<text class="label" x="{start}" y="{mid + 4}" '
                f'font-size="{layout.clock + 1}" fill="#59636e">{esc(text)}</text></g>')

    def _note(self, attrs: str, title: str, clock: str, row: Beat, y: float, height: float) -> str:
        """A note sits on its lane (or across the diagram when it has none)."""
        layout, width = self.layout, self.width
        color = COLORS[row.tone]
        cx = self.x.get(row.source or "", layout.left + (width - layout.left) / 2)
        most = width - layout.left - 20
        room = min(most, max(2 * layout.margin - 20, 200)) if row.source else most
        text = _fit(row.label, int(room / layout.char))
        error = row.error
        if error:
            # The exception's type is the point of the badge: the badge may spread over the diagram's width
            # rather than lose it, and when even that is too narrow it shows the type alone.
            room = max(room, min(_width(row.label) * layout.char, most))
            text = _fit(row.label, int(room / layout.char))
            if error not in text:
                text = _fit(error, int(most / layout.char))
        box = _width(text) * layout.char + 14
        cx = min(max(cx, layout.left + 2 + box / 2), width - 4 - box / 2)
        fill = "#ffebe9" if row.tone == "bad" else "#fff8c5"
        return (f'<g {attrs}>{title}{clock}<rect x="{cx - box / 2}" y="{y + 5}" width="{box}" height="{height - 10}" '
                f'rx="4" fill="{fill}" stroke="{color}"/><text x="{cx}" y="{y + height - 11}" '
                f'font-size="{layout.font}" text-anchor="middle" fill="{color}">{esc(text)}</text></g>')


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
