"""What the output folder holds from earlier runs: kommuner not rendered now, the index, leftovers.

A run lists every kommune in the data on ``OUT/index.html``, also those it did not render:
:func:`outcome_on_disk` reads such a kommune's state from its folder (complete outputs, a
refused bundle or a failed briefing). :func:`clean_temp` removes the temporary files an
interrupted run may have left.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .finish import REFUSED
from .outcome import Outcome, first_line
from .publish import failed_files, output_files, stored_fingerprint

if TYPE_CHECKING:
    from .planning import Plan

__all__ = ["outcome_on_disk", "write_run_index", "clean_temp", "OUTPUT_FILES", "FAILED_FILES"]

OUTPUT_FILES = output_files("briefing")
FAILED_FILES = failed_files("briefing")


def outcome_on_disk(p: Plan, code: str) -> Outcome | None:
    """A kommune's state from its folder, for one not rendered in this run."""
    from fundament_lib.core.kommuner import kommune_name

    folder = p.out / code
    if stored_fingerprint(folder, OUTPUT_FILES) is not None:
        refused = folder / REFUSED
        if refused.is_file():
            why = first_line(refused.read_text(encoding="utf-8"))
            return Outcome(code, kommune_name(code), "failed", error=f"bundle not written: {why}", bundle="refused")
        return Outcome(code, kommune_name(code), "skipped")
    failed = folder / FAILED_FILES[1]
    if failed.is_file():
        return Outcome(code, kommune_name(code), "failed", error=first_line(failed.read_text(encoding="utf-8")))
    return None


def write_run_index(p: Plan, outcomes: list[Outcome], *, run_date: str | None = None) -> None:
    """``index.html`` over every kommune in the data with outputs in the folder, this run's or earlier."""
    from .index import write_index

    this_run = {o.kommunekode: o for o in outcomes}
    listed = [this_run.get(code) or outcome_on_disk(p, code) for code in sorted(p.params)]
    write_index(p.out, [o for o in listed if o is not None], run_date=run_date)


def clean_temp(out: Path) -> None:
    """Remove temporary files an interrupted run may have left."""
    for tmp in out.glob("*/.*.tmp"):
        tmp.unlink(missing_ok=True)
    for tmp in out.glob(".*.tmp"):
        tmp.unlink(missing_ok=True)
