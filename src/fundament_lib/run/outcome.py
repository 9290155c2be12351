"""What a run reports: one :class:`Outcome` per kommune, a worker's :class:`Result`, the :class:`RunReport`.

These records are shared by every stage of a run — the worker that renders, the parent that
publishes (:mod:`fundament_lib.run.publish`), the index page (:mod:`fundament_lib.run.index`) and
:func:`fundament_lib.run.batch.run` itself — so they live apart from all of them, and none of those
modules has to import another just for a record type.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

__all__ = ["Outcome", "Result", "RunReport", "Status", "Progress", "first_line", "ANSI"]

Status = Literal["ok", "skipped", "failed"]
Progress = Callable[[str, Any], None]
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")  # terminal colours in a traceback


@dataclass
class Outcome:
    """How one kommune's briefing went (``seconds``: time on the worker)."""

    kommunekode: str
    kommune: str
    status: Status
    seconds: float = 0.0
    error: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    bundle: str = ""  # the kommune's bundle: "written", "current" or "refused" (see fundament_lib.run.bundles)


@dataclass
class Result(Outcome):
    """An :class:`Outcome` with what the worker made: the HTML, the executed notebook, the traceback."""

    html: str | None = None
    notebook: bytes | None = None
    trace: str = ""

    def outcome(self) -> Outcome:
        """The outcome without the payload."""
        return Outcome(self.kommunekode, self.kommune, self.status, self.seconds, self.error, self.timings)


@dataclass
class RunReport:
    """The result of :func:`fundament_lib.run.batch.run`."""

    outcomes: list[Outcome]
    out_dir: Path
    prepare_seconds: float
    total_seconds: float
    overview: Outcome | None = None  # the national overview, when this run rendered it

    @property
    def failed(self) -> list[Outcome]:
        """Kommuner whose briefing failed."""
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def executed(self) -> list[Outcome]:
        """Kommuner whose notebook ran in this run (ok or failed)."""
        return [o for o in self.outcomes if o.status != "skipped"]

    @property
    def ok(self) -> bool:
        """True when no briefing and not the national overview failed."""
        return not self.failed and (self.overview is None or self.overview.status != "failed")


def first_line(text: str) -> str:
    """The first non-blank line of ``text`` without terminal colours (``"unknown error"`` if none)."""
    lines = [line.strip() for line in ANSI.sub("", text).splitlines() if line.strip()]
    return lines[0] if lines else "unknown error"
