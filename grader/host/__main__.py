"""``python -m grader.host``: one app host, started by the judge with its two descriptors."""

from __future__ import annotations

import os

from grader import wire
from grader.host.serve import run

if __name__ == "__main__":
    template = os.environ.get(wire.TEMPLATE_FD_ENV)
    run(int(os.environ[wire.WIRE_FD_ENV]), int(os.environ[wire.TRACE_FD_ENV]),
        int(template) if template is not None else None)
