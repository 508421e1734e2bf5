"""The upstream packages whose behaviour the grader models, and the versions it was verified against.

The driver reproduces what a real client of a real uvicorn sees; that truth
depends on uvicorn, its WebSocket protocols (websockets, wsproto), Starlette's
``WebSocket`` and the httpx-ws transport. A version is listed here once the
differential suite (``tests/test_differential.py``) passed against it.
``constraints.txt`` pins one listed version of each (a test keeps the two in
step), and ``.ci/drift`` tries the newest releases to find drift on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata

# Every version of each modelled package that the differential suite passed against.
VERIFIED: dict[str, tuple[str, ...]] = {
    "uvicorn": ("0.54.0", "0.55.0"),
    "websockets": ("17.4",),
    "wsproto": ("1.3.2",),
    "starlette": ("1.10.0",),
    "fastapi": ("0.165.0",),
    "httpx-ws": ("0.9.0",),
}


@dataclass(frozen=True)
class Package:
    name: str
    installed: str  # "" when the package is not installed
    verified: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.installed in self.verified


def installed(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return ""


def packages() -> list[Package]:
    """Each modelled package with its installed version, in the order of ``VERIFIED``."""
    return [Package(name, installed(name), versions) for name, versions in VERIFIED.items()]

