"""Where things live. Every path the library uses is built here, never in a notebook.

The *project root* is the folder holding ``notebooks/``, ``params/`` and
``data/``. It is ``$FUNDAMENT_ROOT`` when set, else the nearest folder at or
above the working directory that has both ``notebooks/`` and ``params/``,
else the working directory. Files the product needs at run time (frameworks,
the list of kommuner, report templates) ship inside the package.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

__all__ = [
    "project_root",
    "package_data",
    "frameworks_dir",
    "templates_dir",
    "params_dir",
    "notebooks_dir",
    "raw_dir",
    "processed_dir",
    "reports_dir",
    "demo_data_path",
    "BRIEFING_NOTEBOOK",
    "OVERVIEW_NOTEBOOK",
]

BRIEFING_NOTEBOOK = "kommune_briefing.ipynb"
OVERVIEW_NOTEBOOK = "national_overview.ipynb"


def project_root() -> Path:
    """Return the project root (see the module docstring for the rule)."""
    env = os.environ.get("FUNDAMENT_ROOT")
    if env:
        return Path(env).resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "notebooks").is_dir() and (folder / "params").is_dir():
            return folder
    return here


def package_data() -> Path:
    """Folder of data files shipped inside the package."""
    return Path(str(resources.files("fundament_lib") / "data"))


def frameworks_dir() -> Path:
    """Folder of the shipped framework files (``<id>.yaml``)."""
    return package_data() / "frameworks"


def templates_dir() -> Path:
    """Folder of the shipped nbconvert templates."""
    return Path(str(resources.files("fundament_lib") / "templates"))


def params_dir(root: Path | None = None) -> Path:
    """``params/`` of the project."""
    return (root or project_root()) / "params"


def notebooks_dir(root: Path | None = None) -> Path:
    """``notebooks/`` of the project."""
    return (root or project_root()) / "notebooks"


def raw_dir(root: Path | None = None) -> Path:
    """``data/raw/``: read, never written by analysis code (the demo generator writes it)."""
    return (root or project_root()) / "data" / "raw"


def processed_dir(root: Path | None = None) -> Path:
    """``data/processed/``: written only by library code."""
    return (root or project_root()) / "data" / "processed"


def reports_dir(root: Path | None = None) -> Path:
    """Default output folder of ``fundament run``."""
    return (root or project_root()) / "reports"


def demo_data_path(root: Path | None = None) -> Path:
    """The processed demo dataset that ``fundament run`` reads by default."""
    return processed_dir(root) / "demo.parquet"
