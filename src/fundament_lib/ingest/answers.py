"""Turn raw answer cells into (value, status, text), one column at a time.

A cell is *substantive* when it is a code or label on the item's scale,
*non-substantive* ("Ved ikke", "Ikke relevant" …) when it matches one of those
labels whatever code it came with, *unanswered* when blank, and *bad*
otherwise — bad cells are reported by the caller with their row and column.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..framework import Scale

__all__ = ["ParsedColumn", "parse_answers", "normalise_label", "NONSUBSTANTIVE", "parse_number"]

# Non-substantive answers seen in Danish (and Norwegian/English) survey exports.
NONSUBSTANTIVE: frozenset[str] = frozenset({
    "ved ikke", "ved ikke ikke relevant", "ikke relevant", "kan ikke svare", "ønsker ikke at svare",
    "vil ikke svare", "vet ikke", "ikke aktuelt", "ikke aktuel", "dont know", "don t know",
    "not applicable", "n a", "na",
})

_SPACE = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w\s%]")


def normalise_label(text: object) -> str:
    """Compare labels tolerantly: Unicode NFC, case-folded, punctuation and extra spaces removed."""
    s = unicodedata.normalize("NFC", str(text)).casefold()
    s = _PUNCT.sub(" ", s)
    return _SPACE.sub(" ", s).strip()


def parse_number(text: object) -> float | None:
    """Parse ``4``, ``"4"``, ``"4,0"``, ``"40 %"`` or ``"1.234,5"``; ``None`` if not a number."""
    if isinstance(text, (int, float, np.integer, np.floating)) and not isinstance(text, bool):
        return None if pd.isna(text) else float(text)
    s = str(text).strip().replace("\u00a0", "").replace(" ", "").rstrip("%")
    if re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+(,\d+)?", s):  # Danish thousands separator
        s = s.replace(".", "")
    s = s.replace(",", ".")
    try:
        value = float(s)
    except ValueError:
        return None
    return value if np.isfinite(value) else None


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


def parse_answers(raw: pd.Series, scale: Scale, *, label_codes: dict[str, int] | None = None
                  ) -> ParsedColumn:
    """Parse one item's raw cells against its scale.

    Parameters
    ----------
    raw
        Cells as read from the file (strings or numbers; missing as NaN/None).
    scale
        The item's scale.
    label_codes
        Extra label → code pairs (normalised labels), e.g. from a SurveyXact
        label sheet or a synonym list; they win over the scale's own labels.

    Returns
    -------
    ParsedColumn
        ``value`` (float, NaN unless substantive), ``status``, ``text``, and
        ``bad``/``reason`` for cells that could not be interpreted.
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

    labels = {normalise_label(v): k for k, v in scale.labels.items()}
    labels.update(label_codes or {})
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


def _classify(cell: object, scale: Scale, labels: dict[str, int], nonsub: frozenset[str] | set[str]
              ) -> tuple[str, float, str]:
    """(status or "bad", number, reason) for one distinct cell value."""
    key = normalise_label(cell)
    if key in nonsub:
        return "ved_ikke", np.nan, ""
    coded = labels.get(key)
    number = float(coded) if coded is not None else parse_number(cell)
    if number is None:
        return "bad", np.nan, "answer is neither a number nor a label of the scale"
    if not _on_scale(number, scale):
        return "bad", np.nan, f"answer outside the scale ({scale.labels_text()})"
    return "svar", number, ""


def _on_scale(number: float, scale: Scale) -> bool:
    if scale.kind == "numeric":
        lo = -np.inf if scale.minimum is None else scale.minimum
        hi = np.inf if scale.maximum is None else scale.maximum
        return bool(lo <= number <= hi)
    return float(number).is_integer() and int(number) in scale.labels
