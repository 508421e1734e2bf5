"""Self-contained HTML pages: a learner's report, a class dashboard, a learner's course page.

Each page is one file with its CSS and SVG inline and a policy that forbids
scripts and fetches, so it opens offline, from an email or a CI artifact.
"""

from __future__ import annotations

from .report import render

__all__ = ["render"]
