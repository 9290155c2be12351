"""The library's fingerprint: what decides whether earlier results are still this library's.

Kept apart from :mod:`fundament_lib.run.batch` (which imports the rendering stack) so the table cache
(:mod:`fundament_lib.results.tablecache`) can use it in a kernel that never renders.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from fundament_lib import __version__

__all__ = ["library_fingerprint", "package_versions", "KEY_PACKAGES", "NOT_IN_BRIEFINGS"]

# Packages whose version can change a briefing's look; part of every fingerprint.
KEY_PACKAGES = ("papermill", "nbconvert", "nbclient", "ipykernel", "matplotlib", "seaborn", "pandas", "numpy")
# Library files (relative to the package) that shape the run but never a briefing: editing them
# re-renders nothing.
NOT_IN_BRIEFINGS = frozenset({"cli/__init__.py", "cli/main.py", "cli/ingest.py", "cli/export.py",
                              "run/index.py", "run/bundles.py", "run/leaks.py"})


def package_versions(names: tuple[str, ...]) -> str:
    """``name=version`` of each package, ``name=-`` where it is not installed."""
    out = []
    for name in names:
        try:
            out.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            out.append(f"{name}=-")
    return ";".join(out)


@cache
def library_fingerprint() -> str:
    """Hash of the library's source, data and templates, plus the versions of the packages that
    shape a briefing (:data:`KEY_PACKAGES`): a change to any of them re-renders."""
    root = Path(__file__).resolve().parents[1]  # the whole package, not only core/
    h = hashlib.sha256(__version__.encode())
    for p in sorted(root.rglob("*")):
        name = p.relative_to(root).as_posix()
        if p.is_file() and p.suffix in {".py", ".j2", ".css", ".json", ".yaml", ".csv"} \
                and name not in NOT_IN_BRIEFINGS:
            h.update(name.encode())
            h.update(p.read_bytes())
    for name in KEY_PACKAGES:
        h.update(package_versions((name,)).encode())
    return h.hexdigest()
