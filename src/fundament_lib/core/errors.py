"""The project's own exception types.

Every error a user can cause is one of these, so the command line can print a
clear one-line message instead of a traceback, and tests can match on the type.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "FundamentError",
    "FrameworkError",
    "ParamsError",
    "UnknownKommuneError",
    "DataFileError",
    "Problem",
    "DataValidationError",
    "RenderError",
]


class FundamentError(Exception):
    """Base class for every error Fundament raises on purpose."""


class FrameworkError(FundamentError):
    """A framework file is missing or malformed."""


class ParamsError(FundamentError):
    """A params file is missing, malformed or does not validate."""


class UnknownKommuneError(FundamentError):
    """A kommune code that is not one of the 98 kommuner, or not in the data."""


class RenderError(FundamentError):
    """Executing or exporting a notebook failed for a reason outside the notebook."""


class DataFileError(FundamentError):
    """A data file cannot be read at all (missing, empty, wrong encoding, no header)."""


@dataclass(frozen=True)
class Problem:
    """One problem in an input file: where it is and what is wrong.

    ``row`` is the line number a user sees in a spreadsheet or text editor
    (the header is row 1); ``None`` where a problem concerns a whole column.
    """

    file: str
    row: int | None
    column: str | None
    value: object
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        shown = "" if self.value is None else f" (value {self.value!r})"
        return f"{', '.join(where)}: {self.message}{shown}"


class DataValidationError(FundamentError):
    """One or more problems found while validating input data.

    All problems are collected before raising, grouped by message in ``str()``.
    """

    def __init__(self, problems: Iterable[Problem], *, file: str | None = None) -> None:
        self.problems: list[Problem] = list(problems)
        self.file = file or (self.problems[0].file if self.problems else "<data>")
        super().__init__(self._summary())

    def _summary(self, limit: int = 5) -> str:
        groups = self.by_message()
        lines = [f"{self.file}: {len(self.problems)} problem(s) in {len(groups)} kind(s)"]
        for message, items in groups.items():
            lines.append(f"  {message} — {len(items)} cell(s):")
            lines.extend(f"    {p}" for p in items[:limit])
            if len(items) > limit:
                lines.append(f"    … and {len(items) - limit} more")
        return "\n".join(lines)

    def by_message(self) -> dict[str, list[Problem]]:
        """Problems grouped by their message."""
        groups: dict[str, list[Problem]] = {}
        for p in self.problems:
            groups.setdefault(p.message, []).append(p)
        return groups
