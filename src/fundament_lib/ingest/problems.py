"""The problems a loader collects while it reads one file, each with the scope it would drop in lenient mode.

``cell`` — one answer; ``row`` — a whole respondent; ``column`` — a whole column (an item's answers
are never dropped in part, see :mod:`.columns`). ``fatal`` problems refuse the file in both modes;
``notes`` go into the provenance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from fundament_lib.core.errors import Problem

__all__ = ["Scope", "Report"]

Scope = Literal["cell", "row", "column"]


@dataclass
class Report:
    """Problems found in one source file, with what lenient mode would drop for each."""

    file: str
    issues: list[tuple[Problem, Scope]] = field(default_factory=list)
    fatal: list[Problem] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)

    def add(self, scope: Scope, row: int | None, column: str | None, value: object, message: str) -> None:
        """Record a problem that lenient mode drops at ``scope``."""
        self.issues.append((Problem(self.file, row, column, value, message), scope))
