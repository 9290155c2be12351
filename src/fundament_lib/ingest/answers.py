"""Turn raw answer cells into (value, status, text), one column at a time.

A cell is *substantive* when it is a code or label on the item's scale (or a
synonym of a label, see :mod:`.labels`), *non-substantive* ("Ved ikke",
"Ikke relevant" …) when it matches one of those labels whatever code it came
with, *unanswered* when blank, and *bad* otherwise — bad cells are reported
by the caller with their row and column.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..framework import Scale
from .labels import NONSUBSTANTIVE, label_codes
from .text import normalise_label, parse_number

__all__ = ["ParsedColumn", "parse_answers", "normalise_label", "NONSUBSTANTIVE", "parse_number",
           "BAD_ANSWER", "OUTSIDE_SCALE"]

BAD_ANSWER = ("answer is neither a number nor a label of the scale (the kommune's own wording? add it to "
              "the labels of a codebook from `fundament instrument` and pass --codebook)")
OUTSIDE_SCALE = "answer outside the scale"
_CODED_LABEL = re.compile(r"^(\d+)\s+(.+)$|^(.+?)\s+(\d+)$")  # "4 delvis enig", "delvis enig 4"


@dataclass
class ParsedColumn:
    """Result of :func:`parse_answers` for one column (all Series share the input's index)."""

    value: pd.Series
    status: pd.Series
    text: pd.Series
    bad: pd.Series
    reason: pd.Series


def _blank(raw: pd.Series) -> pd.Series:
    return raw.isna() | raw.astype("str").str.strip().eq("")


def parse_answers(raw: pd.Series, scale: Scale, *, label_codes: Mapping[str, int] | None = None
                  ) -> ParsedColumn:
    """Parse one item's raw cells against its scale.

    Parameters
    ----------
    raw
        Cells as read from the file (strings or numbers; missing as NaN/None).
    scale
        The item's scale.
    label_codes
        Extra label → code pairs (normalised labels), e.g. a codebook file's
        own wording; they win over the scale's labels and their synonyms.

    Returns
    -------
    ParsedColumn
        ``value`` (float, NaN unless substantive), ``status``, ``text``, and
        ``bad``/``reason`` for cells that could not be interpreted. A bad
        cell keeps status ``ubesvaret``; callers drop it or refuse the file.
    """
    value = pd.Series(np.nan, index=raw.index, dtype="float64")
    status = pd.Series("ubesvaret", index=raw.index, dtype="object")
    text = pd.Series(None, index=raw.index, dtype="object")
    bad = pd.Series(False, index=raw.index)
    reason = pd.Series("", index=raw.index, dtype="object")
    blank = _blank(raw)
    if scale.kind == "text":
        keep = ~blank
        text[keep] = raw[keep].astype("str").str.strip()
        status[keep] = "svar"
        return ParsedColumn(value, status, text, bad, reason)

    labels = _all_labels(scale, label_codes)
    nonsub = NONSUBSTANTIVE | {normalise_label(x) for x in scale.nonsubstantive}
    filled = raw[~blank]
    # Columns hold few distinct answers: classify each distinct cell once, then map.
    verdicts = {cell: _classify(cell, scale, labels, nonsub) for cell in pd.unique(filled)}
    kinds = filled.map(lambda c: verdicts[c][0])
    numbers = filled.map(lambda c: verdicts[c][1])
    status[kinds.index] = kinds.where(kinds != "bad", "ubesvaret")
    value[kinds.index[kinds == "svar"]] = numbers[kinds == "svar"].astype("float64")
    bad[kinds.index] = kinds == "bad"
    reason[kinds.index] = filled.map(lambda c: verdicts[c][2])
    return ParsedColumn(value, status, text, bad, reason)


_LABEL_CACHE: dict[tuple[object, ...], dict[str, int]] = {}


def _all_labels(scale: Scale, extra: Mapping[str, int] | None) -> dict[str, int]:
    key = (scale.kind, tuple(sorted(scale.labels.items())), tuple(sorted((extra or {}).items())))
    if key not in _LABEL_CACHE:
        _LABEL_CACHE[key] = label_codes(scale, extra)
    return _LABEL_CACHE[key]


def _classify(cell: object, scale: Scale, labels: Mapping[str, int], nonsub: frozenset[str] | set[str]
              ) -> tuple[str, float, str]:
    """(status or "bad", number, reason) for one distinct cell value."""
    key = normalise_label(cell)
    if key in nonsub:
        return "ved_ikke", np.nan, ""
    coded = labels.get(key)
    if coded is None:
        coded = _coded_label(key, labels)
    number = float(coded) if coded is not None else parse_number(cell)
    if number is None:
        return "bad", np.nan, BAD_ANSWER
    if not _on_scale(number, scale):
        return "bad", np.nan, f"{OUTSIDE_SCALE} ({scale.labels_text()})"
    return "svar", number, ""


def _coded_label(key: str, labels: Mapping[str, int]) -> int | None:
    """``"4 delvis enig"`` → 4 when the number and the label agree; else ``None``."""
    m = _CODED_LABEL.match(key)
    if not m:
        return None
    number, label = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
    code = labels.get(label)
    return code if code is not None and code == int(number) else None


def _on_scale(number: float, scale: Scale) -> bool:
    if scale.kind == "numeric":
        lo = -np.inf if scale.minimum is None else scale.minimum
        hi = np.inf if scale.maximum is None else scale.maximum
        return bool(lo <= number <= hi)
    return float(number).is_integer() and int(number) in scale.labels
