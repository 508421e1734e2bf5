"""The shell every HTML page shares: one self-contained document, its CSS, and escaping.

Pages carry everything inline (CSS, SVG drawn by our own code) and a
Content-Security-Policy that forbids every fetch and every script: a page is
readable offline, and learner text that slipped through unescaped could still
not run or phone home.
"""

from __future__ import annotations

from html import escape

# No scripts at all; styles and images only from the page itself.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

CSS = """
:root { --ok: #1a7f37; --bad: #cf222e; --dim: #59636e; --line: #d1d9e0; --bg: #f6f8fa; --accent: #0969da; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "Noto Sans KR", "Noto Sans CJK KR", "Apple SD Gothic Neo", sans-serif;
       color: #1f2328; background: #fff; overflow-wrap: break-word; }
/* Korean wraps between words, never between the syllables of one word: on every page, since an English
   report quotes a learner's Korean messages too. A run too long for any line still breaks (overflow-wrap). */
body { word-break: keep-all; }
main { max-width: 1100px; margin: 0 auto; padding: 12px 16px 40px; }
h1 { font-size: 1.35em; margin: 0.2em 0; }
h2 { font-size: 1.15em; margin: 1.2em 0 0.4em; }
h3 { font-size: 1em; margin: 0; display: inline; }
code, pre, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "D2Coding", monospace; font-size: 0.9em; }
pre { white-space: pre-wrap; margin: 0.3em 0; background: var(--bg); padding: 6px 8px; border-radius: 6px; }
a { color: var(--accent); }
.dim { color: var(--dim); }
.ok { color: var(--ok); }
.bad { color: var(--bad); }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 0.85em; font-weight: 600; color: #fff; }
.badge.ok { background: var(--ok); color: #fff; }
.badge.bad { background: var(--bad); color: #fff; }
.badge.skip { background: var(--dim); }
.verdict { font-size: 1.1em; font-weight: 600; margin: 0.3em 0 0.6em; }
.check { border: 1px solid var(--line); border-radius: 8px; margin: 10px 0; padding: 8px 12px; }
.check.failed { border-color: var(--bad); }
.check > summary { cursor: pointer; }
.failure { background: #fff5f5; border-left: 4px solid var(--bad); padding: 6px 10px; margin: 8px 0; }
/* A value column as wide as the screen allows: a long frame with no space in it wraps anywhere rather than
   widening the page (in a grid, overflow-wrap: break-word alone does not shrink a column). */
.failure dl { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 2px 10px; margin: 4px 0; }
.failure dt { font-weight: 600; }
.failure dd { margin: 0; overflow-wrap: anywhere; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.9em; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid var(--line); vertical-align: top; }
/* Headers, scores and per-check marks are read as one token each: they never break (the table scrolls). */
th, td.num, td.mono { white-space: nowrap; }
.scroll { overflow-x: auto; max-width: 100%; }
.diagram { overflow-x: auto; max-width: 100%; margin: 6px 0; }
.diagram svg { display: block; }
/* A phone gets the narrow drawing of each conversation: its lanes fit the screen, or scroll as one picture. */
.diagram svg.narrow { display: none; }
svg text { font-family: ui-monospace, Menlo, Consolas, "D2Coding", monospace; }
.bar { height: 14px; background: var(--bg); border: 1px solid var(--line); border-radius: 7px; overflow: hidden; }
.bar > span { display: block; height: 100%; background: var(--accent); }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 8px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px; }
.card.locked { opacity: 0.65; }
@media (max-width: 600px) {
  main { padding: 8px; } body { font-size: 14px; } th, td { padding: 3px; }
  .diagram svg.wide { display: none; } .diagram svg.narrow { display: block; }
  /* "expected" over its value, not beside it: the value gets the whole width, so a long name stays whole. */
  .failure dl { grid-template-columns: minmax(0, 1fr); } .failure dd { margin-bottom: 4px; }
}
"""


def esc(value: object) -> str:
    """Text for HTML content or a quoted attribute: every learner string goes through here."""
    return escape(str(value), quote=True)


def page(title: str, body: str, lang: str = "en", css: str = "") -> str:
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{esc(title)}</title>\n<style>{CSS}{css}</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )
