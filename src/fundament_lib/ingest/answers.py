"""Turn raw answer cells into (value, status, text), one column at a time.

A cell is *substantive* when it is a code or label on the item's scale (or a
synonym of a label, see :mod:`.labels`), *non-substantive* ("Ved ikke",
"Ikke relevant" …) when it matches one of those labels whatever code it came
with, *unanswered* when blank, and *bad* otherwise — bad cells are reported
by the caller with their row and column.

Answers to an ordered (Likert) item are coded ``1..K`` worst-first, K being
the points of the scale the item was asked on (:mod:`.scales`). Before any
cell of a SurveyXact variable is read, :func:`check_value_labels` checks that
the export's value labels are the codebook's scale: the same number of points,
every label known — so that one scale is never mapped onto another.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from fundament_lib.core.values import clean_free_text
from fundament_lib.framework import Scale

from .cells import distinct_cells
from .labels import NONSUBSTANTIVE, label_codes
from .scales import OrderedScale, framework_scale, is_number_label, ordered_label_codes
from .schema import STATUSES
from .text import is_blank, normalise_label, parse_number

__all__ = ["ParsedColumn", "parse_answers", "check_value_labels", "LabelCheck", "normalise_label", "NONSUBSTANTIVE",
           "parse_number", "BAD_ANSWER", "OUTSIDE_SCALE", "SCALE_POINTS", "NUMBER_LABEL", "UNKNOWN_LABEL",
           "SHARED_POINT"]

BAD_ANSWER = ("answer is neither a number nor a label of the scale (the kommune's own wording? add it to "
              "the labels of a codebook from `fundament instrument` and pass --codebook)")
OUTSIDE_SCALE = "answer outside the scale"
_FIX = "write the survey's own labels into the codebook's labels column for the item and pass --codebook"
SCALE_POINTS = ("the export's labels give another number of points than the codebook's scale, and one scale is "
                "never mapped onto another: " + _FIX)
NUMBER_LABEL = ("the export's label is only a number, which does not say which answer it is: if the survey showed "
                "it so, write exactly that label into the codebook's labels column for the item and pass --codebook")
UNKNOWN_LABEL = "the export's label is not on the codebook's scale for the item: " + _FIX
SHARED_POINT = ("two different labels fall on one point of the codebook's scale (the survey's scale has more "
                "points): " + _FIX)
_CODED_LABEL = re.compile(r"^(\d+)\s+(.+)$|^(.+?)\s+(\d+)$")  # "4 delvis enig", "delvis enig 4"


@dataclass
class ParsedColumn:
    """Result of :func:`parse_answers` for one column (all Series share the input's index).

    ``shared`` lists, for an ordered item, the points that different label
    wordings fell on (``{code: {label, …}}`` with two or more labels): a sign
    that the survey's scale had more points than the codebook's.
    """

    value: pd.Series
    status: pd.Series
    text: pd.Series
    bad: pd.Series
    reason: pd.Series
    shared: dict[int, set[str]] = field(default_factory=dict)
    control_removed: int = 0


def parse_answers(raw: pd.Series, scale: Scale, *, ordered: OrderedScale | None = None,
                  label_codes: Mapping[str, int] | None = None) -> ParsedColumn:
    """Parse one item's raw cells against its scale.

    Parameters
    ----------
    raw
        Cells as read from the file (strings or numbers; missing as NaN/None).
    scale
        The item's scale in the framework.
    ordered
        For a Likert item, the scale it was asked on (default: the framework's).
        Its labels, codes and their synonyms are read, and values are coded
        ``1..K`` worst-first.
    label_codes
        Extra label → code pairs (normalised labels) for a tick-box item, e.g.
        a codebook file's own wording.

    Returns
    -------
    ParsedColumn
        ``value`` (float, NaN unless substantive), ``status``, ``text``, and
        ``bad``/``reason`` for cells that could not be interpreted. A bad
        cell keeps status ``ubesvaret``; callers drop it or refuse the file.
        Free text loses its control characters (counted in ``control_removed``);
        a text of nothing else is no answer.
    """
    n = len(raw)
    # Columns hold few distinct answers: everything below is decided once per distinct cell, then spread
    # by the cells' codes (code -1, a missing cell, takes the last entry of each per-distinct table).
    cell_codes, uniques = distinct_cells(raw)
    text = np.empty(n, dtype=object)  # all None
    if scale.kind == "text":
        status = np.full(n, _UNANSWERED, dtype=np.int8)
        blank = np.append([is_blank(u) for u in uniques], True).astype(bool)[cell_codes]
        filled_at = np.flatnonzero(~blank)
        cleaned = [clean_free_text(str(c)) for c in raw.to_numpy(dtype=object)[filled_at]]
        kept = np.array([bool(t.strip()) for t, _ in cleaned], dtype=bool)
        text[filled_at[kept]] = [t.strip() for t, _ in cleaned if t.strip()]
        status[filled_at[kept]] = _SVAR
        parsed = _column(raw.index, np.full(n, np.nan), status, text, np.zeros(n, dtype=bool),
                         np.full(n, "", dtype=object))
        parsed.control_removed = sum(k for _, k in cleaned)
        return parsed

    if scale.kind == "likert":
        ordered = ordered or framework_scale(scale)
    reader = _Reader(scale, ordered, label_codes)
    verdicts = [reader.classify(c) if not is_blank(c) else ("ubesvaret", np.nan, "") for c in uniques]
    kinds = np.array([_KINDS.index(v[0]) for v in verdicts] + [_UNANSWERED], dtype=np.int8)[cell_codes]
    value = np.array([v[1] for v in verdicts] + [np.nan], dtype="float64")[cell_codes]
    value[kinds != _SVAR] = np.nan
    reason = np.array([v[2] for v in verdicts] + [""], dtype=object)[cell_codes]
    bad = kinds == _BAD
    status = np.where(bad, np.int8(_UNANSWERED), kinds).astype(np.int8)
    return _column(raw.index, value, status, text, bad, reason, reader.shared())


_KINDS = (*STATUSES, "bad")  # a cell's verdict: a status, or bad
_SVAR, _UNANSWERED, _BAD = _KINDS.index("svar"), _KINDS.index("ubesvaret"), _KINDS.index("bad")


def _column(index: pd.Index, value: np.ndarray, status: np.ndarray, text: np.ndarray, bad: np.ndarray,
            reason: np.ndarray, shared: dict[int, set[str]] | None = None) -> ParsedColumn:
    """The parsed arrays as Series; ``status`` given as codes into ``STATUSES``, kept categorical."""
    statuses = pd.Categorical.from_codes(status, categories=pd.Index(STATUSES, dtype="str"))
    return ParsedColumn(pd.Series(value, index=index), pd.Series(statuses, index=index),
                        pd.Series(text, index=index, dtype=object), pd.Series(bad, index=index),
                        pd.Series(reason, index=index, dtype=object), shared or {})


_LABEL_CACHE: dict[tuple[object, ...], dict[str, int]] = {}


def _choice_labels(scale: Scale, extra: Mapping[str, int] | None) -> dict[str, int]:
    key = (scale.kind, tuple(sorted(scale.labels.items())), tuple(sorted((extra or {}).items())))
    if key not in _LABEL_CACHE:
        _LABEL_CACHE[key] = label_codes(scale, extra)
    return _LABEL_CACHE[key]


class _Reader:
    """Classifies distinct cells of one column and remembers which wordings fell on which point."""

    def __init__(self, scale: Scale, ordered: OrderedScale | None, extra: Mapping[str, int] | None) -> None:
        self.scale, self.ordered = scale, ordered
        self.labels = ordered_label_codes(ordered) if ordered is not None else _choice_labels(scale, extra)
        self.nonsub = NONSUBSTANTIVE | {normalise_label(x) for x in scale.nonsubstantive}
        if ordered is not None:
            self.nonsub = self.nonsub | {normalise_label(x) for x in ordered.nonsubstantive}
        self.wordings: dict[int, set[str]] = {}

    def classify(self, cell: object) -> tuple[str, float, str]:
        """(status or "bad", number, reason) for one distinct cell value.

        A number that is a code of the scale is that code — also where some
        label of the scale is a number too ("2=3" in a best-first codebook of
        numbered points): codes are what number cells hold. Otherwise the cell
        is read as a label (or "4 - Delvis enig").
        """
        key = normalise_label(cell)
        if key in self.nonsub:
            return "ved_ikke", np.nan, ""
        number = parse_number(cell)
        if number is None or not self._is_code(number):
            wording: str | None = key
            code = self.labels.get(key)
            if code is None:  # "4 - Delvis enig": the wording is the label part
                code, wording = _coded_label(key, self.labels)
            if code is not None and wording is not None:
                self.wordings.setdefault(code, set()).add(wording)
                number = float(code)
        if number is None:
            return "bad", np.nan, BAD_ANSWER
        if self.ordered is not None:
            if not self._is_code(number):
                return "bad", np.nan, f"{OUTSIDE_SCALE} ({self.ordered.text()})"
            return "svar", float(self.ordered.value(int(number))), ""
        if not _on_scale(number, self.scale):
            return "bad", np.nan, f"{OUTSIDE_SCALE} ({self.scale.labels_text()})"
        return "svar", number, ""

    def _is_code(self, number: float) -> bool:
        if self.ordered is None:
            return _on_scale(number, self.scale)
        return float(number).is_integer() and int(number) in self.ordered.codes

    def shared(self) -> dict[int, set[str]]:
        """Points of an ordered scale that two or more different wordings fell on."""
        if self.ordered is None:
            return {}
        return {code: words for code, words in self.wordings.items() if len(words) > 1}


def _coded_label(key: str, labels: Mapping[str, int]) -> tuple[int | None, str | None]:
    """``"4 delvis enig"`` → (4, "delvis enig") when the number and the label agree; else ``(None, None)``."""
    m = _CODED_LABEL.match(key)
    if not m:
        return None, None
    number, label = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
    code = labels.get(label)
    return (code, label) if code is not None and code == int(number) else (None, None)


def _on_scale(number: float, scale: Scale) -> bool:
    if scale.kind == "numeric":
        lo = -np.inf if scale.minimum is None else scale.minimum
        hi = np.inf if scale.maximum is None else scale.maximum
        return bool(lo <= number <= hi)
    return float(number).is_integer() and int(number) in scale.labels


@dataclass
class LabelCheck:
    """What :func:`check_value_labels` found: problems, and each export code's code on the codebook's scale.

    ``codes`` maps an export code to the codebook's code (as text), or to the
    label itself for a "Ved ikke"-like answer; it is complete only when
    ``problems`` is empty.
    """

    problems: list[tuple[str, str]]
    codes: dict[str, str]


def check_value_labels(labels: Mapping[str, str], ordered: OrderedScale, *, item_id: str,
                       nonsubstantive: frozenset[str] | set[str] = frozenset()) -> LabelCheck:
    """Check an export's value labels of one variable against the ordered scale the codebook gives its item.

    Parameters
    ----------
    labels
        The export's ``code → label`` for the variable (SurveyXact's Labels sheet).
    ordered
        The codebook's scale for the item.
    item_id
        Named in every problem.
    nonsubstantive
        Further normalised labels that are no point of the scale.

    Returns
    -------
    LabelCheck
        No problems when every substantive label is a label of the codebook's
        scale (or a synonym on a scale of the same length) and the export has
        as many points as the codebook. Otherwise the number of points differs
        (:data:`SCALE_POINTS`, which explains the rest), or a label is only a
        number (:data:`NUMBER_LABEL`), unknown (:data:`UNKNOWN_LABEL`) or
        shares a point with another (:data:`SHARED_POINT`).
    """
    nonsub = NONSUBSTANTIVE | set(nonsubstantive) | {normalise_label(x) for x in ordered.nonsubstantive}
    codes = {code: label for code, label in labels.items() if normalise_label(label) in nonsub}
    substantive = {code: label for code, label in labels.items() if label.strip() and code not in codes}
    expected = f"codebook: {ordered.text()} ({ordered.points} points)"
    found = " | ".join(f"{c}={label}" for c, label in _by_code(substantive))
    if len(substantive) != ordered.points:
        return LabelCheck([(SCALE_POINTS, f"{item_id} · export: {found} ({len(substantive)} points) · {expected}")],
                          codes)
    known = ordered_label_codes(ordered)
    problems: list[tuple[str, str]] = []
    landed: dict[int, list[str]] = {}
    for code, label in _by_code(substantive):
        point = known.get(normalise_label(label))
        if point is None:
            point, _ = _coded_label(normalise_label(label), known)
        if point is None:
            message = NUMBER_LABEL if is_number_label(label) else UNKNOWN_LABEL
            problems.append((message, f"{item_id} · label {label!r} (code {code}) · {expected}"))
        else:
            landed.setdefault(point, []).append(f"{label!r} (code {code})")
            codes[code] = str(point)
    for point, names in landed.items():
        if len(names) > 1:
            problems.append((SHARED_POINT, f"{item_id} · {' and '.join(names)} both mean {point} · {expected}"))
    return LabelCheck(problems, codes)


def _by_code(labels: Mapping[str, str]) -> list[tuple[str, str]]:
    def key(item: tuple[str, str]) -> tuple[float, str]:
        number = parse_number(item[0])
        return (number if number is not None else float("inf"), item[0])

    return sorted(labels.items(), key=key)
