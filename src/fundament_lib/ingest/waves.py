"""A wave for an export that names none: the year and month its responses were completed.

Microsoft Forms (``Completion time``/``Fuldførelsestidspunkt``) and many other
tools write when each response was completed. When a file has no wave column
and ``--wave`` is not given, the wave is the year-month of the *median*
completion time (``"2025-08"``): a survey open from late August into September
is the August round. Times may be ISO (``2025-08-20T14:03:00``), Danish
day-first (``20-08-2025 14:03``, ``20.08.2025``) or Excel serial numbers.
Without such times no default is made and the file is refused, asking for
``--wave``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .text import is_blank

__all__ = ["WaveDefault", "wave_from_times", "COMPLETION_HEADERS"]

# Headers of a response's completion time (normalised), as tools write them.
COMPLETION_HEADERS = frozenset({
    "completion time", "fuldførelsestidspunkt", "closetime", "close time", "endtime", "end time", "enddate",
    "end date", "submitdate", "submit date", "submitted", "completed", "completed at", "afsluttet",
    "afsluttet tidspunkt", "besvaret", "besvarelsesdato", "svartidspunkt", "recordeddate", "recorded date",
})
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


@dataclass(frozen=True)
class WaveDefault:
    """A wave label made from completion times, and what it was made from (for the provenance)."""

    label: str
    column: str
    responses: int
    first: str
    last: str

    def describe(self) -> dict[str, object]:
        """For the provenance record."""
        return {"label": self.label, "from": "completion times", "column": self.column,
                "rule": "year-month of the median completion time", "responses": self.responses,
                "first": self.first, "last": self.last}

    def sentence(self) -> str:
        """One line for the command line."""
        return (f"wave {self.label}: the file has no wave and --wave was not given, so the wave is the month of "
                f"the median completion time in column {self.column!r} ({self.responses} responses, "
                f"{self.first} … {self.last}); give --wave to set another")


def _plausible(times: pd.Series) -> pd.Series:
    """Times of a survey (1900–2199) in nanoseconds; others (``0000-01-01``, beyond what ns can hold) missing."""
    ok = times.notna() & (times >= pd.Timestamp("1900-01-01")) & (times < pd.Timestamp("2200-01-01"))
    return times.where(ok).astype("datetime64[ns]")


def _parse_times(values: pd.Series) -> pd.Series:
    text = pd.Series([str(v).strip() for v in values], index=values.index, dtype=object)
    numbers = pd.to_numeric(text, errors="coerce").astype("float64")
    serial = numbers.between(20000, 80000).to_numpy(dtype=bool)  # Excel day numbers 1954–2119
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    out[~serial] = _plausible(pd.to_datetime(text[~serial], format="ISO8601", errors="coerce"))
    rest = (out.isna() & ~serial).to_numpy(dtype=bool)
    if rest.any():  # Danish day-first dates; ISO would be misread day-first, so they went first
        out[rest] = _plausible(pd.to_datetime(text[rest], format="mixed", dayfirst=True, errors="coerce"))
    if serial.any():
        out[serial] = _EXCEL_EPOCH + pd.to_timedelta(numbers[serial], unit="D")
    return out


def wave_from_times(values: pd.Series, *, column: str) -> WaveDefault | None:
    """The year-month of the median completion time, or ``None`` when fewer than half the times can be read.

    Parameters
    ----------
    values
        The completion times of the responses kept (cells as read).
    column
        The column's header, named in the provenance.
    """
    filled = values[~values.map(is_blank)]
    if filled.empty:
        return None
    times = _parse_times(filled).dropna().sort_values()
    if len(times) * 2 < len(filled):
        return None
    median = times.iloc[(len(times) - 1) // 2]
    return WaveDefault(label=f"{median.year:04d}-{median.month:02d}", column=column, responses=len(times),
                       first=times.iloc[0].date().isoformat(), last=times.iloc[-1].date().isoformat())
