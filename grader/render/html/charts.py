"""Two small charts for the class dashboard: horizontal bars of a share, and a histogram of counts.

They are drawn with HTML and CSS rather than as pictures, so their text is
page text: the same size as the rest of the page on a laptop and on a phone
(a picture shrunk to a phone's width shrinks its words with it). Every bar
carries its numbers as ``data-`` attributes and in a ``title``, so a reader
can hover for them and a browser test can count them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .page import esc

PLOT = 160  # the histogram's tallest column, in px

CSS = """
.shares { display: grid; grid-template-columns: minmax(8em, 18em) minmax(6em, 1fr) max-content; gap: 6px 10px;
          align-items: center; }
.share { display: contents; }
.share .name { text-align: right; }
.share .figure { font-size: 0.9em; color: var(--dim); white-space: nowrap; }
.share .bar { height: 18px; border-radius: 4px; }
.histo { display: inline-flex; flex-direction: column; max-width: 100%; min-width: 16em; }
.histogram { display: flex; align-items: flex-end; gap: 4px; overflow-x: auto; padding-bottom: 2px; }
.bin { flex: 1 0 2.6em; max-width: 5em; display: flex; flex-direction: column; align-items: center; font-size: 0.85em; }
.bin .column { width: 100%; background: var(--accent); border-radius: 3px 3px 0 0; }
.bin .label { border-top: 1px solid #8c959f; width: 100%; text-align: center; white-space: nowrap; color: var(--dim); }
.axis { text-align: center; font-size: 0.85em; margin: 2px 0 0; }
@media (max-width: 600px) {
  /* A phone: each check's name on a line of its own, its bar and figure under it. */
  .shares { grid-template-columns: minmax(0, 1fr) max-content; gap: 2px 8px; }
  .share .name { grid-column: 1 / -1; text-align: left; margin-top: 4px; }
}
"""


@dataclass(frozen=True)
class Share:
    label: str
    part: int
    whole: int


def bars(shares: list[Share], unit: str) -> str:
    """One horizontal bar per share: ``part`` of ``whole``, with the count and percentage after it."""
    rows = []
    for share in shares:
        fraction = share.part / share.whole if share.whole else 0.0
        fill = "#1a7f37" if fraction >= 0.8 else "#bf8700" if fraction >= 0.5 else "#cf222e"
        text = f"{share.part}/{share.whole} {unit} · {round(100 * fraction)}%"
        rows.append(
            f'<div class="share" data-label="{esc(share.label)}" data-part="{share.part}" data-whole="{share.whole}" '
            f'title="{esc(share.label)}: {esc(text)}"><span class="name">{esc(share.label)}</span>'
            f'<div class="bar"><span style="width:{100 * fraction:.1f}%;background:{fill}"></span></div>'
            f'<span class="figure">{esc(text)}</span></div>')
    return f'<div class="shares">{"".join(rows)}</div>'


def histogram(counts: list[tuple[str, int]], axis: str) -> str:
    """Vertical bars, one per bin (its label under it, its count above it)."""
    top = max([count for _, count in counts] + [1])
    bins = "".join(
        f'<div class="bin" data-label="{esc(label)}" data-count="{count}" title="{esc(label)}: {count}">'
        f'<span class="count">{count}</span><div class="column" style="height:{PLOT * count / top:.1f}px"></div>'
        f'<span class="label">{esc(label)}</span></div>'
        for label, count in counts)
    return f'<div class="histo"><div class="histogram">{bins}</div><p class="axis dim">{esc(axis)}</p></div>'
